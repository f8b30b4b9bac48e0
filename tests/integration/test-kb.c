/* Knowledge through the real daemon and CLI: import (all or nothing, errors
 * by line), search (trees first, typos, highlights), export into another
 * tenant, the review loop with approvals and immutable versions, flags,
 * diagnosis sessions on a contact with back, escalation carrying the path,
 * learning from sessions and from a file (explainable, reversible),
 * training scores, self-service without login, tenants sealed, and
 * published knowledge surviving kill -9. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guichet/clock.h"
#include "harness.h"

#define PASSWORD "knowledge pass"

static struct daemon d;
static char *admin, *agent, *author, *rev1, *rev2, *other_admin;
static long long agent_id;
static char tokfile[128];

/* A request that must answer status (harness.h); resp_clear the answer. */
#define call(...) http_expect(&d, __VA_ARGS__)

static void lines(const char *token, const char *path, const char *body, int status, struct resp *r)
{
	http_raw(&d, "POST", path, token, NULL, "application/x-ndjson", body, strlen(body), r);
	if (r->status != status)
		fprintf(stderr, "POST %s: %d, expected %d: %s\n", path, r->status, status, r->text);
	assert_int_equal(r->status, status);
}

static char *user(const char *email, const char *role, long long *ret_id)
{
	long long id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email,
								     "password", PASSWORD, "role", role));
	if (ret_id)
		*ret_id = id;
	return login(&d, email, PASSWORD);
}

/* The ids of a search's results, space-separated, best first. */
static void search(const char *token, const char *q, char *out, size_t size)
{
	struct resp r;
	char *escaped = strdup(q);
	for (char *p = escaped; *p; p++)
		if (*p == ' ')
			*p = '+';
	call("GET", token, 200, NULL, &r, "/api/v1/kb/search?lang=fr&q=%s", escaped);
	free(escaped);
	out[0] = '\0';
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(r.json, "results"), i, x) {
		size_t len = strlen(out);
		snprintf(out + len, size - len, "%s%s", len ? " " : "", json_string_value(json_object_get(x, "id")));
	}
	resp_clear(&r);
}

static const char *first(const char *ids, char *buf)
{
	sscanf(ids, "%63s", buf);
	return buf;
}

static int setup(void **state)
{
	if (daemon_init(&d, "brand", "admin@k.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@o.example", PASSWORD) != 0 || daemon_start(&d, "--public-per-minute", "40", NULL) != 0)
		return -1;
	admin = login(&d, "admin@k.example", PASSWORD);
	other_admin = login(&d, "admin@o.example", PASSWORD);
	agent = user("agent@k.example", "agent", &agent_id);
	author = user("author@k.example", "author", NULL);
	rev1 = user("rev1@k.example", "reviewer", NULL);
	rev2 = user("rev2@k.example", "reviewer", NULL);
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	fputs(admin, f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	daemon_stop(&d);
	daemon_cleanup(&d);
	return 0;
}

static void import_search_export(void **state)
{
	struct resp r;
	/* a bad line anywhere: nothing is kept, every error named by line */
	const char *bad = "{\"id\":\"ok-one\",\"title\":\"Un\",\"body\":\"texte\",\"lang\":\"fr\"}\n"
			  "{\"id\":\"no title\",\"body\":\"x\",\"lang\":\"fr\"}\n"
			  "not json\n"
			  "{\"kind\":\"tree\",\"id\":\"t\",\"title\":\"T\",\"lang\":\"fr\",\"start\":\"a\",\"nodes\":["
			  "{\"id\":\"a\",\"type\":\"text\",\"text\":\"?\",\"next\":\"nowhere\"}]}\n";
	lines(admin, "/api/v1/kb/import?publish=1", bad, 400, &r);
	json_t *errors = json_object_get(json_object_get(r.json, "error"), "errors");
	assert_true(json_array_size(errors) >= 4);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, 0), "line")), 2);
	bool node_named = false;
	size_t i;
	json_t *e;
	json_array_foreach(errors, i, e) {
		const char *node = json_string_value(json_object_get(e, "node"));
		node_named |= json_integer_value(json_object_get(e, "line")) == 4 && node && strcmp(node, "a") == 0;
	}
	assert_true(node_named);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/kb/items");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	/* the demo file through the CLI, published */
	char *out = NULL, *err = NULL, file[256];
	snprintf(file, sizeof(file), "%s/data/demo/kb.jsonl", GUICHET_SOURCE_DIR);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "kb", "import", file, "--publish", NULL), 0);
	assert_non_null(strstr(out, "published: 8"));
	free(out);
	free(err);
	/* an article a published tree leads to is not archived from under it */
	call("POST", admin, 400, NULL, &r, "/api/v1/kb/items/box-restart/archive");
	assert_non_null(strstr(r.text, "the published tree no-internet leads to it"));
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/items/box-restart");
	resp_clear(&r);
	/* the same file again changes nothing: no new draft, no new version */
	call("GET", admin, 200, NULL, &r, "/api/v1/kb/items/wifi-password");
	json_int_t version = json_integer_value(json_object_get(r.json, "published_version"));
	resp_clear(&r);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "kb", "import", file, "--publish", NULL), 0);
	assert_non_null(strstr(out, "unchanged: 8"));
	assert_non_null(strstr(out, "published: 0"));
	free(out);
	free(err);
	call("GET", admin, 200, NULL, &r, "/api/v1/kb/items/wifi-password");
	assert_int_equal(json_integer_value(json_object_get(r.json, "published_version")), version);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "published");
	resp_clear(&r);
	/* a tree under an article's id is refused, the kind named */
	lines(admin, "/api/v1/kb/import",
	      "{\"kind\":\"tree\",\"id\":\"wifi-password\",\"title\":\"T\",\"lang\":\"fr\",\"start\":\"a\","
	      "\"nodes\":[{\"id\":\"a\",\"type\":\"escalate\",\"reason\":\"r\"}]}\n", 409, &r);
	assert_non_null(strstr(r.text, "'wifi-password' already names an item of kind 'article'"));
	assert_non_null(strstr(r.text, "\"args\":[\"wifi-password\",\"article\"]"));
	resp_clear(&r);
	/* a question whose language is not said is searched in its own */
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/search?q=how+do+I+restart+the+box");
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "en");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(r.json, "results"), 0), "id")),
			    "router-reset");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/search?q=redémarrer+la+box");
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "fr");
	resp_clear(&r);
	/* words that do not tell their language: the hint's (the agent's page), not always French */
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/search?q=restart+router&hint=en");
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "en");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/search?q=restart+router");
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "fr");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/search?q=how+do+I+restart+the+box&hint=fr"); /* the words tell */
	assert_string_equal(json_string_value(json_object_get(r.json, "lang")), "en");
	resp_clear(&r);
	call("GET", agent, 400, NULL, &r, "/api/v1/kb/search?q=box&hint=de");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "hint");
	resp_clear(&r);
	/* trees covering the intent first; a typo still finds its article; the CLI's JSON */
	char ids[1024], one[64];
	search(agent, "plus d'internet, la box ne marche plus", ids, sizeof(ids));
	assert_string_equal(first(ids, one), "no-internet");
	search(agent, "résiliaton du contrat", ids, sizeof(ids));
	assert_string_equal(first(ids, one), "cancel-contract");
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "kb", "search", "mot de passe wifi", "--json", NULL), 0);
	json_t *j = json_loads(out, 0, NULL);
	json_t *best = json_array_get(json_object_get(j, "results"), 0);
	assert_string_equal(json_string_value(json_object_get(best, "id")), "wifi-password");
	assert_string_equal(json_string_value(json_object_get(best, "kind")), "article");
	assert_true(json_real_value(json_object_get(best, "score")) > 0);
	assert_non_null(strstr(json_string_value(json_object_get(best, "snippet")), "wifi"));
	json_decref(j);
	free(out);
	free(err);
	/* export, then import into the other tenant: the same first results */
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "kb", "export", NULL), 0);
	char exported[256];
	snprintf(exported, sizeof(exported), "%s/export.jsonl", d.dir);
	FILE *f = fopen(exported, "w");
	fputs(out, f);
	fclose(f);
	free(out);
	free(err);
	lines(other_admin, "/api/v1/kb/import?publish=1", "", 400, &r); /* an empty file */
	resp_clear(&r);
	char other_tok[256];
	snprintf(other_tok, sizeof(other_tok), "%s/other.token", d.dir);
	f = fopen(other_tok, "w");
	fputs(other_admin, f);
	fclose(f);
	assert_int_equal(run_cli(&d, other_tok, &out, &err, "kb", "import", exported, "--publish", NULL), 0);
	free(out);
	free(err);
	char ids2[1024];
	search(other_admin, "résiliaton du contrat", ids2, sizeof(ids2));
	search(agent, "résiliaton du contrat", ids, sizeof(ids));
	assert_string_equal(ids, ids2);
}

