/* guichet admin migrate, end to end: a SQLite installation seeded through
 * the real daemon and CLI (the demo tenant, the demo's knowledge, a
 * customer with attributes, a contact with awkward text, an idempotent
 * note, and edge values written with the sqlite3 tool) moved into a fresh
 * database of a throwaway PostgreSQL cluster; then guichetd on that URL
 * answers exactly what it answered on the file, old sessions and idempotency
 * keys still work, and new rows get new ids. A second migrate into the same
 * target, a copy that fails midway, a copy whose checksums differ and a
 * migrate killed with SIGKILL all leave the target without a guichet row;
 * bad arguments are refused with messages naming them. */
#include "harness.h"
#include "pgcluster.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "guichet-demo"
#define MAX_SNAPSHOTS 128

static struct pgcluster cluster;
static struct daemon src;        /* the SQLite installation */
static char tokfile[128];
static char *old_token;          /* a session made on SQLite */
static long long contact_id, customer_id;
static char contact_path[64], customer_path[64], note_path[80];
static char note_answer[4096];   /* the idempotent note's first answer */
static char snapshot_paths[MAX_SNAPSHOTS][80];
static json_t *snapshots[MAX_SNAPSHOTS]; /* what the SQLite daemon answered */
static size_t n_snapshots;
static struct daemon dst;        /* guichetd on the migrated database */

/* --- PostgreSQL and sqlite3 helpers --- */

static void db_url(const char *name, char *url, size_t len)
{
	snprintf(url, len, "postgresql://guichet@127.0.0.1:%d/%s", cluster.port, name);
}

/* The first value sql answers on url (malloc'd), or NULL for no row. */
static char *pg_value(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s: %s", url, PQerrorMessage(c));
	PGresult *r = PQexec(c, sql);
	ExecStatusType status = PQresultStatus(r);
	if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	char *v = status == PGRES_TUPLES_OK && PQntuples(r) > 0 ? strdup(PQgetvalue(r, 0, 0)) : NULL;
	PQclear(r);
	PQfinish(c);
	return v;
}

static void pg_do(const char *url, const char *sql)
{
	free(pg_value(url, sql));
}

static long long pg_int(const char *url, const char *sql)
{
	char *v = pg_value(url, sql);
	long long n = v ? atoll(v) : -1;
	free(v);
	return n;
}

/* A new empty database on the cluster; its URL. */
static void create_db(const char *name, char *url, size_t len)
{
	char sql[128], admin[256];
	db_url("guichet", admin, sizeof(admin));
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	pg_do(admin, sql);
	db_url(name, url, len);
}

/* The rows of every table of url but guichet_schema; -1 when it has no
 * guichet table at all. */
