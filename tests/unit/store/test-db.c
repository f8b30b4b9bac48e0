/* What db.h promises the store files on both engines, where the engines
 * differ most: reads sent ahead (db_send) come back right whatever happens
 * between the send and the step, and on PostgreSQL a read sent ahead and the
 * next statement cost one round trip (a contact and its incidents too); a
 * deferred write pushed runs on the server before the next statement; rows
 * appended (db_append) arrive whole, parents before children, on
 * PostgreSQL 16 to an INSERT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "store/db.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "teststore.h"

struct fixture {
	struct test_store ts;
	struct store *s;
	struct db *db;
	struct db_stmt *count;   /* SELECT count(*) FROM t WHERE n > ? */
	struct db_stmt *names;   /* SELECT name FROM t WHERE n <= ? ORDER BY n */
	struct db_stmt *absolute; /* SELECT abs(?): fails on the smallest integer (an overflow) */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	f->db = f->s->db;
	assert_int_equal(db_exec(f->db, "CREATE TABLE t (n BIGINT, name TEXT);"
				       " INSERT INTO t VALUES (0, 'zero'), (1, 'one'), (2, 'two'), (3, 'three')"), GC_OK);
	/* the store's statement cache keeps them for the test's length */
	assert_non_null(f->count = store_stmt(f->s, "SELECT count(*) FROM t WHERE n > ?"));
	assert_non_null(f->names = store_stmt(f->s, "SELECT name FROM t WHERE n <= ? ORDER BY n"));
	assert_non_null(f->absolute = store_stmt(f->s, "SELECT abs(?)"));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_free(f->s);
	test_store_clear(&f->ts);
	free(f);
	return 0;
}

static int64_t round_trips(struct db *db)
{
	return db_engine(db) == DB_POSTGRESQL ? db_pg_round_trips(db) : 0;
}

/* The rows of names, joined by commas, into buf. */
static const char *names_read(struct db_stmt *st, char *buf, size_t len)
{
	buf[0] = '\0';
	int rc;
	while ((rc = db_step(st)) == DB_ROW)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "", db_column_text(st, 0));
	assert_int_equal(rc, DB_DONE);
	db_reset(st);
	return buf;
}

static int64_t count_read(struct db_stmt *st)
{
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	assert_int_equal(db_step(st), DB_DONE);
	db_reset(st);
	return n;
}

/* Each statement once, so that both are prepared on the server. */
static void warm(struct fixture *f)
{
	char buf[64];
	db_bind_int64(f->count, 1, 0);
	count_read(f->count);
	db_bind_int64(f->names, 1, 0);
	names_read(f->names, buf, sizeof(buf));
}

/* A read sent ahead, then another stepped: each reads its own rows, and
 * on PostgreSQL both came in one round trip. */
static void a_sent_read_travels_with_the_next(void **state)
{
	struct fixture *f = *state;
	warm(f);
	char buf[64];
	int64_t before = round_trips(f->db);
	db_bind_int64(f->count, 1, 1);
	db_send(f->count);
	db_bind_int64(f->names, 1, 2);
	assert_string_equal(names_read(f->names, buf, sizeof(buf)), "zero,one,two");
	assert_int_equal(count_read(f->count), 2);
	if (db_engine(f->db) == DB_POSTGRESQL)
		assert_int_equal(round_trips(f->db) - before, 1);
	/* two sent, then one stepped: still one */
	before = round_trips(f->db);
	db_bind_int64(f->count, 1, 2);
	db_send(f->count);
	db_bind_int64(f->names, 1, 1);
	db_send(f->names);
	assert_string_equal(names_read(f->names, buf, sizeof(buf)), "zero,one");
	assert_int_equal(count_read(f->count), 1);
	if (db_engine(f->db) == DB_POSTGRESQL)
		assert_int_equal(round_trips(f->db) - before, 1);
}

/* A read sent ahead and stepped with nothing in between reads its rows
 * (on PostgreSQL the pipeline is ended for it). */
static void a_sent_read_stepped_alone(void **state)
{
	struct fixture *f = *state;
	db_bind_int64(f->count, 1, 0);
	db_send(f->count);
	assert_int_equal(count_read(f->count), 3);
	/* and the connection is usable after */
	char buf[64];
	db_bind_int64(f->names, 1, 0);
	assert_string_equal(names_read(f->names, buf, sizeof(buf)), "zero");
}

