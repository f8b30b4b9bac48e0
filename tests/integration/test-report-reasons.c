/* Reasons and dispositions, satisfaction and knowledge items in the reports
 * (GET /api/v1/reports/reasons, /satisfaction, /knowledge, guichet report
 * reasons|satisfaction|knowledge) through the real daemon on the run's
 * engine, on a fixed history made through the API. Alice is the brand's
 * agent, Bruno an outsourcer's (BPO).
 *
 *   chats   k1 answered by Alice, rated 2 then 4 (the 4 replaces the 2);
 *           k2 answered by Bruno, rated 2
 *   contacts r1 (customer R-1, internet), r2 (R-2, internet) resolved
 *           "fixed" by Alice; r3 (R-3, billing) resolved "refunded" by
 *           Bruno; r4 (R-1, internet, after r1) resolved "fixed" by Alice
 *   knowledge on r1 Alice walks no-internet to the article box-restart:
 *           resolved; on r2 to a reply: resolved; on r3 Bruno: not
 *           resolved. r4 is R-1 coming back for internet within 7 days, so
 *           r1's resolution fails.
 *
 * By hand: reasons internet 3 (fixed), billing 1 (refunded), total 4, one
 * day; satisfaction 2 rated, sum 6, average 3, Alice 1 rated at 4, Bruno 1
 * at 2; knowledge no-internet said resolved 2, said not 1, came back 1:
 * resolved 1, failed 2, rate 1/3; box-restart resolved 0, failed 1. The
 * BPO's supervisor sees Bruno's alone: billing 1, Bruno's rating, one
 * failure of no-internet. Another tenant sees nothing; an agent may not
 * read them; the figures survive kill -9 and match a recount from the
 * events (rows and cursors emptied, folded again at start). */
#include "harness.h"

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

#define PASSWORD "reasons pass"

static struct daemon d;
static char *admin, *other_admin, *alice, *bruno, *bpo_supervisor, tokfile[128], key[64];
static long long alice_id, bruno_id, queue;
static char range[160];

#define call(...) http_expect(&d, __VA_ARGS__)

static void ok(const char *method, const char *token, json_t *body, const char *fmt, long long id)
{
	struct resp r;
	call(method, token, 200, body, &r, fmt, id);
	resp_clear(&r);
}

static char *user(const char *email, const char *role, const char *org, long long *ret_id)
{
	json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email, "password", PASSWORD, "role", role);
	if (org)
		json_object_set_new(body, "organisation", json_string(org));
	long long id = post_id(&d, admin, "/api/v1/users", body);
	if (ret_id)
		*ret_id = id;
	return login(&d, email, PASSWORD);
}

static void presence(const char *token, const char *p)
{
	json_t *body = json_pack("{s:s}", "presence", p);
	if (strcmp(p, "paused") == 0)
		json_object_set_new(body, "reason", json_string("break"));
	ok("POST", token, body, "/api/v1/agents/me/presence", 0);
}

/* A chat from a new visitor, answered by agent and rated. */
static void rated_chat(const char *agent, int first, int score)
{
	struct resp r;
	call("POST", NULL, 201, json_object(), &r, "/chat/v1/%s/visitors", key);
	char *v = strdup(json_string_value(json_object_get(r.json, "token")));
	resp_clear(&r);
	call("POST", v, 201, json_pack("{s:s}", "message", "hello"), &r, "/chat/v1/%s/chats", key);
	long long chat = resp_int(&r, "id");
	resp_clear(&r);
	ok("POST", agent, NULL, "/api/v1/contacts/%lld/accept", chat);
	if (first)
		call("POST", v, 200, json_pack("{s:i}", "score", first), &r, "/chat/v1/%s/chats/%lld/rating", key, chat),
			resp_clear(&r);
	call("POST", v, 200, json_pack("{s:i}", "score", score), &r, "/chat/v1/%s/chats/%lld/rating", key, chat);
	resp_clear(&r);
	free(v);
}

