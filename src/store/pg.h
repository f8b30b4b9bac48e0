/* What store.c asks of pg.c: the refusal store_open gives a postgresql://
 * URL until the PostgreSQL engine exists. Internal to src/store. */
#ifndef GUICHET_STORE_PG_H
#define GUICHET_STORE_PG_H

#include <stddef.h>

/* Probes the server at url and writes, into errmsg, why it cannot be
 * opened yet: its version when it answered, or why the probe failed.
 * Always returns GC_EINVAL. */
int pg_open_refusal(const char *url, char *errmsg, size_t errmsg_len);

#endif