/* A read sent ahead whose statement is reset before its result came (an
 * error path that gives up): its result is nobody's, the next statement
 * reads its own rows, and the reset statement, bound again, runs anew. */
static void a_sent_read_reset_before_its_result(void **state)
{
	struct fixture *f = *state;
	char buf[64];
	db_bind_int64(f->count, 1, 0);
	db_send(f->count);
	db_reset(f->count);
	db_bind_int64(f->names, 1, 3);
	assert_string_equal(names_read(f->names, buf, sizeof(buf)), "zero,one,two,three");
	db_bind_int64(f->count, 1, 2);
	assert_int_equal(count_read(f->count), 1);
}

/* A read sent ahead that fails: its own step answers the error (on
 * PostgreSQL the statement that travelled with it fails too, the pipeline
 * being one implicit transaction), and the connection works after. */
static void a_sent_read_that_fails_answers_at_its_step(void **state)
{
	struct fixture *f = *state;
	char buf[64];
	db_bind_int64(f->absolute, 1, INT64_MIN);
	db_send(f->absolute);
	db_bind_int64(f->count, 1, 0);
	int rc = db_step(f->count);
	db_reset(f->count);
	if (db_engine(f->db) == DB_SQLITE)
		assert_int_equal(rc, DB_ROW);
	else
		assert_true(rc < 0);
	assert_true(db_step(f->absolute) < 0);
	db_reset(f->absolute);
	db_bind_int64(f->names, 1, 1);
	assert_string_equal(names_read(f->names, buf, sizeof(buf)), "zero,one");
	db_bind_int64(f->absolute, 1, -5);
	assert_int_equal(db_step(f->absolute), DB_ROW);
	assert_int_equal(db_column_int64(f->absolute, 0), 5);
	db_reset(f->absolute);
}

/* Inside a transaction, beside a write waiting for the next statement: the
 * sent read sees the write, and the write is committed. */
static void a_sent_read_in_a_transaction(void **state)
{
	struct fixture *f = *state;
	struct db_stmt *insert = store_stmt(f->s, "INSERT INTO t VALUES (?, 'four')");
	assert_non_null(insert);
	assert_int_equal(db_exec(f->db, "BEGIN"), GC_OK);
	db_bind_int64(insert, 1, 4);
	assert_int_equal(db_step_later(insert), GC_OK);
	db_bind_int64(f->count, 1, 0);
	db_send(f->count);
	char buf[64];
	db_bind_int64(f->names, 1, 4);
	assert_string_equal(names_read(f->names, buf, sizeof(buf)), "zero,one,two,three,four");
	assert_int_equal(count_read(f->count), 4);
	assert_int_equal(db_exec(f->db, "COMMIT"), GC_OK);
	db_bind_int64(f->count, 1, 3);
	assert_int_equal(count_read(f->count), 1);
}

/* A new incident of the tenant, linked to the contact; what: its title,
 * severity and ended_at as SQL ("'Outage', 'major', NULL"). */
static void link_new_incident(struct fixture *f, int64_t tenant, int64_t contact, const char *what)
{
	char sql[768];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO incidents (tenant_id, kind, title, severity, ended_at, body, starts_at, created_by,"
		 " created_at, updated_at) VALUES (%lld, 'incident', %s, 'Fibre cut', 1, 'test', 1, 1);"
		 " INSERT INTO contact_incidents (tenant_id, contact_id, incident_id, created_at)"
		 " SELECT %lld, %lld, max(id), 1 FROM incidents",
		 (long long)tenant, what, (long long)tenant, (long long)contact);
	assert_int_equal(db_exec(f->db, sql), GC_OK);
}

/* GET /api/v1/contacts/{id}'s store call: the contact, its messages and its
 * incidents; on PostgreSQL in one round trip. */