static long long contact(long long customer, const char *reason)
{
	return post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:s,s:I}", "channel", "email", "subject", "s",
		"reason", reason, "customer_id", (json_int_t)customer));
}

static void resolve(const char *token, long long id, const char *disposition)
{
	ok("POST", token, json_pack("{s:s,s:s}", "state", "resolved", "disposition", disposition),
	   "/api/v1/contacts/%lld/state", id);
}

/* A knowledge session on the contact through no-internet: white, then the answer; ended resolved or not. */
static void diagnosis(const char *token, long long id, const char *answer, bool resolved)
{
	struct resp r;
	call("POST", token, 201, json_pack("{s:s,s:s,s:I}", "query", "plus d'internet", "tree", "no-internet", "contact_id",
		(json_int_t)id), &r, "/api/v1/kb/sessions");
	long long s = resp_int(&r, "id");
	resp_clear(&r);
	ok("POST", token, json_pack("{s:s}", "answer", "white"), "/api/v1/kb/sessions/%lld/answer", s);
	ok("POST", token, json_pack("{s:s}", "answer", answer), "/api/v1/kb/sessions/%lld/answer", s);
	json_t *end = json_pack("{s:b}", "resolved", resolved);
	if (!resolved)
		json_object_set_new(end, "feedback", json_string("still down"));
	ok("POST", token, end, "/api/v1/kb/sessions/%lld/end", s);
}

/* A customer's POST to the help centre; its answer in *r. */
static void public_call(int status, const char *body, struct resp *r, const char *fmt, long long id)
{
	char path[160];
	snprintf(path, sizeof(path), fmt, id);
	http_raw(&d, "POST", path, NULL, NULL, "application/json", body, strlen(body), r);
	if (r->status != status)
		fprintf(stderr, "POST %s: %d %s\n", path, r->status, r->text ? r->text : "");
	assert_int_equal(r->status, status);
}

/* A help centre diagnosis through no-internet: white, then the answer; the
 * session's id and secret. */
static long long public_diagnosis(const char *answer, char secret[64])
{
	struct resp r;
	char body[160];
	public_call(201, "{\"tree\":\"no-internet\"}", &r, "/public/v1/tenants/%lld/kb/sessions", 1);
	long long s = resp_int(&r, "id");
	snprintf(secret, 64, "%s", json_string_value(json_object_get(r.json, "secret")));
	resp_clear(&r);
	const char *answers[] = {"white", answer};
	for (int i = 0; i < 2; i++) {
		snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"answer\":\"%s\"}", secret, answers[i]);
		public_call(200, body, &r, "/public/v1/tenants/1/kb/sessions/%lld/answer", s);
		resp_clear(&r);
	}
	return s;
}

/* The help centre's answers: a diagnosis solved (the tree and box-restart),
 * one left for a person before its end (the tree), box-restart not solved
 * after a search. */
static void self_service_history(void)
{
	struct resp r;
	char secret[64], body[160];
	ok("PUT", admin, json_pack("{s:b}", "enabled", 1), "/api/v1/portal", 0); /* the help centre's */
	long long s = public_diagnosis("no", secret); /* other devices neither: box-restart */
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"solved\":true}", secret);
	public_call(200, body, &r, "/public/v1/tenants/1/kb/sessions/%lld/end", s);
	resp_clear(&r);
	s = public_diagnosis("yes", secret); /* a reply, not taken: the customer asks for a person */
	snprintf(body, sizeof(body), "{\"secret\":\"%s\",\"message\":\"still nothing\",\"email\":\"kim@example.net\"}",
		 secret);
	public_call(201, body, &r, "/public/v1/tenants/1/kb/sessions/%lld/escalate", s);
	resp_clear(&r);
	public_call(200, "{\"query\":\"box eteinte\",\"item\":\"box-restart\",\"solved\":false}", &r,
		    "/public/v1/tenants/%lld/kb/feedback", 1);
	resp_clear(&r);
}