/* A French article that translates an English one is found by the
 * original title's words, even when the original is imported after it. */
static void translations_find_original_words(void **state)
{
	struct resp r;
	char ids[1024], one[64];
	lines(admin, "/api/v1/kb/import?publish=1",
	      "{\"id\":\"vpn-fr\",\"title\":\"Un RPV avec Tor\",\"body\":\"En général, non.\",\"lang\":\"fr\","
	      "\"translation_of\":\"vpn-en\"}\n", 200, &r);
	resp_clear(&r);
	search(agent, "zorglub vpn", ids, sizeof(ids));
	assert_null(strstr(ids, "vpn-fr"));
	/* the original comes after its translation */
	lines(admin, "/api/v1/kb/import?publish=1",
	      "{\"id\":\"vpn-en\",\"title\":\"Zorglub VPN\",\"body\":\"Usually not.\",\"lang\":\"en\"}\n", 200, &r);
	resp_clear(&r);
	search(agent, "zorglub vpn", ids, sizeof(ids));
	assert_string_equal(first(ids, one), "vpn-fr");
}

static void review_loop_and_versions(void **state)
{
	struct resp r;
	char one[64];
	call("PUT", rev1, 200, json_pack("{s:i}", "approvals", 2), &r, "/api/v1/kb/settings");
	resp_clear(&r);
	json_t *art = json_pack("{s:s,s:s,s:s,s:[s]}", "title", "Carte SIM bloquée", "body",
				"Le code PUK débloque la carte SIM après trois codes PIN faux.", "lang", "fr", "tags", "sim");
	call("PUT", author, 201, json_incref(art), &r, "/api/v1/kb/items/sim-locked");
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "draft");
	resp_clear(&r);
	char found[1024];
	search(agent, "code puk", found, sizeof(found));
	assert_null(strstr(found, "sim-locked")); /* a draft is not for agents */
	/* nor is it flagged: a flag is about what readers were shown (and says nothing of what exists) */
	call("POST", agent, 404, json_pack("{s:s}", "reason", "wrong"), &r, "/api/v1/kb/items/sim-locked/flag");
	resp_clear(&r);
	call("POST", author, 403, NULL, &r, "/api/v1/kb/items/sim-locked/publish"); /* authors do not publish */
	resp_clear(&r);
	call("POST", rev1, 422, NULL, &r, "/api/v1/kb/items/sim-locked/publish"); /* not approved */
	resp_clear(&r);
	call("POST", author, 200, NULL, &r, "/api/v1/kb/items/sim-locked/submit");
	resp_clear(&r);
	call("POST", author, 403, NULL, &r, "/api/v1/kb/items/sim-locked/approve"); /* an author does not approve */
	resp_clear(&r);
	call("POST", rev1, 200, NULL, &r, "/api/v1/kb/items/sim-locked/approve");
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "review"); /* one of two */
	resp_clear(&r);
	call("POST", rev2, 200, NULL, &r, "/api/v1/kb/items/sim-locked/approve");
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "approved");
	resp_clear(&r);
	call("POST", rev2, 200, NULL, &r, "/api/v1/kb/items/sim-locked/publish?review_by=2099-01-01");
	assert_int_equal(resp_int(&r, "published_version"), 1);
	resp_clear(&r);
	search(agent, "code puk", found, sizeof(found));
	assert_string_equal(first(found, one), "sim-locked");
	/* a new draft: agents keep seeing version 1 until it is published */
	json_object_set_new(art, "body", json_string("Le code PUK est sur le support de la carte SIM, ou dans l'appli."));
	json_object_set_new(art, "title", json_string("Carte SIM bloquée ou perdue"));
	call("PUT", author, 200, json_incref(art), &r, "/api/v1/kb/items/sim-locked");
	resp_clear(&r);
	/* agents' list keeps the item, as published, under its published title */
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/items?kind=article");
	json_t *listed = NULL, *row;
	size_t i;
	json_array_foreach(json_object_get(r.json, "items"), i, row)
		if (strcmp(json_string_value(json_object_get(row, "id")), "sim-locked") == 0)
			listed = row;
	assert_non_null(listed);
	assert_string_equal(json_string_value(json_object_get(listed, "title")), "Carte SIM bloquée");
	assert_string_equal(json_string_value(json_object_get(listed, "state")), "published");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/items/sim-locked");
	assert_int_equal(resp_int(&r, "version"), 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r.json, "content"), "body")), "trois"));
	resp_clear(&r);
	search(agent, "appli", found, sizeof(found));
	assert_null(strstr(found, "sim-locked"));
	/* a reviewer who rewrites the draft does not approve it, though the item is the author's */
	json_object_set_new(art, "body", json_string("Le code PUK est sur le support de la carte SIM."));
	call("PUT", rev1, 200, art, &r, "/api/v1/kb/items/sim-locked");
	resp_clear(&r);
	call("POST", rev1, 200, NULL, &r, "/api/v1/kb/items/sim-locked/submit");
	resp_clear(&r);
	call("POST", rev1, 403, NULL, &r, "/api/v1/kb/items/sim-locked/approve");
	assert_non_null(strstr(r.text, "this draft is yours"));
	resp_clear(&r);
	/* an export imported again changes nothing: no version 2 equal to 1, the draft under review kept */
	call("GET", admin, 200, NULL, &r, "/api/v1/kb/export");
	char *exported = strdup(r.text);
	resp_clear(&r);
	lines(admin, "/api/v1/kb/import?publish=1", exported, 200, &r);
	assert_int_equal(resp_int(&r, "created") + resp_int(&r, "updated") + resp_int(&r, "published"), 0);
	resp_clear(&r);
	free(exported);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/items/sim-locked");
	assert_int_equal(resp_int(&r, "published_version"), 1);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "review");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "draft"), "body")),
			    "Le code PUK est sur le support de la carte SIM.");
	resp_clear(&r);
	/* a flag goes back to the owner; the audit log has the loop */
	call("POST", agent, 201, json_pack("{s:s,s:s}", "reason", "outdated", "comment", "le PUK est aussi dans l'appli"),
	     &r, "/api/v1/kb/items/sim-locked/flag");
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/flags?mine=1");
	assert_int_equal(json_array_size(json_object_get(r.json, "flags")), 1);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/audit?limit=200");
	assert_non_null(strstr(r.text, "kb_approved"));
	assert_non_null(strstr(r.text, "kb_published"));
	assert_non_null(strstr(r.text, "kb_flagged"));
	resp_clear(&r);
	call("PUT", rev1, 200, json_pack("{s:i}", "approvals", 1), &r, "/api/v1/kb/settings");
	resp_clear(&r);
}

