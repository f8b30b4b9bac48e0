/* The voice of the customer in guichetd (voc.h). */
#include "daemon/voc.h"
#include "daemon/cluster.h"
#include "daemon/handlers.h"
#include "daemon/kbsvc.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"
#include "report/l2.h"
#include "report/voc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the week's report --- */

static int week_window(const char *zone, const char *week, int64_t *ret_from, int64_t *ret_to)
{
	char monday[11], next[11];
	int64_t from, to, ignore;
	if (voc_week_monday(week, monday) < 0 || l2_date_add(monday, 7, next) < 0 ||
	    l2_day_window(zone, monday, &from, &ignore) < 0 || l2_day_window(zone, next, &to, &ignore) < 0)
		return GC_EINVAL;
	*ret_from = from;
	*ret_to = to;
	return GC_OK;
}

struct coverage {
	struct store *db;
	int64_t tenant_id;
};

/* Covered when a search for the word, in either language, finds published content. */
static bool covered(const char *key, const char *label, void *arg)
{
	(void)key;
	struct coverage *c = arg;
	for (int lang = 0; lang < KB_LANG_N; lang++) {
		struct kbsvc_query q = {.text = label, .lang = (enum kb_lang)lang, .limit = 1};
		json_t *res = NULL;
		if (kbsvc_search(c->db, c->tenant_id, &q, &res) < 0)
			return true; /* unknown: not listed */
		bool found = json_array_size(json_object_get(res, "results")) > 0;
		json_decref(res);
		if (found)
			return true;
	}
	return false;
}

/* A tag's figures: its top topics against its previous weeks. */
static int figures(struct store *db, const struct store_scope *scope, const char *week, const char *tag,
		   size_t top, bool uncovered, json_t **ret)
{
	json_t *rows = NULL;
	int rc = store_voc_week_top(db, scope, week, tag, 200, &rows);
	if (rc < 0)
		return rc;
	size_t n = json_array_size(rows);
	struct voc_count *counts = calloc(n ? n : 1, sizeof(*counts));
	if (counts == NULL) {
		json_decref(rows);
		return GC_ENOMEM;
	}
	for (size_t i = 0; rc == GC_OK && i < n; i++) {
		json_t *row = json_array_get(rows, i);
		counts[i] = (struct voc_count){.key = json_string_value(json_object_get(row, "topic")),
					       .label = json_string_value(json_object_get(row, "label")),
					       .n = json_integer_value(json_object_get(row, "n"))};
		double sum = 0;
		for (int w = 1; rc == GC_OK && w <= VOC_PREVIOUS_WEEKS; w++) {
			char prev[9];
			int64_t c = 0;
			voc_week_add(week, -w, prev);
			rc = store_voc_topic_count(db, scope, prev, tag, counts[i].key, &c);
			sum += (double)c;
		}
		counts[i].previous_mean = sum / VOC_PREVIOUS_WEEKS;
	}
	struct voc_params p;
	voc_params_default(&p);
	p.top = top;
	struct coverage cov = {.db = db, .tenant_id = scope->tenant_id};
	json_t *f = rc == GC_OK ? voc_week_figures(counts, n, &p, uncovered ? covered : NULL, &cov) : NULL;
	free(counts);
	json_decref(rows);
	if (rc < 0)
		return rc;
	if (f == NULL)
		return GC_ENOMEM;
	*ret = f;
	return GC_OK;
}

/* The knowledge items that failed the week's contacts, per tag ("" for
 * contacts with none): failed and total sessions, most failed first. */
