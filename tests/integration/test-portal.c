/* The self-service portal through the real daemon and CLI: incidents and
 * announcements (CRUD, who may publish, audit lines, the CLI), only the
 * current published ones in the public answer, the portal's settings and
 * its 404 until enabled, another tenant sealed off, "did this solve it?"
 * feeding the learning (links and gaps), and "talk to a person" creating a
 * contact in the portal's queue, for the customer found by address, with
 * the query and the path as a note; a disabled help centre answers
 * nothing, as a tenant that has none. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "guichet/clock.h"
#include "harness.h"

#define PASSWORD "portal pass"

static struct daemon d;
static char *admin, *agent, *supervisor, *other_admin;
static long long queue_id, other_queue_id;
static char tokfile[128];

#define call(...) http_expect(&d, __VA_ARGS__)

/* A CLI run that must succeed; prints what it said otherwise. */
static void cli_ok(char **out, char **err, int rc)
{
	if (rc != 0)
		fprintf(stderr, "guichet: %d: %s%s\n", rc, *out, *err);
	assert_int_equal(rc, 0);
}

/* A public request (no token) with a JSON body text; answers its status. */
static int public_post(const char *path, const char *body, struct resp *r)
{
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), r);
	if (r->status >= 400)
		fprintf(stderr, "POST %s: %d %s\n", path, r->status, r->text);
	return r->status;
}

static const char *field_of(const struct resp *r)
{
	const char *f = json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
	return f ? f : "";
}

static char *user(const char *email, const char *role)
{
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email, "password",
						      PASSWORD, "role", role));
	return login(&d, email, PASSWORD);
}

static long long make_queue(const char *token, const char *name)
{
	long long skill = post_id(&d, token, "/api/v1/skills", json_pack("{s:s}", "name", name));
	return post_id(&d, token, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", name, "skill_id", skill, "channel",
							     "chat"));
}

static int setup(void **state)
{
	if (daemon_init(&d, "brand", "admin@p.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@q.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--public-per-minute", "200", NULL) != 0)
		return -1;
	admin = login(&d, "admin@p.example", PASSWORD);
	other_admin = login(&d, "admin@q.example", PASSWORD);
	agent = user("agent@p.example", "agent");
	supervisor = user("super@p.example", "supervisor");
	queue_id = make_queue(admin, "help");
	other_queue_id = make_queue(other_admin, "theirs");
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	fputs(admin, f);
	fclose(f);
	char *out = NULL, *err = NULL, file[256];
	snprintf(file, sizeof(file), "%s/data/demo/kb.jsonl", GUICHET_SOURCE_DIR);
	int rc = run_cli(&d, tokfile, &out, &err, "kb", "import", file, "--publish", NULL);
	free(out);
	free(err);
	return rc;
}

static int teardown(void **state)
{
	daemon_stop(&d);
	daemon_cleanup(&d);
	return 0;
}

