/* guichet admin migrate's parts that need no server: the COPY text form
 * both checksums hash (every escaped byte, bytea in hex), and the refusals
 * made before anything is written, each naming the file or the URL (without
 * its password). The copy itself is tests/integration/test-migrate.c. */
#include "guichet/error.h"
#include "store/migrate.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEAD_URL "postgresql://guichet:s3cret@127.0.0.1:1/guichet"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/guichet-migrate-unit-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void escaped(const char *in, size_t len, const char *expected, size_t expected_len)
{
	char out[256];
	assert_true(2 * len <= sizeof(out));
	size_t n = pg_copy_escape(out, in, len);
	assert_int_equal(n, expected_len);
	assert_memory_equal(out, expected, n);
}

/* in and expected are string literals, NULs included */
#define ESCAPED(in, expected) escaped(in, sizeof(in) - 1, expected, sizeof(expected) - 1)

static void test_copy_escape_as_copy_to_writes_it(void **state)
{
	ESCAPED("", "");
	ESCAPED("plain text, é ü 日本", "plain text, é ü 日本");
	ESCAPED("a\\b", "a\\\\b");
	ESCAPED("\t\n\r\b\f\v", "\\t\\n\\r\\b\\f\\v");
	/* other control bytes pass as they are: COPY TO writes them so */
	ESCAPED("\x01\x1f\x7f", "\x01\x1f\x7f");
	/* a value "\." cannot end the data: its backslash is doubled */
	ESCAPED("\\.", "\\\\.");
	/* a NUL is a byte like any other here (the server refuses it in text) */
	ESCAPED("a\0b", "a\0b");
}

static void test_copy_bytea_hex(void **state)
{
	char out[3 + 2 * 256];
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	assert_int_equal(pg_copy_bytea(out, all, 0), 3);
	assert_memory_equal(out, "\\\\x", 3);
	assert_int_equal(pg_copy_bytea(out, all, 256), 3 + 512);
	assert_memory_equal(out, "\\\\x000102", 9);
	assert_memory_equal(out + 3 + 2 * 0x5c, "5c", 2);
	assert_memory_equal(out + 3 + 510, "ff", 2);
}

/* A guichet file at this build's version (or at version when not 0). */
static void make_db(const char *path, int version)
{
	struct store *s = NULL;
	assert_int_equal(store_open(path, STORE_READ_WRITE, &s), GC_OK);
	store_free(s);
	if (version) {
		sqlite3 *db = NULL;
		char sql[64];
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
}

/* store_migrate answers rc and its message holds want. */
static void refused(const char *from, const char *to, int rc, const char *want)
{
	struct store_migration *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	assert_int_equal(store_migrate(from, to, m), rc);
	if (strstr(m->errmsg, want) == NULL)
		fail_msg("expected '%s' in: %s", want, m->errmsg);
	assert_null(strstr(m->errmsg, "s3cret"));
	assert_false(m->committed);
	assert_int_equal(m->n_tables, 0);
	free(m);
}

static void test_refusals_name_what_is_wrong(void **state)
{
	char good[128], old[128], other[128], absent[128];
	snprintf(good, sizeof(good), "%s/good.db", dir);
	snprintf(old, sizeof(old), "%s/old.db", dir);
	snprintf(other, sizeof(other), "%s/other.db", dir);
	snprintf(absent, sizeof(absent), "%s/absent.db", dir);
	make_db(good, 0);
	make_db(old, 6);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);

	refused(good, "/var/lib/guichet/guichet.db", GC_EINVAL, "--to: '/var/lib/guichet/guichet.db' is not a postgresql:// URL");
	refused(absent, DEAD_URL, GC_ENOTFOUND, absent);
	refused(other, DEAD_URL, GC_EINVAL, "other.db is not a guichet database");
	refused(old, DEAD_URL, GC_ESCHEMA, "old.db has schema version 6");
	/* the file is checked before the server is asked */
	refused(good, DEAD_URL, GC_EIO, "cannot connect to postgresql://guichet:***@127.0.0.1:1/guichet");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_escape_as_copy_to_writes_it),
		cmocka_unit_test(test_copy_bytea_hex),
		cmocka_unit_test(test_refusals_name_what_is_wrong),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