static json_t *failing_knowledge(const json_t *rows)
{
	json_t *by = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *tags = json_string_value(json_object_get(row, "tags"));
		bool failed = json_integer_value(json_object_get(row, "resolved")) == 0;
		for (const char *p = tags ? tags : "";;) {
			const char *end = strchr(p, '\n');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			char key[200];
			snprintf(key, sizeof(key), "%.*s\n%lld", (int)(len < 150 ? len : 150), p,
				 (long long)json_integer_value(json_object_get(row, "item_id")));
			json_t *e = json_object_get(by, key);
			if (e == NULL) {
				e = json_pack("{s:s%,s:O,s:O,s:O,s:i,s:i}", "tag", p, len < 150 ? len : 150, "item_id",
					      json_object_get(row, "item_id"), "title", json_object_get(row, "title"),
					      "kind", json_object_get(row, "kind"), "failed", 0, "total", 0);
				json_object_set_new(by, key, e);
			}
			json_object_set_new(e, "total",
					    json_integer(json_integer_value(json_object_get(e, "total")) + 1));
			if (failed)
				json_object_set_new(e, "failed",
						    json_integer(json_integer_value(json_object_get(e, "failed")) + 1));
			if (end == NULL)
				break;
			p = end + 1;
		}
	}
	json_t *list = json_array();
	const char *key;
	json_t *e;
	json_object_foreach(by, key, e)
		if (json_integer_value(json_object_get(e, "failed")) > 0)
			json_array_append(list, e);
	json_decref(by);
	/* most failed first (insertion sort: the list is a week's items) */
	for (size_t a = 1; a < json_array_size(list); a++)
		for (size_t b = a; b > 0; b--) {
			json_t *x = json_array_get(list, b - 1), *y = json_array_get(list, b);
			if (json_integer_value(json_object_get(x, "failed")) >= json_integer_value(json_object_get(y, "failed")))
				break;
			json_incref(x);
			json_array_set(list, b - 1, y);
			json_array_set_new(list, b, x);
		}
	return list;
}

int voc_report_build(struct store *db, const struct store_scope *scope, const char *week, bool basic, json_t **ret)
{
	char zone[GC_TZ_NAME_MAX];
	int64_t from, to, contacts = 0;
	int rc = store_tenant_zone(db, scope->tenant_id, zone);
	if (rc < 0)
		return rc;
	if (week_window(zone, week, &from, &to) < 0)
		return GC_EINVAL;
	json_t *out = NULL, *tags = NULL, *by_tag = json_array(), *outcomes = NULL;
	if ((rc = store_voc_week_contacts(db, scope, week, &contacts)) < 0 ||
	    (rc = figures(db, scope, week, "", 10, true, &out)) < 0)
		goto out;
	char from_text[GC_TIME_LEN], to_text[GC_TIME_LEN]; /* RFC 3339, as every time the API answers */
	gc_time_format(from, from_text);
	gc_time_format(to, to_text);
	json_t *head = json_pack("{s:s,s:s,s:s,s:s,s:I}", "week", week, "time_zone", zone, "from", from_text, "to",
				 to_text, "contacts", (json_int_t)contacts);
	json_object_update(out, head);
	json_decref(head);
	if (basic)
		goto out;
	if ((rc = store_voc_week_tags(db, scope, week, VOC_MAX_TAGS, &tags)) < 0)
		goto out;
	size_t i;
	json_t *tag;
	json_array_foreach(tags, i, tag) {
		json_t *f = NULL;
		if ((rc = figures(db, scope, week, json_string_value(tag), 5, false, &f)) < 0)
			goto out;
		json_array_append_new(by_tag, json_pack("{s:O,s:O,s:O}", "tag", tag, "topics", json_object_get(f, "topics"),
							"rising", json_object_get(f, "rising")));
		json_decref(f);
	}
	if ((rc = store_voc_knowledge_outcomes(db, scope, from, to, &outcomes)) < 0)
		goto out;
	json_object_set(out, "by_tag", by_tag);
	json_object_set_new(out, "failing_knowledge", failing_knowledge(outcomes));
out:
	json_decref(tags);
	json_decref(by_tag);
	json_decref(outcomes);
	if (rc < 0) {
		json_decref(out);
		return rc;
	}
	*ret = out;
	return GC_OK;
}

/* --- the digest's text --- */

static void list_topics(FILE *f, const json_t *list, bool fr, bool ratio)
{
	size_t i;
	json_t *t;
	if (json_array_size(list) == 0)
		fprintf(f, "  %s\n", fr ? "(aucun)" : "(none)");
	json_array_foreach(list, i, t) {
		fprintf(f, "  - %s: %lld", json_string_value(json_object_get(t, "topic")),
			(long long)json_integer_value(json_object_get(t, "count")));
		if (ratio)
			fprintf(f, fr ? " (moyenne des semaines précédentes : %.1f)" : " (previous weeks' mean: %.1f)",
				json_real_value(json_object_get(t, "previous_mean")));
		fputc('\n', f);
	}
}

