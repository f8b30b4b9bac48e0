/* Parsing one email (parse.h). The message is read by GMime over a memory
 * stream that borrows the caller's buffer (a GByteArray that takes the bytes
 * and gives them back untouched), so a 50 MB message is never held twice;
 * parts keep offsets into it, and each leaf is decoded in 64 KiB chunks into
 * a sink: the text sink keeps at most lim->max_text bytes, the attachment
 * sink counts them and passes them on to the caller's callback.
 *
 * Which text an agent reads: in multipart/alternative the text/plain child,
 * else text/html turned into text, else the richest multipart child; in
 * multipart/related the root; in every other multipart each inline text child
 * in order, separated by a blank line. Everything that is not inline
 * text/plain or text/html is an attachment.
 *
 * Workarounds for Debian's GMime 3.2.13, both fixed upstream in 3.2.14:
 * base64 bodies are decoded with GLib's g_base64_decode_step, which keeps
 * going after padding in the middle of a stream (GMime's decoder stops), and
 * adjacent encoded words of one charset in the Subject are joined before
 * GMime decodes them (subject_decode), so a character split across two words
 * comes out whole. */
#include "channel/email/parse.h"
#include "channel/email/html.h"
#include "guichet/error.h"

#include <glib.h>
#include <gmime/gmime.h>
#include <libxml/parser.h>
#include <sodium.h>
#include <stdarg.h>
#include <string.h>

#define CHUNK 65536
#define MAX_DEPTH 32
#define MAX_DEFECT_ITEM 80

struct parse {
	const struct email_limits *lim;
	struct email *e;
	GPtrArray *defects;  /* char *, g_malloc'd */
	bool defects_cut;
	GString *text;
	GArray *attachments; /* struct email_attachment */
	size_t n_leaves;
	email_attachment_fn *fn;
	void *ctx;
	int rc;              /* the callback's error, which ends the walk */
};

static GOnce init_once = G_ONCE_INIT;

static gpointer init_libraries(gpointer unused)
{
	g_mime_init();
	xmlInitParser();
	if (sodium_init() < 0)
		g_error("libsodium cannot start");
	return NULL;
}

void email_init(void)
{
	g_once(&init_once, init_libraries, NULL);
}

/* Notes a defect once; past lim->max_defects, one last note says more were left out. */
G_GNUC_PRINTF(2, 3) static void defect(struct parse *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	char *text = g_utf8_make_valid(raw, -1);
	g_free(raw);
	for (guint i = 0; i < p->defects->len; i++)
		if (strcmp(g_ptr_array_index(p->defects, i), text) == 0) {
			g_free(text);
			return;
		}
	if (p->defects->len >= p->lim->max_defects) {
		if (!p->defects_cut && p->lim->max_defects > 0)
			g_ptr_array_add(p->defects, g_strdup("more defects left out"));
		p->defects_cut = true;
		g_free(text);
		return;
	}
	g_ptr_array_add(p->defects, text);
}

static const char *warning_name(GMimeParserWarning code)
{
	switch (code) {
	case GMIME_WARN_DUPLICATED_HEADER: return "duplicated header";
	case GMIME_WARN_DUPLICATED_PARAMETER: return "duplicated parameter";
	case GMIME_WARN_UNENCODED_8BIT_HEADER: return "8-bit header";
	case GMIME_WARN_INVALID_CONTENT_TYPE: return "invalid content type";
	case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE: return "invalid RFC 2047 header";
	case GMIME_WARN_MALFORMED_MULTIPART: return "broken multipart";
	case GMIME_WARN_TRUNCATED_MESSAGE: return "truncated message";
	case GMIME_WARN_MALFORMED_MESSAGE: return "malformed message";
	case GMIME_CRIT_INVALID_HEADER_NAME: return "invalid header name";
	case GMIME_CRIT_CONFLICTING_HEADER: return "conflicting header";
	case GMIME_CRIT_CONFLICTING_PARAMETER: return "conflicting parameter";
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: return "multipart without boundary";
	case GMIME_WARN_INVALID_PARAMETER: return "invalid parameter";
	case GMIME_WARN_INVALID_ADDRESS_LIST: return "invalid address list";
	case GMIME_CRIT_NESTING_OVERFLOW: return "nesting too deep";
	case GMIME_WARN_PART_WITHOUT_CONTENT: return "part without content";
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT: return "part without headers or content";
	}
	return "malformed message";
}

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
	struct parse *p = data;
	if (item == NULL || *item == '\0') {
		defect(p, "%s", warning_name(code));
		return;
	}
	char *shown = g_strndup(item, MAX_DEFECT_ITEM);
	g_strstrip(shown);
	defect(p, "%s: %s", warning_name(code), shown);
	g_free(shown);
}

