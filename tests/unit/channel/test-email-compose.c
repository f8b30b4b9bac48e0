/* Writing one email (src/channel/email/compose.c): what is written reads
 * back the same through the parser (parse.c), ids, threading headers, an
 * accented subject and body; lines end in CRLF for SMTP; guichet's own
 * automatic mail says so (Auto-Submitted); attachments make a
 * multipart/mixed that reads back with its text, each file's name, type
 * and size (the daily level-2 export's workbook). */
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
	/* the body in UTF-8, as its charset says (text that fits in Latin-1 was
	 * once sent in Latin-1 bytes labelled utf-8: "Bonjour L\uFFFDa") */
	assert_non_null(strstr(text, "charset=utf-8"));
	assert_non_null(strstr(text, "proc=C3=A9dure"));
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
	/* automatic mail that answers no message (a notice, a digest): auto-generated (RFC 3834) */
	o.in_reply_to = NULL;
	o.n_references = 0;
	o.subject = "Incident en cours";
	assert_int_equal(email_compose(&o, &text, &len), GC_OK);
	assert_int_equal(email_parse(text, len, NULL, &e), GC_OK);
	assert_string_equal(e->auto_submitted, "auto-generated");
	email_free(e);
	free(text);
}

static void attachments_make_a_multipart_mixed(void **state)
{
	unsigned char data[3000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 7); /* binary, NULs included */
	const struct email_out_file files[] = {
		{"level2-2026-12-01.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", data,
		 sizeof(data)},
		{"relevé été.txt", "text/plain", "hello", 5},
	};
	struct email_out o = {.from_address = "support@brand.example", .to_address = "tech@brand.example",
			      .subject = "Level-2 contacts of 2026-12-01: 3", .body = "Billing: 2\nUncategorised: 1\n",
			      .message_id = "guichet.l2.1.2026-12-01.ab@brand.example", .date_ms = 1796000000000LL,
			      .automatic = true, .attachments = files, .n_attachments = 2};
	char *text = NULL;
	size_t len = 0;
	assert_int_equal(email_compose(&o, &text, &len), GC_OK);
	assert_non_null(strstr(text, "multipart/mixed"));
	assert_non_null(strstr(text, "Content-Transfer-Encoding: base64"));
	assert_non_null(strstr(text, "Content-Disposition: attachment"));
	struct email *e = NULL;
	assert_int_equal(email_parse(text, len, NULL, &e), GC_OK);
	assert_string_equal(e->auto_submitted, "auto-generated"); /* the level-2 export answers no message */
	assert_non_null(strstr(e->text, "Billing: 2"));
	assert_int_equal(e->n_attachments, 2);
	assert_string_equal(e->attachments[0].filename, "level2-2026-12-01.xlsx");
	assert_string_equal(e->attachments[0].content_type,
			    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
	assert_int_equal(e->attachments[0].size, sizeof(data));
	assert_string_equal(e->attachments[1].filename, "relevé été.txt");
	assert_int_equal(e->attachments[1].size, 5);
	email_free(e);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_reply_reads_back_the_same),
		cmocka_unit_test(attachments_make_a_multipart_mixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