static void make_history(void)
{
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "web"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "web chat", "skill_id",
		(json_int_t)skill, "channel", "chat"));
	long long ids[] = {alice_id, bruno_id};
	for (int i = 0; i < 2; i++)
		ok("PUT", admin, json_pack("{s:[{s:I,s:i}],s:{s:i}}", "skills", "skill_id", (json_int_t)skill, "proficiency",
					   5, "capacity", "chat", 2), "/api/v1/agents/%lld", ids[i]);
	struct resp r;
	call("POST", admin, 201, json_pack("{s:s,s:I,s:[s]}", "name", "shop", "queue_id", (json_int_t)queue, "origins",
		"https://shop.example"), &r, "/api/v1/channels/chat");
	snprintf(key, sizeof(key), "%s", json_string_value(json_object_get(r.json, "key")));
	resp_clear(&r);
	char file[512], *out = NULL, *err = NULL;
	snprintf(file, sizeof(file), "%s/data/demo/kb.jsonl", GUICHET_SOURCE_DIR);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "kb", "import", file, "--publish", NULL), 0);
	free(out);
	free(err);
	int64_t from = gc_now_ms();
	presence(alice, "available");
	rated_chat(alice, 2, 4);
	presence(alice, "paused");
	presence(bruno, "available");
	rated_chat(bruno, 0, 2);
	presence(bruno, "paused");
	long long c[3];
	for (int i = 0; i < 3; i++) {
		char ext[8];
		snprintf(ext, sizeof(ext), "R-%d", i + 1);
		c[i] = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s}", "external_id", ext));
	}
	long long r1 = contact(c[0], "internet"), r2 = contact(c[1], "internet"), r3 = contact(c[2], "billing");
	diagnosis(alice, r1, "no", true);
	diagnosis(alice, r2, "yes", true);
	diagnosis(bruno, r3, "yes", false);
	resolve(alice, r1, "fixed");
	resolve(alice, r2, "fixed");
	resolve(bruno, r3, "refunded");
	long long r4 = contact(c[0], "internet");
	resolve(alice, r4, "fixed");
	/* the contact an incident's SMS notice goes on, resolved as it is made (docs/incidents.md): no resolution */
	long long notice = post_id(&d, admin, "/api/v1/contacts", json_pack("{s:s,s:s,s:I}", "channel", "sms", "subject",
		"Incident: fibre down", "customer_id", (json_int_t)c[1]));
	resolve(admin, notice, "incident_notice");
	self_service_history();
	char a[GC_TIME_LEN], b[GC_TIME_LEN];
	gc_time_format(from - 3600 * 1000LL, a);
	gc_time_format(gc_now_ms() + 3600 * 1000LL, b);
	snprintf(range, sizeof(range), "from=%s&to=%s", a, b);
}

static int setup(void **state)
{
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--public-per-minute", "100000", NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	if (http_status(&d, "POST", "/api/v1/organisations", admin, json_pack("{s:s,s:s}", "name", "BPO", "kind",
										"outsourcer")) != 201)
		return -1;
	alice = user("alice@one.example", "agent", NULL, &alice_id);
	bruno = user("bruno@bpo.example", "outsourced_agent", "BPO", &bruno_id);
	bpo_supervisor = user("sup@bpo.example", "supervisor", "BPO", NULL);
	snprintf(tokfile, sizeof(tokfile), "%s/admin.token", d.dir);
	FILE *f = fopen(tokfile, "w");
	fputs(admin, f);
	fclose(f);
	make_history();
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other_admin);
	free(alice);
	free(bruno);
	free(bpo_supervisor);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static long long n_of(const json_t *o, const char *name)
{
	return (long long)json_integer_value(json_object_get(o, name));
}

static const char *s_of(const json_t *o, const char *name)
{
	return json_string_value(json_object_get(o, name));
}