static void a_contact_with_its_incidents_in_one_round_trip(void **state)
{
	struct fixture *f = *state;
	int64_t tenant = 0;
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &tenant), GC_OK);
	struct store_scope sc = {.tenant_id = tenant, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = role_visibility(ROLE_TENANT_ADMIN)};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = "No internet", .message = "The box blinks"};
	int64_t id = 0;
	assert_int_equal(store_contact_create(f->s, &sc, &in, &id), GC_OK);
	/* an incident linked to it, as the incidents' keywords link them */
	link_new_incident(f, tenant, id, "'Outage in Lyon', 'major', NULL");
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(store_contact_get_text(f->s, &sc, id, &text, &len), GC_OK); /* prepares */
	free(text);
	int64_t before = round_trips(f->db);
	assert_int_equal(store_contact_get_text(f->s, &sc, id, &text, &len), GC_OK);
	if (db_engine(f->db) == DB_POSTGRESQL)
		assert_int_equal(round_trips(f->db) - before, 1);
	assert_non_null(strstr(text, "\"The box blinks\""));
	assert_non_null(strstr(text, "\"incidents\":[{\"id\":"));
	assert_non_null(strstr(text, "\"title\":\"Outage in Lyon\""));
	free(text);
	/* a contact that is not there: nothing left behind for the next read */
	assert_int_equal(store_contact_get_text(f->s, &sc, id + 1000, &text, &len), GC_ENOTFOUND);
	assert_int_equal(store_contact_get_text(f->s, &sc, id, &text, &len), GC_OK);
	assert_non_null(strstr(text, "Outage in Lyon"));
	free(text);
	/* two messages and two incidents: each in its own list, in order */
	struct message_input more = {.body = "Still down"};
	json_t *m = NULL, *c = NULL;
	assert_int_equal(store_contact_add_message(f->s, &sc, id, &more, false, &m), GC_OK);
	json_decref(m);
	link_new_incident(f, tenant, id, "'Slow DNS', 'minor', 2");
	assert_int_equal(store_contact_get(f->s, &sc, id, &c), GC_OK);
	json_t *messages = json_object_get(c, "messages"), *incidents = json_object_get(c, "incidents");
	assert_int_equal(json_array_size(messages), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 0), "body")), "The box blinks");
	assert_string_equal(json_string_value(json_object_get(json_array_get(messages, 1), "body")), "Still down");
	assert_int_equal(json_array_size(incidents), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(incidents, 0), "title")), "Outage in Lyon");
	assert_true(json_is_null(json_object_get(json_array_get(incidents, 0), "ended_at")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(incidents, 1), "severity")), "minor");
	assert_true(json_is_string(json_object_get(json_array_get(incidents, 1), "ended_at")));
	json_decref(c);
	/* a contact with no message: its incidents still come */
	struct contact_input bare = {.channel = CHANNEL_PHONE, .subject = "Call"};
	int64_t id2 = 0;
	assert_int_equal(store_contact_create(f->s, &sc, &bare, &id2), GC_OK);
	char sql[512];
	snprintf(sql, sizeof(sql), "INSERT INTO contact_incidents (tenant_id, contact_id, incident_id, created_at)"
		 " SELECT %lld, %lld, min(id), 1 FROM incidents", (long long)tenant, (long long)id2);
	assert_int_equal(db_exec(f->db, sql), GC_OK);
	assert_int_equal(store_contact_get(f->s, &sc, id2, &c), GC_OK);
	assert_int_equal(json_array_size(json_object_get(c, "messages")), 0);
	assert_int_equal(json_array_size(json_object_get(c, "incidents")), 1);
	json_decref(c);
	/* another tenant asking for it: not found, incidents or not */
	int64_t other = 0;
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &other), GC_OK);
	struct store_scope sb = sc;
	sb.tenant_id = other;
	assert_int_equal(store_contact_get_text(f->s, &sb, id, &text, &len), GC_ENOTFOUND);
}

/* Polls, from another connection, for a session that ran sql and waits
 * for more of its pipeline (active: no sync has ended it yet): true once
 * seen, false after 5 s. */
static bool seen_running(struct store *other, const char *sql)
{
	struct db_stmt *st = store_stmt(other, "SELECT count(*) FROM pg_stat_activity"
					 " WHERE query = ? AND state = 'active' AND wait_event = 'ClientRead'");
	assert_non_null(st);
	for (int i = 0; i < 100; i++) {
		db_bind_text(st, 1, sql, -1);
		if (count_read(st) == 1)
			return true;
		db_exec(other->db, "SELECT pg_stat_clear_snapshot(), pg_sleep(0.05)");
	}
	return false;
}