static void diagnosis_escalation_and_learning(void **state)
{
	struct resp r;
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "internet"));
	long long q1 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "n1", "skill_id",
		(json_int_t)skill, "channel", "chat"));
	long long q2 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "n2", "skill_id",
		(json_int_t)skill, "channel", "chat", "level", 2));
	/* the demo tree escalates to queue 2: point it at this level-2 queue */
	assert_int_equal(q2, 2);
	/* the agent takes the contact from the level-1 queue */
	call("PUT", admin, 200, json_pack("{s:[{s:I,s:i}],s:{s:i}}", "skills", "skill_id", (json_int_t)skill, "proficiency", 5,
		"capacity", "chat", 2), &r, "/api/v1/agents/%lld", agent_id);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "presence", "available"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
	long long contact = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "chat", "subject",
		"plus d'internet", "queue_id", (json_int_t)q1));
	call("POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	resp_clear(&r);
	call("POST", agent, 201, json_pack("{s:s,s:I}", "query", "plus d'internet box voyant", "contact_id",
		(json_int_t)contact), &r, "/api/v1/kb/sessions");
	long long s = resp_int(&r, "id");
	assert_string_equal(json_string_value(json_object_get(r.json, "tree")), "no-internet");
	resp_clear(&r);
	call("POST", agent, 400, json_pack("{s:s}", "answer", "violet"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "answer", "Blanc"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	resp_clear(&r);
	call("POST", agent, 200, NULL, &r, "/api/v1/kb/sessions/%lld/back", s); /* the customer looks again: red */
	assert_int_equal(json_array_size(json_object_get(r.json, "path")), 0);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "answer", "red"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "answer", "yes"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	assert_true(json_is_true(json_object_get(r.json, "done")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "outcome"), "type")), "escalate");
	resp_clear(&r);
	call("POST", agent, 400, json_pack("{s:b}", "resolved", 0), &r, "/api/v1/kb/sessions/%lld/end", s); /* why? */
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:b,s:s}", "resolved", 0, "feedback", "panne de ligne"), &r,
	     "/api/v1/kb/sessions/%lld/end", s);
	resp_clear(&r);
	/* the expert sees every question and answer on the contact, in the tree's language */
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_non_null(strstr(r.text, "Diagnostic parcouru :\\n- Quelle est la couleur du voyant de la box ? → Rouge\\n"
				       "- Le voyant est-il rouge depuis plus d'une heure ? → Oui"));
	/* and why the agent says it is not resolved, which the expert reads before the customer */
	assert_non_null(strstr(r.text, "→ Oui\\nNon résolu, d’après le conseiller : panne de ligne"));
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/routing", contact);
	assert_int_equal(resp_int(&r, "queue_id"), q2);
	resp_clear(&r);
	/* an email contact walked to the same escalation (its queue serves chat): the session
	 * ends all the same, its path a note, and the answer says why the agent escalates by hand */
	long long q3 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "n3", "skill_id",
		(json_int_t)skill, "channel", "email"));
	call("PUT", admin, 200, json_pack("{s:[{s:I,s:i}],s:{s:i,s:i}}", "skills", "skill_id", (json_int_t)skill,
		"proficiency", 5, "capacity", "chat", 2, "email", 1), &r, "/api/v1/agents/%lld", agent_id);
	resp_clear(&r);
	long long mail = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "email", "subject",
		"plus d'internet", "queue_id", (json_int_t)q3));
	call("POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", mail);
	resp_clear(&r);
	call("POST", agent, 201, json_pack("{s:s,s:I,s:s}", "query", "box", "contact_id", (json_int_t)mail, "tree",
		"no-internet"), &r, "/api/v1/kb/sessions");
	long long ms = resp_int(&r, "id");
	resp_clear(&r);
	static const char *const to_expert[] = {"red", "yes"};
	for (int i = 0; i < 2; i++) {
		call("POST", agent, 200, json_pack("{s:s}", "answer", to_expert[i]), &r, "/api/v1/kb/sessions/%lld/answer", ms);
		resp_clear(&r);
	}
	call("POST", agent, 200, json_pack("{s:b,s:s}", "resolved", 0, "feedback", "panne de ligne"), &r,
	     "/api/v1/kb/sessions/%lld/end", ms);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "ended");
	assert_non_null(strstr(json_string_value(json_object_get(r.json, "not_escalated")), "the queue serves chat"));
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/routing", mail);
	assert_int_equal(resp_int(&r, "queue_id"), q3); /* still the agent's, to escalate by hand */
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", mail);
	assert_non_null(strstr(r.text, "Quelle est la couleur du voyant"));
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "disposition", "handed"), &r, "/api/v1/contacts/%lld/wrapup", mail);
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/diagnosis", contact);
	json_t *path = json_object_get(json_array_get(json_object_get(r.json, "sessions"), 0), "path");
	assert_int_equal(json_array_size(path), 2);
	/* the contact records the version it used */
	json_t *use = json_array_get(json_object_get(r.json, "uses"), 0);
	assert_string_equal(json_string_value(json_object_get(use, "item")), "no-internet");
	assert_int_equal(json_integer_value(json_object_get(use, "version")), 1);
	resp_clear(&r);
	/* learning: customers' slang is nowhere in the knowledge; resolved sessions link it */
	char ids[1024], one[64];
	search(agent, "ça ramouille grave", ids, sizeof(ids));
	assert_null(strstr(ids, "no-internet"));
	for (int i = 0; i < 2; i++) {
		call("POST", agent, 201, json_pack("{s:s,s:s}", "query", "ça ramouille grave", "tree", "no-internet"), &r,
		     "/api/v1/kb/sessions");
		s = resp_int(&r, "id");
		resp_clear(&r);
		call("POST", agent, 200, json_pack("{s:s}", "answer", "white"), &r, "/api/v1/kb/sessions/%lld/answer", s);
		resp_clear(&r);
		call("POST", agent, 200, json_pack("{s:s}", "answer", "no"), &r, "/api/v1/kb/sessions/%lld/answer", s);
		resp_clear(&r);
		call("POST", agent, 200, json_pack("{s:b}", "resolved", 1), &r, "/api/v1/kb/sessions/%lld/end", s);
		resp_clear(&r);
	}
	search(agent, "ça ramouille grave", ids, sizeof(ids));
	assert_string_equal(first(ids, one), "no-internet");
	/* explained, proposed to authors, and reversible */
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/search?lang=fr&explain=1&q=ramouille");
	assert_non_null(strstr(r.text, "learned"));
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/thesaurus");
	assert_non_null(strstr(r.text, "ramouille")); /* proposed as a thesaurus entry */
	resp_clear(&r);
	/* an author takes back every learned link of the slang */
	const char *items[] = {"no-internet", "box-restart"};
	for (int k = 0; k < 2; k++) {
		struct resp links;
		call("GET", author, 200, NULL, &links, "/api/v1/kb/links?item=%s", items[k]);
		size_t i;
		json_t *l;
		json_array_foreach(json_object_get(links.json, "links"), i, l) {
			call("DELETE", author, 200, NULL, &r, "/api/v1/kb/links?lang=fr&term=%s&item=%s",
			     json_string_value(json_object_get(l, "term")), items[k]);
			resp_clear(&r);
		}
		assert_true(json_array_size(json_object_get(links.json, "links")) >= 2);
		resp_clear(&links);
	}
	call("DELETE", author, 404, NULL, &r, "/api/v1/kb/links?lang=fr&term=ramouill&item=no-internet");
	resp_clear(&r);
	search(agent, "ça ramouille grave", ids, sizeof(ids));
	assert_null(strstr(ids, "no-internet"));
	/* past resolutions from a file; a bad line is named */
	lines(author, "/api/v1/kb/learn", "{\"query\":\"portabilité du numéro\",\"article\":\"cancel-contract\",\"resolved\":true}\n"
					 "{\"query\":\"x\",\"article\":\"nope\",\"resolved\":true}\n", 400, &r);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(json_object_get(r.json, "error"),
		"errors"), 0), "line")), 2);
	resp_clear(&r);
	search(agent, "portabilité", ids, sizeof(ids));
	assert_string_equal(ids, ""); /* nothing was learned */
	lines(author, "/api/v1/kb/learn", "{\"query\":\"portabilité du numéro\",\"article\":\"cancel-contract\",\"resolved\":true}\n", 200, &r);
	resp_clear(&r);
	search(agent, "portabilité", ids, sizeof(ids));
	assert_string_equal(first(ids, one), "cancel-contract");
	/* gaps: the tree that escalated */
	call("GET", author, 200, NULL, &r, "/api/v1/kb/gaps");
	assert_non_null(strstr(r.text, "no-internet"));
	resp_clear(&r);
}

