/* PostgreSQL's COPY text format, as migrate.c writes it and compares it:
 * exported for its unit test. Internal to src/store. */
#ifndef GUICHET_STORE_MIGRATE_H
#define GUICHET_STORE_MIGRATE_H

#include <stddef.h>

/* data as one COPY text field into out, which has room for 2 * len bytes,
 * escaped exactly as COPY TO escapes it: backslash, and \b \f \n \r \t \v
 * as a backslash and a letter; every other byte as it is. The bytes
 * written. */
size_t pg_copy_escape(char *out, const void *data, size_t len);
/* data as a bytea field in hex form ("\\x" and two lowercase hex digits a
 * byte, the backslash doubled for COPY), into room for 3 + 2 * len bytes.
 * The bytes written. */
size_t pg_copy_bytea(char *out, const void *data, size_t len);

#endif
