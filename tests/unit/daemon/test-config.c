/* guichetd's settings for throttling (src/daemon/config.c): trusted proxies
 * as addresses or CIDRs from every source, a later source replacing the
 * list of an earlier one, and the hashing pool's bounds; the SIP stack's
 * DNS servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/config.h"
#include "guichet/error.h"

static struct config c;

/* config_load on the NULL-terminated arguments. */
static int load(const char *first, ...)
{
	char *argv[16] = {"guichetd"};
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *a = first; a && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	optind = 0; /* getopt starts again */
	return config_load(&c, argc, argv);
}

static int setup(void **state)
{
	unsetenv("GUICHET_TRUSTED_PROXIES");
	unsetenv("GUICHET_CONFIG");
	unsetenv("GUICHET_MAIL_IDLE");
	unsetenv("GUICHET_DNS_SERVERS");
	return 0;
}

static void defaults(void **state)
{
	assert_int_equal(load(NULL), GC_OK);
	assert_int_equal(c.n_trusted_proxies, 0);
	assert_int_equal(c.max_failed_logins, 5);
	assert_int_equal(c.hash_threads, 1);
	assert_int_equal(c.hash_queue, 64);
	assert_true(c.mail_idle);
	assert_int_equal(c.desk_grace, 30);
	assert_int_equal(c.max_connections_per_address, 4096); /* a site of agents behind one NAT address */
}

/* the key that seals channels' passwords: beside a SQLite file; on
 * PostgreSQL in systemd's state folder when it gives one, else var/ */
static void the_secret_keys_place(void **state)
{
	unsetenv("STATE_DIRECTORY");
	assert_int_equal(load("--db", "/srv/g.db", NULL), GC_OK);
	assert_string_equal(c.secret_key_file, "/srv/g.db.key");
	assert_int_equal(load("--db", "postgresql://g@db/g", NULL), GC_OK);
	assert_string_equal(c.secret_key_file, "var/guichet.key");
	setenv("STATE_DIRECTORY", "/var/lib/guichet:/var/lib/other", 1);
	assert_int_equal(load("--db", "postgresql://g@db/g", NULL), GC_OK);
	assert_string_equal(c.secret_key_file, "/var/lib/guichet/guichet.key");
	unsetenv("STATE_DIRECTORY");
}

/* an agent's closed desk (desks.h): seconds of grace, 0 to never sign out */
static void desk_grace_in_seconds(void **state)
{
	assert_int_equal(load("--desk-grace", "0", NULL), GC_OK);
	assert_int_equal(c.desk_grace, 0);
	assert_int_equal(load("--desk-grace", "0", "--desk-grace", "90", NULL), GC_OK); /* the last one */
	assert_int_equal(c.desk_grace, 90);
	assert_int_equal(load("--desk-grace", "-1", NULL), GC_EINVAL);
	assert_int_equal(load("--desk-grace", "30s", NULL), GC_EINVAL);
}

/* IMAP IDLE (channel/email/idle.h): on unless turned off, from any source */
static void mail_idle_on_or_off(void **state)
{
	assert_int_equal(load("--mail-idle", "off", NULL), GC_OK);
	assert_false(c.mail_idle);
	setenv("GUICHET_MAIL_IDLE", "off", 1);
	assert_int_equal(load(NULL), GC_OK);
	assert_false(c.mail_idle);
	assert_int_equal(load("--mail-idle", "on", NULL), GC_OK); /* the command line last */
	assert_true(c.mail_idle);
	unsetenv("GUICHET_MAIL_IDLE");
	assert_int_equal(load("--mail-idle", "yes", NULL), GC_EINVAL);
}

static void trusted_proxies_from_the_command_line(void **state)
{
	assert_int_equal(load("--trusted-proxy", "10.0.0.0/8,::1", "--trusted-proxy", "192.168.0.0/16",
			      "--hash-threads", "2", "--hash-queue", "128", NULL), GC_OK);
	assert_int_equal(c.n_trusted_proxies, 3);
	assert_int_equal(c.trusted_proxies[1].addr.family, 6);
	assert_int_equal(c.trusted_proxies[2].prefix, 16);
	assert_int_equal(c.hash_threads, 2);
	assert_int_equal(c.hash_queue, 128);
}