int voc_digest_text(const json_t *report, const char *lang, char **ret_subject, char **ret_body)
{
	bool fr = strcmp(lang, "fr") == 0;
	const char *week = json_string_value(json_object_get(report, "week"));
	json_int_t contacts = json_integer_value(json_object_get(report, "contacts"));
	char *subject = NULL, *body = NULL;
	size_t len = 0;
	if (asprintf(&subject, fr ? "La voix du client, semaine %s : %lld contacts"
				  : "The voice of the customer, week %s: %lld contacts",
		     week, (long long)contacts) < 0)
		return GC_ENOMEM;
	FILE *f = open_memstream(&body, &len);
	if (f == NULL) {
		free(subject);
		return GC_ENOMEM;
	}
	fprintf(f, fr ? "Ce dont les clients ont parlé la semaine %s (%s), sur %lld contacts.\n\n"
		      : "What customers talked about in week %s (%s), over %lld contacts.\n\n",
		week, json_string_value(json_object_get(report, "time_zone")), (long long)contacts);
	fprintf(f, fr ? "Sujets les plus fréquents :\n" : "Top topics:\n");
	list_topics(f, json_object_get(report, "topics"), fr, false);
	fprintf(f, fr ? "\nSujets en hausse :\n" : "\nRising topics:\n");
	list_topics(f, json_object_get(report, "rising"), fr, true);
	fprintf(f, fr ? "\nMots qu'aucun article ne couvre :\n" : "\nWords no article covers:\n");
	list_topics(f, json_object_get(report, "uncovered"), fr, false);
	fprintf(f, fr ? "\nArticles et arbres qui n'ont pas résolu :\n" : "\nKnowledge that did not resolve:\n");
	size_t i;
	json_t *k;
	json_t *failing = json_object_get(report, "failing_knowledge");
	if (json_array_size(failing) == 0)
		fprintf(f, "  %s\n", fr ? "(aucun)" : "(none)");
	json_array_foreach(failing, i, k) {
		const char *tag = json_string_value(json_object_get(k, "tag"));
		fprintf(f, fr ? "  - %s%s%s : %lld échec(s) sur %lld\n" : "  - %s%s%s: %lld failed of %lld\n",
			json_string_value(json_object_get(k, "title")), tag && *tag ? " / " : "", tag ? tag : "",
			(long long)json_integer_value(json_object_get(k, "failed")),
			(long long)json_integer_value(json_object_get(k, "total")));
	}
	fprintf(f, fr ? "\n-- \nguichet, la voix du client chaque semaine\n"
		      : "\n-- \nguichet, the weekly voice of the customer\n");
	if (fclose(f) != 0 || body == NULL) {
		free(subject);
		free(body);
		return GC_ENOMEM;
	}
	*ret_subject = subject;
	*ret_body = body;
	return GC_OK;
}

/* --- the fold --- */

struct fold {
	int64_t tenant_id, from_cursor, to_cursor;
	json_t *counts, *weeks;
	bool folded;
};

static int fold_task(void *arg, const struct ops *o)
{
	struct fold *f = arg;
	return store_voc_fold(o->db, f->tenant_id, f->from_cursor, f->to_cursor, f->counts, f->weeks, &f->folded);
}

struct contact_topics {
	json_t *counts;            /* "week\ntag\ntopic" -> {"week","tag","topic","label","n"} */
	const char *week;
	const json_t *tags;        /* the contact's tags, and "" */
};

static int count_topic(const char *key, const char *label, void *arg)
{
	struct contact_topics *c = arg;
	size_t i;
	json_t *tag;
	json_array_foreach(c->tags, i, tag) {
		char k[VOC_MAX_TOPIC + 256];
		snprintf(k, sizeof(k), "%s\n%s\n%s", c->week, json_string_value(tag), key);
		json_t *e = json_object_get(c->counts, k);
		if (e)
			json_object_set_new(e, "n", json_integer(json_integer_value(json_object_get(e, "n")) + 1));
		else
			json_object_set_new(c->counts, k, json_pack("{s:s,s:O,s:s,s:s,s:i}", "week", c->week, "tag", tag,
								    "topic", key, "label", label, "n", 1));
	}
	return 0;
}

/* The contact's tags (one a line, at most 10, each cut to 100 bytes) and "". */
static json_t *tags_of(const char *text)
{
	json_t *list = json_pack("[s]", "");
	for (const char *p = text ? text : ""; *p && json_array_size(list) <= 10;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len)
			json_array_append_new(list, json_stringn(p, len < 100 ? len : 100));
		p += len + (end != NULL);
	}
	return list;
}