static void training_scores(void **state)
{
	struct resp r;
	/* the picker names each scenario by what it trains: the written one by its name, the others by
	 * the outcome they end on (an article by its title), never "Scenario 3" */
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/training/scenarios?tree=no-internet");
	json_t *list = json_object_get(r.json, "scenarios");
	assert_int_equal(json_array_size(list), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
			    "Voyant rouge depuis ce matin");
	json_t *ends = json_object_get(json_array_get(list, 0), "ends");
	assert_string_equal(json_string_value(json_object_get(ends, "type")), "escalate");
	assert_string_equal(json_string_value(json_object_get(ends, "text")), "box en panne ou coupure de ligne");
	assert_true(json_is_null(json_object_get(json_array_get(list, 1), "name")));
	ends = json_object_get(json_array_get(list, 1), "ends");
	assert_string_equal(json_string_value(json_object_get(ends, "type")), "article");
	assert_string_equal(json_string_value(json_object_get(ends, "text")), "Redémarrer la box internet");
	ends = json_object_get(json_array_get(list, 3), "ends");
	assert_string_equal(json_string_value(json_object_get(ends, "type")), "reply");
	assert_non_null(strstr(json_string_value(json_object_get(ends, "text")), "Branchez la box"));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 3), "number")), 3);
	resp_clear(&r);
	call("GET", agent, 404, NULL, &r, "/api/v1/kb/training/scenarios?tree=no-such-tree");
	resp_clear(&r);
	call("GET", agent, 400, NULL, &r, "/api/v1/kb/training/scenarios");
	resp_clear(&r);
	call("POST", agent, 201, json_pack("{s:s,s:i}", "tree", "no-internet", "scenario", 0), &r, "/api/v1/kb/training");
	long long s = resp_int(&r, "id");
	assert_string_equal(json_string_value(json_object_get(r.json, "customer_says")), "Rouge");
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "answer", "red"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	/* a yes-or-no answer is its value, which the trainee's page words in its language */
	assert_string_equal(json_string_value(json_object_get(r.json, "customer_says")), "yes");
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "answer", "yes"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:b}", "resolved", 1), &r, "/api/v1/kb/sessions/%lld/end", s);
	assert_int_equal(resp_int(&r, "score"), 100);
	resp_clear(&r);
	/* a wrong answer: half the path, and not the expected outcome */
	call("POST", agent, 201, json_pack("{s:s,s:i}", "tree", "no-internet", "scenario", 0), &r, "/api/v1/kb/training");
	s = resp_int(&r, "id");
	resp_clear(&r);
	call("POST", admin, 404, json_pack("{s:s}", "answer", "red"), &r, "/api/v1/kb/sessions/%lld/answer", s); /* not theirs */
	resp_clear(&r);
	/* a question the scenario does not answer: the customer says nothing (null), in no language */
	call("POST", agent, 200, json_pack("{s:s}", "answer", "white"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	assert_true(json_is_null(json_object_get(r.json, "customer_says")));
	resp_clear(&r);
	call("POST", agent, 200, NULL, &r, "/api/v1/kb/sessions/%lld/back", s);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "answer", "red"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "answer", "no"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:b}", "resolved", 1), &r, "/api/v1/kb/sessions/%lld/end", s);
	assert_int_equal(resp_int(&r, "score"), 25);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/kb/training/progress");
	json_t *row = json_array_get(json_object_get(r.json, "progress"), 0);
	assert_int_equal(json_integer_value(json_object_get(row, "sessions")), 2);
	assert_int_equal(json_integer_value(json_object_get(row, "best_score")), 100);
	resp_clear(&r);
}

