/* Categorisation rules: what a rule may say, and which one an arriving
 * contact matches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "guichet/error.h"
#include "guichet/rules.h"

static json_t *rule(const char *text)
{
	json_error_t jerr;
	json_t *in = json_loads(text, 0, &jerr), *out = NULL;
	assert_non_null(in);
	struct decode_error err;
	int rc = rule_decode(in, &out, &err);
	json_decref(in);
	if (rc < 0)
		fail_msg("%s: %s", err.field, err.message);
	return out;
}

static const char *refused(const char *text)
{
	static char field[96];
	json_t *in = json_loads(text, 0, NULL), *out = NULL;
	assert_non_null(in);
	struct decode_error err;
	assert_int_equal(rule_decode(in, &out, &err), GC_EINVAL);
	json_decref(in);
	assert_null(out);
	snprintf(field, sizeof(field), "%s", err.field);
	return field;
}

static void folding_ignores_case_accents_and_punctuation(void **state)
{
	(void)state;
	char *f = rules_fold("Remboursement PAS reçu !!! (commande n°42)", 1000);
	assert_string_equal(f, " remboursement pas recu commande n 42 ");
	free(f);
	f = rules_fold("", 10);
	assert_string_equal(f, " ");
	free(f);
	/* cut at a character's boundary, never in it */
	f = rules_fold("aé", 2);
	assert_string_equal(f, " a ");
	free(f);
	/* invalid UTF-8 is compared as bytes, not dropped */
	f = rules_fold("Bad\xff Mail", 100);
	assert_non_null(strstr(f, "mail"));
	free(f);
}

static void rules_are_checked_and_named(void **state)
{
	(void)state;
	json_t *r = rule("{\"name\":\"late refund\",\"reason\":\"refund\",\"subject\":[\"refund\"]}");
	assert_int_equal(json_integer_value(json_object_get(r, "level")), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "position")), 100);
	json_decref(r);
	assert_string_equal(refused("{\"reason\":\"x\",\"subject\":[\"a\"]}"), "name");
	assert_string_equal(refused("{\"name\":\"n\",\"subject\":[\"a\"]}"), "reason");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\"}"), "subject");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"subject\":[]}"), "subject");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"subject\":[\"!!\"]}"), "subject");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"from\":[\"nobody\"]}"), "from");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"body\":[\"a\"],\"level\":3}"), "level");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"body\":[\"a\"],\"queue_id\":0}"), "queue_id");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"body\":[\"a\"],\"colour\":1}"), "colour");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"body\":[\"a\"],\"reply\":{}}"), "reply");
	assert_string_equal(refused("{\"name\":\"n\",\"reason\":\"r\",\"body\":[\"a\"],\"level\":2,"
				    "\"reply\":{\"article\":\"x\"}}"),
			    "reply");
}

static void the_first_matching_rule_wins(void **state)
{
	(void)state;
	json_t *rules = json_array();
	json_array_append_new(rules, rule("{\"name\":\"vip\",\"reason\":\"partner\",\"from\":[\"@partner.example\"]}"));
	json_array_append_new(rules, rule("{\"name\":\"outage\",\"reason\":\"network\",\"level\":2,"
					  "\"subject\":[\"panne\",\"outage\"],\"body\":[\"no signal\",\"pas de réseau\"]}"));
	json_array_append_new(rules, rule("{\"name\":\"refund\",\"reason\":\"refund\","
					  "\"subject\":[\"remboursement\",\"refund\"]}"));
	struct rule_subject in = {.from = "Bob@Partner.Example", .subject = "refund"};
	assert_int_equal(rules_match(rules, &in), 0);
	in = (struct rule_subject){.from = "bob@notpartner.example.com", .subject = "Re: REMBOURSEMENT?"};
	assert_int_equal(rules_match(rules, &in), 2);
	/* both conditions of the outage rule must hold */
	in = (struct rule_subject){.from = "a@b.c", .subject = "Panne", .body = "Hello, since this morning: PAS DE RESEAU."};
	assert_int_equal(rules_match(rules, &in), 1);
	in = (struct rule_subject){.from = "a@b.c", .subject = "Panne", .body = "it works again"};
	assert_int_equal(rules_match(rules, &in), -1);
	/* whole words only: "refunded" is not "refund", "npanne" is not "panne" */
	in = (struct rule_subject){.subject = "refunded npanne"};
	assert_int_equal(rules_match(rules, &in), -1);
	/* nothing known matches nothing */
	in = (struct rule_subject){0};
	assert_int_equal(rules_match(rules, &in), -1);
	json_decref(rules);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(folding_ignores_case_accents_and_punctuation),
		cmocka_unit_test(rules_are_checked_and_named),
		cmocka_unit_test(the_first_matching_rule_wins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
