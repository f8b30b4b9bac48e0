/* The PostgreSQL engine's parts that need no server: URLs recognised and
 * redacted, a server that cannot be reached refused with a message naming it
 * (without its password) and no file created after the URL (SQLite would
 * otherwise try), and the placeholder rewrite every statement goes through. */
#include "guichet/error.h"
#include "store/pg.h"
#include "store/schema.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Number of entries in dir other than . and .. */
static int n_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_url_recognised(void **state)
{
	assert_true(store_url_is_pg("postgresql://guichet@127.0.0.1:5432/guichet"));
	assert_true(store_url_is_pg("postgres://db.example/guichet"));
	assert_false(store_url_is_pg("var/guichet.db"));
	assert_false(store_url_is_pg("postgresql.db"));
	assert_false(store_url_is_pg("./postgresql://x"));
	assert_false(store_url_is_pg("mysql://x"));
	assert_false(store_url_is_pg(NULL));
}

static void test_url_redacted(void **state)
{
	char text[128];
	store_pg_url_redact("postgresql://guichet:s3cret@db:5432/g", text, sizeof(text));
	assert_string_equal(text, "postgresql://guichet:***@db:5432/g");
	store_pg_url_redact("postgresql://guichet@db:5432/g", text, sizeof(text));
	assert_string_equal(text, "postgresql://guichet@db:5432/g");
	store_pg_url_redact("postgresql://db:5432/g", text, sizeof(text));
	assert_string_equal(text, "postgresql://db:5432/g");
	/* the password as a parameter too, however short, wherever it stands */
	store_pg_url_redact("postgresql://db/g?user=guichet&password=S3cretPW&sslmode=require", text, sizeof(text));
	assert_string_equal(text, "postgresql://db/g?user=guichet&password=***&sslmode=require");
	store_pg_url_redact("postgresql://u:p@db/g?PASSWORD=x", text, sizeof(text));
	assert_string_equal(text, "postgresql://u:***@db/g?PASSWORD=***");
	char tight[26]; /* the secret fits, its stars would not: cut before it */
	store_pg_url_redact("postgresql://d?password=x", tight, sizeof(tight));
	assert_string_equal(tight, "postgresql://d?password=");
}

static void open_refused(const char *url, enum store_mode mode)
{
	struct store *s = NULL;
	assert_int_equal(store_open(url, mode, &s), GC_EIO);
	assert_non_null(s); /* kept for its message, as on every failed open */
	const char *msg = store_errmsg(s);
	if (strncmp(msg, "cannot connect to postgres", 26) != 0 || strstr(msg, "127.0.0.1:1/") == NULL)
		fail_msg("unexpected message: %s", msg);
	assert_null(strstr(msg, "s3cret"));
	store_free(s);
}

static void test_unreachable_server_refused_without_touching_files(void **state)
{
	char dir[] = "/tmp/guichet-unit-pg-XXXXXX", cwd[4096];
	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	/* port 1 on loopback: refused at once, so no server is needed */
	open_refused("postgresql://guichet:s3cret@127.0.0.1:1/guichet", STORE_READ_WRITE);
	open_refused("postgres://guichet@127.0.0.1:1/guichet", STORE_READ_ONLY);
	open_refused("postgresql://guichet@127.0.0.1:1/guichet?connect_timeout=1", STORE_READ_WRITE);
	int n = n_entries(dir);
	assert_int_equal(chdir(cwd), 0);
	rmdir(dir);
	assert_int_equal(n, 0);
}

/* pg_placeholders(sql) must give want with n parameters. */
static void rewritten(const char *sql, const char *want, int n)
{
	char *out = NULL;
	int nparams = -1;
	assert_int_equal(pg_placeholders(sql, &out, &nparams), GC_OK);
	assert_string_equal(out, want);
	assert_int_equal(nparams, n);
	free(out);
}

static void test_placeholders(void **state)
{
	rewritten("SELECT 1", "SELECT 1", 0);
	rewritten("SELECT ? , ?", "SELECT $1 , $2", 2);
	/* SQLite's rule: a bare ? is one past the largest number so far */
	rewritten("VALUES (?,?,?,?,?,?5)", "VALUES ($1,$2,$3,$4,$5,$5)", 5);
	rewritten("WHERE a = ?2 AND b = ? AND c = ?1", "WHERE a = $2 AND b = $3 AND c = $1", 3);
	rewritten("WHERE a = ?10", "WHERE a = $10", 10);
	/* quoted text and identifiers are left alone, doubled quotes included */
	rewritten("SELECT '?', 'it''s ?', \"a?b\" FROM t WHERE x = ?",
		  "SELECT '?', 'it''s ?', \"a?b\" FROM t WHERE x = $1", 1);
	rewritten("SELECT config::jsonb ->> 'skill_id' FROM q WHERE id = ?1",
		  "SELECT config::jsonb ->> 'skill_id' FROM q WHERE id = $1", 1);
	char *out = NULL;
	int n;
	assert_int_equal(pg_placeholders("SELECT 'unclosed ?", &out, &n), GC_EINVAL);
	assert_int_equal(pg_placeholders("SELECT ?0", &out, &n), GC_EINVAL);
	assert_int_equal(pg_placeholders("SELECT ?1000", &out, &n), GC_EINVAL);
	assert_null(out);
}

/* Migrations from 8 on are written once; the tokens say what differs. */
static void test_migration_tokens(void **state)
{
	const char *sql = "CREATE TABLE t(id {id}, n {int} NOT NULL, b {blob});"
			  "CREATE TABLE u(a {int}, b {int}, PRIMARY KEY (a, b)) {without_rowid};";
	char *lite = schema_expand(sql, DB_SQLITE), *pg = schema_expand(sql, DB_POSTGRESQL);
	assert_string_equal(lite, "CREATE TABLE t(id INTEGER PRIMARY KEY, n INTEGER NOT NULL, b BLOB);"
			    "CREATE TABLE u(a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID;");
	assert_string_equal(pg, "CREATE TABLE t(id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
			    " n BIGINT NOT NULL, b BYTEA);"
			    "CREATE TABLE u(a BIGINT, b BIGINT, PRIMARY KEY (a, b)) ;");
	free(lite);
	free(pg);
	/* the released migrations before 8 are SQLite's own, word for word */
	char *m1 = schema_migration_text(1, DB_SQLITE);
	assert_string_equal(m1, schema_migration(1));
	free(m1);
	assert_null(schema_migration_text(schema_n_migrations() + 1, DB_POSTGRESQL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_recognised),
		cmocka_unit_test(test_url_redacted),
		cmocka_unit_test(test_unreachable_server_refused_without_touching_files),
		cmocka_unit_test(test_placeholders),
		cmocka_unit_test(test_migration_tokens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
