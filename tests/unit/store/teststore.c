/* Fresh stores for unit tests on either engine (teststore.h). */
#include "teststore.h"

#include "guichet/error.h"
#include "store/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int test_store_open(struct test_store *t, struct store **ret_store)
{
	memset(t, 0, sizeof(*t));
	if (!testdb_is_pg()) {
		snprintf(t->dir, sizeof(t->dir), "/tmp/guichet-store-XXXXXX");
		if (mkdtemp(t->dir) == NULL) {
			t->dir[0] = '\0';
			return GC_EIO;
		}
	}
	if (testdb_new(t->dir, "t.db", t->target, sizeof(t->target)) < 0)
		return GC_EIO;
	struct store *s = NULL;
	int rc = store_open(t->target, STORE_READ_WRITE, &s);
	if (rc != GC_OK) {
		fprintf(stderr, "test_store_open: %s: %s\n", t->target, s ? store_errmsg(s) : "out of memory");
		store_free(s);
		return rc;
	}
	*ret_store = s;
	return GC_OK;
}

void test_store_clear(struct test_store *t)
{
	if (t->target[0])
		testdb_drop(t->target);
	if (t->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "test_store_clear: cannot remove %s\n", t->dir);
	}
	memset(t, 0, sizeof(*t));
}

int64_t test_store_round_trips(struct store *s)
{
	return db_engine(s->db) == DB_POSTGRESQL ? db_pg_round_trips(s->db) : 0;
}