static void incidents_crud_and_permissions(void **state)
{
	struct resp r;
	/* agents read, supervisors and tenant admins publish */
	call("POST", agent, 403, json_pack("{s:s,s:s}", "kind", "incident", "title", "x"), &r, "/api/v1/incidents");
	resp_clear(&r);
	call("POST", supervisor, 400, json_pack("{s:s,s:s}", "kind", "outage", "title", "x"), &r, "/api/v1/incidents");
	assert_string_equal(field_of(&r), "kind");
	resp_clear(&r);
	call("POST", supervisor, 400, json_pack("{s:s,s:s,s:s}", "kind", "announcement", "title", "x", "severity", "major"),
	     &r, "/api/v1/incidents");
	assert_string_equal(field_of(&r), "severity");
	resp_clear(&r);
	call("POST", supervisor, 400, json_pack("{s:s,s:s,s:s,s:s}", "kind", "incident", "title", "x", "starts_at",
						 "2026-12-02T10:00:00Z", "expected_end_at", "2026-12-02T09:00:00Z"),
	     &r, "/api/v1/incidents");
	assert_string_equal(field_of(&r), "expected_end_at");
	resp_clear(&r);
	call("POST", supervisor, 400, json_pack("{s:s,s:s,s:b}", "kind", "incident", "title", "x", "colour", 1), &r,
	     "/api/v1/incidents");
	assert_string_equal(field_of(&r), "colour");
	resp_clear(&r);
	call("POST", supervisor, 201,
	     json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", "incident", "title", "Fibre cut", "body", "Works in progress.",
		       "area", "Lyon", "expected_end_at", "2099-01-01T00:00:00Z"),
	     &r, "/api/v1/incidents");
	long long id = resp_int(&r, "id");
	assert_string_equal(json_string_value(json_object_get(r.json, "severity")), "major");
	assert_false(json_is_true(json_object_get(r.json, "published")));
	assert_string_equal(json_string_value(json_object_get(r.json, "created_by")), "super@p.example");
	resp_clear(&r);
	call("PATCH", agent, 403, json_pack("{s:b}", "published", 1), &r, "/api/v1/incidents/%lld", id);
	resp_clear(&r);
	call("PATCH", admin, 200, json_pack("{s:b,s:s}", "published", 1, "severity", "critical"), &r,
	     "/api/v1/incidents/%lld", id);
	assert_true(json_is_true(json_object_get(r.json, "published")));
	assert_string_equal(json_string_value(json_object_get(r.json, "severity")), "critical");
	assert_string_equal(json_string_value(json_object_get(r.json, "title")), "Fibre cut");
	resp_clear(&r);
	call("PATCH", admin, 400, json_pack("{s:s}", "severity", "apocalyptic"), &r, "/api/v1/incidents/%lld", id);
	assert_string_equal(field_of(&r), "severity");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/incidents");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	resp_clear(&r);
	/* another tenant sees none of it */
	call("GET", other_admin, 404, NULL, &r, "/api/v1/incidents/%lld", id);
	resp_clear(&r);
	call("PATCH", other_admin, 404, json_pack("{s:s}", "title", "mine"), &r, "/api/v1/incidents/%lld", id);
	resp_clear(&r);
	call("POST", other_admin, 404, NULL, &r, "/api/v1/incidents/%lld/end", id);
	resp_clear(&r);
	call("DELETE", other_admin, 404, NULL, &r, "/api/v1/incidents/%lld", id);
	resp_clear(&r);
	call("GET", other_admin, 200, NULL, &r, "/api/v1/incidents?all=1");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	/* ended once; listed with all=1 only; removed */
	call("POST", supervisor, 200, NULL, &r, "/api/v1/incidents/%lld/end", id);
	assert_true(json_is_string(json_object_get(r.json, "ended_at")));
	resp_clear(&r);
	call("POST", supervisor, 409, NULL, &r, "/api/v1/incidents/%lld/end", id);
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/incidents");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/incidents?all=1");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	resp_clear(&r);
	call("DELETE", agent, 403, NULL, &r, "/api/v1/incidents/%lld", id);
	resp_clear(&r);
	call("DELETE", admin, 204, NULL, &r, "/api/v1/incidents/%lld", id);
	resp_clear(&r);
	call("GET", admin, 404, NULL, &r, "/api/v1/incidents/%lld", id);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/audit");
	assert_non_null(strstr(r.text, "incident_created"));
	assert_non_null(strstr(r.text, "incident_changed"));
	assert_non_null(strstr(r.text, "incident_ended"));
	assert_non_null(strstr(r.text, "incident_removed"));
	resp_clear(&r);
}

static void incidents_from_the_cli(void **state)
{
	char *out = NULL, *err = NULL;
	cli_ok(&out, &err, run_cli(&d, tokfile, &out, &err, "incident", "add", "--title", "Planned upgrade", "--kind",
				   "announcement", "--body", "Tonight.", "--publish", "--json", NULL));
	json_t *added = json_loads(out, 0, NULL);
	long long id = json_integer_value(json_object_get(added, "id"));
	json_decref(added);
	assert_true(id > 0);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "incident", "list", NULL), 0);
	assert_non_null(strstr(out, "Planned upgrade"));
	free(out);
	free(err);
	char num[32];
	snprintf(num, sizeof(num), "%lld", id);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "incident", "end", num, NULL), 0);
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, tokfile, &out, &err, "incident", "end", num, NULL), 0);
	assert_non_null(strstr(err, "ended already"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "incident", "remove", num, NULL), 0);
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, tokfile, &out, &err, "incident", "add", "--kind", "incident", NULL), 0);
	assert_non_null(strstr(err, "title"));
	free(out);
	free(err);
}

