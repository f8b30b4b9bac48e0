/* A fresh store for one unit test, on the engine of the run
 * (GUICHET_TEST_ENGINE=sqlite, the default, or postgresql; testdb.h): a
 * file in a new temporary folder on SQLite, a new database of the program's
 * throwaway cluster on PostgreSQL. Every unit test that opens a store opens
 * it here, so the same test runs on both engines. */
#ifndef GUICHET_TEST_TESTSTORE_H
#define GUICHET_TEST_TESTSTORE_H

#include "store/store.h"
#include "testdb.h"

struct test_store {
	char dir[64];       /* on SQLite, the temporary folder of its file; "" on PostgreSQL */
	char target[160];   /* what store_open was given: the file's path, or the URL */
};

/* Makes t's folder and database and opens it read-write into ret_store
 * (created and migrated). GC_OK, or what store_open answered (its message on
 * stderr), or GC_EIO when no database could be made. */
int test_store_open(struct test_store *t, struct store **ret_store);
/* Removes t's folder and drops its database; the store must be freed first. */
void test_store_clear(struct test_store *t);
/* How many times the store has waited for PostgreSQL's answers (0 on
 * SQLite, where nothing travels): what reads sent together save. */
int64_t test_store_round_trips(struct store *s);

#endif
