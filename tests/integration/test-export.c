/* The daily level-2 export end to end, on the run's engine: the day's
 * level-2 contacts (one routed into a level-2 queue, one escalated by its
 * agent; a level-1 contact left out) grouped by their reason, with the
 * customers' basic fields only, even for a tenant admin; supervisors and
 * admins only; bad dates named; the CLI writes a real workbook; the
 * schedule mails the day's workbook to Postfix's smtp-sink once, as
 * guichet's own automatic mail, and not again after a restart; another
 * tenant sees none of it. */
#include "harness.h"
#include "smtpsink.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "export pass"

static struct daemon d;
static struct smtpsink sink;
static char *admin, *sup, *agent, *other_admin, token_file[128], today[16];
static long long l1, l2, c_direct, c_esc, c_l1, other_mailbox;

static void call(const char *method, const char *token, int status, json_t *body, struct resp *r, const char *path)
{
	http_json(&d, method, path, token, body, r);
	if (r->status != status)
		fprintf(stderr, "%s %s: %d, expected %d: %s\n", method, path, r->status, status, r->text);
	assert_int_equal(r->status, status);
}

static long long user(const char *email, const char *role, char **ret_token)
{
	long long id = post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email,
		"password", PASSWORD, "role", role));
	*ret_token = login(&d, email, PASSWORD);
	return id;
}

static long long contact(const char *token, long long queue, long long customer, const char *subject,
			 const char *reason)
{
	json_t *body = json_pack("{s:s,s:s,s:I,s:s?}", "channel", "chat", "subject", subject, "queue_id",
				 (json_int_t)queue, "reason", reason);
	if (customer)
		json_object_set_new(body, "customer_id", json_integer(customer));
	return post_id(&d, token, "/api/v1/contacts", body);
}

/* Tenant two: a level-2 queue and a contact in it, and a mailbox. */
static void other_tenant(void)
{
	long long skill = post_id(&d, other_admin, "/api/v1/skills", json_pack("{s:s}", "name", "two"));
	long long q = post_id(&d, other_admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "experts",
		"skill_id", (json_int_t)skill, "channel", "chat", "level", 2));
	contact(other_admin, q, 0, "Secret of two", "Billing");
	other_mailbox = post_id(&d, other_admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}",
		"name", "two", "address", "support@two.example", "imap_url", "imap://127.0.0.1:9/INBOX", "username", "two",
		"password", "pw", "smtp_url", sink.url));
}

static int setup(void **state)
{
	if (smtpsink_start(&sink) != 0 || daemon_init(&d, "one", "admin@one.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "two", "admin@two.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--mail-poll", "1", NULL) != 0)
		return -1;
	snprintf(token_file, sizeof(token_file), "%s/token", d.dir);
	time_t now = time(NULL);
	strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now)); /* the tenants' zone is UTC */
	admin = login(&d, "admin@one.example", PASSWORD);
	other_admin = login(&d, "admin@two.example", PASSWORD);
	long long agent_id = user("agent@one.example", "agent", &agent);
	user("sup@one.example", "supervisor", &sup);
	if (http_status(&d, "PATCH", "/api/v1/customer-attributes", admin, json_pack("{s:{s:s,s:s}}", "attributes",
			"first_name", "basic", "iban", "confidential")) != 200)
		return -1;
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "billing"));
	l1 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "billing", "skill_id",
		(json_int_t)skill, "channel", "chat"));
	l2 = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i}", "name", "billing experts", "skill_id",
		(json_int_t)skill, "channel", "chat", "level", 2));
	long long ana = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s}}",
		"external_id", "C-1", "email", "ana@customer.example", "phone", "+33 1 23 45 67 89", "attributes",
		"first_name", "Ana", "iban", "FR76 SECRET", "birth_date", "1980-02-03"));
	long long bob = post_id(&d, admin, "/api/v1/customers", json_pack("{s:s,s:{s:s}}", "external_id", "C-2",
		"attributes", "first_name", "Bob"));
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/agents/%lld", agent_id);
	if (http_status(&d, "PUT", path, admin, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills",
			"skill_id", (json_int_t)skill, "proficiency", 5, "capacity", "chat", 1)) != 200 ||
	    http_status(&d, "POST", "/api/v1/agents/me/presence", agent, json_pack("{s:s}", "presence", "available")) != 200)
		return -1;
	/* routed into the level-2 queue; escalated from level 1 by its agent; left at level 1 */
	c_direct = contact(admin, l2, ana, "Charged twice", "Billing");
	c_esc = contact(admin, l1, bob, "Router blinks red", NULL);
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept", c_esc);
	if (http_status(&d, "POST", path, agent, NULL) != 200)
		return -1;
	snprintf(path, sizeof(path), "/api/v1/contacts/%lld/escalate", c_esc);
	if (http_status(&d, "POST", path, agent, json_pack("{s:I,s:s}", "queue_id", (json_int_t)l2, "reason",
			"line fault: needs a technician")) != 200)
		return -1;
	c_l1 = contact(admin, l1, ana, "Invoice copy", "Billing");
	other_tenant();
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(sup);
	free(agent);
	free(other_admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	smtpsink_stop(&sink);
	return rc == 0 ? 0 : -1;
}