static void portal_settings_and_public_answer(void **state)
{
	struct resp r;
	/* not enabled: 404, as for a tenant that does not exist */
	http_raw(&d, "GET", "/public/v1/tenants/1/portal", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/portal");
	assert_false(json_is_true(json_object_get(r.json, "enabled")));
	resp_clear(&r);
	call("PUT", supervisor, 403, json_pack("{s:b}", "enabled", 1), &r, "/api/v1/portal");
	resp_clear(&r);
	call("PUT", admin, 400, json_pack("{s:b,s:s}", "enabled", 1, "lang", "de"), &r, "/api/v1/portal");
	assert_string_equal(field_of(&r), "lang");
	resp_clear(&r);
	call("PUT", admin, 400, json_pack("{s:b,s:s}", "enabled", 1, "phone", "call us"), &r, "/api/v1/portal");
	assert_string_equal(field_of(&r), "phone");
	resp_clear(&r);
	call("PUT", admin, 400, json_pack("{s:b,s:I}", "enabled", 1, "queue_id", other_queue_id), &r, "/api/v1/portal");
	assert_string_equal(field_of(&r), "queue_id");
	resp_clear(&r);
	call("PUT", admin, 200,
	     json_pack("{s:b,s:s,s:s,s:s,s:s,s:b,s:I}", "enabled", 1, "title", "Brand help", "lang", "fr", "phone",
		       "+33 1 23 45 67 89", "email", "help@p.example", "callback", 1, "queue_id", queue_id),
	     &r, "/api/v1/portal");
	resp_clear(&r);
	/* only what is published, started and not ended */
	long long cur = post_id(&d, admin, "/api/v1/incidents",
				json_pack("{s:s,s:s,s:s,s:b}", "kind", "incident", "title", "Current cut", "body",
					  "We are on it.", "published", 1));
	post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s}", "kind", "incident", "title", "Draft cut"));
	post_id(&d, admin, "/api/v1/incidents", json_pack("{s:s,s:s,s:s,s:b}", "kind", "announcement", "title",
							  "Future news", "starts_at", "2099-01-01T00:00:00Z",
							  "published", 1));
	long long ended = post_id(&d, admin, "/api/v1/incidents",
				  json_pack("{s:s,s:s,s:b}", "kind", "incident", "title", "Old cut", "published", 1));
	call("POST", admin, 200, NULL, &r, "/api/v1/incidents/%lld/end", ended);
	resp_clear(&r);
	http_raw(&d, "GET", "/public/v1/tenants/1/portal", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "title")), "Brand help");
	json_t *incidents = json_object_get(r.json, "incidents"), *contact = json_object_get(r.json, "contact");
	assert_int_equal(json_array_size(incidents), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(incidents, 0), "id")), cur);
	assert_null(json_object_get(json_array_get(incidents, 0), "created_by"));
	assert_string_equal(json_string_value(json_object_get(contact, "phone")), "+33 1 23 45 67 89");
	assert_string_equal(json_string_value(json_object_get(contact, "email")), "help@p.example");
	assert_true(json_is_true(json_object_get(contact, "callback")));
	assert_true(json_is_true(json_object_get(contact, "open_now"))); /* no calendar: always open */
	assert_null(strstr(r.text, "queue"));
	resp_clear(&r);
	/* the other tenant: its own portal, none of these incidents */
	http_raw(&d, "GET", "/public/v1/tenants/2/portal", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
	call("PUT", other_admin, 200, json_pack("{s:b,s:s}", "enabled", 1, "title", "Other help"), &r, "/api/v1/portal");
	resp_clear(&r);
	http_raw(&d, "GET", "/public/v1/tenants/2/portal", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(json_array_size(json_object_get(r.json, "incidents")), 0);
	assert_null(strstr(r.text, "Current cut"));
	resp_clear(&r);
	http_raw(&d, "GET", "/public/v1/tenants/99/portal", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
	/* the tenant's hours as its calendar says */
	call("PUT", admin, 200, json_pack("{s:s,s:{s:[s]}}", "zone", "Europe/Paris", "hours", "mon", "08:00-12:00"), &r,
	     "/api/v1/calendar");
	resp_clear(&r);
	http_raw(&d, "GET", "/public/v1/tenants/1/portal", NULL, NULL, NULL, NULL, 0, &r);
	contact = json_object_get(r.json, "contact");
	assert_string_equal(json_string_value(json_object_get(contact, "zone")), "Europe/Paris");
	assert_true(json_is_array(json_object_get(json_object_get(contact, "hours"), "mon")));
	assert_true(json_is_boolean(json_object_get(contact, "open_now")));
	resp_clear(&r);
	/* the page itself: /help/{tenant} is the portal's page of the web folder */
	char web[200], file[256];
	snprintf(web, sizeof(web), "%s/web", d.dir);
	snprintf(file, sizeof(file), "%s/portal", web);
	assert_int_equal(mkdir(web, 0700) == 0 && mkdir(file, 0700) == 0, 1);
	snprintf(file, sizeof(file), "%s/portal/index.html", web);
	FILE *f = fopen(file, "w");
	fputs("<div id=\"portal\"></div>", f);
	fclose(f);
	snprintf(file, sizeof(file), "%s/index.html", web);
	f = fopen(file, "w");
	fputs("<div id=\"app\"></div>", f);
	fclose(f);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(daemon_start(&d, "--public-per-minute", "200", "--web-dir", web, NULL), 0);
	const char *pages[] = {"/help/1", "/help/2/", "/help/01", "/help/1/x", "/help/abc", "/help/", "/"};
	const int status[] = {200, 200, 404, 404, 404, 404, 200};
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		http_raw(&d, "GET", pages[i], NULL, NULL, NULL, NULL, 0, &r);
		if (r.status != status[i])
			fprintf(stderr, "GET %s: %d\n", pages[i], r.status);
		assert_int_equal(r.status, status[i]);
		if (status[i] == 200)
			assert_non_null(strstr(r.text, i < 2 ? "id=\"portal\"" : "id=\"app\""));
		resp_clear(&r);
	}
}

/* Starts a public diagnosis from the customer's words and walks it to the
 * article (red light, not for an hour); the session's id and secret. */
static long long walk_to_article(const char *query, char *secret, size_t len)
{
	struct resp r;
	char body[512], path[128];
	snprintf(body, sizeof(body), "{\"query\":\"%s\"}", query);
	assert_int_equal(public_post("/public/v1/tenants/1/kb/sessions", body, &r), 201);
	long long s = resp_int(&r, "id");
	snprintf(secret, len, "%s", json_string_value(json_object_get(r.json, "secret")));
	resp_clear(&r);
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/answer", s);
	const char *answers[] = {"red", "no"};
	for (int i = 0; i < 2; i++) {
		snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"answer\":\"%s\"}", secret, answers[i]);
		assert_int_equal(public_post(path, body, &r), 200);
		resp_clear(&r);
	}
	return s;
}