static long long guichet_rows(const char *url)
{
	PGconn *c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PGresult *tables = PQexec(c, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
				     " AND tablename <> 'guichet_schema'");
	assert_int_equal(PQresultStatus(tables), PGRES_TUPLES_OK);
	long long total = PQntuples(tables) ? 0 : -1;
	for (int i = 0; i < PQntuples(tables); i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s\"", PQgetvalue(tables, i, 0));
		PGresult *r = PQexec(c, sql);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		total += atoll(PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	PQclear(tables);
	PQfinish(c);
	return total;
}

/* Runs the sqlite3 tool on file with sql; its exit status. */
static int sqlite3_run(const char *file, const char *sql)
{
	pid_t pid = fork();
	if (pid == 0) {
		execlp("sqlite3", "sqlite3", "-bail", file, sql, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* A copy of the seeded file, path into ret. */
static void copy_source(const char *name, char *ret, size_t len)
{
	char sql[256];
	snprintf(ret, len, "%s/%s", src.dir, name);
	unlink(ret);
	snprintf(sql, sizeof(sql), ".backup '%s'", ret);
	assert_int_equal(sqlite3_run(src.db, sql), 0);
}

/* n more contacts in file, so that a copy lasts a while. */
static void add_contacts(const char *file, int n)
{
	char sql[512];
	snprintf(sql, sizeof(sql), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d)"
		 " INSERT INTO contacts(tenant_id, channel, subject, state, created_at, updated_at)"
		 " SELECT 2, 'email', 'bulk ' || i, 'new', i, i FROM n", n);
	assert_int_equal(sqlite3_run(file, sql), 0);
}

/* guichet admin migrate --from from --to to: its exit status, its output. */
static int migrate(const char *from, const char *to, char **out, char **err)
{
	return run_cli(&src, tokfile, out, err, "admin", "migrate", "--from", from, "--to", to, NULL);
}

/* --- seeding --- */

static json_t *get_json(const struct daemon *d, const char *token, const char *path)
{
	struct resp r;
	http_json(d, "GET", path, token, NULL, &r);
	if (r.status != 200)
		fail_msg("GET %s: %d %s", path, r.status, r.text ? r.text : "");
	json_t *j = json_incref(r.json);
	resp_clear(&r);
	return j;
}

/* Posts the note with an idempotency key; its status and answer text. */
static int idempotent_note(const struct daemon *d, const char *token, char *answer, size_t len)
{
	struct resp r;
	http_raw_headers(d, "POST", note_path, token, "Idempotency-Key: migrate-note-1",
			 "{\"body\":\"an idempotent note\"}", &r);
	snprintf(answer, len, "%s", r.text ? r.text : "");
	int status = r.status;
	resp_clear(&r);
	return status;
}

static void seed_through_api(void)
{
	char *out = NULL, *err = NULL, file[256];
	assert_int_equal(run_cli(&src, tokfile, &out, &err, "admin", "demo", "--db", src.db, NULL), 0);
	free(out);
	free(err);
	assert_int_equal(daemon_start(&src, NULL), 0);
	assert_int_equal(run_cli(&src, tokfile, &out, &err, "login", "--email", "admin@demo.example", "--password",
				 PASSWORD, NULL), 0);
	free(out);
	free(err);
	snprintf(file, sizeof(file), "%s/data/demo/kb.jsonl", GUICHET_SOURCE_DIR);
	assert_int_equal(run_cli(&src, tokfile, &out, &err, "kb", "import", file, "--publish", NULL), 0);
	free(out);
	free(err);
	old_token = login(&src, "admin@demo.example", PASSWORD);
	customer_id = post_id(&src, old_token, "/api/v1/customers",
			      json_pack("{s:s,s:s,s:{s:s,s:s}}", "external_id", "MIG-1", "email", "zoe@example.net",
					"attributes", "first_name", "Zoé", "note", "tab\there, back\\slash\nnew line"));
	contact_id = post_id(&src, old_token, "/api/v1/contacts",
			     json_pack("{s:s,s:I,s:s,s:i}", "channel", "email", "customer_id", (json_int_t)customer_id,
				       "subject", "Box blinks \\ red — since Monday", "priority", 7));
	snprintf(contact_path, sizeof(contact_path), "/api/v1/contacts/%lld", contact_id);
	snprintf(customer_path, sizeof(customer_path), "/api/v1/customers/%lld", customer_id);
	snprintf(note_path, sizeof(note_path), "/api/v1/contacts/%lld/notes", contact_id);
	char path[96];
	snprintf(path, sizeof(path), "%s/messages", contact_path);
	struct resp r;
	http_json(&src, "POST", path, old_token,
		  json_pack("{s:s,s:s}", "direction", "inbound", "body", "Line one\nLine two\ttabbed, \"quoted\", ünï"),
		  &r);
	assert_int_equal(r.status, 201);
	resp_clear(&r);
	assert_int_equal(idempotent_note(&src, old_token, note_answer, sizeof(note_answer)), 201);
	assert_int_equal(daemon_stop(&src), 0);
}

/* Values the API does not make: an empty string beside NULLs, 64-bit
 * extremes, a blob of every byte and text with every escaped character. */
static void seed_edges(void)
{
	char sql[2048], blob[513];
	for (int i = 0; i < 256; i++)
		snprintf(blob + 2 * i, 3, "%02X", i);
	snprintf(sql, sizeof(sql),
		 "UPDATE contacts SET reason = '' WHERE id = %lld;"
		 /* AUTOINCREMENT never reuses an id, even one whose row is gone */
		 "UPDATE sqlite_sequence SET seq = seq + 1000 WHERE name = 'kb_changes';"
		 "INSERT INTO idempotency_keys(tenant_id, caller, request, key, body_hash, status, answer, created_at)"
		 " VALUES (999, 'edge', 'GET /edge', 'k', X'%s', -9223372036854775808,"
		 " 'a' || char(1, 8, 9, 10, 11, 12, 13, 92) || 'z', 9223372036854775807);",
		 contact_id, blob);
	assert_int_equal(sqlite3_run(src.db, sql), 0);
}

static void take_snapshots(void)
{
	assert_int_equal(daemon_start(&src, NULL), 0);
	const char *paths[] = {"/api/v1/customers?limit=500", "/api/v1/users", customer_path, "/api/v1/kb/items",
			       "/api/v1/kb/search?q=mot%20de%20passe%20wifi", "/api/v1/audit?limit=500"};
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		snprintf(snapshot_paths[n_snapshots++], sizeof(snapshot_paths[0]), "%s", paths[i]);
	snprintf(snapshot_paths[n_snapshots++], sizeof(snapshot_paths[0]), "/api/v1/contacts?customer_id=%lld",
		 customer_id);
	/* contacts with their messages and notes: the demo's first 40 (new, waiting, held, resolved,
	 * closed), one in 20 of its history, and ours */
	for (long long id = 1; id <= contact_id; id++)
		if (id <= 40 || id % 20 == 0 || id == contact_id) {
			assert_true(n_snapshots < MAX_SNAPSHOTS);
			snprintf(snapshot_paths[n_snapshots++], sizeof(snapshot_paths[0]), "/api/v1/contacts/%lld", id);
		}
	for (size_t i = 0; i < n_snapshots; i++)
		snapshots[i] = get_json(&src, old_token, snapshot_paths[i]);
	assert_int_equal(daemon_stop(&src), 0);
}

static int group_setup(void **state)
{
	if (pgcluster_start(&cluster, NULL) < 0)
		return -1;
	if (daemon_init(&src, "acme", "admin@acme.example", "acme password 1") != 0)
		return -1;
	snprintf(tokfile, sizeof(tokfile), "%s/token", src.dir);
	seed_through_api();
	seed_edges();
	take_snapshots();
	return 0;
}

static int group_teardown(void **state)
{
	for (size_t i = 0; i < n_snapshots; i++)
		json_decref(snapshots[i]);
	free(old_token);
	if (dst.pid)
		daemon_stop(&dst);
	daemon_cleanup(&dst);
	daemon_cleanup(&src);
	pgcluster_stop(&cluster);
	return 0;
}

/* --- the tests --- */

static void test_migrate_then_serve(void **state)
{
	char url[256], *out = NULL, *err = NULL;
	create_db("moved", url, sizeof(url));
	int status = migrate(src.db, url, &out, &err);
	if (status != 0)
		fail_msg("migrate exited %d: %s%s", status, out, err);
	assert_non_null(strstr(out, "committed"));
	assert_null(strstr(out, "DIFFERS"));
	assert_null(strstr(err, "warning")); /* no daemon had the file open */
	assert_non_null(strstr(out, "\ncontacts "));
	assert_non_null(strstr(out, "\nidempotency_keys "));
	assert_non_null(strstr(err, "copied kb_items: 8 rows"));
	free(out);
	free(err);
	/* edge values, read back from the server itself */
	char *v = pg_value(url, "SELECT encode(body_hash, 'hex') || ' ' || status || ' ' || created_at || ' '"
				" || encode(convert_to(answer, 'UTF8'), 'hex') FROM idempotency_keys WHERE tenant_id = 999");
	char expected[1024];
	int n = 0;
	for (int i = 0; i < 256; i++)
		n += snprintf(expected + n, sizeof(expected) - (size_t)n, "%02x", i);
	snprintf(expected + n, sizeof(expected) - (size_t)n,
		 " -9223372036854775808 9223372036854775807 610108090a0b0c0d5c7a");
	assert_string_equal(v, expected);
	free(v);
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM contacts WHERE reason = '' AND id = %lld", contact_id);
	assert_int_equal(pg_int(url, sql), 1);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM customers WHERE phone IS NULL AND id = %lld", customer_id);
	assert_int_equal(pg_int(url, sql), 1);
	assert_true(pg_int(url, "SELECT max(seq) FROM kb_changes") > 0);
	assert_int_equal(pg_int(url, "SELECT nextval(pg_get_serial_sequence('kb_changes', 'seq'))"),
			 pg_int(url, "SELECT max(seq) FROM kb_changes") + 1001);

	snprintf(dst.dir, sizeof(dst.dir), "/tmp/guichet-migrate-XXXXXX");
	assert_non_null(mkdtemp(dst.dir));
	snprintf(dst.db, sizeof(dst.db), "%.127s", url);
	snprintf(dst.log, sizeof(dst.log), "%s/guichetd.log", dst.dir);
	assert_int_equal(daemon_start(&dst, NULL), 0);
	/* the session made on SQLite still works: its hash (bytea) came across */
	for (size_t i = 0; i < n_snapshots; i++) {
		json_t *now = get_json(&dst, old_token, snapshot_paths[i]);
		if (!json_equal(now, snapshots[i])) {
			char *a = json_dumps(snapshots[i], JSON_COMPACT), *b = json_dumps(now, JSON_COMPACT);
			fail_msg("GET %s differs after the migration:\nbefore %.2000s\nafter  %.2000s", snapshot_paths[i],
				 a, b);
		}
		json_decref(now);
	}
	/* the idempotency key answers the same, from the copied body hash */
	char answer[4096];
	assert_int_equal(idempotent_note(&dst, old_token, answer, sizeof(answer)), 201);
	assert_string_equal(answer, note_answer);
	/* logins work (new tokens get new ids), and new rows get new ids */
	char *token = login(&dst, "admin@demo.example", PASSWORD);
	free(login(&dst, "admin@acme.example", "acme password 1"));
	long long max_id = pg_int(url, "SELECT max(id) FROM contacts");
	long long id = post_id(&dst, token, "/api/v1/contacts", json_pack("{s:s,s:s}", "channel", "chat", "subject",
									   "after the move"));
	assert_int_equal(id, max_id + 1);
	long long max_customer = pg_int(url, "SELECT max(id) FROM customers");
	assert_int_equal(post_id(&dst, token, "/api/v1/customers", json_pack("{s:s}", "external_id", "MIG-2")),
			 max_customer + 1);
	free(token);
	assert_int_equal(daemon_stop(&dst), 0);
}

static void test_second_migrate_refused(void **state)
{
	char url[256], *out = NULL, *err = NULL;
	db_url("moved", url, sizeof(url)); /* test_migrate_then_serve's target */
	long long before = guichet_rows(url);
	assert_true(before > 500);
	assert_int_equal(migrate(src.db, url, &out, &err), 1);
	if (strstr(err, "is not empty") == NULL || strstr(err, url) == NULL)
		fail_msg("expected a refusal naming %s: %s", url, err);
	free(out);
	free(err);
	assert_int_equal(guichet_rows(url), before);
	/* a database with other tables, or guichet's at another version */
	create_db("other_app", url, sizeof(url));
	pg_do(url, "CREATE TABLE invoices(id int)");
	assert_int_equal(migrate(src.db, url, &out, &err), 1);
	assert_non_null(strstr(err, "table invoices, which is not guichet's"));
	free(out);
	free(err);
	assert_int_equal(pg_int(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 1);
	create_db("old_schema", url, sizeof(url));
	pg_do(url, "CREATE TABLE guichet_schema(version BIGINT NOT NULL); INSERT INTO guichet_schema VALUES (3)");
	assert_int_equal(migrate(src.db, url, &out, &err), 1);
	assert_non_null(strstr(err, "schema version 3"));
	free(out);
	free(err);
	assert_int_equal(pg_int(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 1);
	/* an empty database a guichetd is already connected to (a package started on it) */
	create_db("served", url, sizeof(url));
	char as_guichetd[300];
	snprintf(as_guichetd, sizeof(as_guichetd), "%s?application_name=guichet", url);
	PGconn *daemon_connection = PQconnectdb(as_guichetd);
	assert_int_equal(PQstatus(daemon_connection), CONNECTION_OK);
	assert_int_equal(migrate(src.db, url, &out, &err), 1);
	assert_non_null(strstr(err, "is in use"));
	free(out);
	free(err);
	PQfinish(daemon_connection);
	assert_int_equal(pg_int(url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), 0);
}

static void test_failed_copy_leaves_no_row(void **state)
{
	char file[256], url[256], *out = NULL, *err = NULL;
	copy_source("text-in-integer.db", file, sizeof(file));
	/* SQLite keeps text in an INTEGER column; PostgreSQL refuses it, late in the copy */
	assert_int_equal(sqlite3_run(file, "UPDATE contacts SET priority = 'high' WHERE id = (SELECT max(id) FROM contacts)"),
			 0);
	create_db("failed", url, sizeof(url));
	assert_int_equal(migrate(file, url, &out, &err), 1);
	if (strstr(err, "copying table contacts") == NULL || strstr(err, "column priority") == NULL)
		fail_msg("expected the table and column named: %s", err);
	assert_non_null(strstr(err, "copied customer_attributes")); /* the tables before it were copied */
	free(out);
	free(err);
	assert_int_equal(guichet_rows(url), 0);
	/* the empty schema left behind is a valid target */
	assert_int_equal(migrate(src.db, url, &out, &err), 0);
	free(out);
	free(err);
	assert_true(guichet_rows(url) > 500);
}

static void test_missing_parent_refused(void **state)
{
	char file[256], url[256], *out = NULL, *err = NULL;
	copy_source("orphan.db", file, sizeof(file));
	/* the sqlite3 tool does not enforce foreign keys: a message of no contact */
	assert_int_equal(sqlite3_run(file, "INSERT INTO messages(tenant_id, contact_id, kind, body, created_at)"
					   " VALUES (2, 987654, 'inbound', 'orphan', 1)"), 0);
	create_db("orphan", url, sizeof(url));
	assert_int_equal(migrate(file, url, &out, &err), 1);
	if (strstr(err, "messages") == NULL || strstr(err, "(contact_id)=(987654) is not present") == NULL)
		fail_msg("expected the missing contact named: %s", err);
	free(out);
	free(err);
	assert_int_equal(guichet_rows(url), 0);
	/* the foreign keys dropped for the copy are back, as many as in a good copy */
	char moved[256];
	db_url("moved", moved, sizeof(moved));
	const char *fkeys = "SELECT string_agg(conname || ' ' || pg_get_constraintdef(oid), ', ' ORDER BY conname)"
			    " FROM pg_constraint WHERE contype = 'f'";
	char *here = pg_value(url, fkeys), *there = pg_value(moved, fkeys);
	assert_non_null(strstr(here, "messages_contact_id_fkey FOREIGN KEY (contact_id) REFERENCES contacts(id)"));
	assert_string_equal(here, there);
	free(here);
	free(there);
}

static void test_checksum_mismatch_rolls_back(void **state)
{
	char file[256], url[256], *out = NULL, *err = NULL;
	copy_source("blob-in-integer.db", file, sizeof(file));
	/* a blob " 7" in an INTEGER column: PostgreSQL takes it as 7, so what
	 * it holds is not what was sent, and only the checksum can tell */
	char sql[128];
	snprintf(sql, sizeof(sql), "UPDATE contacts SET priority = CAST(' 7' AS BLOB) WHERE id = %lld", contact_id);
	assert_int_equal(sqlite3_run(file, sql), 0);
	create_db("mismatch", url, sizeof(url));
	assert_int_equal(migrate(file, url, &out, &err), 1);
	if (strstr(out, "DIFFERS") == NULL || strstr(err, "table contacts differs") == NULL ||
	    strstr(err, "checksums differ; nothing was committed") == NULL)
		fail_msg("expected contacts to differ:\n%s%s", out, err);
	assert_non_null(strstr(out, "\nmessages "));  /* the others are listed, and match */
	free(out);
	free(err);
	assert_int_equal(guichet_rows(url), 0);
	assert_int_equal(pg_int(url, "SELECT nextval(pg_get_serial_sequence('contacts', 'id'))"), 1);
}

/* A server whose statements time out after half a second still takes a
 * copy that lasts longer (test_kill_during_copy_leaves_no_row's file). */
static void test_statement_timeout_does_not_cut_the_copy(void **state)
{
	char file[256], url[256], admin[256], *out = NULL, *err = NULL;
	snprintf(file, sizeof(file), "%s/big.db", src.dir);
	create_db("slow", url, sizeof(url));
	db_url("guichet", admin, sizeof(admin));
	pg_do(admin, "ALTER DATABASE slow SET statement_timeout = '500ms'");
	int status = migrate(file, url, &out, &err);
	if (status != 0)
		fail_msg("migrate exited %d: %s", status, err);
	free(out);
	free(err);
	assert_true(pg_int(url, "SELECT count(*) FROM contacts") > 300000);
}

static struct load_writer writers[2];

static int acked(void)
{
	return atomic_load(&writers[0].n_acked) + atomic_load(&writers[1].n_acked);
}

/* The file guichetd serves and writes is read as one snapshot: a contact
 * written during the copy is either moved whole (with its events, copied
 * later than contacts) or not at all, and the references all hold. */
static void test_snapshot_while_daemon_writes(void **state)
{
	char file[256], url[256], *out = NULL, *err = NULL;
	copy_source("busy.db", file, sizeof(file));
	add_contacts(file, 100000);
	struct daemon busy = {0};
	snprintf(busy.dir, sizeof(busy.dir), "/tmp/guichet-migrate-XXXXXX");
	assert_non_null(mkdtemp(busy.dir));
	snprintf(busy.db, sizeof(busy.db), "%.127s", file);
	snprintf(busy.log, sizeof(busy.log), "%s/guichetd.log", busy.dir);
	assert_int_equal(daemon_start(&busy, NULL), 0);
	char *token = login(&busy, "admin@demo.example", PASSWORD);
	atomic_bool stop = false;
	pthread_t threads[2];
	for (int i = 0; i < 2; i++)
		assert_int_equal(load_writer_start(&writers[i], &busy, token, i, 0, &stop, &threads[i]), 0);
	for (int i = 0; i < 3000 && acked() < 20; i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	int before = acked();
	create_db("busy", url, sizeof(url));
	int status = migrate(file, url, &out, &err);
	int during = acked() - before;
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(threads[i], NULL);
	free(token);
	assert_int_equal(daemon_stop(&busy), 0);
	daemon_cleanup(&busy);
	if (status != 0)
		fail_msg("migrate under load exited %d: %s", status, err);
	assert_non_null(strstr(err, "was open in another process (guichetd?)"));
	free(out);
	free(err);
	long long moved = pg_int(url, "SELECT count(*) FROM contacts WHERE subject ~ '^w[0-9]+-[0-9]+$'");
	assert_true(before >= 20 && during > 0); /* the daemon wrote while the copy ran */
	assert_true(moved >= before && moved <= before + during);
	assert_int_equal(pg_int(url, "SELECT count(*) FROM contacts c WHERE subject ~ '^w[0-9]+-[0-9]+$' AND NOT"
				     " EXISTS (SELECT 1 FROM contact_events e WHERE e.contact_id = c.id"
				     " AND e.type = 'created')"), 0);
}

/* Whether the migrate's connection runs a COPY into contacts now. */
static bool copying_contacts(const char *admin_url)
{
	return pg_int(admin_url, "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
				 " 'guichet admin migrate' AND query LIKE 'COPY \"contacts\"%'") > 0;
}

static void test_kill_during_copy_leaves_no_row(void **state)
{
	char file[256], url[256], admin[256], bin[512];
	copy_source("big.db", file, sizeof(file));
	add_contacts(file, 300000);
	create_db("killed", url, sizeof(url));
	db_url("guichet", admin, sizeof(admin));
	pid_t pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 1);
		dup2(null, 2);
		execl(harness_binary("guichet", bin, sizeof(bin)), "guichet", "admin", "migrate", "--from", file, "--to",
		      url, (char *)NULL);
		_exit(127);
	}
	bool seen = false;
	for (int i = 0; i < 6000 && !seen; i++) {
		seen = copying_contacts(admin);
		if (!seen)
			nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	}
	kill(pid, SIGKILL);
	int status = 0;
	waitpid(pid, &status, 0);
	assert_true(seen);
	assert_true(WIFSIGNALED(status));
	/* the server notices the client gone, rolls back and ends the backend */
	for (int i = 0; i < 500 && pg_int(admin, "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
						 " 'guichet admin migrate'") > 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
	assert_int_equal(guichet_rows(url), 0);
}

/* guichet admin migrate with these arguments exits 2 (or 1), saying what. */
static void refused(int expected_status, const char *expected, ...)
{
	char bin[512];
	char *argv[16] = {(char *)harness_binary("guichet", bin, sizeof(bin)), "admin", "migrate"};
	int argc = 3;
	va_list ap;
	va_start(ap, expected);
	for (char *arg; argc < 9 && (arg = va_arg(ap, char *)) != NULL;)
		argv[argc++] = arg;
	va_end(ap);
	char *out = NULL, *err = NULL;
	/* argv[argc..] are NULL: the list ends there */
	int status = run_cli(&src, tokfile, &out, &err, argv[1], argv[2], argv[3], argv[4], argv[5], argv[6],
			     argv[7], argv[8], argv[9], NULL);
	if (status != expected_status || strstr(err, expected) == NULL)
		fail_msg("expected exit %d and '%s', got %d: %s", expected_status, expected, status, err);
	assert_null(strstr(err, "s3cret"));
	free(out);
	free(err);
}

static void test_bad_arguments(void **state)
{
	char url[256], not_guichet[256], dead[128];
	db_url("never_written", url, sizeof(url));
	snprintf(dead, sizeof(dead), "postgresql://guichet:s3cret@127.0.0.1:1/guichet");
	refused(2, "--to is required", "--from", src.db, NULL);
	refused(2, "--from is required", "--to", url, NULL);
	refused(2, "--to: '/tmp/x.db' is not a postgresql:// URL", "--from", src.db, "--to", "/tmp/x.db", NULL);
	refused(2, "--from: /nonexistent/guichet.db: No such file", "--from", "/nonexistent/guichet.db", "--to", url,
		NULL);
	refused(2, "--from: /tmp is not a file", "--from", "/tmp", "--to", url, NULL);
	refused(2, "--from: a SQLite database file, not a URL", "--from", url, "--to", url, NULL);
	refused(2, "unknown option '--force'", "--from", src.db, "--to", url, "--force", NULL);
	snprintf(not_guichet, sizeof(not_guichet), "%s/not-guichet.db", src.dir);
	assert_int_equal(sqlite3_run(not_guichet, "CREATE TABLE t(x)"), 0);
	refused(1, "not-guichet.db is not a guichet database", "--from", not_guichet, "--to", url, NULL);
	refused(1, "cannot connect to postgresql://guichet:***@127.0.0.1:1/guichet", "--from", src.db, "--to", dead,
		NULL);
	/* none of these made the target database (the server would say so) */
	char admin[256];
	db_url("guichet", admin, sizeof(admin));
	assert_int_equal(pg_int(admin, "SELECT count(*) FROM pg_database WHERE datname = 'never_written'"), 0);
}

static void test_once_per_run(void **state)
{
	testdb_skip_unless_sqlite("test-migrate moves a SQLite file into PostgreSQL on every run: "
				  "run on PostgreSQL too, it would repeat the same");
}

int main(void)
{
	if (testdb_is_pg()) {
		const struct CMUnitTest once[] = {cmocka_unit_test(test_once_per_run)};
		return cmocka_run_group_tests(once, NULL, NULL);
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_then_serve),
		cmocka_unit_test(test_second_migrate_refused),
		cmocka_unit_test(test_failed_copy_leaves_no_row),
		cmocka_unit_test(test_missing_parent_refused),
		cmocka_unit_test(test_checksum_mismatch_rolls_back),
		cmocka_unit_test(test_kill_during_copy_leaves_no_row),
		cmocka_unit_test(test_statement_timeout_does_not_cut_the_copy),
		cmocka_unit_test(test_snapshot_while_daemon_writes),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
