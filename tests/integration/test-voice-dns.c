/* A tenant's trunk registering through a DNS server that never answers
 * (src/channel/voice/trunkreg.c): the daemon is given, as --dns-server, a
 * loopback UDP socket this program holds open and never reads, so that the
 * registrar's host name is asked and never found. The registration is
 * "registering" at first, then "failing" once TRUNKREG_SILENT_MS (40 s)
 * has passed without an answer, saying why, and counted as failing in the
 * metrics; the trunk cleared, it is off. One engine: nothing here is
 * stored differently. Without the bound, libre's resolver kept it
 * "registering" for minutes. */
#include "harness.h"
#include "testport.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "dns pass word"
#define REG_USER "guichet-dns"
#define REG_PASSWORD "registrar-secret-9"
#define SILENT_S 40 /* TRUNKREG_SILENT_MS */

static struct daemon d;
static char *admin;
static int silent_dns = -1; /* the DNS server that never answers */

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A sample of /metrics (0 when absent); name may carry labels. */
static long long metric(const char *name)
{
	return daemon_metric(&d, admin, name);
}

/* The trunk's registration: its state into state, its error into why. */
static void registration(char *state, size_t state_len, char *why, size_t why_len)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	json_t *reg = json_object_get(r.json, "registration");
	snprintf(state, state_len, "%s", json_string_value(json_object_get(reg, "state")) ?: "");
	snprintf(why, why_len, "%s", json_string_value(json_object_get(reg, "error")) ?: "");
	assert_null(strstr(r.text, REG_PASSWORD));
	resp_clear(&r);
}

static int group_setup(void **state)
{
	int dns_port = testport_free(), sip_port = testport_free();
	silent_dns = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)dns_port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (dns_port <= 0 || sip_port <= 0 || silent_dns < 0 || bind(silent_dns, (struct sockaddr *)&a, sizeof(a)) != 0)
		return -1;
	char dns[32], listen[32];
	snprintf(dns, sizeof(dns), "127.0.0.1:%d", dns_port);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port);
	if (daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--sip-listen", listen, "--dns-server", dns, NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	return admin ? 0 : -1;
}

static int group_teardown(void **state)
{
	free(admin);
	int rc = daemon_stop(&d); /* a clean stop, its DNS question still unanswered */
	daemon_cleanup(&d);
	if (silent_dns >= 0)
		close(silent_dns);
	return rc == 0 ? 0 : -1;
}

static void a_silent_dns_server_fails_the_registration_in_40_s(void **state)
{
	struct resp r;
	double put = now_s();
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s,s:s,s:b}", "uri", "sip:{number}@sip.provider.example",
		    "username", REG_USER, "password", REG_PASSWORD, "register", 1), &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	char st[32] = "", why[128] = "";
	for (int i = 0; i < 300 && strcmp(st, "registering") != 0; i++, sleep_ms(10))
		registration(st, sizeof(st), why, sizeof(why));
	assert_string_equal(st, "registering");
	/* still asking well before the bound: the DNS server has said nothing */
	sleep_ms((SILENT_S - 10) * 1000);
	registration(st, sizeof(st), why, sizeof(why));
	assert_string_equal(st, "registering");
	while (strcmp(st, "failing") != 0 && now_s() - put < SILENT_S + 10) {
		sleep_ms(100);
		registration(st, sizeof(st), why, sizeof(why));
	}
	double took = now_s() - put;
	printf("# %s %.1f s after the trunk was set: %s\n", st, took, why);
	assert_string_equal(st, "failing");
	assert_true(took >= SILENT_S - 1);
	assert_non_null(strstr(why, "no answer in 40 s"));
	assert_non_null(strstr(why, "DNS server"));
	assert_int_equal(metric("guichet_voice_trunk_registrations{state=\"failing\"}"), 1);
	assert_int_equal(metric("guichet_voice_trunk_registrations{state=\"registering\"}"), 0);
	/* cleared: off, counted nowhere */
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	for (int i = 0; i < 300 && metric("guichet_voice_trunk_registrations{state=\"failing\"}") != 0; i++)
		sleep_ms(10);
	assert_int_equal(metric("guichet_voice_trunk_registrations{state=\"failing\"}"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_silent_dns_server_fails_the_registration_in_40_s),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