static bool has_link(const char *item, const char *word, bool resolved)
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/kb/links?item=%s", item);
	bool found = false;
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(r.json, "links"), i, l) {
		const char *term = json_string_value(json_object_get(l, "term"));
		long long n = json_integer_value(json_object_get(l, resolved ? "ok" : "failed"));
		found |= term && strncmp(term, word, strlen(word)) == 0 && n > 0; /* a stem of the word */
	}
	if (!found)
		fprintf(stderr, "links of %s: %s\n", item, r.text);
	resp_clear(&r);
	return found;
}

static void solved_feeds_the_learning(void **state)
{
	struct resp r;
	char secret[64], path[128], body[256];
	/* an article from a search: the customer's words are linked to it */
	assert_int_equal(public_post("/public/v1/tenants/1/kb/feedback",
				     "{\"query\":\"wifi oublié\",\"item\":\"wifi-password\",\"solved\":true}", &r),
			 200);
	resp_clear(&r);
	assert_true(has_link("wifi-password", "oubli", true));
	/* anyone may call it, and it teaches the agents' searches: only about an
	 * article the words find, not any pair an outsider makes up */
	assert_int_equal(public_post("/public/v1/tenants/1/kb/feedback",
				     "{\"query\":\"xyzzy\",\"item\":\"wifi-password\",\"solved\":true}", &r), 422);
	assert_string_equal(field_of(&r), "item");
	resp_clear(&r);
	assert_false(has_link("wifi-password", "xyzzy", true));
	assert_int_equal(public_post("/public/v1/tenants/1/kb/feedback", "{\"query\":\"x\",\"item\":\"no-such\",\"solved\":true}", &r), 404);
	assert_string_equal(field_of(&r), "item");
	resp_clear(&r);
	assert_int_equal(public_post("/public/v1/tenants/2/kb/feedback", "{\"query\":\"x\",\"item\":\"wifi-password\",\"solved\":true}", &r), 404); /* the other tenant has no such article */
	resp_clear(&r);
	/* a diagnosis: "no" ends it unsolved, the gaps count it */
	long long s = walk_to_article("voyant rouge box", secret, sizeof(secret));
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/end", s);
	snprintf(body, sizeof(body), "{\"secret\":\"wrong\",\"solved\":false}");
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"solved\":false}", secret);
	assert_int_equal(public_post(path, body, &r), 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "ended");
	resp_clear(&r);
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
	assert_int_equal(r.status, 409);
	resp_clear(&r);
	assert_true(has_link("box-restart", "roug", false));
	call("GET", admin, 200, NULL, &r, "/api/v1/kb/gaps");
	char *failing = json_dumps(json_object_get(r.json, "queries_failing"), 0);
	bool counted = strstr(failing, "voyant rouge box") != NULL;
	free(failing);
	assert_true(counted);
	resp_clear(&r);
	/* a "yes" on another one teaches the article */
	s = walk_to_article("box rouge", secret, sizeof(secret));
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/end", s);
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"solved\":true}", secret);
	assert_int_equal(public_post(path, body, &r), 200);
	resp_clear(&r);
	assert_true(has_link("box-restart", "box", true));
}

