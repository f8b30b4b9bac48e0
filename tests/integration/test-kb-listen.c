/* Diagnosis that listens, through the real daemon: a session started with
 * the customer's words answers the questions those words already answer
 * (French: the box's red light; English: a colour and a number of days),
 * the path says which answers were inferred and from which words, the
 * agent adds words as the call goes on ("heard"), undoes an inference (the
 * question comes back and is not inferred again), negation infers nothing,
 * and another tenant sees none of it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PASSWORD "listening pass"

static struct daemon d;
static char *admin, *agent, *other_admin;

#define call(...) http_expect(&d, __VA_ARGS__)

static const char *english_tree =
	"{\"kind\":\"tree\",\"id\":\"router-down\",\"title\":\"Router down\",\"lang\":\"en\",\"tags\":[\"router\"],"
	"\"start\":\"light\",\"nodes\":["
	"{\"id\":\"light\",\"type\":\"choice\",\"text\":\"What colour is the router's light?\",\"choices\":["
	"{\"value\":\"white\",\"label\":\"White\",\"next\":\"days\"},"
	"{\"value\":\"red\",\"label\":\"Red\",\"next\":\"days\",\"synonyms\":[\"orange\"]}]},"
	"{\"id\":\"days\",\"type\":\"number\",\"text\":\"For how many days has it been down?\","
	"\"ranges\":[{\"max\":1,\"next\":\"restart\"},{\"next\":\"expert\"}]},"
	"{\"id\":\"restart\",\"type\":\"reply\",\"text\":\"Restart the router.\"},"
	"{\"id\":\"expert\",\"type\":\"escalate\",\"reason\":\"line down\"}]}\n"
	"{\"kind\":\"tree\",\"id\":\"wifi-loop\",\"title\":\"Wifi again\",\"lang\":\"en\",\"start\":\"on\",\"nodes\":["
	"{\"id\":\"on\",\"type\":\"yesno\",\"text\":\"Is the wifi on?\",\"yes\":\"on\",\"no\":\"end\"},"
	"{\"id\":\"end\",\"type\":\"reply\",\"text\":\"Switch the wifi on.\"}]}\n";

static void import(const char *token, const char *body)
{
	struct resp r;
	http_raw(&d, "POST", "/api/v1/kb/import?publish=1", token, NULL, "application/x-ndjson", body, strlen(body), &r);
	if (r.status != 200)
		fprintf(stderr, "import: %d %s\n", r.status, r.text);
	assert_int_equal(r.status, 200);
	resp_clear(&r);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return buf;
}

static int setup(void **state)
{
	(void)state;
	if (daemon_init(&d, "brand", "admin@l.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@o.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@l.example", PASSWORD);
	other_admin = login(&d, "admin@o.example", PASSWORD);
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@l.example", "name", "Agent",
						      "password", PASSWORD, "role", "agent"));
	agent = login(&d, "agent@l.example", PASSWORD);
	char path[512];
	snprintf(path, sizeof(path), "%s/data/demo/kb.jsonl", GUICHET_SOURCE_DIR);
	import(admin, read_all(path));
	import(admin, english_tree);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	daemon_stop(&d);
	daemon_cleanup(&d);
	return 0;
}

static const char *str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static const char *question(const struct resp *r)
{
	return str(json_object_get(r->json, "question"), "node");
}

static void french_box_and_undo(void **state)
{
	(void)state;
	struct resp r;
	call("POST", agent, 201, json_pack("{s:s}", "query", "ma box clignote rouge, plus d'internet"), &r,
	     "/api/v1/kb/sessions");
	long long s = resp_int(&r, "id");
	assert_string_equal(str(r.json, "tree"), "no-internet");
	/* the colour was said: answered, marked, with the word that said it */
	json_t *path = json_object_get(r.json, "path");
	assert_int_equal(json_array_size(path), 1);
	json_t *step = json_array_get(path, 0);
	assert_string_equal(str(step, "node"), "light");
	assert_string_equal(str(step, "answer"), "red");
	assert_string_equal(str(step, "label"), "Rouge");
	assert_true(json_is_true(json_object_get(step, "inferred")));
	assert_string_equal(str(step, "because"), "rouge");
	json_t *heard = json_object_get(r.json, "listened");
	assert_int_equal(json_array_size(heard), 1);
	assert_string_equal(str(json_array_get(heard, 0), "because"), "rouge");
	/* "depuis plus d'une heure" was not said: asked */
	assert_string_equal(question(&r), "outage");
	resp_clear(&r);

	/* the agent undoes it: the question comes back, and stays asked */
	call("POST", agent, 200, json_pack("{}"), &r, "/api/v1/kb/sessions/%lld/undo", s);
	assert_int_equal(json_array_size(json_object_get(r.json, "path")), 0);
	assert_string_equal(question(&r), "light");
	resp_clear(&r);
	call("POST", agent, 409, json_pack("{}"), &r, "/api/v1/kb/sessions/%lld/undo", s); /* nothing inferred left */
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "heard", "oui le voyant est bien rouge"), &r,
	     "/api/v1/kb/sessions/%lld/answer", s);
	assert_string_equal(question(&r), "light");
	assert_int_equal(json_array_size(json_object_get(r.json, "listened")), 0);
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/sessions/%lld", s);
	assert_string_equal(question(&r), "light");
	resp_clear(&r);

	/* answered by hand; the next question waits for words that answer it */
	call("POST", agent, 200, json_pack("{s:s}", "answer", "white"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	assert_string_equal(question(&r), "devices");
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "heard", "les autres appareils n'ont plus internet"), &r,
	     "/api/v1/kb/sessions/%lld/answer", s);
	assert_true(json_is_true(json_object_get(r.json, "done")));
	path = json_object_get(r.json, "path");
	assert_int_equal(json_array_size(path), 2);
	step = json_array_get(path, 1);
	assert_string_equal(str(step, "node"), "devices");
	assert_string_equal(str(step, "answer"), "no");
	assert_non_null(strstr(str(step, "because"), "plus internet"));
	assert_null(json_object_get(json_array_get(path, 0), "inferred")); /* "white" was the agent's */
	resp_clear(&r);

	/* undo by node: back to that question */
	call("POST", agent, 409, json_pack("{s:s}", "node", "light"), &r, "/api/v1/kb/sessions/%lld/undo", s);
	resp_clear(&r);
	call("POST", agent, 200, json_pack("{s:s}", "node", "devices"), &r, "/api/v1/kb/sessions/%lld/undo", s);
	assert_string_equal(question(&r), "devices");
	assert_false(json_is_true(json_object_get(r.json, "done")));
	resp_clear(&r);

	/* bad words are refused by name, and change nothing */
	call("POST", agent, 400, json_pack("{s:s}", "heard", ""), &r, "/api/v1/kb/sessions/%lld/answer", s);
	assert_string_equal(str(json_object_get(r.json, "error"), "field"), "heard");
	resp_clear(&r);
	call("POST", agent, 400, json_pack("{s:i}", "node", 3), &r, "/api/v1/kb/sessions/%lld/undo", s);
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/sessions/%lld", s);
	assert_string_equal(question(&r), "devices");
	resp_clear(&r);
}

