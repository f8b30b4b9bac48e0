/* Writing one email (src/channel/email/compose.c): what is written reads
 * back the same through the parser (parse.c), ids, threading headers, an
 * accented subject and body; lines end in CRLF for SMTP; guichet's own
 * automatic mail says so (Auto-Submitted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "channel/email/compose.h"
#include "channel/email/parse.h"
#include "guichet/error.h"

static void a_reply_reads_back_the_same(void **state)
{
	const char *refs[] = {"a1@customer.example", "guichet.1.7.abc@brand.example"};
	struct email_out o = {.from_name = "Support Été", .from_address = "support@brand.example",
			      .to_address = "ann@customer.example", .subject = "Re: Mon routeur clignote [#7]",
			      .body = "Bonjour,\nvoici la procédure : redémarrez-le.\n-- \nLe support",
			      .message_id = "guichet.1.7.def@brand.example", .in_reply_to = "a1@customer.example",
			      .references = refs, .n_references = 2, .date_ms = 1796000000000LL};
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(email_compose(&o, &text, &len), GC_OK);
	assert_non_null(strstr(text, "\r\n\r\n")); /* CRLF, headers then body */
	assert_null(strstr(text, "Auto-Submitted"));
	struct email *e = NULL;
	assert_int_equal(email_parse(text, len, NULL, &e), GC_OK);
	assert_string_equal(e->message_id, "guichet.1.7.def@brand.example");
	assert_string_equal(e->in_reply_to, "a1@customer.example");
	assert_int_equal(e->n_references, 2);
	assert_string_equal(e->references[1], "guichet.1.7.abc@brand.example");
	assert_string_equal(e->subject, "Re: Mon routeur clignote [#7]");
	assert_string_equal(e->from.address, "support@brand.example");
	assert_string_equal(e->from.name, "Support Été");
	assert_int_equal(e->n_to, 1);
	assert_string_equal(e->to[0].address, "ann@customer.example");
	assert_non_null(strstr(e->text, "voici la procédure : redémarrez-le."));
	assert_non_null(e->date);
	email_free(e);
	free(text);
	/* automatic mail says so */
	o.automatic = true;
	o.subject = "Accusé de réception";
	assert_int_equal(email_compose(&o, &text, &len), GC_OK);
	assert_int_equal(email_parse(text, len, NULL, &e), GC_OK);
	assert_string_equal(e->auto_submitted, "auto-replied");
	assert_string_equal(e->subject, "Accusé de réception");
	email_free(e);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_reply_reads_back_the_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