static void talk_to_a_person(void **state)
{
	struct resp r;
	char secret[64], path[128], body[512];
	long long s = walk_to_article("internet coupé", secret, sizeof(secret));
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/end", s);
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"solved\":false}", secret);
	assert_int_equal(public_post(path, body, &r), 200);
	resp_clear(&r);
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/escalate", s);
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"email\":\"bad address\"}", secret);
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(field_of(&r), "email");
	resp_clear(&r);
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"email\":\"Lea@Example.com\",\"message\":\"still red\"}", secret);
	assert_int_equal(public_post(path, body, &r), 201);
	long long contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	assert_int_equal(public_post(path, body, &r), 409); /* once */
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_non_null(strstr(r.text, "internet coupé")); /* the query */
	assert_non_null(strstr(r.text, "Rouge"));          /* the path, with the answers given */
	/* in the tree's language: the agent reads it beside the tree's questions */
	assert_non_null(strstr(r.text, "Libre-service. Le client a cherché : internet coupé\\nDiagnostic parcouru :"));
	assert_non_null(strstr(r.text, "une heure ? → Non"));
	assert_null(strstr(r.text, "→ no"));
	assert_non_null(strstr(r.text, "still red"));
	assert_non_null(strstr(r.text, "\"note\""));
	assert_string_equal(json_string_value(json_object_get(r.json, "queue")), "help");
	long long customer = resp_int(&r, "customer_id");
	assert_true(customer > 0);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/customers/%lld", customer);
	assert_non_null(strstr(r.text, "lea@example.com"));
	resp_clear(&r);
	call("GET", other_admin, 404, NULL, &r, "/api/v1/contacts/%lld", contact);
	resp_clear(&r);
	/* an article opened from a search: the customer's parts only */
	http_raw(&d, "GET", "/public/v1/tenants/1/kb/articles/box-restart", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.text, "Débranchez la box"));
	assert_null(strstr(r.text, "diagnostic de ligne")); /* the internal part */
	assert_null(json_object_get(r.json, "replies"));
	resp_clear(&r);
	http_raw(&d, "GET", "/public/v1/tenants/2/kb/articles/box-restart", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404);
	resp_clear(&r);
	http_raw(&d, "GET", "/public/v1/tenants/1/kb/articles/no-internet", NULL, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 404); /* a tree is walked, not read */
	resp_clear(&r);
	/* a search with no diagnosis: the query and the articles seen */
	assert_int_equal(public_post("/public/v1/tenants/1/escalate",
				     "{\"query\":\"facture double\",\"articles\":[\"invoice-twice\"],"
				     "\"phone\":\"+33 6 12 34 56 78\"}",
				     &r),
			 201);
	contact = resp_int(&r, "contact_id");
	resp_clear(&r);
	call("GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_non_null(strstr(r.text, "facture double"));
	assert_non_null(strstr(r.text, "Facture prélevée deux fois"));
	assert_true(resp_int(&r, "customer_id") > 0);
	/* in the help centre's language (French here), as the diagnosis's note */
	assert_non_null(strstr(r.text, "Libre-service. Le client a cherché : facture double\\nArticles consultés :"));
	assert_string_equal(json_string_value(json_object_get(r.json, "subject")), "Libre-service : recherche");
	assert_null(strstr(r.text, "Self-service"));
	resp_clear(&r);
	assert_int_equal(public_post("/public/v1/tenants/1/escalate", "{\"articles\":\"invoice-twice\"}", &r), 400);
	assert_string_equal(field_of(&r), "articles");
	resp_clear(&r);
	assert_int_equal(public_post("/public/v1/tenants/99/escalate", "{}", &r), 404);
	resp_clear(&r);
	assert_int_equal(daemon_stop(&d), 0); /* and no leak in the daemon (ASan would fail its exit) */
	assert_int_equal(daemon_start(&d, "--public-per-minute", "200", NULL), 0);
}