static void a_later_source_replaces_the_list(void **state)
{
	char path[] = "/tmp/guichet-config-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# behind the load balancers\ntrusted_proxies = 10.0.0.0/8 fd00::/8\n", f);
	fclose(f);
	assert_int_equal(load("--config", path, NULL), GC_OK);
	assert_int_equal(c.n_trusted_proxies, 2);
	setenv("GUICHET_TRUSTED_PROXIES", "172.16.0.0/12", 1);
	assert_int_equal(load("--config", path, NULL), GC_OK);
	assert_int_equal(c.n_trusted_proxies, 1);
	assert_int_equal(c.trusted_proxies[0].prefix, 12);
	assert_int_equal(load("--config", path, "--trusted-proxy", "::1", NULL), GC_OK);
	assert_int_equal(c.n_trusted_proxies, 1);
	assert_int_equal(c.trusted_proxies[0].prefix, 128);
	unlink(path);
}

/* --dns-server: the SIP stack's DNS servers (none: the system's), an
 * address with or without its port, IPv6 in brackets with one, a comma
 * list, repeatable, the environment's list giving way to the command
 * line's; anything else refused (a host name cannot name the server that
 * resolves names). */
static void dns_servers(void **state)
{
	assert_int_equal(load(NULL), GC_OK);
	assert_int_equal(c.n_dns_servers, 0);
	assert_int_equal(load("--dns-server", "127.0.0.1:5353, 192.0.2.53", "--dns-server", "[2001:db8::53]:54",
			      "--dns-server", "::1", NULL), GC_OK);
	assert_int_equal(c.n_dns_servers, 4);
	assert_string_equal(c.dns_servers[0].addr, "127.0.0.1");
	assert_int_equal(c.dns_servers[0].port, 5353);
	assert_string_equal(c.dns_servers[1].addr, "192.0.2.53");
	assert_int_equal(c.dns_servers[1].port, 53);
	assert_string_equal(c.dns_servers[2].addr, "2001:db8::53");
	assert_int_equal(c.dns_servers[2].port, 54);
	assert_string_equal(c.dns_servers[3].addr, "::1");
	assert_int_equal(c.dns_servers[3].port, 53);
	setenv("GUICHET_DNS_SERVERS", "192.0.2.1,192.0.2.2", 1);
	assert_int_equal(load(NULL), GC_OK);
	assert_int_equal(c.n_dns_servers, 2);
	assert_int_equal(load("--dns-server", "192.0.2.3", NULL), GC_OK);
	assert_int_equal(c.n_dns_servers, 1);
	assert_string_equal(c.dns_servers[0].addr, "192.0.2.3");
	unsetenv("GUICHET_DNS_SERVERS");
	static const char *const bad[] = {"dns.example", "1.2.3.4:0", "1.2.3.4:65536", "1.2.3.4:", "[::1", "[::1]x",
					  "2001:db8::1:53x", "1.2.3", "[dns.example]:53"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (load("--dns-server", bad[i], NULL) != GC_EINVAL)
			fail_msg("--dns-server %s was taken", bad[i]);
	assert_int_equal(load("--dns-server", "1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,8.8.8.8,9.9.9.9",
			      NULL), GC_EINVAL);
}

static void bad_values_are_refused(void **state)
{
	assert_int_equal(load("--trusted-proxy", "10.0.0.1/8", NULL), GC_EINVAL);
	assert_int_equal(load("--trusted-proxy", "proxy.example", NULL), GC_EINVAL);
	assert_int_equal(load("--trusted-proxy", "10.0.0.0/33", NULL), GC_EINVAL);
	char many[1024] = "";
	for (int i = 0; i <= PEER_MAX_TRUSTED; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "10.0.%d.1,", i);
	assert_int_equal(load("--trusted-proxy", many, NULL), GC_EINVAL);
	assert_int_equal(load("--hash-threads", "0", NULL), GC_EINVAL);
	assert_int_equal(load("--hash-threads", "17", NULL), GC_EINVAL);
	assert_int_equal(load("--hash-queue", "0", NULL), GC_EINVAL);
	assert_int_equal(load("--hash-queue", "100000", NULL), GC_EINVAL);
	/* a node's name means nothing without the others to hear it */
	assert_int_equal(load("--db", "postgresql://g@db/g", "--node", "a", NULL), GC_EINVAL);
	assert_int_equal(load("--config", "/nonexistent/guichetd.conf", NULL), GC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(defaults, setup),
		cmocka_unit_test_setup(the_secret_keys_place, setup),
		cmocka_unit_test_setup(trusted_proxies_from_the_command_line, setup),
		cmocka_unit_test_setup(mail_idle_on_or_off, setup),
		cmocka_unit_test_setup(desk_grace_in_seconds, setup),
		cmocka_unit_test_setup(a_later_source_replaces_the_list, setup),
		cmocka_unit_test_setup(dns_servers, setup),
		cmocka_unit_test_setup(bad_values_are_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