static json_t *category(const json_t *export, size_t i, const char *name, size_t count)
{
	json_t *c = json_array_get(json_object_get(export, "categories"), i);
	assert_string_equal(json_string_value(json_object_get(c, "category")), name);
	assert_int_equal(json_integer_value(json_object_get(c, "count")), count);
	return json_array_get(json_object_get(c, "contacts"), 0);
}

static void the_days_level2_contacts_by_category_with_basic_fields(void **state)
{
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/exports/l2?date=%s", today);
	const char *callers[] = {admin, sup};
	for (int i = 0; i < 2; i++) {
		struct resp r;
		call("GET", callers[i], 200, NULL, &r, path);
		assert_string_equal(json_string_value(json_object_get(r.json, "time_zone")), "UTC");
		assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 2);
		json_t *row = category(r.json, 0, "Billing", 1);
		assert_int_equal(json_integer_value(json_object_get(row, "contact_id")), c_direct);
		assert_string_equal(json_string_value(json_object_get(row, "subject")), "Charged twice");
		json_t *cust = json_object_get(row, "customer");
		assert_string_equal(json_string_value(json_object_get(cust, "external_id")), "C-1");
		assert_string_equal(json_string_value(json_object_get(json_object_get(cust, "attributes"), "first_name")),
				    "Ana");
		assert_int_equal(json_object_size(json_object_get(cust, "attributes")), 1);
		row = category(r.json, 1, "Uncategorised", 1);
		assert_int_equal(json_integer_value(json_object_get(row, "contact_id")), c_esc);
		assert_string_equal(json_string_value(json_object_get(row, "escalation_note")), "line fault: needs a technician");
		/* nothing personal or confidential, even for the tenant admin; nothing of level 1 or of tenant two */
		static const char *const never[] = {"FR76", "ana@customer", "+33", "1980-02-03", "Invoice copy",
						    "Secret of two", NULL};
		for (int k = 0; never[k]; k++)
			if (strstr(r.text, never[k])) {
				fprintf(stderr, "'%s' in the export: %s\n", never[k], r.text);
				fail();
			}
		resp_clear(&r);
	}
	assert_int_equal(http_status(&d, "GET", path, agent, NULL), 403);
	/* tenant two sees its own contact only */
	struct resp r;
	call("GET", other_admin, 200, NULL, &r, path);
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 1);
	assert_non_null(strstr(r.text, "Secret of two"));
	assert_null(strstr(r.text, "Charged twice"));
	resp_clear(&r);
	/* a day without any */
	call("GET", admin, 200, NULL, &r, "/api/v1/exports/l2?date=2020-01-01");
	assert_int_equal(json_integer_value(json_object_get(r.json, "count")), 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "categories")), 0);
	resp_clear(&r);
}

static void bad_dates_are_named(void **state)
{
	static const char *const paths[] = {"/api/v1/exports/l2", "/api/v1/exports/l2?date=2026-02-30",
					    "/api/v1/exports/l2?date=yesterday", "/api/v1/exports/l2?date=2026-12-01T00:00",
					    NULL};
	for (int i = 0; paths[i]; i++) {
		struct resp r;
		call("GET", admin, 400, NULL, &r, paths[i]);
		json_t *err = json_object_get(r.json, "error");
		assert_string_equal(json_string_value(json_object_get(err, "field")), "date");
		resp_clear(&r);
	}
}

/* The output of a shell command (malloc'd). */
static char *command_output(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t cap = 1 << 16, len = 0, n;
	char *out = malloc(cap);
	while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (len + 1 == cap)
			out = realloc(out, cap *= 2);
	}
	out[len] = '\0';
	pclose(p);
	return out;
}