/* The help centre's switch is the public self-service's: once a tenant
 * admin disables it, nobody reads the tenant's knowledge, walks or starts
 * a diagnosis, teaches the searches or creates a contact through it (all
 * of these answered for any tenant id whatever its settings: an anonymous
 * caller filled a brand's queues with contacts and customers). */
static void a_disabled_help_centre_serves_nothing(void **state)
{
	struct resp r;
	char secret[64], path[128], body[256];
	long long s = walk_to_article("internet coupé", secret, sizeof(secret));
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts?limit=500");
	size_t contacts = json_array_size(json_object_get(r.json, "items"));
	resp_clear(&r);
	call("PUT", admin, 200, json_pack("{s:b,s:I}", "enabled", 0, "queue_id", queue_id), &r, "/api/v1/portal");
	resp_clear(&r);
	const char *gets[] = {"/public/v1/tenants/1/portal", "/public/v1/tenants/1/kb/search?q=box",
			      "/public/v1/tenants/1/kb/articles/box-restart"};
	for (size_t i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		http_raw(&d, "GET", gets[i], NULL, NULL, NULL, NULL, 0, &r);
		if (r.status != 404)
			fprintf(stderr, "GET %s: %d %s\n", gets[i], r.status, r.text);
		assert_int_equal(r.status, 404);
		resp_clear(&r);
	}
	const char *posts[][2] = {
		{"/public/v1/tenants/1/kb/sessions", "{\"query\":\"voyant rouge box\"}"},
		{"/public/v1/tenants/1/kb/sessions/%lld/answer", "{\"secret\":\"%s\",\"answer\":\"red\"}"},
		{"/public/v1/tenants/1/kb/sessions/%lld/back", "{\"secret\":\"%s\"}"},
		{"/public/v1/tenants/1/kb/sessions/%lld/end", "{\"secret\":\"%s\",\"solved\":false}"},
		{"/public/v1/tenants/1/kb/sessions/%lld/escalate", "{\"secret\":\"%s\",\"email\":\"x@example.com\"}"},
		{"/public/v1/tenants/1/kb/feedback", "{\"query\":\"wifi oublié\",\"item\":\"wifi-password\",\"solved\":true}"},
		{"/public/v1/tenants/1/escalate", "{\"query\":\"spam\",\"message\":\"spam\",\"email\":\"x@example.com\"}"},
	};
	for (size_t i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		snprintf(path, sizeof(path), posts[i][0], s);
		snprintf(body, sizeof(body), posts[i][1], secret);
		http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), &r);
		if (r.status != 404)
			fprintf(stderr, "POST %s: %d %s\n", path, r.status, r.text);
		assert_int_equal(r.status, 404);
		resp_clear(&r);
	}
	call("GET", admin, 200, NULL, &r, "/api/v1/contacts?limit=500");
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), contacts);
	resp_clear(&r);
	/* enabled again: the session goes on where it was */
	call("PUT", admin, 200, json_pack("{s:b,s:I}", "enabled", 1, "queue_id", queue_id), &r, "/api/v1/portal");
	resp_clear(&r);
	snprintf(path, sizeof(path), "/public/v1/tenants/1/kb/sessions/%lld/escalate", s);
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"email\":\"x@example.com\"}", secret);
	assert_int_equal(public_post(path, body, &r), 201);
	resp_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(incidents_crud_and_permissions),
		cmocka_unit_test(incidents_from_the_cli),
		cmocka_unit_test(portal_settings_and_public_answer),
		cmocka_unit_test(solved_feeds_the_learning),
		cmocka_unit_test(talk_to_a_person),
		cmocka_unit_test(a_disabled_help_centre_serves_nothing),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