/* An expert coaches: they see everyone's progress; an author sees only their own (none). */
static void training_progress_for_trainers(void **state)
{
	struct resp r;
	char *expert = user("expert@k.example", "expert", NULL);
	call("GET", expert, 200, NULL, &r, "/api/v1/kb/training/progress");
	json_t *row = json_array_get(json_object_get(r.json, "progress"), 0);
	assert_int_equal(json_integer_value(json_object_get(row, "user_id")), agent_id);
	assert_int_equal(json_integer_value(json_object_get(row, "best_score")), 100);
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/training/progress");
	assert_int_equal(json_array_size(json_object_get(r.json, "progress")), 0);
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/kb/training/progress");
	assert_int_equal(json_array_size(json_object_get(r.json, "progress")), 0); /* another tenant's */
	resp_clear(&r);
	free(expert);
}

/* A thesaurus proposal refused by an author leaves the proposals and the gaps. */
static void proposal_refused(void **state)
{
	struct resp r;
	char word[128] = "";
	call("GET", author, 200, NULL, &r, "/api/v1/kb/thesaurus");
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(r.json, "proposals"), i, p) {
		const char *w = json_string_value(json_object_get(p, "word"));
		if (strstr(w, "ramouill"))
			snprintf(word, sizeof(word), "%s", w);
	}
	resp_clear(&r);
	assert_string_not_equal(word, "");
	call("DELETE", other_admin, 404, NULL, &r, "/api/v1/kb/thesaurus/proposals?lang=fr&word=%s", word);
	resp_clear(&r);
	call("DELETE", agent, 403, NULL, &r, "/api/v1/kb/thesaurus/proposals?lang=fr&word=%s", word);
	resp_clear(&r);
	call("DELETE", author, 400, NULL, &r, "/api/v1/kb/thesaurus/proposals?lang=fr");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "word");
	resp_clear(&r);
	call("DELETE", author, 200, NULL, &r, "/api/v1/kb/thesaurus/proposals?lang=fr&word=%s", word);
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/thesaurus");
	assert_null(strstr(r.text, word));
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/gaps");
	assert_true(json_is_array(json_object_get(r.json, "unmatched_words")));
	assert_null(strstr(r.text, word));
	resp_clear(&r);
	call("DELETE", author, 404, NULL, &r, "/api/v1/kb/thesaurus/proposals?lang=fr&word=%s", word);
	resp_clear(&r);
}

