/* HTML to text for email bodies (html.h). libxml2 parses whatever it is given
 * (HTML_PARSE_RECOVER) into a tree, decoding entities; the tree is then walked
 * without recursion (a message may nest elements thousands deep), writing
 * text nodes with white space collapsed and a line break around each block
 * element. The writer keeps two facts, whether a space and how many line
 * breaks are pending, so that output never holds runs of either. The text of
 * a blockquote (the history a mail client quotes under a reply) is marked
 * "> " on each line, as plain text mail quotes it, so that an agent tells
 * the customer's new words from the ones quoted. */
#include "channel/email/html.h"
#include "guichet/error.h"

#include <glib.h>
#include <libxml/HTMLparser.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

struct writer {
	GString *out;
	bool space;      /* a space is owed before the next word */
	int breaks;      /* line breaks owed before the next word (at most 2) */
	int quoted;      /* blockquotes open around the text */
	bool line_start; /* the next word starts a line */
};

static bool is_block(const char *name)
{
	static const char *const blocks[] = {
		"address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
		"figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
		"hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
		"th", "thead", "tr", "ul", "body", "center"};
	for (size_t i = 0; i < G_N_ELEMENTS(blocks); i++)
		if (g_ascii_strcasecmp(name, blocks[i]) == 0)
			return true;
	return false;
}

static bool is_dropped(const char *name)
{
	return g_ascii_strcasecmp(name, "script") == 0 || g_ascii_strcasecmp(name, "style") == 0 ||
	       g_ascii_strcasecmp(name, "head") == 0 || g_ascii_strcasecmp(name, "title") == 0 ||
	       g_ascii_strcasecmp(name, "noscript") == 0 || g_ascii_strcasecmp(name, "template") == 0;
}

/* A block boundary: one line break owed (br and p-like elements alike). */
static void block_break(struct writer *w, const char *name)
{
	int want = g_ascii_strcasecmp(name, "p") == 0 || name[0] == 'h' || g_ascii_strcasecmp(name, "table") == 0 ||
				   g_ascii_strcasecmp(name, "blockquote") == 0
			   ? 2
			   : 1;
	if (w->out->len > 0 && w->breaks < want)
		w->breaks = want;
	if (g_ascii_strcasecmp(name, "br") == 0 && w->out->len > 0 && w->breaks < 1)
		w->breaks = 1;
	w->space = false;
}

static void write_text(struct writer *w, const char *text)
{
	for (const char *p = text; *p; p++) {
		unsigned char c = (unsigned char)*p;
		/* U+00A0 (no-break space, from &nbsp;) counts as white space */
		bool nbsp = c == 0xc2 && (unsigned char)p[1] == 0xa0;
		if (g_ascii_isspace(c) || nbsp) {
			if (nbsp)
				p++;
			if (w->out->len > 0 && w->breaks == 0)
				w->space = true;
			continue;
		}
		if (w->breaks > 0) {
			g_string_append(w->out, w->breaks > 1 ? "\n\n" : "\n");
			w->breaks = 0;
			w->line_start = true;
		} else if (w->space) {
			g_string_append_c(w->out, ' ');
		}
		if (w->line_start && w->quoted > 0) { /* ">> " two quotes deep */
			for (int i = 0; i < w->quoted && i < 16; i++)
				g_string_append_c(w->out, '>');
			g_string_append_c(w->out, ' ');
		}
		w->line_start = false;
		w->space = false;
		g_string_append_c(w->out, (char)c);
	}
}

/* Writes the tree under node in document order, with no recursion. */
static void write_tree(struct writer *w, xmlNodePtr node)
{
	while (node != NULL) {
		bool descend = false;
		if (node->type == XML_ELEMENT_NODE && node->name != NULL) {
			const char *name = (const char *)node->name;
			if (!is_dropped(name)) {
				if (is_block(name))
					block_break(w, name);
				descend = node->children != NULL;
				if (descend && g_ascii_strcasecmp(name, "blockquote") == 0)
					w->quoted++;
			}
		} else if ((node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) &&
			   node->content != NULL) {
			write_text(w, (const char *)node->content);
		}
		if (descend) {
			node = node->children;
			continue;
		}
		/* on to the next sibling, climbing (and closing each block climbed out of) until one */
		for (;;) {
			if (node->next != NULL) {
				node = node->next;
				break;
			}
			node = node->parent;
			if (node == NULL || node->type != XML_ELEMENT_NODE) {
				node = NULL;
				break;
			}
			if (node->name != NULL && is_block((const char *)node->name))
				block_break(w, (const char *)node->name);
			if (node->name != NULL && g_ascii_strcasecmp((const char *)node->name, "blockquote") == 0)
				w->quoted--;
		}
	}
}

int email_html_to_text(const char *html, size_t len, char **ret_text)
{
	if (len > INT_MAX)
		return GC_ETOOBIG;
	struct writer w = {.out = g_string_new(NULL), .line_start = true};
	htmlDocPtr doc = htmlReadMemory(len ? html : "", (int)len, NULL, "UTF-8",
					HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
						HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED);
	if (doc != NULL) {
		write_tree(&w, doc->children);
		xmlFreeDoc(doc);
	}
	*ret_text = g_string_free(w.out, FALSE);
	return 0;
}