/* A header value as kept: valid UTF-8, trimmed; NULL stays NULL. */
static char *clean(const char *value)
{
	if (value == NULL)
		return NULL;
	char *s = g_utf8_make_valid(value, -1);
	return g_strstrip(s);
}

/* The first id of an In-Reply-To or Message-ID value, without brackets. */
static char *first_id(const char *value)
{
	char *id = value ? g_mime_utils_decode_message_id(value) : NULL;
	if (id == NULL)
		return clean(value);
	char *out = clean(id);
	g_free(id);
	return out;
}

static char *derived_id(const char *raw, size_t len)
{
	unsigned char hash[crypto_generichash_BYTES];
	char hex[2 * sizeof(hash) + 1];
	crypto_generichash(hash, sizeof(hash), (const unsigned char *)raw, len, NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	return g_strdup_printf("blake2b-%s@guichet.invalid", hex);
}

/* --- the Subject: adjacent encoded words of one charset joined, then GMime decodes --- */

/* One RFC 2047 encoded word at s: its charset, encoding letter and payload. */
struct word {
	const char *charset, *payload, *end;
	size_t charset_len, payload_len;
	char enc;
};

static bool word_at(const char *s, struct word *w)
{
	if (s[0] != '=' || s[1] != '?')
		return false;
	const char *cs = s + 2, *q = cs;
	while (*q && *q != '?' && !g_ascii_isspace(*q) && q - cs < 64)
		q++;
	if (*q != '?' || q == cs || !strchr("BbQq", q[1]) || q[1] == '\0' || q[2] != '?')
		return false;
	const char *pl = q + 3, *e = pl;
	while (*e && !(e[0] == '?' && e[1] == '=') && !g_ascii_isspace(*e))
		e++;
	if (e[0] != '?' || e[1] != '=')
		return false;
	*w = (struct word){cs, pl, e + 2, (size_t)(q - cs), (size_t)(e - pl), (char)g_ascii_toupper(q[1])};
	return true;
}

static bool same_charset(const struct word *a, const struct word *b)
{
	return a->enc == b->enc && a->charset_len == b->charset_len &&
	       g_ascii_strncasecmp(a->charset, b->charset, a->charset_len) == 0;
}

/* Appends the payload of a run of words as one word: base64 decoded,
 * joined and encoded again; Q payloads joined as they are (Q is bytewise). */
static void append_run(GString *out, const struct word *run, size_t n)
{
	g_string_append(out, "=?");
	g_string_append_len(out, run[0].charset, (gssize)run[0].charset_len);
	g_string_append_printf(out, "?%c?", run[0].enc);
	if (run[0].enc == 'Q') {
		for (size_t i = 0; i < n; i++)
			g_string_append_len(out, run[i].payload, (gssize)run[i].payload_len);
	} else {
		GByteArray *bytes = g_byte_array_new();
		for (size_t i = 0; i < n; i++) {
			char *b64 = g_strndup(run[i].payload, run[i].payload_len);
			gsize len = 0;
			guchar *raw = g_base64_decode(b64, &len);
			g_byte_array_append(bytes, raw, (guint)len);
			g_free(raw);
			g_free(b64);
		}
		char *again = g_base64_encode(bytes->data, bytes->len);
		g_string_append(out, again);
		g_free(again);
		g_byte_array_unref(bytes);
	}
	g_string_append(out, "?=");
}

/* The value with every run of adjacent same-charset encoded words made one word. */
static char *join_encoded_words(const char *value)
{
	GString *out = g_string_new(NULL);
	const char *s = value;
	while (*s) {
		struct word run[16];
		size_t n = 0;
		if (!word_at(s, &run[0])) {
			g_string_append_c(out, *s++);
			continue;
		}
		n = 1;
		const char *next = run[0].end;
		for (;;) {
			const char *t = next;
			while (g_ascii_isspace(*t))
				t++;
			if (n == G_N_ELEMENTS(run) || !word_at(t, &run[n]) || !same_charset(&run[0], &run[n]))
				break;
			next = run[n++].end;
		}
		append_run(out, run, n);
		s = next;
	}
	return g_string_free(out, FALSE);
}

static char *subject_decode(GMimeObject *o, GMimeParserOptions *opts)
{
	GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list(o), "Subject");
	const char *raw = h ? g_mime_header_get_raw_value(h) : NULL;
	if (raw == NULL)
		return NULL;
	char *unfolded = g_mime_utils_header_unfold(raw);
	char *joined = join_encoded_words(unfolded);
	char *decoded = g_mime_utils_header_decode_text(opts, joined);
	char *out = clean(decoded);
	g_free(decoded);
	g_free(joined);
	g_free(unfolded);
	return out;
}