/* One batch of the tenant's new contacts; false when there was none. */
static bool fold_batch(struct store *db, struct writer *w, int64_t tenant, const char *zone, int64_t now)
{
	json_t *rows = NULL;
	struct fold f = {.tenant_id = tenant};
	if (store_voc_pending(db, tenant, now - VOC_SETTLE_MS, VOC_FOLD_BATCH, &rows, &f.from_cursor) < 0 ||
	    json_array_size(rows) == 0) {
		json_decref(rows);
		return false;
	}
	struct kb_analyzer *fr = kbsvc_analyzer(KB_LANG_FR), *en = kbsvc_analyzer(KB_LANG_EN);
	json_t *counts = json_object();
	f.weeks = json_object();
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		f.to_cursor = json_integer_value(json_object_get(row, "id"));
		if (json_is_true(json_object_get(row, "notice")))
			continue; /* what guichet told the customer, not what they talked about */
		char date[11], week[9];
		l2_local_date(zone, json_integer_value(json_object_get(row, "created_at")), date);
		voc_iso_week(date, week);
		/* a chat's "Chat with NAME", a callback's "Callback": guichet's words, not the customer's */
		const char *subject = voc_customer_subject(json_string_value(json_object_get(row, "channel")),
							   json_string_value(json_object_get(row, "subject")));
		const char *body = json_string_value(json_object_get(row, "body"));
		char *text = NULL;
		if (asprintf(&text, "%s\n%s", subject, body ? body : "") < 0)
			continue;
		json_t *tags = tags_of(json_string_value(json_object_get(row, "tags")));
		struct contact_topics c = {.counts = counts, .week = week, .tags = tags};
		if (fr && en)
			voc_topics(fr, en, text, strlen(text), count_topic, &c, NULL); /* invalid UTF-8: no topics */
		json_object_set_new(f.weeks, week, json_integer(json_integer_value(json_object_get(f.weeks, week)) + 1));
		json_decref(tags);
		free(text);
	}
	f.counts = json_array();
	const char *key;
	json_t *e;
	json_object_foreach(counts, key, e)
		json_array_append(f.counts, e);
	char t[24];
	snprintf(t, sizeof(t), "%lld", (long long)tenant);
	int rc = writer_run(w, fold_task, &f);
	if (rc < 0)
		log_error("the voice of the customer could not count new contacts: tried again at the next round",
			  "tenant", t, "error", gc_error_name(rc));
	bool more = rc == GC_OK && f.folded && json_array_size(rows) == VOC_FOLD_BATCH;
	json_decref(counts);
	json_decref(f.counts);
	json_decref(f.weeks);
	json_decref(rows);
	return more;
}

/* --- the digest --- */

struct job {
	struct store_scope scope;
	const char *kind, *week, *from_address; /* week: the period, a week or a month */
	const json_t *to;
	int64_t mailbox_id;
	const char *subject, *body;
	bool queued;
};

static int queue_task(void *arg, const struct ops *o)
{
	struct job *j = arg;
	bool sent = false;
	int rc = store_voc_mailing_sent(o->db, &j->scope, j->kind, j->week, &sent);
	if (rc < 0 || sent)
		return rc;
	int64_t first = 0;
	size_t i;
	json_t *to;
	json_array_foreach(j->to, i, to) {
		unsigned char random[8];
		char hex[17], message_id[400];
		randombytes_buf(random, sizeof(random));
		sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
		const char *domain = strchr(j->from_address, '@');
		snprintf(message_id, sizeof(message_id), "guichet.%s.%lld.%s.%zu.%s@%s", j->kind,
			 (long long)j->scope.tenant_id, j->week, i, hex, domain ? domain + 1 : "guichet.invalid");
		struct store_outbox out = {.mailbox_id = j->mailbox_id, .message_id = message_id,
					   .to_address = json_string_value(to), .subject = j->subject, .body = j->body};
		int64_t id = 0;
		if ((rc = store_outbox_add(o->db, &j->scope, &out, &id)) < 0)
			return rc;
		if (first == 0)
			first = id;
	}
	if ((rc = store_voc_mailing_record(o->db, &j->scope, j->kind, j->week, first)) == GC_OK)
		j->queued = true;
	return rc;
}

/* The week a Monday schedule owes at now: the last whole week once its
 * Monday's time has passed, else the one before. */
static int owed_week(const char *zone, int at_minute, int64_t now, char *ret)
{
	struct gc_local_time lt;
	char date[11], week[9], monday[11];
	if (gc_tz_local(zone, now, &lt) < 0 || l2_local_date(zone, now, date) < 0 || voc_iso_week(date, week) < 0 ||
	    voc_week_monday(week, monday) < 0)
		return GC_EINVAL;
	bool passed = strcmp(date, monday) != 0 || lt.hour * 60 + lt.minute >= at_minute;
	return voc_week_add(week, passed ? -1 : -2, ret);
}