/* A deferred write pushed reaches the server at once, while the caller
 * goes on (without the push it waits for the next statement); its error
 * still comes with the next statement. PostgreSQL only: SQLite runs every
 * write at once. */
static void a_pushed_write_runs_before_the_next_statement(void **state)
{
	struct fixture *f = *state;
	if (db_engine(f->db) != DB_POSTGRESQL) {
		skip();
		return;
	}
	struct store *other = NULL;
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &other), GC_OK);
	const char *insert = "INSERT INTO t(n, name) VALUES ($1, $2)";
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO t(n, name) VALUES (?, ?)");
	assert_int_equal(store_begin(f->s), GC_OK);
	db_bind_int64(st, 1, 4);
	db_bind_text(st, 2, "four", -1);
	assert_int_equal(db_step_later(st), GC_OK);
	int64_t trips = round_trips(f->db);
	db_push(f->db);
	assert_true(seen_running(other, insert));
	assert_int_equal(round_trips(f->db), trips); /* nothing waited for */
	db_bind_int64(f->count, 1, 3);
	assert_int_equal(count_read(f->count), 1); /* the write, then the read */
	/* a pushed write that fails: the next statement says so */
	db_bind_text(st, 1, "not a number", -1);
	db_bind_text(st, 2, "five", -1);
	assert_int_equal(db_step_later(st), GC_OK);
	db_push(f->db);
	db_bind_int64(f->count, 1, 3);
	assert_true(db_step(f->count) < 0);
	db_reset(f->count);
	store_rollback(f->s);
	db_bind_int64(f->count, 1, 3);
	assert_int_equal(count_read(f->count), 0);
	store_free(other);
}

/* Parents and children for db_append: on PostgreSQL a statement trigger
 * counts the INSERT statements that reached the children. */
static void appends_setup(struct fixture *f)
{
	assert_int_equal(db_exec(f->db, "CREATE TABLE parent (id BIGINT PRIMARY KEY, name TEXT NOT NULL);"
				       " CREATE TABLE child (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES parent(id),"
				       " note TEXT, tag TEXT);"
				       " INSERT INTO parent VALUES (1, 'one')"), GC_OK);
	if (db_engine(f->db) == DB_POSTGRESQL)
		assert_int_equal(db_exec(f->db, "CREATE TABLE inserts (n BIGINT NOT NULL); INSERT INTO inserts VALUES (0);"
			" CREATE FUNCTION count_insert() RETURNS trigger LANGUAGE plpgsql AS"
			" $$ BEGIN UPDATE inserts SET n = n + 1; RETURN NULL; END $$;"
			" CREATE TRIGGER child_inserts AFTER INSERT ON child FOR EACH STATEMENT EXECUTE FUNCTION count_insert()"),
			GC_OK);
}

static int64_t scalar(struct fixture *f, const char *sql)
{
	struct db_stmt *st = store_stmt(f->s, sql);
	assert_non_null(st);
	assert_int_equal(db_step(st), DB_ROW);
	int64_t n = db_column_int64(st, 0);
	db_reset(st);
	return n;
}

static int append_child_rc(struct fixture *f, int64_t id, int64_t parent, const char *note)
{
	/* a literal with parentheses and a placeholder's look, in a call: each
	 * copy of the row keeps it whole */
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO child(id, parent_id, note, tag)"
					 " VALUES (?, ?, ?, lower('A (B) $9')) RETURNING id");
	assert_non_null(st);
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, parent);
	if (note)
		db_bind_text(st, 3, note, -1);
	return db_append(st, 1);
}

static void append_child(struct fixture *f, int64_t id, int64_t parent, const char *note)
{
	assert_int_equal(append_child_rc(f, id, parent, note), GC_OK);
}

static void append_parent(struct fixture *f, int64_t id, const char *name)
{
	struct db_stmt *st = store_stmt(f->s, "INSERT INTO parent(id, name) VALUES (?, ?)");
	assert_non_null(st);
	db_bind_int64(st, 1, id);
	db_bind_text(st, 2, name, -1);
	assert_int_equal(db_append(st, 0), GC_OK);
}

/* Rows appended in a transaction: a child of an old parent, then a new
 * parent and its children, interleaved as a contact, its message and its
 * events are. Every row arrives with its values (NULL, text with quotes
 * and $1 in it), the children after the parents they reference; a read
 * in between sees the rows appended before it; on PostgreSQL the 20
 * children took 3 INSERT statements, not 20: 16 (at most in one), the
 * 17th alone before the read, the last 3 at the commit. */