/* A resolution's words that the content lacks are proposed for the
 * thesaurus, judged against the content as published at that moment: a word
 * published a moment before is the content's, not a gap (the knowledge in
 * memory catches up once a publication commits). */
static void words_are_judged_against_what_was_just_published(void **state)
{
	struct resp r;
	char found[512];
	search(agent, "box", found, sizeof(found)); /* the tenant's knowledge in memory */
	lines(admin, "/api/v1/kb/import?publish=1",
	      "{\"id\":\"mode-kelpie\",\"title\":\"Le mode kelpie\",\"body\":\"Le mode kelpie de la box.\","
	      "\"lang\":\"fr\"}\n", 200, &r);
	resp_clear(&r);
	call("POST", agent, 201, json_pack("{s:s,s:s,s:s}", "query", "kelpie glorbix", "tree", "no-internet", "lang", "fr"),
	     &r, "/api/v1/kb/sessions");
	long long s = resp_int(&r, "id");
	resp_clear(&r);
	static const char *const walk[] = {"white", "yes"};
	for (int i = 0; i < 2; i++) {
		call("POST", agent, 200, json_pack("{s:s}", "answer", walk[i]), &r, "/api/v1/kb/sessions/%lld/answer", s);
		resp_clear(&r);
	}
	call("POST", agent, 200, json_pack("{s:b}", "resolved", 1), &r, "/api/v1/kb/sessions/%lld/end", s);
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/gaps");
	bool glorbix = false, kelpie = false;
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(r.json, "unmatched_words"), i, w) {
		glorbix |= strncmp(json_string_value(json_object_get(w, "word")), "glorbix", 7) == 0;
		kelpie |= strncmp(json_string_value(json_object_get(w, "word")), "kelpi", 5) == 0;
	}
	assert_true(glorbix);
	assert_false(kelpie);
	resp_clear(&r);
	/* the thesaurus keeps one entry whatever the case typed: "HS" and "hs" are one word to searches */
	for (int k = 0; k < 2; k++) {
		call("POST", author, 201, json_pack("{s:s,s:s,s:[s]}", "lang", "fr", "word", k ? "hs" : "HS", "synonyms",
			k ? "en panne" : "En Panne"), &r, "/api/v1/kb/thesaurus");
		assert_string_equal(json_string_value(json_object_get(r.json, "word")), "hs");
		resp_clear(&r);
	}
	call("GET", author, 200, NULL, &r, "/api/v1/kb/thesaurus");
	assert_null(strstr(r.text, "\"HS\""));
	assert_null(strstr(r.text, "En Panne"));
	resp_clear(&r);
}

