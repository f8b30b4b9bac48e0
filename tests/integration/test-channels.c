/* The tenants' email mailboxes through the API, on the run's engine: a
 * mailbox is created with its password sealed under a key file made beside
 * the database (0600), and the password never comes back nor lies in the
 * database in clear; bad URLs (plain IMAP to another host), an unknown
 * queue, a taken name are refused naming the field; another tenant and an
 * agent see nothing; the login test reports an unreachable server; a
 * deleted mailbox is gone; a mailbox's acknowledgements are set by the API
 * and the CLI. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PASSWORD "channels pass"
#define MAILBOX_PASSWORD "S3cret-imap-Passw0rd"

static struct daemon d;
static char *admin, *other_admin, *agent;
static long long queue;

static int setup(void **state)
{
	if (daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 || daemon_start(&d, NULL) != 0)
		return -1;
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", "agent@one.example", "name", "A",
		"password", PASSWORD, "role", "agent"));
	agent = login(&d, "agent@one.example", PASSWORD);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "mail"));
	queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "support mail", "skill_id",
		(json_int_t)skill, "channel", "email"));
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other_admin);
	free(agent);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static json_t *mailbox(const char *name, const char *imap_url)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "name", name, "address", "support@one.example", "imap_url",
			 imap_url, "username", "support", "password", MAILBOX_PASSWORD, "queue_id", (json_int_t)queue);
}

/* Whether the bytes of path contain text. */
static bool file_contains(const char *path, const char *text)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return false;
	static char buf[1 << 20];
	size_t n, keep = 0, tl = strlen(text);
	bool found = false;
	while (!found && (n = fread(buf + keep, 1, sizeof(buf) - keep, f)) > 0) {
		n += keep;
		found = memmem(buf, n, text, tl) != NULL;
		keep = n >= tl ? tl - 1 : n;
		memmove(buf, buf + n - keep, keep);
	}
	fclose(f);
	return found;
}

static void a_mailbox_keeps_its_password_sealed(void **state)
{
	struct resp r;
	http_json(&d, "POST", "/api/v1/channels/email", admin, mailbox("support", "imap://127.0.0.1:9/INBOX"), &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	assert_null(strstr(r.text, MAILBOX_PASSWORD));
	assert_null(json_object_get(r.json, "password"));
	assert_int_equal(resp_int(&r, "queue_id"), queue);
	assert_int_equal(resp_int(&r, "last_uid"), 0);
	resp_clear(&r);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%lld", id);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_string_value(json_object_get(r.json, "username")), "support");
	assert_null(strstr(r.text, MAILBOX_PASSWORD));
	resp_clear(&r);
	http_json(&d, "GET", "/api/v1/channels/email", admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_null(strstr(r.text, MAILBOX_PASSWORD));
	resp_clear(&r);
	if (!testdb_is_pg()) { /* the key beside the file, the file without the password */
		char key[200], wal[200];
		snprintf(key, sizeof(key), "%s.key", d.db);
		struct stat st;
		assert_int_equal(stat(key, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		snprintf(wal, sizeof(wal), "%s-wal", d.db);
		assert_false(file_contains(d.db, MAILBOX_PASSWORD));
		assert_false(file_contains(wal, MAILBOX_PASSWORD));
	}
	/* the other tenant and an agent see nothing of it */
	assert_int_equal(http_status(&d, "GET", path, other_admin, NULL), 404);
	http_json(&d, "GET", "/api/v1/channels/email", other_admin, NULL, &r);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	assert_int_equal(http_status(&d, "GET", "/api/v1/channels/email", agent, NULL), 403);
	assert_int_equal(http_status(&d, "POST", "/api/v1/channels/email", agent, mailbox("x", "imaps://mail.example.com")),
			 403);
	/* nobody listens on port 9: the test says so */
	char test[112];
	snprintf(test, sizeof(test), "%s/test", path);
	http_json(&d, "POST", test, admin, NULL, &r);
	assert_int_equal(r.status, 502);
	assert_string_equal(resp_error(&r), "mailbox_unreachable");
	resp_clear(&r);
	/* deleted, it is gone, and its name free again */
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 204);
	assert_int_equal(http_status(&d, "GET", path, admin, NULL), 404);
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 404);
	assert_int_equal(http_status(&d, "POST", "/api/v1/channels/email", admin, mailbox("support", "imaps://mail.example.com")),
			 201);
}

static void bad_mailboxes_are_refused(void **state)
{
	struct resp r;
	/* plain IMAP to another host would send the password in clear */
	http_json(&d, "POST", "/api/v1/channels/email", admin, mailbox("plain", "imap://mail.example.com/INBOX"), &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "imap_url");
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/channels/email", admin, mailbox("web", "https://mail.example.com"), &r);
	assert_int_equal(r.status, 400);
	resp_clear(&r);
	json_t *body = mailbox("smtp", "imaps://mail.example.com");
	json_object_set_new(body, "smtp_url", json_string("smtp://relay.example.com:25"));
	http_json(&d, "POST", "/api/v1/channels/email", admin, body, &r);
	assert_int_equal(r.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "smtp_url");
	resp_clear(&r);
	body = mailbox("queue", "imaps://mail.example.com");
	json_object_set_new(body, "queue_id", json_integer(987654));
	http_json(&d, "POST", "/api/v1/channels/email", admin, body, &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")), "queue_id");
	resp_clear(&r);
	body = mailbox("address", "imaps://mail.example.com");
	json_object_set_new(body, "address", json_string("not an address"));
	assert_int_equal(http_status(&d, "POST", "/api/v1/channels/email", admin, body), 400);
	body = mailbox("extra", "imaps://mail.example.com");
	json_object_set_new(body, "pasword", json_string("typo"));
	assert_int_equal(http_status(&d, "POST", "/api/v1/channels/email", admin, body), 400);
	/* a taken name */
	assert_int_equal(http_status(&d, "POST", "/api/v1/channels/email", admin, mailbox("twice", "imaps://a.example.com")),
			 201);
	http_json(&d, "POST", "/api/v1/channels/email", admin, mailbox("twice", "imaps://b.example.com"), &r);
	assert_int_equal(r.status, 409);
	resp_clear(&r);
	/* another tenant's queue is not this tenant's */
	body = mailbox("foreign", "imaps://mail.example.com");
	json_object_set_new(body, "queue_id", json_integer(queue));
	assert_int_equal(http_status(&d, "POST", "/api/v1/channels/email", other_admin, body), 422);
}

/* The CLI: add (the password from a file), list, show, test, remove. */
static void the_cli_manages_mailboxes(void **state)
{
	char token_file[128], password_file[128], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	snprintf(password_file, sizeof(password_file), "%s/imap-password", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", admin);
	fclose(f);
	f = fopen(password_file, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", MAILBOX_PASSWORD);
	fclose(f);
	char q[24];
	snprintf(q, sizeof(q), "%lld", queue);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "email", "add", "--name", "cli",
				 "--address", "cli@one.example", "--imap-url", "imap://127.0.0.1:9/INBOX", "--username", "cli",
				 "--password-file", password_file, "--queue", q, NULL), 0);
	json_t *made = json_loads(out, 0, NULL);
	assert_non_null(made);
	assert_null(strstr(out, MAILBOX_PASSWORD));
	char id[24];
	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(made, "id")));
	json_decref(made);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "list", NULL), 0);
	assert_non_null(strstr(out, "cli@one.example"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "show", id, NULL), 0);
	assert_null(strstr(out, MAILBOX_PASSWORD));
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "test", id, NULL), 0);
	assert_non_null(strstr(err, "did not let us in"));
	free(out);
	free(err);
	/* a missing option is named */
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "add", "--name", "x", NULL), 2);
	assert_non_null(strstr(err, "--address"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "remove", id, NULL), 0);
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "show", id, NULL), 0);
	free(out);
	free(err);
}

