/* The schema's migrations, numbered from 1 (src/store/schema.c). */
#ifndef GUICHET_STORE_SCHEMA_H
#define GUICHET_STORE_SCHEMA_H

#include "store/db.h"

#include <stddef.h>

/* How many migrations this build knows: the schema version it writes. */
int schema_n_migrations(void);
/* The SQL of migration version (1-based); NULL past the last. */
const char *schema_migration(int version);

/* The PostgreSQL baseline (src/store/schema_pg.c): the schema after
 * migrations 1 to schema_pg_baseline_version(), in PostgreSQL's dialect,
 * several statements and no BEGIN/COMMIT, so one PQexec runs it as one
 * transaction (or inside the caller's). It ends by creating guichet_schema
 * with one row holding that version. */
const char *schema_pg_baseline(void);
/* The migration number the baseline stands for; PostgreSQL runs only the
 * migrations after it. */
int schema_pg_baseline_version(void);

/* Migration version's SQL for engine, its tokens expanded (see schema.c);
 * malloc'd, NULL when out of memory or past the last. */
char *schema_migration_text(int version, enum db_engine engine);
/* sql with the migration tokens ({id}, {int}, {blob}, {without_rowid})
 * expanded for engine; malloc'd, NULL when out of memory. */
char *schema_expand(const char *sql, enum db_engine engine);

/* GC_OK, or GC_ESCHEMA with why in errmsg when a database's version is
 * above what this build knows (written by a newer guichet). */
int schema_check_newer(int version, char *errmsg, size_t len);
/* GC_OK, or GC_ESCHEMA when version is not exactly this build's (a
 * read-only connection cannot migrate). */
int schema_check_version(int version, char *errmsg, size_t len);

#endif