/* --- addresses --- */

static void add_addresses(struct parse *p, InternetAddressList *list, GArray *out, const char *field, int depth)
{
	int n = list ? internet_address_list_length(list) : 0;
	for (int i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (depth < 2)
				add_addresses(p, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), out,
					      field, depth + 1);
			continue;
		}
		if (out->len >= p->lim->max_addresses) {
			defect(p, "too many addresses in %s", field);
			return;
		}
		const char *name = internet_address_get_name(ia);
		const char *addr = INTERNET_ADDRESS_IS_MAILBOX(ia)
					   ? internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia))
					   : NULL;
		struct email_address a = {name && *name ? clean(name) : NULL, addr && *addr ? clean(addr) : NULL};
		g_array_append_val(out, a);
	}
}

static struct email_address *addresses(struct parse *p, InternetAddressList *list, const char *field, size_t *ret_n)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct email_address));
	add_addresses(p, list, out, field, 0);
	*ret_n = out->len;
	return (struct email_address *)(void *)g_array_free(out, FALSE);
}

/* --- headers --- */

static char *header(GMimeObject *o, const char *name)
{
	return clean(g_mime_object_get_header(o, name));
}

static void read_references(struct parse *p, GMimeObject *o, GMimeParserOptions *opts)
{
	const char *value = g_mime_object_get_header(o, "References");
	GMimeReferences *refs = value ? g_mime_references_parse(opts, value) : NULL;
	int n = refs ? g_mime_references_length(refs) : 0;
	int first = 0;
	if ((size_t)n > p->lim->max_references) {
		defect(p, "too many References: kept the last %zu", p->lim->max_references);
		first = n - (int)p->lim->max_references;
	}
	p->e->references = g_new0(char *, (size_t)(n - first) + 1);
	for (int i = first; i < n; i++)
		p->e->references[p->e->n_references++] = clean(g_mime_references_get_message_id(refs, i));
	if (refs)
		g_mime_references_free(refs);
}

static void read_date(struct parse *p, GMimeMessage *msg)
{
	GDateTime *d = g_mime_message_get_date(msg);
	if (d == NULL) {
		const char *raw = g_mime_object_get_header(GMIME_OBJECT(msg), "Date");
		if (raw == NULL)
			defect(p, "missing header: Date");
		else
			defect(p, "unreadable Date: %.*s", MAX_DEFECT_ITEM, raw);
		return;
	}
	GDateTime *utc = g_date_time_to_utc(d);
	p->e->date = utc ? g_date_time_format(utc, "%Y-%m-%dT%H:%M:%SZ") : NULL;
	if (utc)
		g_date_time_unref(utc);
}

static char *return_path(GMimeObject *o)
{
	char *v = header(o, "Return-Path");
	if (v == NULL || v[0] != '<')
		return v;
	char *end = strchr(v, '>');
	char *inside = g_strndup(v + 1, end ? (size_t)(end - v - 1) : strlen(v + 1));
	g_free(v);
	return g_strstrip(inside);
}

/* The first mailbox of From (a second one is rare and never the customer). */
static void read_from(struct parse *p, GMimeMessage *msg)
{
	size_t n = 0;
	struct email_address *from = addresses(p, g_mime_message_get_from(msg), "From", &n);
	if (n > 0)
		p->e->from = from[0];
	else
		defect(p, "missing header: From");
	for (size_t i = 1; i < n; i++) {
		g_free(from[i].name);
		g_free(from[i].address);
	}
	g_free(from);
}

