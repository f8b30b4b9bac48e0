/* guichet admin backup | restore: a database file copied while guichetd
 * serves it, and put back. The store does the work (src/store/backup.c);
 * this file reads the options, says what happened, and turns the store's
 * codes into exit statuses: 0 done, 1 refused or failed, 2 bad usage.
 * Their help texts are in help.c, with every command's. */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An option's value as an integer in [0, max], or def when absent; -1 with
 * an error printed when it is not one. */
static int int_option(const struct args *a, const char *name, int def, int max)
{
	const char *text = args_get(a, name);
	if (text == NULL)
		return def;
	char *end = NULL;
	long v = strtol(text, &end, 10);
	if (*text == '\0' || *end != '\0' || v < 0 || v > max) {
		fprintf(stderr, "guichet admin backup: --%s: '%s' is not a number from 0 to %d\n", name, text, max);
		return -1;
	}
	return (int)v;
}

int cmd_admin_backup(int argc, char **argv)
{
	struct args a;
	if (args_parse(argc, argv, "to= db= force step-pages= pause-ms=", &a) < 0 || a.n_pos > 0) {
		fputs("guichet admin backup: see 'guichet admin backup --help'\n", stderr);
		return 2;
	}
	const char *to = args_need(&a, "to", "admin backup"), *db = args_get(&a, "db");
	if (to == NULL)
		return 2;
	if (db == NULL)
		db = getenv("GUICHET_DB");
	if (db == NULL || *db == '\0')
		db = "var/guichet.db";
	struct store_copy copy = {.force = args_get(&a, "force") != NULL};
	if ((copy.step_pages = int_option(&a, "step-pages", 256, 1 << 20)) < 0 ||
	    (copy.pause_ms = int_option(&a, "pause-ms", 0, 60000)) < 0)
		return 2;
	if (copy.step_pages == 0)
		copy.step_pages = 256;
	int64_t start = now_ms();
	int rc = store_backup(db, to, &copy);
	if (rc < 0) {
		fprintf(stderr, "guichet admin backup: %s\n", copy.errmsg);
		return 1;
	}
	printf("backup of %s written to %s: schema version %d, %lld pages, %lld ms\n", db, to, copy.schema_version,
	       (long long)copy.pages, (long long)(now_ms() - start));
	return 0;
}

int cmd_admin_restore(int argc, char **argv)
{
	struct args a;
	if (args_parse(argc, argv, "from= db= force", &a) < 0 || a.n_pos > 0) {
		fputs("guichet admin restore: see 'guichet admin restore --help'\n", stderr);
		return 2;
	}
	const char *from = args_need(&a, "from", "admin restore"), *db = args_need(&a, "db", "admin restore");
	if (from == NULL || db == NULL)
		return 2;
	struct store_copy copy = {.force = args_get(&a, "force") != NULL};
	int rc = store_restore(from, db, &copy);
	if (rc < 0) {
		fprintf(stderr, "guichet admin restore: %s\n", copy.errmsg);
		return 1;
	}
	printf("restored %s into %s: schema version %d%s, integrity ok, %lld pages\n", from, db,
	       copy.schema_version,
	       copy.schema_version < store_schema_version() ? " (guichetd migrates it at start)" : "",
	       (long long)copy.pages);
	return 0;
}
