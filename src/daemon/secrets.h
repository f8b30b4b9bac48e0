/* The installation's secret key, and the credentials it seals: a channel's
 * password (an IMAP or SMTP login) is stored in the database only sealed
 * with libsodium's secretbox (XSalsa20-Poly1305) under a 32-byte key kept
 * in a file outside the database (--secret-key-file; by default the
 * database's path plus ".key", or var/guichet.key on PostgreSQL). The key
 * file is made at the first seal, readable by its owner only; a database
 * copied without it (a backup, a migration) holds no usable password.
 * Several nodes of a cluster share the same key file. Thread-safe. */
#ifndef GUICHET_DAEMON_SECRETS_H
#define GUICHET_DAEMON_SECRETS_H

#include <stddef.h>

struct secrets;

/* Where the key is (nothing is read yet). */
struct secrets *secrets_new(const char *key_path);
void secrets_free(struct secrets *k);

/* text sealed: a fresh random nonce followed by the box (malloc'd). Makes
 * the key file when there is none. GC_EIO when the key cannot be read or
 * made (errmsg says why). */
int secrets_seal(struct secrets *k, const char *text, unsigned char **ret, size_t *ret_len, char *errmsg,
		 size_t errmsg_len);
/* The text sealed in sealed (malloc'd, NUL-terminated): GC_EAUTH when it
 * was not sealed with this key, or was changed. */
int secrets_unseal(struct secrets *k, const unsigned char *sealed, size_t len, char **ret_text, char *errmsg,
		   size_t errmsg_len);

/* A 32-byte key of its own for purpose (8 characters, "chatvist"),
 * derived from the installation's key (crypto_kdf), which is made when
 * there is none: every node sharing the key file derives the same one, and
 * a key derived for one purpose tells nothing of the others. */
int secrets_derive(struct secrets *k, const char purpose[8], unsigned char ret[32], char *errmsg,
		   size_t errmsg_len);

#endif