static void appended_rows_go_together_parents_first(void **state)
{
	struct fixture *f = *state;
	appends_setup(f);
	/* both statements prepared first: preparing one sends what waits */
	assert_int_equal(store_begin(f->s), GC_OK);
	append_parent(f, 9, "warm");
	append_child(f, 90, 9, "warm");
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(db_exec(f->db, "DELETE FROM child"), GC_OK);
	if (db_engine(f->db) == DB_POSTGRESQL)
		assert_int_equal(db_exec(f->db, "UPDATE inserts SET n = 0"), GC_OK);
	assert_int_equal(store_begin(f->s), GC_OK);
	append_child(f, 100, 1, "of the old parent");
	for (int i = 2; i <= 5; i++) {
		char name[32];
		snprintf(name, sizeof(name), "parent '%d' $1", i);
		append_parent(f, i, name);
		for (int k = 0; k < 4; k++)
			append_child(f, i * 10 + k, i, k == 0 ? NULL : "it's $2");
	}
	assert_int_equal(scalar(f, "SELECT count(*) FROM child"), 17); /* the read: after what waited */
	append_child(f, 200, 5, "last");
	append_child(f, 201, 5, "last");
	append_child(f, 202, 5, "last");
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(scalar(f, "SELECT count(*) FROM child"), 20);
	assert_int_equal(scalar(f, "SELECT count(*) FROM child WHERE note IS NULL"), 4);
	assert_int_equal(scalar(f, "SELECT count(*) FROM child WHERE note = 'it''s $2'"), 12);
	assert_int_equal(scalar(f, "SELECT count(*) FROM parent WHERE name = 'parent ''3'' $1'"), 1);
	assert_int_equal(scalar(f, "SELECT count(*) FROM child WHERE tag = 'a (b) $9'"), 20);
	if (db_engine(f->db) == DB_POSTGRESQL)
		assert_int_equal(scalar(f, "SELECT n FROM inserts"), 3);
	/* 20 more in one run: 16, then 4 */
	assert_int_equal(store_begin(f->s), GC_OK);
	for (int i = 0; i < 20; i++)
		append_child(f, 1000 + i, 1, "run");
	assert_int_equal(store_commit(f->s), GC_OK);
	assert_int_equal(scalar(f, "SELECT count(*) FROM child WHERE note = 'run'"), 20);
	if (db_engine(f->db) == DB_POSTGRESQL)
		assert_int_equal(scalar(f, "SELECT n FROM inserts"), 5);
}

/* A row that fails among appended ones: the error comes at once (SQLite)
 * or at the flush (PostgreSQL), and rolling back leaves none of them.
 * Outside a transaction a row is written at once. */
static void an_appended_row_that_fails_fails_its_flush(void **state)
{
	struct fixture *f = *state;
	appends_setup(f);
	assert_int_equal(store_begin(f->s), GC_OK);
	append_child(f, 10, 1, "a");
	append_child(f, 11, 1, "b");
	if (append_child_rc(f, 10, 1, "the same id") == GC_OK) {
		assert_int_equal(db_engine(f->db), DB_POSTGRESQL);
		append_child(f, 12, 1, "c");
		assert_true(store_flush(f->s) < 0);
	}
	store_rollback(f->s);
	assert_int_equal(scalar(f, "SELECT count(*) FROM child"), 0);
	append_child(f, 13, 1, "autocommit");
	assert_int_equal(scalar(f, "SELECT count(*) FROM child"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_sent_read_travels_with_the_next, setup, teardown),
		cmocka_unit_test_setup_teardown(a_sent_read_stepped_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(a_sent_read_reset_before_its_result, setup, teardown),
		cmocka_unit_test_setup_teardown(a_sent_read_that_fails_answers_at_its_step, setup, teardown),
		cmocka_unit_test_setup_teardown(a_sent_read_in_a_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(a_contact_with_its_incidents_in_one_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(a_pushed_write_runs_before_the_next_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(appended_rows_go_together_parents_first, setup, teardown),
		cmocka_unit_test_setup_teardown(an_appended_row_that_fails_fails_its_flush, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