static void read_headers(struct parse *p, GMimeMessage *msg, GMimeParserOptions *opts, const char *raw, size_t len)
{
	struct email *e = p->e;
	GMimeObject *o = GMIME_OBJECT(msg);
	const char *id = g_mime_object_get_header(o, "Message-ID");
	e->message_id = id ? first_id(id) : NULL;
	if (e->message_id == NULL || e->message_id[0] == '\0') {
		g_free(e->message_id);
		e->message_id = derived_id(raw, len);
		e->message_id_derived = true;
		defect(p, id ? "empty Message-ID" : "missing header: Message-ID");
	}
	const char *irt = g_mime_object_get_header(o, "In-Reply-To");
	e->in_reply_to = irt ? first_id(irt) : NULL;
	read_references(p, o, opts);
	read_from(p, msg);
	e->to = addresses(p, g_mime_message_get_to(msg), "To", &e->n_to);
	e->cc = addresses(p, g_mime_message_get_cc(msg), "Cc", &e->n_cc);
	e->subject = subject_decode(o, opts);
	read_date(p, msg);
	e->auto_submitted = header(o, "Auto-Submitted");
	e->precedence = header(o, "Precedence");
	e->x_autoreply = header(o, "X-Autoreply");
	e->x_auto_response_suppress = header(o, "X-Auto-Response-Suppress");
	e->return_path = return_path(o);
	GMimeObject *top = g_mime_message_get_mime_part(msg);
	GMimeContentType *ct = top ? g_mime_object_get_content_type(top) : NULL;
	const char *report = ct ? g_mime_content_type_get_parameter(ct, "report-type") : NULL;
	e->is_bounce = ct && g_mime_content_type_is_type(ct, "multipart", "report") && report &&
		       g_ascii_strcasecmp(report, "delivery-status") == 0;
}

/* --- bodies --- */

typedef void sink_fn(struct parse *p, void *state, const char *data, size_t len);

/* Decodes a leaf's content into sink, CHUNK bytes at a time. */
static void decode_part(struct parse *p, GMimePart *part, sink_fn *sink, void *state)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *s = w ? g_mime_data_wrapper_get_stream(w) : NULL;
	if (s == NULL)
		return;
	GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
	g_mime_stream_reset(s);
	char *in = g_malloc(CHUNK);
	if (enc == GMIME_CONTENT_ENCODING_BASE64) {
		guchar *out = g_malloc(CHUNK / 4 * 3 + 3);
		gint st = 0;
		guint save = 0;
		gssize n;
		while (p->rc == 0 && (n = g_mime_stream_read(s, in, CHUNK)) > 0) {
			gsize m = g_base64_decode_step(in, (gsize)n, out, &st, &save);
			sink(p, state, (const char *)out, m);
		}
		g_free(out);
	} else {
		GMimeStream *f = g_mime_stream_filter_new(s);
		if (enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE || enc == GMIME_CONTENT_ENCODING_UUENCODE) {
			GMimeFilter *dec = g_mime_filter_basic_new(enc, FALSE);
			g_mime_stream_filter_add(GMIME_STREAM_FILTER(f), dec);
			g_object_unref(dec);
		}
		gssize n;
		while (p->rc == 0 && (n = g_mime_stream_read(f, in, CHUNK)) > 0)
			sink(p, state, in, (size_t)n);
		g_object_unref(f);
	}
	g_free(in);
}

struct text_state {
	GByteArray *bytes;
	size_t budget;
	bool cut;
};

static void text_sink(struct parse *p, void *state, const char *data, size_t len)
{
	struct text_state *t = state;
	size_t room = t->budget > t->bytes->len ? t->budget - t->bytes->len : 0;
	if (len > room) {
		t->cut = true;
		len = room;
	}
	g_byte_array_append(t->bytes, (const guint8 *)data, (guint)len);
}

struct attachment_state {
	size_t index;
	size_t size;
};

static void attachment_sink(struct parse *p, void *state, const char *data, size_t len)
{
	struct attachment_state *a = state;
	a->size += len;
	if (p->fn && len > 0) {
		int rc = p->fn(p->ctx, a->index, data, len);
		if (rc < 0)
			p->rc = rc;
	}
}

