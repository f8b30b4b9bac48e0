/* The secret key and sealed credentials (secrets.h). */
#include "daemon/secrets.h"
#include "guichet/error.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct secrets {
	pthread_mutex_t lock;
	char path[1024];
	bool loaded;
	unsigned char key[crypto_secretbox_KEYBYTES];
};

struct secrets *secrets_new(const char *key_path)
{
	struct secrets *k = sodium_malloc(sizeof(*k)); /* guarded, never swapped out */
	if (k == NULL)
		return NULL;
	memset(k, 0, sizeof(*k));
	pthread_mutex_init(&k->lock, NULL);
	snprintf(k->path, sizeof(k->path), "%s", key_path);
	return k;
}

void secrets_free(struct secrets *k)
{
	if (k == NULL)
		return;
	pthread_mutex_destroy(&k->lock);
	sodium_free(k); /* zeroes it */
}

/* Reads the key, or makes the file when create and there is none. */
static int load(struct secrets *k, bool create, char *errmsg, size_t errmsg_len)
{
	if (k->loaded)
		return GC_OK;
	int fd = open(k->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		unsigned char key[crypto_secretbox_KEYBYTES];
		crypto_secretbox_keygen(key);
		char folder[sizeof(k->path)];
		snprintf(folder, sizeof(folder), "%s", k->path);
		char *slash = strrchr(folder, '/');
		if (slash && slash != folder) { /* its folder, when missing (var/ where guichetd runs); */
			*slash = '\0';
			(void)mkdir(folder, 0700); /* if it cannot be made, the open below says why */
		}
		fd = open(k->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		bool ok = fd >= 0 && write(fd, key, sizeof(key)) == (ssize_t)sizeof(key) && fsync(fd) == 0;
		int saved = errno;
		if (fd >= 0)
			close(fd);
		if (!ok) {
			unlink(k->path);
			sodium_memzero(key, sizeof(key));
			snprintf(errmsg, errmsg_len, "cannot make the secret key file %s: %s", k->path, strerror(saved));
			return GC_EIO;
		}
		memcpy(k->key, key, sizeof(key));
		sodium_memzero(key, sizeof(key));
		k->loaded = true;
		return GC_OK;
	}
	if (fd < 0) {
		snprintf(errmsg, errmsg_len, "cannot read the secret key file %s: %s", k->path, strerror(errno));
		return GC_EIO;
	}
	struct stat st;
	ssize_t n = fstat(fd, &st) == 0 ? read(fd, k->key, sizeof(k->key)) : -1;
	close(fd);
	if (n != (ssize_t)sizeof(k->key) || st.st_size != (off_t)sizeof(k->key)) {
		sodium_memzero(k->key, sizeof(k->key));
		snprintf(errmsg, errmsg_len, "the secret key file %s is not a %d-byte key", k->path,
			 (int)sizeof(k->key));
		return GC_EIO;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		sodium_memzero(k->key, sizeof(k->key));
		snprintf(errmsg, errmsg_len, "the secret key file %s may be read by others: chmod 600 it", k->path);
		return GC_EIO;
	}
	k->loaded = true;
	return GC_OK;
}

int secrets_seal(struct secrets *k, const char *text, unsigned char **ret, size_t *ret_len, char *errmsg,
		 size_t errmsg_len)
{
	size_t len = strlen(text), total = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + len;
	unsigned char *out = malloc(total);
	if (out == NULL)
		return GC_ENOMEM;
	pthread_mutex_lock(&k->lock);
	int rc = load(k, true, errmsg, errmsg_len);
	if (rc == GC_OK) {
		randombytes_buf(out, crypto_secretbox_NONCEBYTES);
		crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, (const unsigned char *)text, len, out, k->key);
	}
	pthread_mutex_unlock(&k->lock);
	if (rc < 0) {
		free(out);
		return rc;
	}
	*ret = out;
	*ret_len = total;
	return GC_OK;
}

int secrets_unseal(struct secrets *k, const unsigned char *sealed, size_t len, char **ret_text, char *errmsg,
		   size_t errmsg_len)
{
	if (len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		snprintf(errmsg, errmsg_len, "the sealed secret is too short");
		return GC_EAUTH;
	}
	size_t text_len = len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	char *text = malloc(text_len + 1);
	if (text == NULL)
		return GC_ENOMEM;
	pthread_mutex_lock(&k->lock);
	int rc = load(k, false, errmsg, errmsg_len);
	if (rc == GC_OK && crypto_secretbox_open_easy((unsigned char *)text, sealed + crypto_secretbox_NONCEBYTES,
						      len - crypto_secretbox_NONCEBYTES, sealed, k->key) != 0) {
		snprintf(errmsg, errmsg_len, "the secret was not sealed with the key in %s", k->path);
		rc = GC_EAUTH;
	}
	pthread_mutex_unlock(&k->lock);
	if (rc < 0) {
		free(text);
		return rc;
	}
	text[text_len] = '\0';
	*ret_text = text;
	return GC_OK;
}

int secrets_derive(struct secrets *k, const char purpose[8], unsigned char ret[32], char *errmsg,
		   size_t errmsg_len)
{
	_Static_assert(crypto_kdf_KEYBYTES == crypto_secretbox_KEYBYTES, "the installation's key is a kdf key");
	pthread_mutex_lock(&k->lock);
	int rc = load(k, true, errmsg, errmsg_len);
	if (rc == GC_OK)
		crypto_kdf_derive_from_key(ret, 32, 1, purpose, k->key);
	pthread_mutex_unlock(&k->lock);
	return rc;
}