static void self_service_and_seal(void **state)
{
	struct resp r;
	char path[256];
	call("PUT", admin, 200, json_pack("{s:b}", "enabled", 1), &r, "/api/v1/portal"); /* the help centre's */
	resp_clear(&r);
	/* no login; customer wording; no internal notes */
	http_raw(&d, "GET", "/public/v1/tenants/1/kb/search?lang=fr&q=red%C3%A9marrer+la+box", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_null(strstr(r.text, "diagnostic de ligne")); /* the internal part */
	assert_non_null(strstr(r.text, "box-restart"));
	resp_clear(&r);
	http_raw(&d, "POST", "/public/v1/tenants/1/kb/sessions", NULL, NULL, "application/json",
		 "{\"tree\":\"no-internet\"}", 22, &r);
	assert_int_equal(r.status, 201);
	assert_non_null(strstr(r.text, "De quelle couleur est le voyant de votre box"));
	assert_null(strstr(r.text, "en façade")); /* the agents' note */
	long long s = resp_int(&r, "id");
	char secret[64];
	snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(r.json, "secret")));
	resp_clear(&r);
	char body[256];
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/answer", s);
	snprintf(body, sizeof(body), "{\"answer\":\"red\",\"secret\":\"wrong\"}");
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
	snprintf(body, sizeof(body), "{\"answer\":\"red\",\"secret\":\"%s\"}", secret);
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/escalate", s);
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"message\":\"toujours rouge\"}", secret);
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
	assert_int_equal(r.status, 201);
	long long contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_non_null(strstr(r.text, "Rouge"));
	assert_non_null(strstr(r.text, "toujours rouge"));
	resp_clear(&r);
	/* the customer's outcomes: a template's variables no contact fills left out, and
	 * of an article what a customer reads, not the agents' canned replies */
	static const char *const walks[][2] = {{"white", "yes"}, {"white", "no"}};
	for (int k = 0; k < 2; k++) {
		http_raw(&d, "POST", "/public/v1/tenants/1/kb/sessions", NULL, NULL, "application/json",
			 "{\"tree\":\"no-internet\"}", 22, &r);
		s = resp_int(&r, "id");
		snprintf(secret, sizeof(secret), "%s", json_string_value(json_object_get(r.json, "secret")));
		resp_clear(&r);
		snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/answer", s);
		for (int a = 0; a < 2; a++) {
			snprintf(body, sizeof(body), "{\"answer\":\"%s\",\"secret\":\"%s\"}", walks[k][a], secret);
			http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
			assert_int_equal(r.status, 200);
			if (a == 0)
				resp_clear(&r);
		}
		assert_null(strstr(r.text, "{{"));
		if (k == 0)
			assert_non_null(strstr(r.text, "Bonjour, la box fonctionne"));
		else
			assert_null(strstr(r.text, "replies"));
		resp_clear(&r);
	}
	/* the other tenant sees none of it */
	call("GET", other_admin, 404, NULL, &r, "/api/v1/kb/items/sim-locked");
	resp_clear(&r);
	call("GET", other_admin, 404, NULL, &r, "/api/v1/kb/sessions/1");
	resp_clear(&r);
	char ids[1024];
	search(other_admin, "code puk", ids, sizeof(ids));
	assert_null(strstr(ids, "sim-locked"));
	call("GET", other_admin, 404, NULL, &r, "/api/v1/contacts/%lld/diagnosis", contact);
	resp_clear(&r);
	/* rate-limited: past the minute's allowance, 429 */
	int last = 0;
	for (int i = 0; i < 45 && last != 429; i++) {
		http_raw(&d, "GET", "/public/v1/tenants/1/kb/search?q=box", NULL, NULL, NULL, NULL, 0, &r);
		last = r.status;
		resp_clear(&r);
	}
	assert_int_equal(last, 429);
}

static void survives_kill_9(void **state)
{
	struct resp r;
	call("PUT", rev1, 201, json_pack("{s:s,s:s,s:s}", "title", "Roaming à l'étranger", "body",
		"Le roaming s'active depuis l'espace client avant le départ.", "lang", "fr"), &r, "/api/v1/kb/items/roaming");
	resp_clear(&r);
	call("POST", rev1, 200, NULL, &r, "/api/v1/kb/items/roaming/submit");
	resp_clear(&r);
	call("POST", rev2, 200, NULL, &r, "/api/v1/kb/items/roaming/approve");
	resp_clear(&r);
	/* a review-by date must be ahead; once passed, the item goes back to review (checked at start
	 * and each minute) while its published version stays what agents see */
	call("POST", rev2, 400, NULL, &r, "/api/v1/kb/items/roaming/publish?review_by=2020-01-31");
	assert_string_equal(resp_error(&r), "invalid");
	resp_clear(&r);
	char when[GC_TIME_LEN];
	int64_t due = gc_now_ms() + 1500;
	gc_time_format(due, when);
	call("POST", rev2, 200, NULL, &r, "/api/v1/kb/items/roaming/publish?review_by=%s", when);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "published");
	resp_clear(&r);
	assert_int_equal(daemon_crash(&d), 0);
	while (gc_now_ms() <= due)
		usleep(50 * 1000);
	assert_int_equal(daemon_start(&d, NULL), 0);
	char ids[1024];
	search(agent, "roaming", ids, sizeof(ids));
	assert_string_equal(ids, "roaming");
	const char *now_in = NULL;
	for (int i = 0; i < 100; i++) {
		call("GET", rev1, 200, NULL, &r, "/api/v1/kb/items/roaming");
		now_in = json_string_value(json_object_get(r.json, "state"));
		if (strcmp(now_in, "review") == 0)
			break;
		resp_clear(&r);
		usleep(20 * 1000);
	}
	assert_string_equal(now_in, "review");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/audit?limit=5"); /* newest first */
	assert_non_null(strstr(r.text, "\"kb_review_due\""));
	resp_clear(&r);
}

/* The workshop's loop: a reviewer sends an item back with a comment its
 * author reads on the item (gone once published); the owner resolves a flag
 * with a note, which the flags list shows; another tenant sees neither. */
/* A string field of the answer, "" when absent. */
static const char *resp_str(const struct resp *r, const char *key)
{
	const char *v = json_string_value(json_object_get(r->json, key));
	return v ? v : "";
}