static bool is_ascii_or_utf8(const char *cs)
{
	return g_ascii_strcasecmp(cs, "us-ascii") == 0 || g_ascii_strcasecmp(cs, "ascii") == 0 ||
	       g_ascii_strcasecmp(cs, "utf-8") == 0 || g_ascii_strcasecmp(cs, "utf8") == 0;
}

/* Bytes of a text part to UTF-8. Undeclared, ASCII or UTF-8 text that is not
 * valid UTF-8, text not valid in its charset and unknown charsets are read as
 * Windows-1252 (what senders that mislabel usually mean; ISO-8859-1 is read
 * as Windows-1252 too, as browsers do), with a defect. cut: the bytes were
 * cut at the limit, so a character cut at the very end is no defect. */
static char *to_utf8(struct parse *p, const char *data, size_t len, const char *charset, bool cut)
{
	const char *end = NULL;
	if (len == 0)
		return g_strdup("");
	if (charset == NULL || is_ascii_or_utf8(charset)) {
		if (g_utf8_validate(data, (gssize)len, &end) || (cut && data + len - end < 4))
			return g_strndup(data, (gsize)(end - data));
		defect(p, "text not valid in its charset %s", charset ? charset : "(none declared)");
	} else {
		const char *name = g_mime_charset_iconv_name(charset);
		if (g_ascii_strcasecmp(name, "iso-8859-1") == 0 || g_ascii_strcasecmp(name, "latin1") == 0)
			name = "WINDOWS-1252";
		GError *err = NULL;
		gsize out_len = 0;
		char *out = g_convert(data, (gssize)len, "UTF-8", name, NULL, &out_len, &err);
		if (out != NULL)
			return out;
		if (err && err->code == G_CONVERT_ERROR_NO_CONVERSION)
			defect(p, "unknown charset %.*s", MAX_DEFECT_ITEM, charset);
		else if (!cut || !err || err->code != G_CONVERT_ERROR_PARTIAL_INPUT)
			defect(p, "text not valid in its charset %.*s", MAX_DEFECT_ITEM, charset);
		g_clear_error(&err);
		if (g_utf8_validate(data, (gssize)len, NULL))
			return g_strndup(data, len);
	}
	char *out = g_convert(data, (gssize)len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	if (out == NULL)
		out = g_convert(data, (gssize)len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
	g_assert(out != NULL); /* ISO-8859-1 maps every byte */
	return out;
}

/* Appends text to the body: a blank line between parts, CRLF as LF, no NUL. */
static void append_text(struct parse *p, const char *text)
{
	while (*text == '\r' || *text == '\n')
		text++;
	if (*text == '\0')
		return;
	if (p->text->len > 0)
		g_string_append(p->text, "\n\n");
	for (const char *run = text; *run;) { /* runs up to each CR of a CRLF, appended whole */
		const char *cr = run;
		while (*cr && !(cr[0] == '\r' && cr[1] == '\n'))
			cr++;
		g_string_append_len(p->text, run, cr - run);
		run = *cr ? cr + 1 : cr;
	}
	while (p->text->len > 0 && g_ascii_isspace(p->text->str[p->text->len - 1]))
		g_string_truncate(p->text, p->text->len - 1);
}

static void read_text(struct parse *p, GMimePart *part, bool html)
{
	size_t budget = p->lim->max_text > p->text->len ? p->lim->max_text - p->text->len : 0;
	struct text_state t = {g_byte_array_new(), budget, false};
	decode_part(p, part, text_sink, &t);
	if (t.cut)
		defect(p, "text cut at %zu bytes", p->lim->max_text);
	const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
	char *utf8 = to_utf8(p, (const char *)t.bytes->data, t.bytes->len, charset, t.cut);
	g_byte_array_unref(t.bytes);
	if (html) {
		char *plain = NULL;
		if (email_html_to_text(utf8, strlen(utf8), &plain) == 0) {
			g_free(utf8);
			utf8 = plain;
		}
	}
	append_text(p, utf8);
	g_free(utf8);
}

/* A GMime stream that hands what GMime writes to it to the attachment sink:
 * a message/rfc822 attachment is passed on as GMime writes it out, a chunk
 * at a time, never as a second copy of the message in memory. */
typedef struct {
	GMimeStream parent;
	struct parse *p;
	struct attachment_state *state;
} SinkStream;
typedef struct {
	GMimeStreamClass parent_class;
} SinkStreamClass;

static GType sink_stream_get_type(void);
G_DEFINE_TYPE(SinkStream, sink_stream, GMIME_TYPE_STREAM)

static gssize sink_stream_write(GMimeStream *stream, const char *buf, size_t len)
{
	SinkStream *s = (SinkStream *)stream;
	attachment_sink(s->p, s->state, buf, len);
	return s->p->rc == 0 ? (gssize)len : -1;
}

static int sink_stream_flush(GMimeStream *stream)
{
	return 0;
}

static void sink_stream_class_init(SinkStreamClass *klass)
{
	GMIME_STREAM_CLASS(klass)->write = sink_stream_write;
	GMIME_STREAM_CLASS(klass)->flush = sink_stream_flush;
}

static void sink_stream_init(SinkStream *s)
{
}

static void add_attachment(struct parse *p, GMimeObject *obj, const char *filename)
{
	char *type = g_mime_content_type_get_mime_type(g_mime_object_get_content_type(obj));
	char *lower = g_ascii_strdown(type, -1);
	struct email_attachment a = {clean(filename), clean(lower), 0};
	g_free(lower);
	g_free(type);
	struct attachment_state st = {p->attachments->len, 0};
	if (GMIME_IS_PART(obj)) {
		decode_part(p, GMIME_PART(obj), attachment_sink, &st);
	} else {
		/* message/rfc822 and the like: streamed as GMime writes it out */
		SinkStream *sink = g_object_new(sink_stream_get_type(), NULL);
		g_mime_stream_construct(GMIME_STREAM(sink), 0, -1);
		sink->p = p;
		sink->state = &st;
		g_mime_object_write_to_stream(obj, NULL, GMIME_STREAM(sink));
		g_object_unref(sink);
	}
	a.size = st.size;
	g_array_append_val(p->attachments, a);
}

static bool is_type(GMimeObject *obj, const char *type, const char *subtype)
{
	return g_mime_content_type_is_type(g_mime_object_get_content_type(obj), type, subtype);
}

/* A leaf: inline text/plain or text/html is read, anything else is an attachment. */
static void walk_leaf(struct parse *p, GMimeObject *obj)
{
	if (++p->n_leaves > p->lim->max_parts) {
		defect(p, "too many parts: skipped those after %zu", p->lim->max_parts);
		return;
	}
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(obj);
	bool attached = d && g_mime_content_disposition_is_attachment(d);
	const char *filename = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj))
						  : g_mime_object_get_content_disposition_parameter(obj, "filename");
	bool plain = is_type(obj, "text", "plain"), html = is_type(obj, "text", "html");
	if (GMIME_IS_PART(obj) && !attached && (plain || html))
		read_text(p, GMIME_PART(obj), html);
	else
		add_attachment(p, obj, filename);
}

