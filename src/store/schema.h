/* The schema's migrations, numbered from 1 (src/store/schema.c). */
#ifndef GUICHET_STORE_SCHEMA_H
#define GUICHET_STORE_SCHEMA_H

/* How many migrations this build knows: the schema version it writes. */
int schema_n_migrations(void);
/* The SQL of migration version (1-based); NULL past the last. */
const char *schema_migration(int version);

#endif