static void english_colour_and_days(void **state)
{
	(void)state;
	struct resp r;
	call("POST", agent, 201, json_pack("{s:s,s:s,s:s}", "query", "router blinking orange, down for three days", "tree",
					   "router-down", "lang", "en"), &r, "/api/v1/kb/sessions");
	json_t *path = json_object_get(r.json, "path");
	assert_int_equal(json_array_size(path), 2);
	assert_string_equal(str(json_array_get(path, 0), "answer"), "red");
	assert_string_equal(str(json_array_get(path, 0), "because"), "orange");
	assert_string_equal(str(json_array_get(path, 1), "answer"), "3");
	assert_string_equal(str(json_array_get(path, 1), "because"), "three days");
	assert_true(json_is_true(json_object_get(r.json, "done")));
	assert_string_equal(str(json_object_get(r.json, "outcome"), "type"), "escalate");
	resp_clear(&r);
	/* no tree and no lang: the English words find the English tree, and are listened to */
	call("POST", agent, 201, json_pack("{s:s}", "query", "router blinking orange, down for three days"), &r,
	     "/api/v1/kb/sessions");
	assert_string_equal(str(r.json, "tree"), "router-down");
	assert_int_equal(json_array_size(json_object_get(r.json, "path")), 2);
	resp_clear(&r);
	/* a question the walk comes back to is asked, not answered again from the same words */
	call("POST", agent, 201, json_pack("{s:s,s:s,s:s}", "query", "the wifi is on", "tree", "wifi-loop", "lang", "en"),
	     &r, "/api/v1/kb/sessions");
	assert_int_equal(json_array_size(json_object_get(r.json, "path")), 1);
	assert_string_equal(question(&r), "on");
	resp_clear(&r);
	/* negation: nothing inferred */
	call("POST", agent, 201, json_pack("{s:s,s:s,s:s}", "query", "the light is not red", "tree", "router-down", "lang",
					   "en"), &r, "/api/v1/kb/sessions");
	assert_int_equal(json_array_size(json_object_get(r.json, "path")), 0);
	assert_string_equal(question(&r), "light");
	resp_clear(&r);
}

static void tenants_sealed(void **state)
{
	(void)state;
	struct resp r;
	call("POST", agent, 201, json_pack("{s:s}", "query", "ma box clignote rouge, plus d'internet"), &r,
	     "/api/v1/kb/sessions");
	long long s = resp_int(&r, "id");
	resp_clear(&r);
	call("POST", other_admin, 404, json_pack("{}"), &r, "/api/v1/kb/sessions/%lld/undo", s);
	resp_clear(&r);
	call("POST", other_admin, 404, json_pack("{s:s}", "heard", "rouge"), &r, "/api/v1/kb/sessions/%lld/answer", s);
	resp_clear(&r);
	call("POST", other_admin, 404, json_pack("{s:s,s:s}", "query", "ma box clignote rouge", "tree", "no-internet"), &r,
	     "/api/v1/kb/sessions");
	resp_clear(&r);
	/* nothing changed in the brand's session */
	call("GET", agent, 200, NULL, &r, "/api/v1/kb/sessions/%lld", s);
	assert_int_equal(json_array_size(json_object_get(r.json, "path")), 1);
	resp_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(french_box_and_undo),
		cmocka_unit_test(english_colour_and_days),
		cmocka_unit_test(tenants_sealed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