static void walk(struct parse *p, GMimeObject *obj, int depth);

/* multipart/alternative: the one child an agent should read. */
static GMimeObject *best_alternative(GMimeMultipart *mp)
{
	GMimeObject *html = NULL, *nested = NULL;
	int n = g_mime_multipart_get_count(mp);
	for (int i = 0; i < n; i++) {
		GMimeObject *c = g_mime_multipart_get_part(mp, i);
		if (is_type(c, "text", "plain"))
			return c;
		if (is_type(c, "text", "html") && html == NULL)
			html = c;
		if (GMIME_IS_MULTIPART(c))
			nested = c;
	}
	if (html != NULL)
		return html;
	return nested ? nested : (n > 0 ? g_mime_multipart_get_part(mp, n - 1) : NULL);
}

static void walk_multipart(struct parse *p, GMimeMultipart *mp, int depth)
{
	GMimeObject *obj = GMIME_OBJECT(mp);
	int n = g_mime_multipart_get_count(mp);
	if (n == 0) {
		/* no boundary matched: GMime keeps the whole body as the prologue */
		const char *body = g_mime_multipart_get_prologue(mp);
		defect(p, "broken boundary: no part found, the body read as text");
		if (body != NULL) {
			size_t len = strlen(body), max = p->lim->max_text;
			char *text = to_utf8(p, body, MIN(len, max), NULL, len > max);
			append_text(p, text);
			g_free(text);
		}
		return;
	}
	if (is_type(obj, "multipart", "alternative")) {
		GMimeObject *best = best_alternative(mp);
		if (best)
			walk(p, best, depth + 1);
		return;
	}
	for (int i = 0; i < n && p->rc == 0; i++)
		walk(p, g_mime_multipart_get_part(mp, i), depth + 1);
}

