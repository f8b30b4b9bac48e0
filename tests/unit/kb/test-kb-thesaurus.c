/* Unit tests of the MyThes thesaurus reader (src/kb/thesaurus.c): synonyms
 * and related words, malformed lines named, and Debian's own French and
 * English thesauri read whole (mythes-fr and mythes-en-us, which
 * scripts/install-deps installs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guichet/error.h"
#include "guichet/kb_thesaurus.h"

struct pairs {
	char text[1024];
	size_t n, related;
};

static int keep(const char *word, size_t wl, const char *syn, size_t sl, bool related, void *arg)
{
	struct pairs *p = arg;
	size_t len = strlen(p->text);
	if (len + wl + sl + 8 < sizeof(p->text))
		snprintf(p->text + len, sizeof(p->text) - len, "%.*s=%.*s%s;", (int)wl, word, (int)sl, syn, related ? "*" : "");
	p->n++;
	p->related += related;
	return GC_OK;
}

static void synonyms_and_related_words(void **state)
{
	const char *data = "UTF-8\nfacture|2\n(Nom)|note|addition|compte\n(Nom)|fabrication|façon\r\n"
			   "car|1\n(noun)|auto|motor vehicle (generic term)|automobile\n\n";
	struct pairs p = {0};
	size_t line;
	assert_int_equal(kb_thesaurus_parse(data, strlen(data), keep, &p, &line), GC_OK);
	assert_string_equal(p.text, "facture=note;facture=addition;facture=compte;facture=fabrication;facture=façon;"
				    "car=auto;car=motor vehicle*;car=automobile;");
	assert_int_equal(p.related, 1);
}

static void malformed_lines_are_named(void **state)
{
	static const struct { const char *data; size_t line; } bad[] = {
		{"ISO8859-1\nword|1\n(Nom)|x\n", 1},
		{"UTF-8\nword|2\n(Nom)|x\n", 4},          /* a meaning missing at the end */
		{"UTF-8\nword|x\n", 2},                   /* no count */
		{"UTF-8\nword\n", 2},
		{"UTF-8\n|1\n(Nom)|x\n", 2},              /* no word */
		{"UTF-8\nword|1\nnot a meaning\n", 3},
		{"UTF-8\nmot|1\n(Nom)|\xc3\x28\n", 3},    /* not UTF-8 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pairs p = {0};
		size_t line = 0;
		assert_int_equal(kb_thesaurus_parse(bad[i].data, strlen(bad[i].data), keep, &p, &line), GC_EINVAL);
		assert_int_equal(line, bad[i].line);
	}
}

static char *slurp(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *data = malloc((size_t)n);
	*ret_len = fread(data, 1, (size_t)n, f);
	fclose(f);
	return data;
}

static void debian_thesauri_read_whole(void **state)
{
	static const char *const paths[] = {"/usr/share/mythes/th_fr_FR_v2.dat", "/usr/share/mythes/th_en_US_v2.dat"};
	for (size_t i = 0; i < 2; i++) {
		size_t len = 0, line = 0;
		char *data = slurp(paths[i], &len);
		if (data == NULL) {
			fprintf(stderr, "%s: missing (scripts/install-deps installs mythes-fr and mythes-en-us)\n", paths[i]);
			fail();
		}
		struct pairs p = {0};
		int rc = kb_thesaurus_parse(data, len, keep, &p, &line);
		if (rc != GC_OK)
			fprintf(stderr, "%s: line %zu\n", paths[i], line);
		assert_int_equal(rc, GC_OK);
		fprintf(stderr, "# %s: %zu pairs, %zu related\n", paths[i], p.n, p.related);
		assert_true(p.n > 100000);
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(synonyms_and_related_words),
		cmocka_unit_test(malformed_lines_are_named),
		cmocka_unit_test(debian_thesauri_read_whole),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