static void check_reasons_of_the_brand(void)
{
	struct resp r;
	/* the tenant's codes label its dispositions: "refunded" is no longer one of them */
	call("PUT", admin, 200, json_pack("{s:[{s:s,s:s}]}", "items", "code", "fixed", "label", "Fixed at once"), &r,
	     "/api/v1/dispositions%s", "");
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/reasons?%s", range);
	assert_int_equal(n_of(r.json, "total"), 4);
	json_t *reasons = json_object_get(r.json, "reasons"), *disp = json_object_get(r.json, "dispositions");
	assert_int_equal(json_array_size(reasons), 2);
	assert_string_equal(s_of(json_array_get(reasons, 0), "reason"), "internet");
	assert_int_equal(n_of(json_array_get(reasons, 0), "contacts"), 3);
	assert_string_equal(s_of(json_array_get(reasons, 1), "reason"), "billing");
	assert_int_equal(n_of(json_array_get(reasons, 1), "contacts"), 1);
	assert_string_equal(s_of(json_array_get(disp, 0), "disposition"), "fixed");
	assert_int_equal(n_of(json_array_get(disp, 0), "contacts"), 3);
	assert_string_equal(s_of(json_array_get(disp, 0), "label"), "Fixed at once");
	assert_true(json_is_null(json_object_get(json_array_get(disp, 1), "label")));
	json_t *rows = json_object_get(r.json, "rows");
	assert_int_equal(json_array_size(rows), 2); /* one day (unless the test straddles the tenant's midnight) */
	assert_string_equal(s_of(json_array_get(rows, 0), "reason"), "billing");
	assert_string_equal(s_of(json_array_get(rows, 0), "disposition"), "refunded");
	assert_int_equal(n_of(json_array_get(rows, 1), "contacts"), 3);
	assert_int_equal(strlen(s_of(json_array_get(rows, 0), "period")), 10);
	resp_clear(&r);
	call("PUT", admin, 200, json_pack("{s:[]}", "items"), &r, "/api/v1/dispositions%s", "");
	resp_clear(&r);
}

static void check_satisfaction_of_the_brand(void)
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/satisfaction?%s&by=agent", range);
	json_t *t = json_object_get(r.json, "totals"), *rows = json_object_get(r.json, "rows");
	assert_int_equal(n_of(t, "rated"), 2);
	assert_int_equal(n_of(t, "score_sum"), 6);
	assert_int_equal(n_of(t, "score_2"), 1);
	assert_int_equal(n_of(t, "score_4"), 1);
	assert_true(json_real_value(json_object_get(t, "average")) > 2.99 &&
		    json_real_value(json_object_get(t, "average")) < 3.01);
	assert_int_equal(json_array_size(rows), 2);
	json_t *a = json_array_get(rows, 0), *b = json_array_get(rows, 1);
	assert_int_equal(n_of(a, "agent_id"), alice_id);
	assert_int_equal(n_of(a, "rated"), 1);
	assert_int_equal(n_of(a, "score_4"), 1);
	assert_int_equal(n_of(a, "score_2"), 0); /* the first score, replaced */
	assert_int_equal(n_of(b, "agent_id"), bruno_id);
	assert_int_equal(n_of(b, "score_sum"), 2);
	resp_clear(&r);
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/satisfaction?%s&by=channel", range);
	assert_int_equal(json_array_size(json_object_get(r.json, "rows")), 1);
	assert_string_equal(s_of(json_array_get(json_object_get(r.json, "rows"), 0), "channel"), "chat");
	resp_clear(&r);
}

static const json_t *item(const json_t *rows, const char *item_key)
{
	size_t i;
	const json_t *row;
	json_array_foreach(rows, i, row) if (strcmp(s_of(row, "key"), item_key) == 0) return row;
	fail_msg("no item %s", item_key);
	return NULL;
}

