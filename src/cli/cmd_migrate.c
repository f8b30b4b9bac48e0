/* guichet admin migrate: a SQLite installation moved into PostgreSQL. The
 * store does the work (src/store/migrate.c); this file checks the options,
 * shows progress on stderr and the per-table comparison on stdout, and
 * turns the store's codes into exit statuses: 0 committed, 1 refused or
 * failed (nothing committed), 2 bad usage. Its help text is in help.c. */
#include "cli/cli.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void hex(const unsigned char *bytes, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

static void on_copied(const struct store_migrate_table *t, void *arg)
{
	fprintf(stderr, "copied %s: %lld rows\n", t->name, (long long)t->rows);
}

/* The comparison, one line a table. */
static void print_tables(const struct store_migration *m)
{
	char sum[2 * STORE_MIGRATE_HASH_LEN + 1], other[2 * STORE_MIGRATE_HASH_LEN + 1];
	if (m->n_tables == 0)
		return;
	printf("%-28s %12s  %-32s  %s\n", "table", "rows", "checksum (BLAKE2b-128)", "same on the server");
	for (size_t i = 0; i < m->n_tables; i++) {
		const struct store_migrate_table *t = &m->tables[i];
		hex(t->checksum, STORE_MIGRATE_HASH_LEN, sum);
		hex(t->target_checksum, STORE_MIGRATE_HASH_LEN, other);
		if (t->ok)
			printf("%-28s %12lld  %s  ok\n", t->name, (long long)t->rows, sum);
		else
			printf("%-28s %12lld  %s  DIFFERS: %lld rows, %s\n", t->name, (long long)t->rows, sum,
			       (long long)t->target_rows, other);
	}
}

/* The options, checked before anything is opened; 0, or 2 said on stderr. */
static int check_options(const char *from, const char *to)
{
	struct stat st;
	if (store_url_is_pg(from)) {
		fprintf(stderr, "guichet admin migrate: --from: a SQLite database file, not a URL\n");
		return 2;
	}
	if (stat(from, &st) < 0) {
		fprintf(stderr, "guichet admin migrate: --from: %s: %s\n", from, strerror(errno));
		return 2;
	}
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "guichet admin migrate: --from: %s is not a file\n", from);
		return 2;
	}
	if (!store_url_is_pg(to)) {
		fprintf(stderr, "guichet admin migrate: --to: '%s' is not a postgresql:// URL "
			"(a SQLite file is copied with guichet admin backup)\n", to);
		return 2;
	}
	return 0;
}

int cmd_admin_migrate(int argc, char **argv)
{
	struct args a;
	if (args_parse(argc, argv, "from= to=", &a) < 0 || a.n_pos > 0) {
		fputs("guichet admin migrate: see 'guichet admin migrate --help'\n", stderr);
		return 2;
	}
	const char *from = args_need(&a, "from", "admin migrate"), *to = args_need(&a, "to", "admin migrate");
	if (from == NULL || to == NULL || check_options(from, to) != 0)
		return 2;
	struct store_migration *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		fputs("guichet admin migrate: out of memory\n", stderr);
		return 1;
	}
	m->on_copied = on_copied;
	int64_t start = now_ms();
	int rc = store_migrate(from, to, m);
	print_tables(m);
	if (rc < 0) {
		fprintf(stderr, "guichet admin migrate: %s\n", m->errmsg);
		free(m);
		return 1;
	}
	int64_t rows = 0;
	for (size_t i = 0; i < m->n_tables; i++)
		rows += m->tables[i].rows;
	char where[512];
	store_pg_url_redact(to, where, sizeof(where));
	if (m->source_in_use)
		fprintf(stderr, "guichet admin migrate: warning: %s was open in another process (guichetd?): "
			"what it wrote after the copy began is not in %s\n", from, where);
	printf("migrated %s (schema version %d) into %s: %zu tables, %lld rows, every count and checksum "
	       "the same; committed in %lld ms\n", from, m->schema_version, where, m->n_tables, (long long)rows,
	       (long long)(now_ms() - start));
	free(m);
	return 0;
}