static const char *error_field(const struct resp *r)
{
	return json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
}

/* Acknowledgements: off by default, set when the mailbox is added or by
 * PATCH (what it names only), refused without an SMTP URL, with an unknown
 * variable or language; another tenant gets 404, an agent 403; the CLI's
 * `channel email set`. */
static void a_mailbox_s_acknowledgements_are_set(void **state)
{
	struct resp r;
	json_t *body = mailbox("acks", "imaps://mail.example.com");
	http_json(&d, "POST", "/api/v1/channels/email", admin, body, &r);
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	json_t *ack = json_object_get(r.json, "ack");
	assert_false(json_is_true(json_object_get(ack, "enabled")));
	assert_string_equal(json_string_value(json_object_get(ack, "language")), "en");
	assert_int_equal(json_integer_value(json_object_get(ack, "max_per_hour")), 3);
	assert_true(json_is_null(json_object_get(ack, "subject")));
	resp_clear(&r);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/channels/email/%lld", id);
	/* enabled without a way to send */
	http_json(&d, "PATCH", path, admin, json_pack("{s:{s:b}}", "ack", "enabled", 1), &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(error_field(&r), "ack.enabled");
	resp_clear(&r);
	/* what a PATCH names changes, the rest stays */
	http_json(&d, "PATCH", path, admin, json_pack("{s:{s:s,s:i,s:s}}", "ack", "language", "fr", "max_per_hour", 5,
						     "subject", "Bien reçu {{token}}"), &r);
	assert_int_equal(r.status, 200);
	ack = json_object_get(r.json, "ack");
	assert_string_equal(json_string_value(json_object_get(ack, "language")), "fr");
	assert_int_equal(json_integer_value(json_object_get(ack, "max_per_hour")), 5);
	assert_string_equal(json_string_value(json_object_get(ack, "subject")), "Bien reçu {{token}}");
	assert_false(json_is_true(json_object_get(ack, "enabled")));
	resp_clear(&r);
	http_json(&d, "PATCH", path, admin, json_pack("{s:{s:n}}", "ack", "subject"), &r);
	assert_int_equal(r.status, 200);
	assert_true(json_is_null(json_object_get(json_object_get(r.json, "ack"), "subject")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r.json, "ack"), "max_per_hour")), 5);
	resp_clear(&r);
	/* refusals name the field */
	static const struct {
		const char *json, *field;
		int status;
	} bad[] = {
		{"{\"ack\":{\"body\":\"Hello {{customer.name}}\"}}", "ack.body", 400},
		{"{\"ack\":{\"subject\":\"{{nope}}\"}}", "ack.subject", 400},
		{"{\"ack\":{\"language\":\"de\"}}", "ack.language", 400},
		{"{\"ack\":{\"max_per_hour\":0}}", "ack.max_per_hour", 400},
		{"{\"ack\":{\"enabled\":\"yes\"}}", "ack.enabled", 400},
		{"{\"ack\":{\"colour\":1}}", "ack.colour", 400},
		{"{\"ack\":true}", "ack", 400},
		{"{\"name\":\"renamed\"}", "name", 400},
		{"{}", "ack", 400},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_json(&d, "PATCH", path, admin, json_loads(bad[i].json, 0, NULL), &r);
		assert_int_equal(r.status, bad[i].status);
		assert_string_equal(error_field(&r), bad[i].field);
		resp_clear(&r);
	}
	/* set when added, with a way to send */
	body = mailbox("acks on", "imaps://mail.example.com");
	json_object_set_new(body, "smtp_url", json_string("smtps://mail.example.com"));
	json_object_set_new(body, "ack", json_pack("{s:b,s:s}", "enabled", 1, "body", "We reply {{expected_reply}}."));
	http_json(&d, "POST", "/api/v1/channels/email", admin, body, &r);
	assert_int_equal(r.status, 201);
	assert_true(json_is_true(json_object_get(json_object_get(r.json, "ack"), "enabled")));
	long long on = resp_int(&r, "id");
	resp_clear(&r);
	body = mailbox("acks off", "imaps://mail.example.com");
	json_object_set_new(body, "ack", json_pack("{s:b}", "enabled", 1));
	http_json(&d, "POST", "/api/v1/channels/email", admin, body, &r);
	assert_int_equal(r.status, 422);
	assert_string_equal(error_field(&r), "ack.enabled");
	resp_clear(&r);
	/* another tenant, an agent */
	assert_int_equal(http_status(&d, "PATCH", path, other_admin, json_pack("{s:{s:s}}", "ack", "language", "en")), 404);
	assert_int_equal(http_status(&d, "PATCH", path, agent, json_pack("{s:{s:s}}", "ack", "language", "en")), 403);
	http_json(&d, "GET", path, admin, NULL, &r);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "ack"), "language")), "fr");
	resp_clear(&r);
	/* the CLI */
	char token_file[128], body_file[128], sid[24], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token-acks", d.dir);
	snprintf(body_file, sizeof(body_file), "%s/ack-body", d.dir);
	FILE *f = fopen(token_file, "w");
	fprintf(f, "%s\n", admin);
	fclose(f);
	f = fopen(body_file, "w");
	fprintf(f, "Hello,\nwe answer {{expected_reply}}.\n");
	fclose(f);
	snprintf(sid, sizeof(sid), "%lld", on);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "email", "set", sid, "--ack", "off",
				 "--ack-body-file", body_file, "--ack-max-per-hour", "2", "--ack-subject", "", NULL), 0);
	json_t *got = json_loads(out, 0, NULL);
	assert_non_null(got);
	ack = json_object_get(got, "ack");
	assert_false(json_is_true(json_object_get(ack, "enabled")));
	assert_string_equal(json_string_value(json_object_get(ack, "body")), "Hello,\nwe answer {{expected_reply}}.\n");
	assert_int_equal(json_integer_value(json_object_get(ack, "max_per_hour")), 2);
	assert_true(json_is_null(json_object_get(ack, "subject")));
	json_decref(got);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "set", sid, NULL), 2);
	assert_non_null(strstr(err, "nothing to change"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "set", sid, "--ack", "maybe", NULL), 2);
	assert_non_null(strstr(err, "--ack"));
	free(out);
	free(err);
	assert_int_not_equal(run_cli(&d, token_file, &out, &err, "channel", "email", "set", sid, "--ack-language", "de",
				     NULL), 0);
	assert_non_null(strstr(err, "'en' or 'fr'"));
	free(out);
	free(err);
	/* the name its mail goes out under, alone; "" gives the tenant's back */
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "email", "set", sid, "--from-name",
				 "Brand Support", NULL), 0);
	got = json_loads(out, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(got, "from_name")), "Brand Support");
	assert_false(json_is_true(json_object_get(json_object_get(got, "ack"), "enabled"))); /* unchanged */
	json_decref(got);
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "email", "set", sid, "--from-name", "",
				 NULL), 0);
	got = json_loads(out, 0, NULL);
	assert_true(json_is_null(json_object_get(got, "from_name")));
	json_decref(got);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_mailbox_keeps_its_password_sealed),
		cmocka_unit_test(bad_mailboxes_are_refused),
		cmocka_unit_test(the_cli_manages_mailboxes),
		cmocka_unit_test(a_mailbox_s_acknowledgements_are_set),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