static void check_knowledge_of_the_brand(void)
{
	struct resp r;
	call("GET", admin, 200, NULL, &r, "/api/v1/reports/knowledge?%s", range);
	json_t *rows = json_object_get(r.json, "rows");
	assert_int_equal(json_array_size(rows), 2);
	const json_t *tree = item(rows, "no-internet"), *article = item(rows, "box-restart");
	assert_int_equal(n_of(tree, "said_resolved"), 2);
	assert_int_equal(n_of(tree, "said_no"), 1);
	assert_int_equal(n_of(tree, "repeated"), 1);
	assert_int_equal(n_of(tree, "resolved"), 1);
	assert_int_equal(n_of(tree, "failed"), 2);
	double rate = json_real_value(json_object_get(tree, "resolution_rate"));
	assert_true(rate > 0.333 && rate < 0.334);
	assert_int_equal(n_of(article, "resolved"), 0);
	assert_int_equal(n_of(article, "failed"), 1);
	json_t *most = json_object_get(r.json, "resolve_most"), *fail = json_object_get(r.json, "fail_most");
	assert_int_equal(json_array_size(most), 1);
	assert_string_equal(s_of(json_array_get(most, 0), "key"), "no-internet");
	assert_int_equal(json_array_size(fail), 2);
	assert_string_equal(s_of(json_array_get(fail, 1), "key"), "box-restart");
	assert_int_equal(n_of(json_object_get(r.json, "totals"), "failed"), 3);
	/* the help centre's answers, beside the agents' */
	assert_int_equal(n_of(tree, "self_service_solved"), 1);
	assert_int_equal(n_of(tree, "self_service_unsolved"), 1);
	assert_int_equal(n_of(article, "self_service_solved"), 1);
	assert_int_equal(n_of(article, "self_service_unsolved"), 1);
	rate = json_real_value(json_object_get(article, "self_service_rate"));
	assert_true(rate > 0.499 && rate < 0.501);
	json_t *totals = json_object_get(r.json, "totals");
	assert_int_equal(n_of(totals, "self_service_solved"), 2);
	assert_int_equal(n_of(totals, "self_service_unsolved"), 2);
	assert_int_equal(json_array_size(json_object_get(r.json, "self_service_solve_most")), 2);
	json_t *failing = json_object_get(r.json, "self_service_fail_most");
	assert_int_equal(json_array_size(failing), 2); /* a tie: the lower id first */
	assert_true(n_of(json_array_get(failing, 0), "item_id") < n_of(json_array_get(failing, 1), "item_id"));
	resp_clear(&r);
}

static void the_brand_sees_every_figure(void **state)
{
	check_reasons_of_the_brand();
	check_satisfaction_of_the_brand();
	check_knowledge_of_the_brand();
}

static void an_outsourcer_sees_its_own_people(void **state)
{
	struct resp r;
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/reports/reasons?%s&by=week", range);
	assert_int_equal(n_of(r.json, "total"), 1);
	assert_string_equal(s_of(json_array_get(json_object_get(r.json, "reasons"), 0), "reason"), "billing");
	assert_true(n_of(r.json, "organisation_id") > 0);
	resp_clear(&r);
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/reports/satisfaction?%s&by=agent", range);
	assert_int_equal(json_array_size(json_object_get(r.json, "rows")), 1);
	assert_int_equal(n_of(json_array_get(json_object_get(r.json, "rows"), 0), "agent_id"), bruno_id);
	assert_int_equal(n_of(json_object_get(r.json, "totals"), "score_sum"), 2);
	resp_clear(&r);
	call("GET", bpo_supervisor, 200, NULL, &r, "/api/v1/reports/knowledge?%s", range);
	json_t *rows = json_object_get(r.json, "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(n_of(json_array_get(rows, 0), "failed"), 1);
	assert_int_equal(n_of(json_array_get(rows, 0), "resolved"), 0);
	/* the help centre's answers are the brand's */
	assert_int_equal(n_of(json_array_get(rows, 0), "self_service_solved"), 0);
	assert_int_equal(n_of(json_array_get(rows, 0), "self_service_unsolved"), 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "self_service_fail_most")), 0);
	resp_clear(&r);
}

