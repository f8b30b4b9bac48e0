/* The messaging channel's pure parts (src/channel/messaging/twilio.c,
 * generic.c): Twilio's documented signature example, the generic
 * signature and its clock window, and form decoding of odd bodies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/messaging/generic.h"
#include "channel/messaging/twilio.h"
#include "guichet/error.h"

#include <string.h>

/* Twilio's "Webhooks security" guide: token 12345, this URL and these parameters. */
static void twilio_documented_example(void **state)
{
	const char *body = "To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=1234&From=%2B12349013030"
			   "&Caller=%2B12349013030";
	const char *url = "https://mycompany.com/myapp.php?foo=1&bar=2";
	struct msg_form f;
	assert_int_equal(msg_form_parse(body, strlen(body), &f), GC_OK);
	assert_int_equal(f.n_params, 5);
	char sig[TWILIO_SIGNATURE_LEN];
	assert_int_equal(twilio_signature("12345", url, &f, sig), GC_OK);
	assert_string_equal(sig, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
	assert_true(twilio_signature_ok("12345", url, &f, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	assert_false(twilio_signature_ok("12345", url, &f, NULL));
	assert_false(twilio_signature_ok("12346", url, &f, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	assert_false(twilio_signature_ok("12345", "https://mycompany.com/myapp.php?foo=1&bar=3", &f,
					 "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	assert_false(twilio_signature_ok("12345", url, &f, "0/KCTR6DLpKmkAf8muzZqo1nDgQ"));
	msg_form_clear(&f);
	/* one parameter changed: another signature */
	const char *tampered = "To=%2B18005551212&CallSid=CA1234567890ABCDE&Digits=9999&From=%2B12349013030"
			       "&Caller=%2B12349013030";
	assert_int_equal(msg_form_parse(tampered, strlen(tampered), &f), GC_OK);
	assert_false(twilio_signature_ok("12345", url, &f, "0/KCTR6DLpKmkAf8muzZqo1nDgQ="));
	msg_form_clear(&f);
}

static void form_odd_bodies(void **state)
{
	const char *body = "Body=Hello+world%21+%C3%A9t%C3%A9&&A=2&A=1&Empty=&NoValue&Sp%61ce=x%20y";
	struct msg_form f;
	assert_int_equal(msg_form_parse(body, strlen(body), &f), GC_OK);
	assert_int_equal(f.n_params, 6);
	assert_string_equal(msg_form_get(&f, "Body"), "Hello world! \xc3\xa9t\xc3\xa9");
	assert_string_equal(msg_form_get(&f, "A"), "2"); /* the first of a repeated name */
	assert_string_equal(msg_form_get(&f, "Empty"), "");
	assert_string_equal(msg_form_get(&f, "NoValue"), "");
	assert_string_equal(msg_form_get(&f, "Space"), "x y"); /* names are decoded too */
	assert_null(msg_form_get(&f, "Missing"));
	/* repeated names sign sorted by value: the order they came in does not matter */
	struct msg_form g;
	const char *swapped = "A=1&A=2&Body=Hello+world%21+%C3%A9t%C3%A9&Empty=&NoValue=&Space=x+y";
	assert_int_equal(msg_form_parse(swapped, strlen(swapped), &g), GC_OK);
	char s1[TWILIO_SIGNATURE_LEN], s2[TWILIO_SIGNATURE_LEN];
	assert_int_equal(twilio_signature("k", "https://h/x", &f, s1), GC_OK);
	assert_int_equal(twilio_signature("k", "https://h/x", &g, s2), GC_OK);
	assert_string_equal(s1, s2);
	msg_form_clear(&f);
	msg_form_clear(&g);
	/* an escaped NUL and a nameless part are refused; the empty body is no parameter */
	assert_int_equal(msg_form_parse("Body=a%00b", 10, &f), GC_EINVAL);
	assert_int_equal(msg_form_parse("=x", 2, &f), GC_EINVAL);
	assert_int_equal(msg_form_parse("", 0, &f), GC_OK);
	assert_int_equal(f.n_params, 0);
	msg_form_clear(&f);
	char many[MSG_FORM_MAX_PARAMS * 4 + 8] = "";
	for (int i = 0; i <= MSG_FORM_MAX_PARAMS; i++)
		strcat(many, "a=1&");
	assert_int_equal(msg_form_parse(many, strlen(many), &f), GC_ETOOBIG);
}

static void generic_signature_window(void **state)
{
	const char *body = "{\"id\":\"m1\",\"from\":\"+33600000001\",\"text\":\"hi\"}";
	char sig[GENERIC_SIGNATURE_LEN];
	assert_int_equal(generic_signature("secret", "1700000000", body, strlen(body), sig), GC_OK);
	assert_int_equal(strncmp(sig, "sha256=", 7), 0);
	assert_int_equal(strlen(sig), 71);
	int64_t now = 1700000000LL * 1000;
	assert_true(generic_signature_ok("secret", "1700000000", sig, body, strlen(body), now));
	assert_true(generic_signature_ok("secret", "1700000000", sig, body, strlen(body), now + 299000));
	assert_false(generic_signature_ok("secret", "1700000000", sig, body, strlen(body), now + 301000));
	assert_false(generic_signature_ok("secret", "1700000000", sig, body, strlen(body), now - 301000));
	assert_false(generic_signature_ok("other", "1700000000", sig, body, strlen(body), now));
	assert_false(generic_signature_ok("secret", "1700000001", sig, body, strlen(body), now));
	assert_false(generic_signature_ok("secret", "1700000000", sig, body, strlen(body) - 1, now));
	assert_false(generic_signature_ok("secret", NULL, sig, body, strlen(body), now));
	assert_false(generic_signature_ok("secret", "1700000000", NULL, body, strlen(body), now));
	assert_false(generic_signature_ok("secret", "17e8", sig, body, strlen(body), now));
}

static void generic_known_vector(void **state)
{
	char sig[GENERIC_SIGNATURE_LEN];
	assert_int_equal(generic_signature("key", "The quick brown fox jumps over the lazy dog", "", 0, sig), GC_OK);
	/* HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog."), from
	 * printf '...' | openssl dgst -sha256 -hmac key */
	assert_string_equal(sig, "sha256=e98139c39d76eb80d8db982552b44b251b94f312987f91ee72d12ef673caa813");
}

static void generic_events(void **state)
{
	struct generic_event e;
	const char *field = NULL;
	const char *msg = "{\"id\":\"m1\",\"from\":\"@ana\",\"to\":\"@shop\",\"text\":\"hi\",\"timestamp\":1,\"name\":\"Ana\"}";
	assert_int_equal(generic_event_parse(msg, strlen(msg), &e, &field), GC_OK);
	assert_false(e.receipt);
	assert_string_equal(e.from, "@ana");
	assert_string_equal(e.name, "Ana");
	generic_event_clear(&e);
	const char *rcpt = "{\"type\":\"receipt\",\"id\":\"out-1\",\"status\":\"delivered\"}";
	assert_int_equal(generic_event_parse(rcpt, strlen(rcpt), &e, &field), GC_OK);
	assert_true(e.receipt);
	assert_string_equal(e.status, "delivered");
	generic_event_clear(&e);
	const char *bad_status = "{\"type\":\"receipt\",\"id\":\"out-1\",\"status\":\"read\"}";
	assert_int_equal(generic_event_parse(bad_status, strlen(bad_status), &e, &field), GC_EINVAL);
	assert_string_equal(field, "status");
	const char *no_text = "{\"id\":\"m1\",\"from\":\"+1555\"}";
	assert_int_equal(generic_event_parse(no_text, strlen(no_text), &e, &field), GC_EINVAL);
	assert_string_equal(field, "text");
	assert_int_equal(generic_event_parse("[1]", 3, &e, &field), GC_EINVAL);
	const char *num_id = "{\"id\":7,\"from\":\"+1555\",\"text\":\"x\"}";
	assert_int_equal(generic_event_parse(num_id, strlen(num_id), &e, &field), GC_EINVAL);
	assert_string_equal(field, "id");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(twilio_documented_example),
		cmocka_unit_test(form_odd_bodies),
		cmocka_unit_test(generic_signature_window),
		cmocka_unit_test(generic_known_vector),
		cmocka_unit_test(generic_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