static void review_comment_and_flag_note(void **state)
{
	struct resp r;
	json_t *art = json_pack("{s:s,s:s,s:s}", "title", "Roaming abroad", "body", "Roaming is on by default.", "lang",
				"en");
	call("PUT", author, 201, json_incref(art), &r, "/api/v1/kb/items/roaming-eu");
	resp_clear(&r);
	call("POST", author, 200, NULL, &r, "/api/v1/kb/items/roaming-eu/submit");
	assert_true(json_is_null(json_object_get(r.json, "review_comment")));
	resp_clear(&r);
	call("POST", rev1, 400, NULL, &r, "/api/v1/kb/items/roaming-eu/approve?comment=nice");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "comment");
	resp_clear(&r);
	call("POST", rev1, 400, NULL, &r, "/api/v1/kb/items/roaming-eu/reject?comment=");
	resp_clear(&r);
	char *out = NULL, *err = NULL; /* through the CLI (an admin reviews too) */
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "kb", "reject", "roaming-eu", "--comment",
				 "Say which countries, please", NULL), 0);
	free(out);
	free(err);
	call("GET", rev1, 200, NULL, &r, "/api/v1/kb/items/roaming-eu");
	assert_string_equal(resp_str(&r, "state"), "draft");
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/items/roaming-eu");
	assert_string_equal(resp_str(&r, "review_comment"), "Say which countries, please");
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/items?state=draft");
	assert_non_null(strstr(r.text, "Say which countries, please"));
	resp_clear(&r);
	call("GET", other_admin, 404, NULL, &r, "/api/v1/kb/items/roaming-eu");
	resp_clear(&r);
	call("POST", other_admin, 404, NULL, &r, "/api/v1/kb/items/roaming-eu/reject?comment=mine");
	resp_clear(&r);
	json_object_set_new(art, "body", json_string("Roaming is on by default in the EU, Norway and Iceland."));
	call("PUT", author, 200, art, &r, "/api/v1/kb/items/roaming-eu");
	resp_clear(&r);
	call("POST", author, 200, NULL, &r, "/api/v1/kb/items/roaming-eu/submit");
	resp_clear(&r);
	call("POST", rev1, 200, NULL, &r, "/api/v1/kb/items/roaming-eu/approve");
	resp_clear(&r);
	call("POST", rev1, 200, NULL, &r, "/api/v1/kb/items/roaming-eu/publish");
	assert_true(json_is_null(json_object_get(r.json, "review_comment")));
	resp_clear(&r);
	/* the flag's note */
	call("POST", agent, 201, json_pack("{s:s,s:s}", "reason", "unclear", "comment", "which countries?"), &r,
	     "/api/v1/kb/items/roaming-eu/flag");
	long long flag = resp_int(&r, "id");
	resp_clear(&r);
	call("POST", other_admin, 404, NULL, &r, "/api/v1/kb/flags/%lld/resolve?note=no", flag);
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/kb/flags?open=0");
	assert_int_equal(json_array_size(json_object_get(r.json, "flags")), 0);
	resp_clear(&r);
	call("POST", author, 200, NULL, &r, "/api/v1/kb/flags/%lld/resolve?note=Countries+listed", flag);
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/flags?mine=1&open=0");
	json_t *f, *found = NULL;
	size_t i;
	json_array_foreach(json_object_get(r.json, "flags"), i, f) if (json_integer_value(json_object_get(f, "id")) == flag)
		found = f;
	assert_non_null(found);
	assert_string_equal(json_string_value(json_object_get(found, "resolution")), "Countries listed");
	assert_string_equal(json_string_value(json_object_get(found, "title")), "Roaming abroad");
	resp_clear(&r);
}

/* If-None-Match: * creates an item or refuses (412): a second "new" article
 * with the same id never replaces the first's draft, nor another item's;
 * another tenant's id is not taken; any other If-None-Match is 400. */
static void put_create_only(void **state)
{
	struct resp r;
	const char *first = "{\"kind\":\"article\",\"title\":\"Slow wifi upstairs\",\"body\":\"Add a repeater.\",\"lang\":\"en\"}";
	const char *second = "{\"kind\":\"article\",\"title\":\"Another draft\",\"body\":\"Move the box.\",\"lang\":\"en\"}";
	http_raw_headers(&d, "PUT", "/api/v1/kb/items/slow-wifi-upstairs", author, "If-None-Match: *", first, &r);
	assert_int_equal(r.status, 201);
	resp_clear(&r);
	http_raw_headers(&d, "PUT", "/api/v1/kb/items/slow-wifi-upstairs", author, "If-None-Match: *", second, &r);
	assert_int_equal(r.status, 412);
	const json_t *e = json_object_get(r.json, "error");
	assert_string_equal(json_string_value(json_object_get(e, "code")), "precondition_failed");
	assert_string_equal(json_string_value(json_object_get(e, "field")), "id");
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/items/slow-wifi-upstairs");
	assert_non_null(strstr(r.text, "Add a repeater."));
	assert_null(strstr(r.text, "Move the box."));
	resp_clear(&r);
	/* a published item's id is taken too: its draft stays as it was */
	call("GET", author, 200, NULL, &r, "/api/v1/kb/items/sim-locked");
	char *before = strdup(r.text);
	resp_clear(&r);
	http_raw_headers(&d, "PUT", "/api/v1/kb/items/sim-locked", author, "If-None-Match: *", second, &r);
	assert_int_equal(r.status, 412);
	resp_clear(&r);
	call("GET", author, 200, NULL, &r, "/api/v1/kb/items/sim-locked");
	assert_string_equal(r.text, before);
	free(before);
	resp_clear(&r);
	/* another tenant's id is free here */
	http_raw_headers(&d, "PUT", "/api/v1/kb/items/slow-wifi-upstairs", other_admin, "If-None-Match: *", second, &r);
	assert_int_equal(r.status, 201);
	resp_clear(&r);
	http_raw_headers(&d, "PUT", "/api/v1/kb/items/brand-new", author, "If-None-Match: \"v1\"", first, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "If-None-Match");
	resp_clear(&r);
	call("GET", author, 404, NULL, &r, "/api/v1/kb/items/brand-new");
	resp_clear(&r);
	/* without it, PUT still puts a new draft on the item */
	call("PUT", author, 200, json_pack("{s:s,s:s,s:s,s:s}", "kind", "article", "title", "Another draft", "body",
					   "Move the box.", "lang", "en"), &r, "/api/v1/kb/items/slow-wifi-upstairs");
	resp_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(import_search_export),
		cmocka_unit_test(translations_find_original_words),
		cmocka_unit_test(review_loop_and_versions),
		cmocka_unit_test(review_comment_and_flag_note),
		cmocka_unit_test(put_create_only),
		cmocka_unit_test(diagnosis_escalation_and_learning),
		cmocka_unit_test(training_scores),
		cmocka_unit_test(training_progress_for_trainers),
		cmocka_unit_test(proposal_refused),
		cmocka_unit_test(words_are_judged_against_what_was_just_published),
		cmocka_unit_test(self_service_and_seal),
		cmocka_unit_test(survives_kill_9),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