static void another_tenant_and_an_agent_see_nothing(void **state)
{
	static const char *const paths[] = {"reasons", "satisfaction", "knowledge"};
	struct resp r;
	for (int i = 0; i < 3; i++) {
		call("GET", other_admin, 200, NULL, &r, "/api/v1/reports/%s", paths[i]);
		json_t *rows = json_object_get(r.json, "rows");
		assert_true(json_is_array(rows));
		assert_int_equal(json_array_size(rows), 0);
		resp_clear(&r);
		call("GET", alice, 403, NULL, &r, "/api/v1/reports/%s", paths[i]);
		resp_clear(&r);
	}
	call("GET", other_admin, 404, NULL, &r, "/api/v1/reports/reasons?queue=%lld", queue);
	resp_clear(&r);
}

static void bad_requests_are_named(void **state)
{
	struct resp r;
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/reasons?by=month%s", "");
	assert_non_null(strstr(r.text, "\"by\""));
	resp_clear(&r);
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/satisfaction?by=interval%s", "");
	assert_non_null(strstr(r.text, "\"by\""));
	resp_clear(&r);
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/knowledge?limit=0%s", "");
	assert_non_null(strstr(r.text, "limit"));
	resp_clear(&r);
	call("GET", admin, 400, NULL, &r, "/api/v1/reports/reasons?from=yesterday%s", "");
	assert_non_null(strstr(r.text, "from"));
	resp_clear(&r);
}

static void the_cli_writes_csv_json_and_xlsx(void **state)
{
	const char *from = strchr(range, '=') + 1, *amp = strchr(range, '&');
	char f[GC_TIME_LEN + 1], xlsx[256];
	snprintf(f, sizeof(f), "%.*s", (int)(amp - from), from);
	const char *to = strchr(amp, '=') + 1;
	char *out = NULL, *err = NULL;
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "reasons", "--from", f, "--to", to, "--format",
				 "csv", NULL), 0);
	assert_non_null(strstr(out, "\"period\",\"reason\",\"disposition\",\"contacts\""));
	assert_non_null(strstr(out, ",\"internet\",\"fixed\",\"3\""));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "satisfaction", "--from", f, "--to", to, "--by",
				 "agent", "--format", "json", NULL), 0);
	json_t *j = json_loads(out, 0, NULL);
	assert_int_equal(n_of(json_object_get(j, "totals"), "rated"), 2);
	json_decref(j);
	free(out);
	free(err);
	snprintf(xlsx, sizeof(xlsx), "%s/knowledge.xlsx", d.dir);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "knowledge", "--from", f, "--to", to, "--format",
				 "xlsx", "--output", xlsx, NULL), 0);
	free(out);
	free(err);
	FILE *x = fopen(xlsx, "rb");
	assert_non_null(x);
	char magic[2] = {0};
	assert_int_equal(fread(magic, 1, 2, x), 2);
	fclose(x);
	assert_memory_equal(magic, "PK", 2);
	assert_int_equal(run_cli(&d, tokfile, &out, &err, "report", "knowledge", "--format", "pdf", NULL), 2);
	assert_non_null(strstr(err, "--format"));
	free(out);
	free(err);
}

static void the_figures_survive_kill_9_and_match_a_recount(void **state)
{
	assert_int_equal(daemon_crash(&d), 0);
	assert_int_equal(daemon_start(&d, "--public-per-minute", "100000", NULL), 0);
	the_brand_sees_every_figure(state); /* nothing lost, nothing counted twice */
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(testdb_exec(d.db, "DELETE FROM report_reasons; DELETE FROM report_satisfaction;"
				     " DELETE FROM report_knowledge; DELETE FROM report_kb_resolutions;"
				     " UPDATE contact_events SET to_fold = 1;"), 0);
	assert_int_equal(daemon_start(&d, "--public-per-minute", "100000", NULL), 0);
	the_brand_sees_every_figure(state); /* folded again from the events at start */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_brand_sees_every_figure),
		cmocka_unit_test(an_outsourcer_sees_its_own_people),
		cmocka_unit_test(another_tenant_and_an_agent_see_nothing),
		cmocka_unit_test(bad_requests_are_named),
		cmocka_unit_test(the_cli_writes_csv_json_and_xlsx),
		cmocka_unit_test(the_figures_survive_kill_9_and_match_a_recount),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