static void the_cli_writes_a_real_workbook(void **state)
{
	char *out, *err, file[160], cmd[256];
	assert_int_equal(run_cli(&d, token_file, &out, &err, "login", "--email", "admin@one.example", "--password",
				 PASSWORD, NULL), 0);
	free(out);
	free(err);
	snprintf(file, sizeof(file), "%s/l2.xlsx", d.dir);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "export", "l2", "--date", today, "--xlsx", file, NULL), 0);
	assert_non_null(strstr(out, "2 level-2 contacts in 2 categories"));
	free(out);
	free(err);
	snprintf(cmd, sizeof(cmd), "unzip -p '%s' xl/sharedStrings.xml", file);
	char *strings = command_output(cmd);
	static const char *const want[] = {"Level-2 contacts of", "Billing, 1 contact", "Uncategorised, 1 contact",
					   "Charged twice", "Router blinks red", "C-1", "Ana", "Bob",
					   "line fault: needs a technician", "first_name", "Escalation note", NULL};
	for (int i = 0; want[i]; i++)
		if (strstr(strings, want[i]) == NULL) {
			fprintf(stderr, "'%s' not in the workbook: %s\n", want[i], strings);
			fail();
		}
	assert_null(strstr(strings, "FR76"));
	assert_null(strstr(strings, "ana@customer"));
	assert_null(strstr(strings, "Invoice copy"));
	free(strings);
	/* a bad date: named, nothing written */
	snprintf(file, sizeof(file), "%s/bad.xlsx", d.dir);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "export", "l2", "--date", "2026-13-01", "--xlsx", file, NULL),
			 1);
	assert_non_null(strstr(err, "date"));
	assert_int_not_equal(access(file, F_OK), 0);
	free(out);
	free(err);
}