static void barometer_due(struct store *db, struct writer *w, const json_t *sched, struct job *proto, int minute,
			  const char *zone, int64_t now);

static void schedule_due(struct store *db, struct writer *w, const json_t *sched, int64_t now)
{
	int64_t tenant = json_integer_value(json_object_get(sched, "tenant_id"));
	struct job j = {.scope = ops_channel_scope(tenant, "voc-digest"), .kind = "voice", .to = json_object_get(sched, "to"),
			.mailbox_id = json_integer_value(json_object_get(sched, "mailbox_id"))};
	const char *at = json_string_value(json_object_get(sched, "time"));
	int minute = (at[0] - '0') * 600 + (at[1] - '0') * 60 + (at[3] - '0') * 10 + (at[4] - '0');
	char zone[GC_TZ_NAME_MAX], week[9], t[24];
	bool sent = false;
	json_t *mailbox = NULL, *report = NULL;
	char *subject = NULL, *body = NULL;
	if (store_tenant_zone(db, tenant, zone) < 0 || owed_week(zone, minute, now, week) < 0)
		return;
	if (store_mailbox_get(db, &j.scope, j.mailbox_id, &mailbox) < 0 ||
	    (j.from_address = json_string_value(json_object_get(mailbox, "address"))) == NULL)
		goto out; /* the mailbox was removed: the schedule waits for another */
	if (json_is_true(json_object_get(sched, "barometer")))
		barometer_due(db, w, sched, &j, minute, zone, now);
	if (store_voc_mailing_sent(db, &j.scope, "voice", week, &sent) < 0 || sent)
		goto out;
	j.week = week;
	snprintf(t, sizeof(t), "%lld", (long long)tenant);
	int rc = voc_report_build(db, &j.scope, week, false, &report);
	if (rc == GC_OK)
		rc = voc_digest_text(report, json_string_value(json_object_get(sched, "lang")), &subject, &body);
	if (rc == GC_OK) {
		j.subject = subject;
		j.body = body;
		rc = writer_run(w, queue_task, &j);
	}
	if (rc < 0)
		log_error("the voice of the customer's digest could not be queued: tried again at the next round",
			  "tenant", t, "week", week, "error", gc_error_name(rc));
	else if (j.queued)
		log_info("voice of the customer digest queued", "tenant", t, "week", week);
out:
	free(subject);
	free(body);
	json_decref(report);
	json_decref(mailbox);
}

/* --- the barometer's monthly report --- */

static void share_line(FILE *f, const char *label, const json_t *ours, const json_t *theirs)
{
	char a[16] = "-", b[16] = "-";
	if (json_is_number(ours))
		snprintf(a, sizeof(a), "%.0f%%", json_number_value(ours) * 100);
	if (json_is_number(theirs))
		snprintf(b, sizeof(b), "%.0f%%", json_number_value(theirs) * 100);
	fprintf(f, "  - %s: %s (%s)\n", label, a, b);
}

int voc_barometer_text(const json_t *b, const char *lang, char **ret_subject, char **ret_body)
{
	bool fr = strcmp(lang, "fr") == 0;
	const char *month = json_string_value(json_object_get(b, "month"));
	const json_t *calls = json_object_get(b, "calls"), *emails = json_object_get(b, "emails");
	const json_t *help = json_object_get(b, "help_centre"), *bar = json_object_get(calls, "barometer");
	char *subject = NULL, *body = NULL;
	size_t len = 0;
	if (asprintf(&subject, fr ? "Baromètre de l'accessibilité, %s" : "Accessibility barometer, %s", month) < 0)
		return GC_ENOMEM;
	FILE *f = open_memstream(&body, &len);
	if (f == NULL) {
		free(subject);
		return GC_ENOMEM;
	}
	fprintf(f, fr ? "Nos chiffres du mois %s (%s), et entre parenthèses ceux d'un baromètre publié de 262 sites"
			" marchands :\n\n"
		      : "Our figures of %s (%s), and in brackets those a published barometer of 262 merchant sites"
			" found:\n\n",
		month, json_string_value(json_object_get(b, "zone")));
	share_line(f, fr ? "appels décrochés en 30 s" : "calls answered within 30 s",
		   json_object_get(calls, "answered_30s_share"), json_object_get(bar, "answered_30s_share"));
	share_line(f, fr ? "appels en attente plus de 2 minutes" : "calls that waited more than 2 minutes",
		   json_object_get(calls, "waited_over_2min_share"), json_object_get(bar, "waited_over_2min_share"));
	share_line(f, fr ? "emails répondus le jour même" : "emails answered the same business day",
		   json_object_get(emails, "share"), json_object_get(emails, "barometer"));
	json_t *shows = json_real(json_is_true(json_object_get(help, "shows_a_way_to_reach_a_person")) ? 1 : 0);
	share_line(f, fr ? "le centre d'aide montre comment joindre une personne"
			 : "the help centre shows a way to reach a person",
		   shows, json_object_get(help, "barometer"));
	json_decref(shows);
	fprintf(f, fr ? "\n-- \nguichet, le baromètre de chaque mois\n" : "\n-- \nguichet, the monthly barometer\n");
	if (fclose(f) != 0 || body == NULL) {
		free(subject);
		free(body);
		return GC_ENOMEM;
	}
	*ret_subject = subject;
	*ret_body = body;
	return GC_OK;
}

