/* The secret key and sealed credentials (src/daemon/secrets.c): the key file
 * is made at the first seal, readable by its owner only; what is sealed
 * opens with the same key only, and not once changed; a key file others
 * may read, or of the wrong size, is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/secrets.h"
#include "guichet/error.h"

static char dir[64];

static int setup(void **state)
{
	assert_true(sodium_init() >= 0);
	snprintf(dir, sizeof(dir), "/tmp/guichet-secrets-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[96];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void sealed_text_opens_with_its_key_only(void **state)
{
	char path[128], other_path[128], why[256];
	snprintf(path, sizeof(path), "%s/a.key", dir);
	snprintf(other_path, sizeof(other_path), "%s/b.key", dir);
	struct secrets *k = secrets_new(path), *other = secrets_new(other_path);
	unsigned char *sealed = NULL, *sealed2 = NULL;
	size_t len = 0, len2 = 0;
	char *text = NULL;
	/* nothing to open before a key exists */
	assert_int_equal(secrets_unseal(k, (const unsigned char *)"0123456789012345678901234567890123456789xxxx", 44,
					&text, why, sizeof(why)), GC_EIO);
	assert_int_equal(secrets_seal(k, "imap password", &sealed, &len, why, sizeof(why)), GC_OK);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_null(memmem(sealed, len, "imap password", 13)); /* not in clear */
	assert_int_equal(secrets_seal(k, "imap password", &sealed2, &len2, why, sizeof(why)), GC_OK);
	assert_int_equal(len, len2);
	assert_memory_not_equal(sealed, sealed2, len); /* a fresh nonce each time */
	assert_int_equal(secrets_unseal(k, sealed, len, &text, why, sizeof(why)), GC_OK);
	assert_string_equal(text, "imap password");
	free(text);
	/* a new process reads the same key from the file */
	struct secrets *again = secrets_new(path);
	assert_int_equal(secrets_unseal(again, sealed2, len2, &text, why, sizeof(why)), GC_OK);
	assert_string_equal(text, "imap password");
	free(text);
	free(sealed2);
	secrets_free(again);
	/* another key, a changed byte, a short box: refused */
	assert_int_equal(secrets_seal(other, "x", &sealed2, &len2, why, sizeof(why)), GC_OK);
	free(sealed2);
	assert_int_equal(secrets_unseal(other, sealed, len, &text, why, sizeof(why)), GC_EAUTH);
	sealed[len - 1] ^= 1;
	assert_int_equal(secrets_unseal(k, sealed, len, &text, why, sizeof(why)), GC_EAUTH);
	assert_int_equal(secrets_unseal(k, sealed, 10, &text, why, sizeof(why)), GC_EAUTH);
	free(sealed);
	secrets_free(k);
	secrets_free(other);
}

/* On PostgreSQL the key's default is var/guichet.key where guichetd runs:
 * a folder that is not there yet is made (its owner's only). */
static void the_key_files_folder_is_made(void **state)
{
	char path[192], why[256], folder[96];
	snprintf(folder, sizeof(folder), "%s/var", dir);
	snprintf(path, sizeof(path), "%s/guichet.key", folder);
	struct secrets *k = secrets_new(path);
	unsigned char *sealed = NULL;
	size_t len = 0;
	assert_int_equal(secrets_seal(k, "pw", &sealed, &len, why, sizeof(why)), GC_OK);
	struct stat st;
	assert_int_equal(stat(folder, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(sealed);
	secrets_free(k);
}

static void unsafe_key_files_are_refused(void **state)
{
	char path[128], why[256];
	snprintf(path, sizeof(path), "%s/c.key", dir);
	struct secrets *k = secrets_new(path);
	unsigned char *sealed = NULL;
	size_t len = 0;
	char *text = NULL;
	assert_int_equal(secrets_seal(k, "pw", &sealed, &len, why, sizeof(why)), GC_OK);
	secrets_free(k);
	assert_int_equal(chmod(path, 0644), 0);
	k = secrets_new(path);
	assert_int_equal(secrets_unseal(k, sealed, len, &text, why, sizeof(why)), GC_EIO);
	assert_non_null(strstr(why, "chmod 600"));
	secrets_free(k);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(truncate(path, 16), 0);
	k = secrets_new(path);
	assert_int_equal(secrets_unseal(k, sealed, len, &text, why, sizeof(why)), GC_EIO);
	assert_non_null(strstr(why, "32-byte"));
	secrets_free(k);
	free(sealed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sealed_text_opens_with_its_key_only),
		cmocka_unit_test(the_key_files_folder_is_made),
		cmocka_unit_test(unsafe_key_files_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