static void walk(struct parse *p, GMimeObject *obj, int depth)
{
	if (obj == NULL || p->rc != 0)
		return;
	if (depth > MAX_DEPTH) {
		defect(p, "nesting too deep: parts below %d levels skipped", MAX_DEPTH);
		return;
	}
	if (GMIME_IS_MULTIPART(obj))
		walk_multipart(p, GMIME_MULTIPART(obj), depth);
	else
		walk_leaf(p, obj);
}

/* --- the whole --- */

static void fill(struct parse *p, const char *raw, size_t len)
{
	GByteArray *borrowed = g_byte_array_new_take((guint8 *)(uintptr_t)raw, len);
	GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(borrowed);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	GMimeParser *parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	GMimeParserOptions *opts = g_mime_parser_options_new();
	const char *fallback[] = {"UTF-8", "WINDOWS-1252", NULL};
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	g_mime_parser_options_set_warning_callback(opts, on_warning, p);
	GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);
	if (msg != NULL) {
		read_headers(p, msg, opts, raw, len);
		walk(p, g_mime_message_get_mime_part(msg), 0);
		g_object_unref(msg);
	} else {
		defect(p, "not a message: read as plain text");
		p->e->message_id = derived_id(raw, len);
		p->e->message_id_derived = true;
		char *text = to_utf8(p, raw, MIN(len, p->lim->max_text), NULL, len > p->lim->max_text);
		append_text(p, text);
		g_free(text);
	}
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	/* the bytes go back to the caller, untouched: taken out of the array, not freed */
	(void)g_byte_array_steal(borrowed, NULL);
	g_byte_array_unref(borrowed);
}

int email_parse_stream(const char *raw, size_t len, const struct email_limits *lim, email_attachment_fn *fn,
		       void *ctx, struct email **ret)
{
	static const struct email_limits defaults = EMAIL_LIMITS_DEFAULT;
	if (raw == NULL && len > 0)
		return GC_EINVAL;
	if (lim == NULL)
		lim = &defaults;
	if (len > lim->max_bytes || len > G_MAXUINT)
		return GC_ETOOBIG;
	email_init();
	struct parse p = {.lim = lim, .e = g_new0(struct email, 1), .defects = g_ptr_array_new(),
			  .text = g_string_new(NULL),
			  .attachments = g_array_new(FALSE, TRUE, sizeof(struct email_attachment)),
			  .fn = fn, .ctx = ctx};
	fill(&p, raw ? raw : "", len);
	struct email *e = p.e;
	e->text = g_string_free(p.text, FALSE);
	e->n_attachments = p.attachments->len;
	e->attachments = (struct email_attachment *)(void *)g_array_free(p.attachments, FALSE);
	e->n_defects = p.defects->len;
	g_ptr_array_add(p.defects, NULL);
	e->defects = (char **)g_ptr_array_free(p.defects, FALSE);
	if (p.rc != 0) {
		email_free(e);
		return p.rc;
	}
	*ret = e;
	return 0;
}

int email_parse(const char *raw, size_t len, const struct email_limits *lim, struct email **ret)
{
	return email_parse_stream(raw, len, lim, NULL, NULL, ret);
}

static void free_addresses(struct email_address *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		g_free(a[i].name);
		g_free(a[i].address);
	}
	g_free(a);
}

void email_free(struct email *e)
{
	if (e == NULL)
		return;
	g_free(e->message_id);
	g_free(e->in_reply_to);
	g_strfreev(e->references);
	g_free(e->from.name);
	g_free(e->from.address);
	free_addresses(e->to, e->n_to);
	free_addresses(e->cc, e->n_cc);
	g_free(e->subject);
	g_free(e->date);
	g_free(e->text);
	for (size_t i = 0; i < e->n_attachments; i++) {
		g_free(e->attachments[i].filename);
		g_free(e->attachments[i].content_type);
	}
	g_free(e->attachments);
	g_free(e->auto_submitted);
	g_free(e->precedence);
	g_free(e->x_autoreply);
	g_free(e->x_auto_response_suppress);
	g_free(e->return_path);
	g_strfreev(e->defects);
	g_free(e);
}