/* The messages smtp-sink kept (it may still be writing the one it counted). */
static void sink_messages(struct smtpsink_message **ret, size_t *ret_n)
{
	int read = -1;
	for (int i = 0; i < 50 && (read = smtpsink_messages(&sink, ret, ret_n)) != 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
	assert_int_equal(read, 0);
}

static void the_schedule_mails_each_day_once(void **state)
{
	static const char path[] = "/api/v1/exports/l2/schedule";
	long long mailbox = post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "name",
		"support", "address", "support@one.example", "imap_url", "imap://127.0.0.1:9/INBOX", "username", "one",
		"password", "pw", "smtp_url", sink.url));
	long long no_smtp = post_id(&d, admin, "/api/v1/channels/email", json_pack("{s:s,s:s,s:s,s:s,s:s}", "name",
		"fetch only", "address", "in@one.example", "imap_url", "imap://127.0.0.1:9/INBOX", "username", "in",
		"password", "pw"));
	assert_int_equal(http_status(&d, "GET", path, admin, NULL), 404);
	/* refusals, each naming its field; none leaves a schedule */
	struct {
		json_t *body;
		int status;
		const char *field;
	} bad[] = {
		{json_pack("{s:s,s:s,s:I}", "time", "24:00", "to", "tech@brand.example", "mailbox_id", (json_int_t)mailbox),
		 400, "time"},
		{json_pack("{s:s,s:s,s:I}", "time", "7:00", "to", "tech@brand.example", "mailbox_id", (json_int_t)mailbox),
		 400, "time"},
		{json_pack("{s:s,s:s,s:I}", "time", "07:00", "to", "not an address", "mailbox_id", (json_int_t)mailbox), 400,
		 "to"},
		{json_pack("{s:s,s:s}", "time", "07:00", "to", "tech@brand.example"), 400, "mailbox_id"},
		{json_pack("{s:s,s:s,s:I,s:b}", "time", "07:00", "to", "tech@brand.example", "mailbox_id", (json_int_t)mailbox,
			   "cc", 1), 400, "cc"},
		{json_pack("{s:s,s:s,s:I}", "time", "07:00", "to", "tech@brand.example", "mailbox_id",
			   (json_int_t)other_mailbox), 422, "mailbox_id"},
		{json_pack("{s:s,s:s,s:I}", "time", "07:00", "to", "tech@brand.example", "mailbox_id", (json_int_t)no_smtp),
		 422, "mailbox_id"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp r;
		call("PUT", admin, bad[i].status, bad[i].body, &r, path);
		assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "error"), "field")),
				    bad[i].field);
		resp_clear(&r);
	}
	assert_int_equal(http_status(&d, "PUT", path, agent, json_pack("{s:s,s:s,s:I}", "time", "00:00", "to",
		"tech@brand.example", "mailbox_id", (json_int_t)mailbox)), 403);
	assert_int_equal(http_status(&d, "GET", path, admin, NULL), 404);
	/* at 00:00 local: today's export is due at once */
	char *out, *err, id[24];
	snprintf(id, sizeof(id), "%lld", mailbox);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "export", "l2", "schedule", "set", "--time", "00:00", "--to",
				 "tech@brand.example", "--mailbox", id, NULL), 0);
	free(out);
	free(err);
	assert_int_equal(smtpsink_wait(&sink, 1, 20000), 0);
	struct smtpsink_message *got = NULL;
	size_t n = 0;
	sink_messages(&got, &n);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].mail_from, "support@one.example");
	assert_string_equal(got[0].rcpt[0], "tech@brand.example");
	char want[160];
	snprintf(want, sizeof(want), "Subject: Level-2 contacts of %s: 2", today);
	assert_non_null(strstr(got[0].data, want));
	assert_non_null(strstr(got[0].data, "Auto-Submitted: auto-generated")); /* no message asked for it */
	assert_non_null(strstr(got[0].data, "multipart/mixed"));
	snprintf(want, sizeof(want), "filename=level2-%s.xlsx", today);
	assert_non_null(strstr(got[0].data, want));
	assert_non_null(strstr(got[0].data, "spreadsheetml.sheet"));
	assert_non_null(strstr(got[0].data, "\n\nUEsDB")); /* base64 of "PK\3\4": the workbook, a zip */
	assert_non_null(strstr(got[0].data, "Billing: 1"));
	smtpsink_messages_free(got, n);
	/* the schedule says the day went; restarted, guichetd does not send it again */
	struct resp r;
	call("GET", admin, 200, NULL, &r, path);
	assert_string_equal(json_string_value(json_object_get(r.json, "time")), "00:00");
	json_t *sent = json_array_get(json_object_get(r.json, "sent"), 0);
	assert_string_equal(json_string_value(json_object_get(sent, "day")), today);
	assert_int_equal(json_integer_value(json_object_get(sent, "contacts")), 2);
	assert_false(json_is_true(json_object_get(r.json, "mailbox_removed")));
	for (int i = 0; i < 50 && strcmp(json_string_value(json_object_get(sent, "state")), "sent") != 0; i++) {
		resp_clear(&r); /* marked sent in the transaction after the SMTP one */
		nanosleep(&(struct timespec){.tv_nsec = 100000000}, NULL);
		call("GET", admin, 200, NULL, &r, path);
		sent = json_array_get(json_object_get(r.json, "sent"), 0);
	}
	assert_string_equal(json_string_value(json_object_get(sent, "state")), "sent");
	resp_clear(&r);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(daemon_start(&d, "--mail-poll", "1", NULL), 0);
	sleep(4); /* four rounds of the mail thread */
	assert_int_equal(smtpsink_count(&sink), 1);
	/* a changed schedule keeps the days sent */
	assert_int_equal(http_status(&d, "PUT", path, admin, json_pack("{s:s,s:s,s:I}", "time", "00:01", "to",
		"tech@brand.example", "mailbox_id", (json_int_t)mailbox)), 200);
	sleep(2);
	assert_int_equal(smtpsink_count(&sink), 1);
	/* tenant two has no schedule, and cannot remove one's */
	assert_int_equal(http_status(&d, "GET", path, other_admin, NULL), 404);
	assert_int_equal(http_status(&d, "DELETE", path, other_admin, NULL), 404);
	/* its own schedule mails its own day: one contact, from its mailbox, to its team */
	assert_int_equal(http_status(&d, "PUT", path, other_admin, json_pack("{s:s,s:s,s:I}", "time", "00:00", "to",
		"tech@two.example", "mailbox_id", (json_int_t)other_mailbox)), 200);
	assert_int_equal(smtpsink_wait(&sink, 2, 20000), 0);
	sink_messages(&got, &n);
	assert_int_equal(n, 2);
	size_t two = strcmp(got[0].rcpt[0], "tech@two.example") == 0 ? 0 : 1;
	assert_string_equal(got[two].rcpt[0], "tech@two.example");
	assert_string_equal(got[two].mail_from, "support@two.example");
	snprintf(want, sizeof(want), "Subject: Level-2 contacts of %s: 1", today);
	assert_non_null(strstr(got[two].data, want));
	smtpsink_messages_free(got, n);
	assert_int_equal(http_status(&d, "DELETE", path, agent, NULL), 403);
	assert_int_equal(http_status(&d, "DELETE", path, admin, NULL), 204);
	assert_int_equal(http_status(&d, "GET", path, admin, NULL), 404);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_days_level2_contacts_by_category_with_basic_fields),
		cmocka_unit_test(bad_dates_are_named),
		cmocka_unit_test(the_cli_writes_a_real_workbook),
		cmocka_unit_test(the_schedule_mails_each_day_once),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