/* The month a first-of-the-month schedule owes at now: the last whole month
 * once the first day's time has passed, else the one before. */
static int owed_month(const char *zone, int at_minute, int64_t now, int *ret_year, int *ret_month)
{
	struct gc_local_time lt;
	if (gc_tz_local(zone, now, &lt) < 0)
		return GC_EINVAL;
	int back = lt.day > 1 || lt.hour * 60 + lt.minute >= at_minute ? 1 : 2;
	int m = lt.year * 12 + (lt.month - 1) - back;
	*ret_year = m / 12;
	*ret_month = m % 12 + 1;
	return GC_OK;
}

static void barometer_due(struct store *db, struct writer *w, const json_t *sched, struct job *proto, int minute,
			  const char *zone, int64_t now)
{
	int year, month;
	char period[16], t[24];
	bool sent = false;
	json_t *b = NULL;
	char *subject = NULL, *body = NULL;
	if (owed_month(zone, minute, now, &year, &month) < 0)
		return;
	snprintf(period, sizeof(period), "%04d-%02d", year % 10000, month % 100);
	if (store_voc_mailing_sent(db, &proto->scope, "barometer", period, &sent) < 0 || sent)
		return;
	struct job j = *proto;
	j.kind = "barometer";
	j.week = period;
	j.queued = false;
	snprintf(t, sizeof(t), "%lld", (long long)proto->scope.tenant_id);
	int rc = barometer_month(db, &j.scope, year, month, &b);
	if (rc == GC_OK)
		rc = voc_barometer_text(b, json_string_value(json_object_get(sched, "lang")), &subject, &body);
	if (rc == GC_OK) {
		j.subject = subject;
		j.body = body;
		rc = writer_run(w, queue_task, &j);
	}
	if (rc < 0)
		log_error("the barometer's monthly report could not be queued: tried again at the next round", "tenant", t,
			  "month", period, "error", gc_error_name(rc));
	else if (j.queued)
		log_info("barometer monthly report queued", "tenant", t, "month", period);
	free(subject);
	free(body);
	json_decref(b);
}

void voc_due(struct store *db, struct writer *w, struct cluster *cl, int64_t now)
{
	json_t *tenants = NULL, *scheds = NULL;
	if (store_voc_tenants(db, &tenants) < 0) {
		log_error("cannot read the tenants for the voice of the customer", "error", store_errmsg(db));
		return;
	}
	size_t i;
	json_t *v;
	json_array_foreach(tenants, i, v) {
		int64_t tenant = json_integer_value(v);
		char zone[GC_TZ_NAME_MAX];
		if ((cl && !cluster_routes(cl, tenant)) || store_tenant_zone(db, tenant, zone) < 0)
			continue;
		for (int n = 0; n < 20 && fold_batch(db, w, tenant, zone, now); n++)
			;
	}
	json_decref(tenants);
	if (store_voc_schedule_all(db, &scheds) < 0) {
		log_error("cannot read the voice of the customer's schedules", "error", store_errmsg(db));
		return;
	}
	json_array_foreach(scheds, i, v) {
		int64_t tenant = json_integer_value(json_object_get(v, "tenant_id"));
		if (cl == NULL || cluster_routes(cl, tenant))
			schedule_due(db, w, v, now);
	}
	json_decref(scheds);
}
