/* Agents' phones end to end, on the run's engine, against the real daemon
 * taking SIP on loopback (--sip-listen) and SIPp as the phone: a tenant
 * administrator sets an agent's SIP username and password (PUT
 * /api/v1/agents/{id}/sip), checked strictly, answered with the realm and
 * never the password, and another tenant's administrator gets 404; a phone
 * with the right password registers (401 then 200, the binding counted), a
 * wrong password is 403 and so is a disabled user's, another tenant's agent with its own right
 * password is 403 in this tenant's realm (and 200 in its own), Expires 0
 * removes a phone's binding; a flood of
 * REGISTERs from one address is answered 503 past its minute's allowance
 * while other addresses still register.
 *
 * Offers ring the phone (SIPp as the phone's user-agent server, sipp.h): a
 * caller who picks the queue in the menu is offered to the agent, whose
 * phone rings and answers; the media is relayed both ways (the caller's
 * speech to the phone, which echoes it back to the caller: the relay's
 * counters), the caller's BYE reaches the phone and the contact goes to
 * wrap-up, the timeline holds the ring, the bridge and the hang-up; a
 * rejecting from the desktop while the phone rings cancels it, accepting
 * there still bridges the phone once it answers (GET .../call says
 * ringing, nothing to hold yet, then bridged, then none once it ends); a phone answering with
 * an SDP that is not one is hung up (ACK, BYE), nothing bridged; a
 * phone that never answers is sent CANCEL at each offer's timeout and the
 * agent is paused after its max_missed misses; a caller hanging up while
 * the phone rings sends it CANCEL and the contact is abandoned.
 *
 * A bridged call (POST /api/v1/contacts/{id}/call/...): on hold nothing is
 * relayed and the caller gets the music (packet counts), resumed the relay
 * goes on, the hold counted on the timeline, GET .../call following it
 * (bridged, held with the hold's and the talk's time, bridged again); another tenant's and unknown
 * contacts are 404, a call not bridged 409, another agent's hold 403; a
 * transfer to another agent hangs up the first phone and rings and bridges
 * the second (the call is then the second agent's), the timeline keeping
 * both; an escalation puts the caller back to the music in the level-2
 * queue, with no agent's phone on the call. Callbacks (--sip-trunk, SIPp as the
 * customer): accepting rings the agent's phone, then the customer, bridged,
 * reached; a customer answering 486 brings the callback back, its attempt
 * counted. A ring-all queue's offer rings every offered agent's phone; the
 * first to answer takes the call, the others get CANCEL. A tenant's own
 * trunk, set through the API, carries its callbacks instead of --sip-trunk.
 * A trunk that registers (SIPp as the provider's registrar): the digest,
 * the renewal, the provider's call to the registered contact reaching the
 * queue and alice's phone, another tenant's number refused over it, the
 * unregistration when cleared; a wrong password failing visibly, once.
 *
 * Trunks named by a host name, as providers give them, resolved through a
 * real DNS server (dnsmasq.h, given to guichetd by --dns-server): the
 * trunk sip:{number}@trunk.test registers to the port its SRV record
 * names (not 5060: SRV was used) and a callback's call through it reaches
 * the provider; a name that does not resolve fails visibly, the
 * registration failing with the reason, the callback's attempt with a
 * note; an invalid host or an IPv6 literal is 400 naming the member. */
#include "dnsmasq.h"
#include "harness.h"
#include "sipp.h"
#include "srvguard.h"
#include "testport.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "voice pass word"
#define PHONE_PASSWORD "phone-secret-1"
#define OTHER_PASSWORD "phone-secret-2"
#define PER_MINUTE 120 /* REGISTRAR_PER_MINUTE */

static struct daemon d;
static char *admin, *other, *agent, *carol;
static int sip_port, customer_port; /* customer_port: the trunk, where callbacks call customers */
static long long agent_id, agent2_id, other_agent_id, tenant_one, tenant_two;
static char realm_one[32], realm_two[32];
static struct dnsmasq dns;
static int srv_port;             /* where trunk.test's SRV record sends SIP (UDP) */
static char dns_server[32];      /* --dns-server: dnsmasq's address */

static long long tenant_of(const char *token)
{
	struct resp r;
	http_expect(&d, "GET", token, 200, NULL, &r, "/api/v1/me");
	long long id = resp_int(&r, "tenant_id");
	resp_clear(&r);
	return id;
}

/* A new agent of the tenant of admin_token (with a routing profile). */
static long long new_agent(const char *admin_token, const char *email)
{
	long long id = post_id(&d, admin_token, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name",
			       "A", "password", PASSWORD, "role", "agent"));
	struct resp r;
	http_expect(&d, "PUT", admin_token, 200, json_pack("{s:i,s:[],s:{s:i}}", "level", 1, "skills", "capacity",
		    "phone", 1), &r, "/api/v1/agents/%lld", id);
	resp_clear(&r);
	return id;
}

static int setup(void **state)
{
	if (system("command -v sipp >/dev/null 2>&1") != 0) {
		fprintf(stderr, "test-voice-agent: sipp is not installed (apt-get install sip-tester)\n");
		return -1;
	}
	sip_port = testport_free();
	customer_port = testport_free();
	srv_port = testport_free();
	char srv[96];
	snprintf(srv, sizeof(srv), "--srv-host=_sip._udp.trunk.test,sip.trunk.test,%d", srv_port);
	const char *records[] = {"--address=/trunk.test/127.0.0.1", srv, "--address=/invalid/"};
	if (dnsmasq_start(&dns, "test", records, sizeof(records) / sizeof(records[0])) != 0) {
		fprintf(stderr, "test-voice-agent: dnsmasq did not start (apt-get install dnsmasq-base)\n");
		return -1;
	}
	snprintf(dns_server, sizeof(dns_server), "127.0.0.1:%d", dns.port);
	char listen[32], trunk[64];
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port);
	snprintf(trunk, sizeof(trunk), "sip:{number}@127.0.0.1:%d", customer_port);
	if (sip_port <= 0 || daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0 ||
	    daemon_start(&d, "--sip-listen", listen, "--sip-trunk", trunk, "--dns-server", dns_server, NULL) != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	other = login(&d, "admin@other.example", PASSWORD);
	agent_id = new_agent(admin, "alice@brand.example");
	agent2_id = new_agent(admin, "carol@brand.example");
	other_agent_id = new_agent(other, "bob@other.example");
	agent = login(&d, "alice@brand.example", PASSWORD);
	tenant_one = tenant_of(admin);
	tenant_two = tenant_of(other);
	snprintf(realm_one, sizeof(realm_one), "t%lld.guichet", tenant_one);
	snprintf(realm_two, sizeof(realm_two), "t%lld.guichet", tenant_two);
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other);
	free(agent);
	free(carol);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	dnsmasq_stop(&dns);
	return rc == 0 ? 0 : -1;
}

/* A sample of /metrics (0 when absent); name may carry labels. */
static long long metric(const char *name)
{
	return daemon_metric(&d, admin, name);
}

/* One run of scenario as a phone of user with password in realm, from
 * address: SIPp's exit status (0: the scenario's answers came), -1 when it
 * could not run. Its log is printed when it fails. */
static int phone_at(const char *scenario, const char *user, const char *password, const char *realm, int port)
{
	char dir[] = "/tmp/guichet-phone-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return -1;
	char path[512], remote[64], local_port[16], log[128];
	snprintf(path, sizeof(path), "%s/tests/integration/sipp/%s", GUICHET_SOURCE_DIR, scenario);
	snprintf(remote, sizeof(remote), "127.0.0.1:%d", sip_port);
	snprintf(local_port, sizeof(local_port), "%d", port);
	snprintf(log, sizeof(log), "%s/sipp.log", dir);
	char *argv[] = {"sipp", "-sf", path, remote, "-key", "realm", (char *)realm, "-key", "user", (char *)user,
			"-au", (char *)user, "-ap", (char *)password, "-m", "1", "-i", "127.0.0.1", "-p", local_port,
			"-nostdin", "-timeout", "20", "-timeout_error", "-trace_err", "-t", "u1", NULL};
	pid_t parent = getpid(), pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (getppid() != parent || fd < 0 || chdir(dir) < 0)
			_exit(127);
		dup2(fd, 1);
		dup2(fd, 2);
		execvp("sipp", argv);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	char cmd[256];
	if (rc != 0) {
		snprintf(cmd, sizeof(cmd), "tail -30 %s/sipp.log >&2; cat %s/*errors.log >&2 2>/dev/null", dir, dir);
		if (system(cmd) != 0)
			fprintf(stderr, "test-voice-agent: no SIPp log\n");
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test-voice-agent: cannot remove %s\n", dir);
	return rc;
}

static int phone(const char *scenario, const char *user, const char *password, const char *realm)
{
	return phone_at(scenario, user, password, realm, testport_free());
}

static const char *error_field(const struct resp *r)
{
	const char *f = json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
	return f ? f : "";
}

static void credentials_are_set_by_the_tenant_admin_and_never_shown(void **state)
{
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s}", "username", "alice", "password", PHONE_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent_id);
	assert_string_equal(json_string_value(json_object_get(r.json, "realm")), realm_one);
	assert_string_equal(json_string_value(json_object_get(r.json, "username")), "alice");
	assert_null(strstr(r.text, PHONE_PASSWORD));
	assert_null(json_object_get(r.json, "ha1"));
	resp_clear(&r);
	/* strict: the member at fault named */
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s,s:s}", "username", "al ice", "password", PHONE_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent_id);
	assert_string_equal(error_field(&r), "username");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s,s:s}", "username", "alice", "password", "short"), &r,
		    "/api/v1/agents/%lld/sip", agent_id);
	assert_string_equal(error_field(&r), "password");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s,s:s,s:s}", "username", "alice", "password", PHONE_PASSWORD,
		    "realm", "x"), &r, "/api/v1/agents/%lld/sip", agent_id);
	assert_string_equal(error_field(&r), "realm");
	resp_clear(&r);
	/* a username is one agent's in its tenant */
	http_expect(&d, "PUT", admin, 409, json_pack("{s:s,s:s}", "username", "alice", "password", PHONE_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent2_id);
	assert_string_equal(error_field(&r), "username");
	resp_clear(&r);
	/* an agent cannot set them; another tenant cannot see this agent */
	http_expect(&d, "PUT", agent, 403, json_pack("{s:s,s:s}", "username", "alice", "password", PHONE_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent_id);
	resp_clear(&r);
	http_expect(&d, "PUT", other, 404, json_pack("{s:s,s:s}", "username", "mallory", "password", PHONE_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent_id);
	resp_clear(&r);
	/* the same username in another tenant is another realm's: fine */
	http_expect(&d, "PUT", other, 200, json_pack("{s:s,s:s}", "username", "bob", "password", OTHER_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", other_agent_id);
	assert_string_equal(json_string_value(json_object_get(r.json, "realm")), realm_two);
	resp_clear(&r);
}

static void a_phone_with_the_right_password_registers(void **state)
{
	long long ok = metric("guichet_voice_registers_total{result=\"ok\"}");
	long long challenged = metric("guichet_voice_registers_total{result=\"challenged\"}");
	assert_int_equal(phone("register.xml", "alice", PHONE_PASSWORD, realm_one), 0);
	assert_int_equal(metric("guichet_voice_registers_total{result=\"ok\"}"), ok + 1);
	assert_int_equal(metric("guichet_voice_registers_total{result=\"challenged\"}"), challenged + 1);
	assert_int_equal(metric("guichet_voice_phones_registered"), 1);
	/* registering again replaces the binding: still one phone */
	assert_int_equal(phone("register.xml", "alice", PHONE_PASSWORD, realm_one), 0);
	assert_int_equal(metric("guichet_voice_phones_registered"), 1);
}

static void a_wrong_password_is_403(void **state)
{
	long long denied = metric("guichet_voice_registers_total{result=\"denied\"}");
	assert_int_equal(phone("register_denied.xml", "alice", "not-the-password", realm_one), 0);
	/* a user nobody set, and a realm that is no tenant's */
	assert_int_equal(phone("register_denied.xml", "nobody", PHONE_PASSWORD, realm_one), 0);
	assert_int_equal(metric("guichet_voice_registers_total{result=\"denied\"}"), denied + 2);
	/* a disabled user's phone is refused, and registers again once enabled */
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s}", "username", "carol", "password", PHONE_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent2_id);
	resp_clear(&r);
	http_expect(&d, "POST", admin, 200, NULL, &r, "/api/v1/users/%lld/disable", agent2_id);
	resp_clear(&r);
	assert_int_equal(phone("register_denied.xml", "carol", PHONE_PASSWORD, realm_one), 0);
	http_expect(&d, "POST", admin, 200, NULL, &r, "/api/v1/users/%lld/enable", agent2_id);
	resp_clear(&r);
	assert_int_equal(phone("register.xml", "carol", PHONE_PASSWORD, realm_one), 0);
	assert_int_equal(phone("unregister.xml", "carol", PHONE_PASSWORD, realm_one), 0);
}

static void another_tenants_agent_cannot_register_in_this_realm(void **state)
{
	/* bob's right password, but in the brand's realm: no such user there */
	assert_int_equal(phone("register_denied.xml", "bob", OTHER_PASSWORD, realm_one), 0);
	/* alice's credentials in the other tenant's realm: refused too */
	assert_int_equal(phone("register_denied.xml", "alice", PHONE_PASSWORD, realm_two), 0);
	/* in its own realm, bob registers */
	assert_int_equal(phone("register.xml", "bob", OTHER_PASSWORD, realm_two), 0);
	assert_int_equal(metric("guichet_voice_phones_registered"), 2);
	/* Expires: 0 removes its binding, and only its */
	assert_int_equal(phone("unregister.xml", "bob", OTHER_PASSWORD, realm_two), 0);
	assert_int_equal(metric("guichet_voice_phones_registered"), 1);
}

/* REGISTERs without credentials from 127.0.0.2: how many got 401 and 503. */
static void flood(int n, int *ret_401, int *ret_503)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in from = {.sin_family = AF_INET}, to = {.sin_family = AF_INET, .sin_port = htons(sip_port)};
	inet_pton(AF_INET, "127.0.0.2", &from.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	socklen_t len = sizeof(from);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&from, &len), 0);
	int port = ntohs(from.sin_port);
	*ret_401 = *ret_503 = 0;
	char msg[768], buf[2048];
	for (int i = 0; i < n; i++) {
		int l = snprintf(msg, sizeof(msg),
			 "REGISTER sip:%s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:%d;branch=z9hG4bKflood%d\r\n"
			 "From: <sip:flood@%s>;tag=f%d\r\nTo: <sip:flood@%s>\r\nCall-ID: flood-%d@127.0.0.2\r\n"
			 "CSeq: 1 REGISTER\r\nContact: <sip:flood@127.0.0.2:%d>\r\nMax-Forwards: 70\r\n"
			 "Content-Length: 0\r\n\r\n", realm_one, port, i, realm_one, i, realm_one, i, port);
		assert_int_equal(sendto(fd, msg, (size_t)l, 0, (struct sockaddr *)&to, sizeof(to)), l);
		if (i % 20 == 19)
			nanosleep(&(struct timespec){.tv_nsec = 20 * 1000 * 1000}, NULL);
	}
	struct timeval tv = {.tv_sec = 2};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t got;
	while (*ret_401 + *ret_503 < n && (got = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[got] = '\0';
		if (strncmp(buf, "SIP/2.0 401 ", 12) == 0)
			++*ret_401;
		else if (strncmp(buf, "SIP/2.0 503 ", 12) == 0 && strstr(buf, "Retry-After: "))
			++*ret_503;
	}
	close(fd);
}

static void a_flood_from_one_address_is_throttled(void **state)
{
	long long throttled = metric("guichet_voice_registers_total{result=\"throttled\"}");
	int n401 = 0, n503 = 0;
	flood(PER_MINUTE + 30, &n401, &n503);
	assert_int_equal(n401, PER_MINUTE);
	assert_int_equal(n503, 30);
	assert_int_equal(metric("guichet_voice_registers_total{result=\"throttled\"}"), throttled + 30);
	/* other addresses are not slowed by it */
	assert_int_equal(phone("register.xml", "alice", PHONE_PASSWORD, realm_one), 0);
}

/* --- offers ring the phone --- */

#define TALK_NUMBER "+33100000201"  /* a menu: 1 for the talk queue */
#define RING_NUMBER "+33100000202"  /* the ring queue: offers of 1 s */
#define WAIT_NUMBER "+33100000203"  /* the wait queue: offers of 30 s */
#define CALLER "+33612345678"
#define MAX_MISSED 2

static long long talk_queue, ring_queue, wait_queue, voice_skill;
static int phone_port;

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

static long long new_queue(long long skill, const char *name, int offer_timeout_s)
{
	return post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", name, "skill_id",
		       (json_int_t)skill, "channel", "phone", "offer_timeout_s", offer_timeout_s, "wrapup_s", 1));
}

static void presence(const char *p)
{
	struct resp r;
	http_expect(&d, "POST", agent, 200, json_pack("{s:s}", "presence", p), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
}

/* The agent's live presence and state, into buffers. */
static void live(char *ret_presence, char *ret_state, size_t len)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/agents/%lld", agent_id);
	json_t *l = json_object_get(r.json, "live");
	snprintf(ret_presence, len, "%s", json_string_value(json_object_get(l, "presence")) ?: "");
	snprintf(ret_state, len, "%s", json_string_value(json_object_get(l, "state")) ?: "");
	resp_clear(&r);
}

/* Waits (up to 3 s) for the agent's wrap-up to end, if any. */
static void wait_idle(void)
{
	char presence_buf[64], state_buf[64];
	for (int i = 0; i < 300; i++) {
		live(presence_buf, state_buf, sizeof(presence_buf));
		if (strcmp(state_buf, "wrap_up") != 0 && strcmp(state_buf, "wrapup") != 0 && strcmp(state_buf, "busy") != 0)
			return;
		sleep_ms(10);
	}
	fail_msg("the agent is still %s", state_buf);
}

/* Numbers, queues, alice serving them with her phone registered at
 * phone_port (where the tests' SIPp phone listens), available. */
static void phone_setup(void)
{
	if (talk_queue)
		return;
	long long skill = voice_skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "voice"));
	talk_queue = new_queue(skill, "talk", 30);
	ring_queue = new_queue(skill, "ring", 1);
	wait_queue = new_queue(skill, "wait", 30);
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i},s:i}", "level", 1, "skills", "skill_id",
		    (json_int_t)skill, "proficiency", 5, "capacity", "phone", 1, "max_missed", MAX_MISSED), &r,
		    "/api/v1/agents/%lld", agent_id);
	resp_clear(&r);
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:{s:s,s:{s:{s:I}}}}", "number",
		TALK_NUMBER, "menu", "prompt", "Press 1.", "options", "1", "queue_id", (json_int_t)talk_queue));
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:I}", "number", RING_NUMBER, "queue_id",
		(json_int_t)ring_queue));
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:I}", "number", WAIT_NUMBER, "queue_id",
		(json_int_t)wait_queue));
	phone_port = testport_free();
	assert_int_equal(phone_at("register.xml", "alice", PHONE_PASSWORD, realm_one, phone_port), 0);
}

/* The newest contact's id (0: none). */
static long long newest_contact(void)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts?limit=1");
	json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
	long long id = first ? json_integer_value(json_object_get(first, "id")) : 0;
	resp_clear(&r);
	return id;
}

/* The contact's call events of type, in order (a new reference), waiting
 * (up to 5 s) for at least one call_ended. */
static json_t *call_events(long long contact, const char *type)
{
	json_t *found = json_array();
	for (int i = 0; i < 500; i++) {
		json_array_clear(found);
		bool ended = false;
		struct resp r;
		http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
		size_t k;
		json_t *e;
		json_array_foreach(json_object_get(r.json, "items"), k, e) {
			const char *t = json_string_value(json_object_get(e, "type"));
			ended |= t && strcmp(t, "call_ended") == 0;
			if (t && strcmp(t, type) == 0)
				json_array_append(found, json_object_get(e, "data"));
		}
		resp_clear(&r);
		if (ended)
			break;
		sleep_ms(10);
	}
	return found;
}

/* The contact's call_customer_dialed events, once there is one: the step
 * reaches the writer after SIPp is done (3 s at most). */
static json_t *dialed_events(long long contact)
{
	json_t *ev = NULL;
	for (int i = 0; i < 300; i++) {
		json_decref(ev);
		ev = call_events(contact, "call_customer_dialed");
		if (json_array_size(ev) > 0)
			break;
		sleep_ms(10);
	}
	return ev;
}

static const char *disposition(long long contact, char *buf, size_t len)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	snprintf(buf, len, "%s", json_string_value(json_object_get(r.json, "disposition")) ?: "");
	resp_clear(&r);
	return buf;
}

static void call_action(const char *token, int status, long long contact, const char *action, json_t *body,
			struct resp *r)
{
	http_expect(&d, "POST", token, status, body, r, "/api/v1/contacts/%lld/call/%s", contact, action);
}

/* GET /api/v1/contacts/{id}/call as admin: its state ("none", "ringing",
 * "bridged", "held") into buf, its agent (0: none) returned. */
static long long call_state(long long contact, char *buf, size_t len)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/call", contact);
	assert_int_equal(json_integer_value(json_object_get(r.json, "contact_id")), contact);
	snprintf(buf, len, "%s", json_string_value(json_object_get(r.json, "state")) ?: "");
	long long agent_of = json_integer_value(json_object_get(r.json, "agent_id"));
	resp_clear(&r);
	return agent_of;
}

/* Waits (up to 10 s) for the contact's call to be in state: its agent. */
static long long wait_call_state(long long contact, const char *state)
{
	char buf[32] = "";
	for (int i = 0; i < 1000; i++) {
		long long who = call_state(contact, buf, sizeof(buf));
		if (strcmp(buf, state) == 0)
			return who;
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
	fail_msg("the call of contact %lld is %s, not %s", contact, buf, state);
	return 0;
}

static void the_phone_answers_and_the_media_is_bridged(void **state)
{
	if (geteuid() != 0) { /* SIPp plays keys and speech through a raw socket */
		fprintf(stderr, "test-voice-agent: skipped: SIPp plays pcap audio as root only\n");
		skip();
	}
	phone_setup();
	presence("available");
	long long before = newest_contact(), rung = metric("guichet_voice_agent_rings_total{result=\"rung\"}");
	long long answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	long long to_agent = metric("guichet_voice_rtp_relayed_total{to=\"agent\"}");
	long long to_caller = metric("guichet_voice_rtp_relayed_total{to=\"caller\"}");
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	sleep_ms(300); /* its socket bound */
	assert_int_equal(sipp_start_opts(&caller, "call_talk.xml", sip_port, TALK_NUMBER, CALLER, false, false), 0);
	assert_int_equal(sipp_wait(&caller, 30000), 0);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* the caller's BYE reached the phone */
	long long contact = newest_contact();
	assert_true(contact > before);
	assert_int_equal(metric("guichet_voice_agent_rings_total{result=\"rung\"}"), rung + 1);
	assert_int_equal(metric("guichet_voice_agent_rings_total{result=\"answered\"}"), answered + 1);
	/* 236 packets of speech to the phone, echoed back to the caller */
	long long n_to_agent = metric("guichet_voice_rtp_relayed_total{to=\"agent\"}") - to_agent;
	long long n_to_caller = metric("guichet_voice_rtp_relayed_total{to=\"caller\"}") - to_caller;
	fprintf(stderr, "# relayed: %lld to the agent, %lld to the caller\n", n_to_agent, n_to_caller);
	assert_true(n_to_agent >= 200);
	assert_true(n_to_caller >= 200);
	/* the timeline: rung, bridged with the wait, ended by the caller with the talk */
	json_t *ev = call_events(contact, "call_agent_rung");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id")), agent_id);
	json_decref(ev);
	ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id")), agent_id);
	assert_non_null(json_object_get(json_array_get(ev, 0), "waited_s"));
	json_decref(ev);
	ev = call_events(contact, "call_ended");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "by")), "caller");
	assert_true(json_integer_value(json_object_get(json_array_get(ev, 0), "talk_s")) >= 6);
	json_decref(ev);
	/* the hang-up started the wrap-up (router_wrapup alone sets this
	 * disposition): the contact resolved, the agent back after it */
	char buf[64];
	assert_string_equal(disposition(contact, buf, sizeof(buf)), "call_ended");
	wait_idle();
	assert_int_equal(metric("guichet_voice_calls_active"), 0);
}

static void the_agent_hanging_up_ends_the_call(void **state)
{
	phone_setup();
	wait_idle();
	presence("available");
	long long before = newest_contact();
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_hangup.xml", phone_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start_opts(&caller, "call_hung_up.xml", sip_port, WAIT_NUMBER, CALLER, false, false), 0);
	assert_int_equal(sipp_wait(&ph, 20000), 0);
	assert_int_equal(sipp_wait(&caller, 10000), 0); /* the agent's BYE reached the caller */
	long long contact = newest_contact();
	assert_true(contact > before);
	json_t *ev = call_events(contact, "call_ended");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "by")), "agent");
	json_decref(ev);
	char buf[64];
	assert_string_equal(disposition(contact, buf, sizeof(buf)), "call_ended");
	wait_idle();
}

/* Waits (up to 5 s) for the phone to ring for a new contact after before: its id. */
static long long wait_ringing(long long before, long long rung)
{
	for (int i = 0; i < 500; i++) {
		long long contact = newest_contact();
		if (contact > before && metric("guichet_voice_agent_rings_total{result=\"rung\"}") > rung)
			return contact;
		sleep_ms(10);
	}
	fail_msg("the phone did not ring");
	return 0;
}

static void rejecting_from_the_desktop_cancels_the_ring(void **state)
{
	phone_setup();
	wait_idle();
	presence("available");
	long long before = newest_contact(), rung = metric("guichet_voice_agent_rings_total{result=\"rung\"}");
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_ring.xml", phone_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start(&caller, "call.xml", sip_port, WAIT_NUMBER, CALLER, false), 0);
	long long contact = wait_ringing(before, rung);
	struct resp r;
	http_expect(&d, "POST", agent, 204, NULL, &r, "/api/v1/contacts/%lld/reject", contact);
	resp_clear(&r);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* the CANCEL came */
	assert_int_equal(sipp_wait(&caller, 20000), 0);
	json_t *ev = call_events(contact, "call_agent_no_answer");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "reason")), "rejected");
	json_decref(ev);
}

static void accepting_from_the_desktop_still_bridges_the_phone(void **state)
{
	phone_setup();
	wait_idle();
	presence("available");
	long long before = newest_contact(), rung = metric("guichet_voice_agent_rings_total{result=\"rung\"}");
	long long answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer_late.xml", phone_port, 1), 0);
	sleep_ms(300);
	/* the caller does not echo (the phone does: packets would loop) */
	assert_int_equal(sipp_start_opts(&caller, "call.xml", sip_port, WAIT_NUMBER, CALLER, false, false), 0);
	long long contact = wait_ringing(before, rung);
	struct resp r;
	http_expect(&d, "POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	resp_clear(&r);
	/* the phone rings (2 s before it answers): the API says so, and
	 * there is nothing to hold yet */
	char buf[64];
	assert_int_equal(call_state(contact, buf, sizeof(buf)), agent_id);
	assert_string_equal(buf, "ringing");
	http_expect(&d, "GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/call", contact);
	assert_true(json_integer_value(json_object_get(r.json, "ringing_s")) >= 0);
	assert_null(json_object_get(r.json, "talk_s"));
	resp_clear(&r);
	call_action(agent, 409, contact, "hold", NULL, &r);
	assert_string_equal(error_field(&r), "contact");
	resp_clear(&r);
	assert_int_equal(wait_call_state(contact, "bridged"), agent_id);
	/* the CLI reads the same state */
	char token_file[160], id[24], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fputs(admin, f);
	fclose(f);
	snprintf(id, sizeof(id), "%lld", contact);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "call", "show", id, NULL), 0);
	assert_non_null(strstr(out, "\"bridged\""));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "call", "show", "x", NULL), 2);
	free(out);
	free(err);
	assert_int_equal(sipp_wait(&caller, 20000), 0);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* answered, then the caller's BYE */
	wait_call_state(contact, "none");
	json_t *ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 1);
	json_decref(ev);
	assert_int_equal(metric("guichet_voice_agent_rings_total{result=\"answered\"}"), answered + 1);
	assert_string_equal(disposition(contact, buf, sizeof(buf)), "call_ended");
	wait_idle();
}

static void a_phone_answering_nonsense_is_hung_up(void **state)
{
	phone_setup();
	wait_idle();
	presence("available");
	long long before = newest_contact(), rung = metric("guichet_voice_agent_rings_total{result=\"rung\"}");
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_bad_answer.xml", phone_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start(&caller, "call.xml", sip_port, WAIT_NUMBER, CALLER, false), 0);
	long long contact = wait_ringing(before, rung);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* ACK, then BYE */
	assert_int_equal(sipp_wait(&caller, 20000), 0);
	json_t *ev = call_events(contact, "call_agent_no_answer");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "reason")), "bad_answer");
	json_decref(ev);
	ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 0);
	json_decref(ev);
	char buf[64];
	assert_string_equal(disposition(contact, buf, sizeof(buf)), "abandoned");
	assert_int_equal(metric("guichet_voice_calls_active"), 0);
}

static void an_unanswered_phone_pauses_the_agent(void **state)
{
	phone_setup();
	presence("available");
	long long before = newest_contact();
	long long unanswered = metric("guichet_voice_agent_rings_total{result=\"unanswered\"}");
	/* two callers: an agent who missed a contact is not offered it again
	 * until her state changes, so each miss is another caller's offer */
	struct sipp ph, caller[MAX_MISSED];
	assert_int_equal(sipp_serve(&ph, "agent_ring.xml", phone_port, MAX_MISSED), 0);
	sleep_ms(300);
	for (int i = 0; i < MAX_MISSED; i++)
		assert_int_equal(sipp_start(&caller[i], "call.xml", sip_port, RING_NUMBER, CALLER, false), 0);
	assert_int_equal(sipp_wait(&ph, 20000), 0); /* a CANCEL at each offer's timeout */
	for (int i = 0; i < MAX_MISSED; i++)
		assert_int_equal(sipp_wait(&caller[i], 20000), 0);
	assert_int_equal(metric("guichet_voice_agent_rings_total{result=\"unanswered\"}"), unanswered + MAX_MISSED);
	char presence_buf[64], state_buf[64];
	live(presence_buf, state_buf, sizeof(presence_buf));
	assert_string_equal(presence_buf, "paused");
	/* each call: rung once, not answered (the offer expired), abandoned */
	long long contact = newest_contact();
	for (int i = 0; i < MAX_MISSED; i++, contact--) {
		assert_true(contact > before);
		json_t *ev = call_events(contact, "call_agent_no_answer");
		assert_int_equal(json_array_size(ev), 1);
		assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "reason")), "expired");
		json_decref(ev);
		assert_string_equal(disposition(contact, presence_buf, sizeof(presence_buf)), "abandoned");
	}
}

static void a_caller_hanging_up_while_the_phone_rings_cancels_it(void **state)
{
	phone_setup();
	presence("available");
	long long before = newest_contact();
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_ring.xml", phone_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start(&caller, "call.xml", sip_port, WAIT_NUMBER, CALLER, false), 0);
	assert_int_equal(sipp_wait(&caller, 20000), 0);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* the CANCEL came */
	long long contact = newest_contact();
	assert_true(contact > before);
	json_t *ev = call_events(contact, "call_agent_no_answer");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "reason")), "caller_hung_up");
	json_decref(ev);
	char buf[64];
	for (int i = 0; i < 300 && strcmp(disposition(contact, buf, sizeof(buf)), "abandoned") != 0; i++)
		sleep_ms(10);
	assert_string_equal(buf, "abandoned");
}

/* --- a bridged call held, resumed, transferred (POST /api/v1/contacts/{id}/call/...) --- */

#define CAROL_PASSWORD "phone-secret-3"
static int carol_port;

/* Waits (up to 10 s) for a new contact after before to be bridged (the
 * answered counter past answered): its id. */
static long long wait_bridged(long long before, long long answered)
{
	for (int i = 0; i < 1000; i++) {
		long long contact = newest_contact();
		if (contact > before && metric("guichet_voice_agent_rings_total{result=\"answered\"}") > answered)
			return contact;
		sleep_ms(10);
	}
	fail_msg("no call was bridged");
	return 0;
}

static long long relayed_to_agent(void)
{
	return metric("guichet_voice_rtp_relayed_total{to=\"agent\"}");
}

static long long relayed_to_caller(void)
{
	return metric("guichet_voice_rtp_relayed_total{to=\"caller\"}");
}

static long long sent_to_callers(void)
{
	return metric("guichet_voice_rtp_sent_total");
}

/* alice's phone registered again: its binding lasts 120 s (register.xml), less than a slow run */
static void alice_registers(void)
{
	assert_int_equal(phone_at("register.xml", "alice", PHONE_PASSWORD, realm_one, phone_port), 0);
}

/* The stream's next "call" frames of contact, up to the one whose state is
 * last (first, when not NULL, must come on the way), all of the agent's. */
static void expect_call_frames(struct sse *s, long long contact, const char *first, const char *last)
{
	if (last == NULL)
		last = first, first = NULL;
	bool first_seen = first == NULL;
	struct sse_event ev = {0};
	for (;;) {
		assert_true(sse_next(s, "call", 5000, &ev));
		assert_int_equal(json_integer_value(json_object_get(ev.data, "contact_id")), contact);
		assert_int_equal(json_integer_value(json_object_get(ev.data, "agent_id")), agent_id);
		const char *st = json_string_value(json_object_get(ev.data, "state"));
		assert_non_null(st);
		assert_int_equal(ev.id, 0); /* not a stored event: no id to resume from */
		if (first && strcmp(st, first) == 0)
			first_seen = true;
		if (strcmp(st, last) == 0)
			break;
	}
	json_decref(ev.data);
	assert_true(first_seen);
}

/* The stream's next "call" frame (within timeout_ms), in state, and the
 * contact's timeline, read at once, already has event: a screen told of a
 * call's change reads a timeline that has it. The frame's contact. */
static long long frame_after_its_event(struct sse *s, const char *state, const char *event, int timeout_ms)
{
	struct sse_event ev = {0};
	assert_true(sse_next(s, "call", timeout_ms, &ev));
	long long contact = json_integer_value(json_object_get(ev.data, "contact_id"));
	const char *st = json_string_value(json_object_get(ev.data, "state"));
	assert_non_null(st);
	if (strcmp(st, state) != 0)
		fail_msg("a %s frame where %s was expected", st, state);
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
	bool found = false;
	size_t k;
	json_t *e;
	json_array_foreach(json_object_get(r.json, "items"), k, e) {
		const char *t = json_string_value(json_object_get(e, "type"));
		found |= t && strcmp(t, event) == 0;
	}
	resp_clear(&r);
	json_decref(ev.data);
	if (!found)
		fail_msg("told %s before %s was on contact %lld's timeline", state, event, contact);
	return contact;
}

/* A call's hold or resume asked on another thread, so that the stream's
 * frame is read while the request is under way. */
struct call_request {
	char path[96];
	const char *token;
	struct resp r;
	pthread_t thread;
};

static void *call_request_run(void *arg)
{
	struct call_request *q = arg;
	http_json(&d, "POST", q->path, q->token, NULL, &q->r);
	return NULL;
}

static void hold_plays_music_and_resume_bridges_again(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test-voice-agent: skipped: SIPp plays pcap audio as root only\n");
		skip();
	}
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	long long before = newest_contact(), answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	/* the call's changes come on the agent's live stream and the tenant's supervisors', never another tenant's */
	struct sse mine, boss, theirs;
	assert_int_equal(sse_open(&mine, &d, agent, 0), 200);
	assert_int_equal(sse_open(&boss, &d, admin, 0), 200);
	assert_int_equal(sse_open(&theirs, &d, other, 0), 200);
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start_opts(&caller, "call_long.xml", sip_port, WAIT_NUMBER, CALLER, false, false), 0);
	long long rung = frame_after_its_event(&mine, "ringing", "call_agent_rung", 15000);
	long long bridged = frame_after_its_event(&mine, "bridged", "call_bridged", 15000);
	long long contact = wait_bridged(before, answered);
	assert_int_equal(rung, contact);
	assert_int_equal(bridged, contact);
	expect_call_frames(&boss, contact, "ringing", "bridged");
	struct resp r;
	/* another tenant's administrator does not see the call; an unknown contact is 404 */
	call_action(other, 404, contact, "hold", NULL, &r);
	resp_clear(&r);
	call_action(agent, 404, 99999999, "hold", NULL, &r);
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/contacts/%lld/call", contact);
	resp_clear(&r);
	/* the API shows the bridged call, with its agent */
	assert_int_equal(wait_call_state(contact, "bridged"), agent_id);
	sleep_ms(2000); /* the caller talks (from 1.5 s after the answer) */
	long long a0 = relayed_to_agent(), s0 = sent_to_callers();
	sleep_ms(1000);
	long long a1 = relayed_to_agent(), s1 = sent_to_callers();
	fprintf(stderr, "# bridged: %lld relayed to the agent, %lld sent to the caller in 1 s\n", a1 - a0, s1 - s0);
	assert_true(a1 - a0 >= 15);
	assert_true(s1 - s0 <= 2); /* no music while they talk */
	call_action(agent, 409, contact, "resume", NULL, &r); /* not on hold */
	assert_string_equal(error_field(&r), "contact");
	resp_clear(&r);
	call_action(agent, 200, contact, "hold", NULL, &r);
	assert_true(json_is_true(json_object_get(r.json, "held")));
	assert_int_equal(json_integer_value(json_object_get(r.json, "agent_id")), agent_id);
	resp_clear(&r);
	call_action(agent, 409, contact, "hold", NULL, &r); /* on hold already */
	resp_clear(&r);
	expect_call_frames(&mine, contact, "held", NULL);
	sleep_ms(300);
	long long h0 = relayed_to_agent(), c0 = relayed_to_caller();
	s0 = sent_to_callers();
	sleep_ms(2000);
	long long h1 = relayed_to_agent(), c1 = relayed_to_caller();
	s1 = sent_to_callers();
	fprintf(stderr, "# on hold: %lld relayed to the agent, %lld to the caller, %lld of music sent in 2 s\n",
		h1 - h0, c1 - c0, s1 - s0);
	assert_int_equal(h1 - h0, 0);
	assert_int_equal(c1 - c0, 0);
	/* 100 packets of 20 ms; at least half: a loaded machine's late media loop
	 * skips the packets it missed rather than sending them in a burst (the
	 * pace itself is bench/voice's to measure, on a release build) */
	assert_true(s1 - s0 >= 50);
	/* held: the hold's time so far, and the talk time since the bridge (holds included) */
	http_expect(&d, "GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/call", contact);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "held");
	assert_int_equal(json_integer_value(json_object_get(r.json, "agent_id")), agent_id);
	assert_true(json_integer_value(json_object_get(r.json, "held_s")) >= 2);
	assert_true(json_integer_value(json_object_get(r.json, "talk_s")) >= 5);
	resp_clear(&r);
	/* told once call_resumed is committed, not as the writer's batch runs it */
	static struct call_request resume; /* static: a failed assertion leaves its thread a live object */
	resume = (struct call_request){.token = agent};
	snprintf(resume.path, sizeof(resume.path), "/api/v1/contacts/%lld/call/resume", contact);
	assert_int_equal(pthread_create(&resume.thread, NULL, call_request_run, &resume), 0);
	assert_int_equal(frame_after_its_event(&mine, "bridged", "call_resumed", 5000), contact);
	assert_int_equal(pthread_join(resume.thread, NULL), 0);
	assert_int_equal(resume.r.status, 200);
	assert_true(json_is_false(json_object_get(resume.r.json, "held")));
	assert_true(json_integer_value(json_object_get(resume.r.json, "held_s")) >= 2);
	resp_clear(&resume.r);
	sleep_ms(300);
	a0 = relayed_to_agent();
	s0 = sent_to_callers();
	sleep_ms(1000);
	a1 = relayed_to_agent();
	s1 = sent_to_callers();
	fprintf(stderr, "# resumed: %lld relayed to the agent, %lld sent to the caller in 1 s\n", a1 - a0, s1 - s0);
	assert_true(a1 - a0 >= 15);
	assert_true(s1 - s0 <= 2);
	http_expect(&d, "GET", agent, 200, NULL, &r, "/api/v1/contacts/%lld/call", contact);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "bridged");
	assert_null(json_object_get(r.json, "held_s"));
	resp_clear(&r);
	assert_int_equal(frame_after_its_event(&mine, "none", "call_ended", 40000), contact);
	assert_int_equal(sipp_wait(&caller, 40000), 0);
	assert_int_equal(sipp_wait(&ph, 10000), 0);
	wait_call_state(contact, "none"); /* the call is over */
	expect_call_frames(&boss, contact, "held", "bridged");
	expect_call_frames(&boss, contact, "none", NULL);
	struct sse_event seen = {0};
	assert_false(sse_next(&theirs, "call", 300, &seen));
	json_decref(seen.data);
	sse_close(&mine);
	sse_close(&boss);
	sse_close(&theirs);
	json_t *ev = call_events(contact, "call_held");
	assert_int_equal(json_array_size(ev), 1);
	json_decref(ev);
	ev = call_events(contact, "call_resumed");
	assert_int_equal(json_array_size(ev), 1);
	assert_true(json_integer_value(json_object_get(json_array_get(ev, 0), "held_s")) >= 2);
	json_decref(ev);
	ev = call_events(contact, "call_ended");
	assert_int_equal(json_array_size(ev), 1);
	assert_true(json_integer_value(json_object_get(json_array_get(ev, 0), "held_s")) >= 2);
	json_decref(ev);
	/* the call is over: nothing to hold or transfer (409), a bad target is 400 */
	call_action(agent, 409, contact, "hold", NULL, &r);
	assert_string_equal(error_field(&r), "contact");
	resp_clear(&r);
	call_action(agent, 409, contact, "transfer", json_pack("{s:I}", "agent_id", (json_int_t)agent2_id), &r);
	resp_clear(&r);
	call_action(agent, 400, contact, "transfer", json_object(), &r);
	assert_string_equal(error_field(&r), "queue_id");
	resp_clear(&r);
	wait_idle();
}

/* carol, the second agent, serving the wait queue with her phone registered at carol_port, available. */
static void carol_setup(void)
{
	if (carol)
		return;
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s}", "username", "carol", "password", CAROL_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent2_id);
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		    (json_int_t)voice_skill, "proficiency", 5, "capacity", "phone", 1), &r, "/api/v1/agents/%lld",
		    agent2_id);
	resp_clear(&r);
	carol_port = testport_free();
	assert_int_equal(phone_at("register.xml", "carol", CAROL_PASSWORD, realm_one, carol_port), 0);
	carol = login(&d, "carol@brand.example", PASSWORD);
}

static void a_transfer_rings_the_next_phone_and_keeps_the_timeline(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test-voice-agent: skipped: SIPp plays pcap audio as root only\n");
		skip();
	}
	phone_setup();
	alice_registers();
	carol_setup();
	wait_idle();
	presence("available");
	struct resp r;
	http_expect(&d, "POST", carol, 200, json_pack("{s:s,s:s}", "presence", "paused", "reason", "lunch"), &r,
		    "/api/v1/agents/me/presence");
	resp_clear(&r);
	long long before = newest_contact(), answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	long long moved = metric("guichet_voice_calls_moved_total");
	struct sipp ph, ph2, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	assert_int_equal(sipp_serve(&ph2, "agent_answer.xml", carol_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start_opts(&caller, "call_long.xml", sip_port, WAIT_NUMBER, CALLER, false, false), 0);
	long long contact = wait_bridged(before, answered); /* alice's phone, carol being paused */
	http_expect(&d, "POST", carol, 200, json_pack("{s:s}", "presence", "available"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
	sleep_ms(1500);
	/* carol may not hold alice's call */
	call_action(carol, 403, contact, "hold", NULL, &r);
	resp_clear(&r);
	call_action(agent, 200, contact, "transfer", json_pack("{s:I,s:s}", "agent_id", (json_int_t)agent2_id, "reason",
		    "billing question"), &r);
	resp_clear(&r);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* alice's phone got its BYE */
	assert_int_equal(metric("guichet_voice_calls_moved_total"), moved + 1);
	/* carol's phone rings, answers, and the caller's speech reaches it */
	for (int i = 0; i < 1000 && metric("guichet_voice_agent_rings_total{result=\"answered\"}") < answered + 2; i++)
		sleep_ms(10);
	assert_int_equal(metric("guichet_voice_agent_rings_total{result=\"answered\"}"), answered + 2);
	assert_int_equal(wait_call_state(contact, "bridged"), agent2_id); /* carol's call now */
	sleep_ms(500);
	long long a0 = relayed_to_agent();
	sleep_ms(1000);
	long long a1 = relayed_to_agent();
	fprintf(stderr, "# transferred: %lld relayed to the second agent in 1 s\n", a1 - a0);
	assert_true(a1 - a0 >= 15);
	assert_int_equal(sipp_wait(&caller, 40000), 0);
	assert_int_equal(sipp_wait(&ph2, 10000), 0); /* the caller's BYE reached carol's phone */
	/* the timeline: both bridges, the transfer between them, the end */
	json_t *ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id")), agent_id);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 1), "agent_id")), agent2_id);
	json_decref(ev);
	ev = call_events(contact, "call_transferred");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "from_agent_id")), agent_id);
	json_decref(ev);
	ev = call_events(contact, "call_ended");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "by")), "caller");
	json_decref(ev);
	char buf[64];
	assert_string_equal(disposition(contact, buf, sizeof(buf)), "call_ended"); /* carol's wrap-up */
	http_expect(&d, "POST", carol, 200, json_pack("{s:s}", "presence", "offline"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
}

/* Escalated with the call kept: the agent's phone hung up, the caller back
 * to the music in the level-2 queue (nobody serves it here), hanging up
 * there an abandonment. */
static void an_escalation_keeps_the_caller_waiting_with_music(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test-voice-agent: skipped: SIPp plays pcap audio as root only\n");
		skip();
	}
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	long long experts = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "experts",
				    "skill_id", (json_int_t)voice_skill, "channel", "phone", "level", 2, "offer_timeout_s", 30));
	long long before = newest_contact(), answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start_opts(&caller, "call_long.xml", sip_port, WAIT_NUMBER, CALLER, false, false), 0);
	long long contact = wait_bridged(before, answered);
	sleep_ms(1000);
	struct resp r;
	call_action(agent, 400, contact, "escalate", json_pack("{s:I}", "queue_id", (json_int_t)experts), &r);
	assert_string_equal(error_field(&r), "reason");
	resp_clear(&r);
	call_action(agent, 200, contact, "escalate", json_pack("{s:I,s:s}", "queue_id", (json_int_t)experts, "reason",
		    "needs an expert"), &r);
	resp_clear(&r);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* the agent's phone got its BYE */
	wait_call_state(contact, "none"); /* waiting with the music: no agent's phone */
	sleep_ms(300);
	long long a0 = relayed_to_agent(), s0 = sent_to_callers();
	sleep_ms(1000);
	long long a1 = relayed_to_agent(), s1 = sent_to_callers();
	fprintf(stderr, "# escalated: %lld relayed, %lld of music sent to the caller in 1 s\n", a1 - a0, s1 - s0);
	assert_int_equal(a1 - a0, 0);
	assert_true(s1 - s0 >= 25); /* of 50: at least half, as on hold */
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/routing", contact);
	assert_string_equal(json_string_value(json_object_get(r.json, "state")), "waiting");
	assert_int_equal(json_integer_value(json_object_get(r.json, "queue_id")), experts);
	resp_clear(&r);
	assert_int_equal(sipp_wait(&caller, 40000), 0);
	json_t *ev = call_events(contact, "call_escalated");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "from_agent_id")), agent_id);
	json_decref(ev);
	char buf[64];
	for (int i = 0; i < 300 && strcmp(disposition(contact, buf, sizeof(buf)), "abandoned") != 0; i++)
		sleep_ms(10);
	assert_string_equal(buf, "abandoned");
	wait_idle();
}

#define MUSIC_NUMBER "+33100000205" /* the music queue: its own music on hold */

/* A queue's own music (one of the tenant's recordings, here 2 kHz; this
 * guichetd has no --moh-file, so silence otherwise) is what a caller of
 * the queue hears once its agent puts the call on hold: the test is the
 * caller's media (sipp_tap). Nothing reaches it while bridged (the phone
 * echoes a caller who says nothing). */
static void a_held_caller_hears_the_queues_music(void **state)
{
	phone_setup();
	alice_registers();
	long long q = new_queue(voice_skill, "music", 30);
	size_t len = 0;
	char *wav = sipp_square_wav(2000, 1, &len);
	assert_non_null(wav);
	struct resp r;
	http_raw(&d, "POST", "/api/v1/channels/voice/prompts?name=hold", admin, NULL, "audio/wav", wav, len, &r);
	free(wav);
	assert_int_equal(r.status, 201);
	long long rec = resp_int(&r, "id");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:I}", "music", (json_int_t)rec), &r,
		    "/api/v1/channels/voice/queues/%lld", q);
	resp_clear(&r);
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:I}", "number", MUSIC_NUMBER, "queue_id",
		(json_int_t)q));
	wait_idle();
	presence("available");
	long long before = newest_contact(), answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	int port = 0, tap = sipp_tap_open(&port);
	assert_true(tap >= 0);
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start_listen(&caller, "listen.xml", sip_port, MUSIC_NUMBER, CALLER, port), 0);
	long long contact = wait_bridged(before, answered);
	assert_int_equal(wait_call_state(contact, "bridged"), agent_id);
	long packets = 0, changes = 0;
	sipp_tap_read(tap, 300, &packets, &changes); /* what the queue played before the bridge */
	sipp_tap_read(tap, 700, &packets, &changes);
	assert_true(packets <= 2); /* bridged: nothing to relay, no music */
	call_action(agent, 200, contact, "hold", NULL, &r);
	resp_clear(&r);
	sipp_tap_read(tap, 100, &packets, &changes);
	sipp_tap_read(tap, 1500, &packets, &changes);
	fprintf(stderr, "# on hold: %ld packets, %ld sign changes\n", packets, changes);
	assert_true(packets >= 60);
	assert_true(changes >= packets * 60); /* 2 kHz: 80 a packet */
	close(tap);
	assert_int_equal(sipp_wait(&caller, 20000), 0);
	assert_int_equal(sipp_wait(&ph, 10000), 0);
	wait_call_state(contact, "none");
	wait_idle();
}

/* --- callbacks place their calls: the agent's phone, then the customer through the trunk --- */

/* A callback for phone in the wait queue, offered to alice: its contact. */
static long long offered_callback(const char *phone, long long *ret_id)
{
	*ret_id = post_id(&d, admin, "/api/v1/callbacks", json_pack("{s:s,s:I}", "phone", phone, "queue_id",
			  (json_int_t)wait_queue));
	for (int i = 0; i < 500; i++) {
		struct resp r;
		http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/callbacks/%lld", *ret_id);
		const char *st = json_string_value(json_object_get(r.json, "state"));
		bool offered = st && strcmp(st, "offered") == 0;
		long long contact = json_integer_value(json_object_get(r.json, "contact_id"));
		resp_clear(&r);
		if (offered)
			return contact;
		sleep_ms(10);
	}
	fail_msg("the callback was not offered");
	return 0;
}

static json_t *callback_of(long long id)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/callbacks/%lld", id);
	json_t *cb = json_incref(r.json);
	resp_clear(&r);
	return cb;
}

static void a_callback_rings_the_agent_then_the_customer(void **state)
{
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	long long rung = metric("guichet_voice_agent_rings_total{result=\"rung\"}");
	struct sipp ph, cust;
	assert_int_equal(sipp_serve(&ph, "agent_hangup_pcma.xml", phone_port, 1), 0);
	assert_int_equal(sipp_serve(&cust, "agent_answer.xml", customer_port, 1), 0);
	sleep_ms(300);
	long long id = 0, contact = offered_callback("+33699000001", &id);
	/* offered, the phone does not ring: there is nobody to bridge yet */
	sleep_ms(300);
	assert_int_equal(metric("guichet_voice_agent_rings_total{result=\"rung\"}"), rung);
	struct resp r;
	http_expect(&d, "POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	resp_clear(&r);
	/* alice's phone rings and answers, the customer's then, bridged; alice hangs up */
	assert_int_equal(sipp_wait(&ph, 20000), 0);
	assert_int_equal(sipp_wait(&cust, 10000), 0); /* the customer got guichet's BYE */
	json_t *ev = call_events(contact, "call_agent_rung");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id")), agent_id);
	json_decref(ev);
	ev = call_events(contact, "call_customer_dialed");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "outcome")), "reached");
	json_decref(ev);
	ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 1);
	json_decref(ev);
	ev = call_events(contact, "call_ended");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "by")), "agent");
	json_decref(ev);
	json_t *cb = callback_of(id);
	assert_string_equal(json_string_value(json_object_get(cb, "outcome")), "reached");
	assert_string_equal(json_string_value(json_object_get(cb, "state")), "done");
	assert_int_equal(json_integer_value(json_object_get(cb, "attempts")), 1);
	json_decref(cb);
	char buf[64];
	assert_string_equal(disposition(contact, buf, sizeof(buf)), "call_ended");
	wait_idle();
}

static void a_busy_customer_brings_the_callback_back(void **state)
{
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	struct sipp ph, cust;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	assert_int_equal(sipp_serve(&cust, "customer_busy.xml", customer_port, 1), 0);
	sleep_ms(300);
	long long id = 0, contact = offered_callback("+33699000002", &id);
	struct resp r;
	http_expect(&d, "POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	resp_clear(&r);
	assert_int_equal(sipp_wait(&cust, 20000), 0); /* 486, ACK */
	assert_int_equal(sipp_wait(&ph, 10000), 0);   /* the agent's phone got guichet's BYE */
	json_t *ev = call_events(contact, "call_customer_dialed");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "outcome")), "busy");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "sip_status")), 486);
	json_decref(ev);
	ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 0);
	json_decref(ev);
	/* another attempt later, at its place: the attempt counted */
	json_t *cb = callback_of(id);
	assert_string_equal(json_string_value(json_object_get(cb, "state")), "scheduled");
	assert_int_equal(json_integer_value(json_object_get(cb, "attempts")), 1);
	assert_true(json_is_string(json_object_get(cb, "next_attempt_at")));
	json_decref(cb);
	wait_idle();
	/* the next attempt is not for now: cancelled, so that it does not ring in later tests */
	http_expect(&d, "POST", admin, 200, NULL, &r, "/api/v1/callbacks/%lld/cancel", id);
	resp_clear(&r);
}

#define RINGALL_NUMBER "+33100000204" /* a ring-all queue */

/* A ring-all queue's offer rings alice's and carol's phones at once; alice's
 * answers first (after 5 s): her call, carol's phone gets CANCEL, the
 * timeline says both rang and why carol's stopped. */
static void a_ring_all_offer_rings_every_phone_and_the_first_answer_wins(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test-voice-agent: skipped: SIPp plays pcap audio as root only\n");
		skip();
	}
	phone_setup();
	alice_registers();
	carol_setup();
	assert_int_equal(phone_at("register.xml", "carol", CAROL_PASSWORD, realm_one, carol_port), 0);
	long long queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:s,s:i,s:i}", "name", "all",
				  "skill_id", (json_int_t)voice_skill, "channel", "phone", "strategy", "ring_all",
				  "offer_timeout_s", 30, "wrapup_s", 1));
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:I}", "number", RINGALL_NUMBER, "queue_id",
		(json_int_t)queue));
	wait_idle();
	presence("available");
	struct resp r;
	http_expect(&d, "POST", carol, 200, json_pack("{s:s}", "presence", "available"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
	long long before = newest_contact(), rung = metric("guichet_voice_agent_rings_total{result=\"rung\"}");
	long long answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	struct sipp ph, ph2, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer_slow.xml", phone_port, 1), 0);
	assert_int_equal(sipp_serve(&ph2, "agent_ring.xml", carol_port, 1), 0);
	sleep_ms(300);
	assert_int_equal(sipp_start_opts(&caller, "call_long.xml", sip_port, RINGALL_NUMBER, CALLER, false, false), 0);
	/* both phones ring */
	for (int i = 0; i < 500 && metric("guichet_voice_agent_rings_total{result=\"rung\"}") < rung + 2; i++)
		sleep_ms(10);
	assert_int_equal(metric("guichet_voice_agent_rings_total{result=\"rung\"}"), rung + 2);
	long long contact = newest_contact();
	assert_true(contact > before);
	char buf[64];
	long long ringing = call_state(contact, buf, sizeof(buf));
	assert_string_equal(buf, "ringing");
	assert_true(ringing == agent_id || ringing == agent2_id);
	/* alice answers: her call; carol's phone is cancelled */
	assert_int_equal(wait_bridged(before, answered), contact);
	assert_int_equal(wait_call_state(contact, "bridged"), agent_id);
	assert_int_equal(sipp_wait(&ph2, 10000), 0); /* the CANCEL came */
	assert_int_equal(sipp_wait(&caller, 40000), 0);
	assert_int_equal(sipp_wait(&ph, 10000), 0); /* the caller's BYE reached alice's phone */
	json_t *ev = call_events(contact, "call_agent_rung");
	assert_int_equal(json_array_size(ev), 2);
	long long first = json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id"));
	long long second = json_integer_value(json_object_get(json_array_get(ev, 1), "agent_id"));
	assert_true((first == agent_id && second == agent2_id) || (first == agent2_id && second == agent_id));
	json_decref(ev);
	ev = call_events(contact, "call_agent_no_answer");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id")), agent2_id);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "reason")), "withdrawn");
	json_decref(ev);
	ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id")), agent_id);
	json_decref(ev);
	assert_string_equal(disposition(contact, buf, sizeof(buf)), "call_ended"); /* alice's wrap-up */
	wait_idle();
	http_expect(&d, "POST", carol, 200, json_pack("{s:s}", "presence", "offline"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
}

/* A tenant's own trunk: checked strictly (400 naming uri), its tenant's
 * alone (the other tenant still has none), and the callbacks of this tenant
 * call their customers through it rather than through guichetd's
 * --sip-trunk: the busy customer answers on the tenant's trunk's port. */
static void a_tenants_own_trunk_wins_over_the_installations(void **state)
{
	struct resp r;
	static const char *const bad[] = {"http://{number}@127.0.0.1", "sip:127.0.0.1", "sip:{number}@",
					  "sips:{number}@127.0.0.1",
					  "sip:{number}@host:99999", "sip:{number}@host;transport=tcp",
					  "sip:{number}@host>x", "sip:{number}@a b", "sip:{number}@1.2.3.4.5",
					  "sip:{number}@-trunk.example", "sip:{number}@trunk-.example", "sip:{number}@a..example",
					  "sip:{number}@.example", "sip:{number}@trunk.123", "sip:{number}@[2001:db8::1]:5060",
					  "sip:{number}@[::1]"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		http_expect(&d, "PUT", admin, 400, json_pack("{s:s}", "uri", bad[i]), &r, "/api/v1/channels/voice/trunk");
		assert_string_equal(error_field(&r), "uri");
		resp_clear(&r);
	}
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s,s:i}", "uri", "sip:{number}@127.0.0.1", "port", 1), &r,
		    "/api/v1/channels/voice/trunk");
	assert_string_equal(error_field(&r), "port");
	resp_clear(&r);
	int own_port = testport_free();
	char uri[64];
	snprintf(uri, sizeof(uri), "sip:{number}@127.0.0.1:%d", own_port);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s}", "uri", uri), &r, "/api/v1/channels/voice/trunk");
	assert_string_equal(json_string_value(json_object_get(r.json, "uri")), uri);
	resp_clear(&r);
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	assert_true(json_is_null(json_object_get(r.json, "uri")));
	resp_clear(&r);
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	struct sipp ph, cust;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	assert_int_equal(sipp_serve(&cust, "customer_busy.xml", own_port, 1), 0);
	sleep_ms(300);
	long long id = 0, contact = offered_callback("+33699000003", &id);
	http_expect(&d, "POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	resp_clear(&r);
	assert_int_equal(sipp_wait(&cust, 20000), 0); /* the tenant's trunk was called: 486, ACK */
	assert_int_equal(sipp_wait(&ph, 10000), 0);
	json_t *ev = call_events(contact, "call_customer_dialed");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "outcome")), "busy");
	json_decref(ev);
	wait_idle();
	http_expect(&d, "POST", admin, 200, NULL, &r, "/api/v1/callbacks/%lld/cancel", id);
	resp_clear(&r);
	/* cleared: the installation's again */
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	assert_true(json_is_null(json_object_get(r.json, "uri")));
	resp_clear(&r);
}

/* A callback for phone through the trunk on port, accepted by alice: the
 * trunk's scenario's exit status, with the customer's dialled event's
 * outcome and SIP status. */
static int dial_through(const char *scenario, int port, const char *phone, char *ret_outcome, size_t len,
			long long *ret_status)
{
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	struct sipp ph, cust;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	assert_int_equal(sipp_serve(&cust, scenario, port, 1), 0);
	sleep_ms(300);
	long long id = 0, contact = offered_callback(phone, &id);
	struct resp r;
	http_expect(&d, "POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	resp_clear(&r);
	int rc = sipp_wait(&cust, 20000);
	assert_int_equal(sipp_wait(&ph, 10000), 0);
	json_t *ev = dialed_events(contact);
	assert_int_equal(json_array_size(ev), 1);
	snprintf(ret_outcome, len, "%s", json_string_value(json_object_get(json_array_get(ev, 0), "outcome")));
	*ret_status = json_integer_value(json_object_get(json_array_get(ev, 0), "sip_status"));
	json_decref(ev);
	wait_idle();
	http_expect(&d, "POST", admin, 200, NULL, &r, "/api/v1/callbacks/%lld/cancel", id);
	resp_clear(&r);
	return rc;
}

/* A trunk's digest credentials: both or neither, checked (400 naming the
 * member), the password never in an answer; a provider that challenges the
 * INVITE with 401 gets the digest of the right password (SIPp checks it,
 * then answers busy: the outcome is the busy line's, 486), and a wrong
 * password is refused by the provider (403: no_answer). Set by the CLI too. */
static void a_trunk_that_challenges_gets_the_digest(void **state)
{
	struct resp r;
	int port = testport_free();
	char uri[64];
	snprintf(uri, sizeof(uri), "sip:{number}@127.0.0.1:%d", port);
	static const struct {
		const char *user, *pass, *field;
	} bad[] = {{"guichet-t1", NULL, "password"}, {NULL, "secret", "username"}, {"a\"b", "secret", "username"},
		   {"", "secret", "username"}, {"guichet-t1", "", "password"}, {"guichet-t1", "a\nb", "password"}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *body = json_pack("{s:s}", "uri", uri);
		if (bad[i].user)
			json_object_set_new(body, "username", json_string(bad[i].user));
		if (bad[i].pass)
			json_object_set_new(body, "password", json_string(bad[i].pass));
		http_expect(&d, "PUT", admin, 400, body, &r, "/api/v1/channels/voice/trunk");
		assert_string_equal(error_field(&r), bad[i].field);
		resp_clear(&r);
	}
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s,s:s}", "uri", uri, "username", "guichet-t1", "password",
		    "not the one"), &r, "/api/v1/channels/voice/trunk");
	assert_string_equal(json_string_value(json_object_get(r.json, "username")), "guichet-t1");
	assert_null(json_object_get(r.json, "password"));
	assert_null(strstr(r.text, "not the one"));
	resp_clear(&r);
	char outcome[32];
	long long status = 0;
	assert_int_not_equal(dial_through("customer_auth.xml", port, "+33699000004", outcome, sizeof(outcome), &status), 0);
	assert_string_equal(outcome, "no_answer"); /* the wrong password: 403 */
	assert_int_equal(status, 403);
	/* the right one, by the CLI: its password from a file */
	char token_file[160], pass_file[160], *out = NULL, *err = NULL;
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	snprintf(pass_file, sizeof(pass_file), "%s/trunk-pass", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fputs(admin, f);
	fclose(f);
	assert_non_null(f = fopen(pass_file, "w"));
	fputs("trunk secret 1\n", f);
	fclose(f);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "trunk", "set", uri, "--username",
				 "guichet-t1", NULL), 2); /* the password goes with it */
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "voice", "trunk", "set", uri,
				 "--username", "guichet-t1", "--password-file", pass_file, NULL), 0);
	assert_null(strstr(out, "trunk secret"));
	free(out);
	free(err);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	assert_string_equal(json_string_value(json_object_get(r.json, "username")), "guichet-t1");
	assert_null(json_object_get(r.json, "password"));
	assert_null(strstr(r.text, "trunk secret"));
	resp_clear(&r);
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	assert_true(json_is_null(json_object_get(r.json, "uri")));
	resp_clear(&r);
	assert_int_equal(dial_through("customer_auth.xml", port, "+33699000005", outcome, sizeof(outcome), &status), 0);
	assert_string_equal(outcome, "busy"); /* past the challenge: the line's own answer */
	assert_int_equal(status, 486);
	/* a PUT without credentials drops them */
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s}", "uri", uri), &r, "/api/v1/channels/voice/trunk");
	assert_true(json_is_null(json_object_get(r.json, "username")));
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
}

/* --- a tenant's trunk that registers to its provider --- */

#define REG_USER "guichet-reg"
#define REG_PASSWORD "register secret 1"

/* GET .../trunk as admin: the registration's state into buf, its last SIP status returned (-1: none). */
static long long registration(char *buf, size_t len, char *ret_at, size_t at_len)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	assert_null(strstr(r.text, REG_PASSWORD));
	json_t *reg = json_object_get(r.json, "registration");
	snprintf(buf, len, "%s", json_string_value(json_object_get(reg, "state")) ?: "");
	if (ret_at)
		snprintf(ret_at, at_len, "%s", json_string_value(json_object_get(reg, "at")) ?: "");
	json_t *sc = json_object_get(reg, "sip_status");
	long long status = json_is_integer(sc) ? json_integer_value(sc) : -1;
	resp_clear(&r);
	return status;
}

/* Waits (up to 10 s) for the registration to be in state: its last SIP status. */
static long long wait_registration(const char *state)
{
	char buf[32] = "";
	long long status = -1;
	for (int i = 0; i < 1000; i++) {
		status = registration(buf, sizeof(buf), NULL, 0);
		if (strcmp(buf, state) == 0)
			return status;
		sleep_ms(10);
	}
	fail_msg("the trunk's registration is %s, not %s", buf, state);
	return status;
}

/* The trunk's registration, checked strictly: registering without
 * credentials, a registrar that is no SIP URI guichet sends to, an expiry
 * out of 60..3600, the registrar's options without registering: 400
 * naming the member. */
static void a_registration_is_checked(void **state)
{
	struct resp r;
	static const struct {
		const char *json, *field;
	} bad[] = {
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"register\":true}", "username"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"register\":\"yes\"}", "register"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"username\":\"u\",\"password\":\"p\",\"register\":true,"
		 "\"registrar\":\"http://127.0.0.1\"}", "registrar"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"username\":\"u\",\"password\":\"p\",\"register\":true,"
		 "\"registrar\":\"sip:user@127.0.0.1\"}", "registrar"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"username\":\"u\",\"password\":\"p\",\"register\":true,"
		 "\"registrar\":\"sip:127.0.0.1;transport=tls\"}", "registrar"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"username\":\"u\",\"password\":\"p\",\"register\":true,"
		 "\"register_expires\":59}", "register_expires"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"username\":\"u\",\"password\":\"p\",\"register\":true,"
		 "\"register_expires\":3601}", "register_expires"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"username\":\"u\",\"password\":\"p\",\"register\":true,"
		 "\"registrar\":\"sip:registrar..example:5060\"}", "registrar"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"username\":\"u\",\"password\":\"p\",\"register\":true,"
		 "\"registrar\":\"sip:[2001:db8::1]:5060\"}", "registrar"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"registrar\":\"sip:127.0.0.1\"}", "registrar"},
		{"{\"uri\":\"sip:{number}@127.0.0.1\",\"register_expires\":600}", "register_expires"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *body = json_loads(bad[i].json, 0, NULL);
		assert_non_null(body);
		http_expect(&d, "PUT", admin, 400, body, &r, "/api/v1/channels/voice/trunk");
		if (strcmp(error_field(&r), bad[i].field) != 0)
			fail_msg("%s: field '%s', not '%s'", bad[i].json, error_field(&r), bad[i].field);
		resp_clear(&r);
	}
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "registration"), "state")), "off");
	resp_clear(&r);
}

/* A run of trunk_call.xml: a call over tenant one's registration (its
 * contact in the Request-URI) for did: SIPp's exit status (0: refused, 404). */
static int call_over_registration(const char *did)
{
	char contact[40];
	snprintf(contact, sizeof(contact), "trunk-t%lld", tenant_one);
	struct sipp s;
	assert_int_equal(sipp_start_keyed(&s, "trunk_call.xml", sip_port, contact, "did", did), 0);
	return sipp_wait(&s, 20000);
}

/* guichet registers to the tenant's provider (SIPp's registrar, set by the
 * CLI): challenged, it answers with the digest SIPp checks, renews before
 * the 5 s granted run out; GET says registered (a metric and the CLI's
 * show too). The provider's call to the registered contact, the tenant's
 * number in its To header, is answered as any call to that number: it
 * waits in the number's queue and alice's phone rings and is bridged. A
 * call over the same registration for another tenant's number is refused
 * (404). The trunk cleared, guichet unregisters (expires 0, the digest
 * checked again), the registration is off, and a call to the old contact
 * is refused. */
static void a_registered_trunk_receives_the_providers_calls(void **state)
{
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	struct resp r;
	http_expect(&d, "POST", other, 201, json_pack("{s:s}", "number", "+33100000299"), &r,
		    "/api/v1/channels/voice/numbers");
	resp_clear(&r);
	int reg_port = testport_free();
	char uri[64], token_file[160], pass_file[160], *out = NULL, *err = NULL;
	snprintf(uri, sizeof(uri), "sip:{number}@127.0.0.1:%d", reg_port);
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	snprintf(pass_file, sizeof(pass_file), "%s/register-pass", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fputs(admin, f);
	fclose(f);
	assert_non_null(f = fopen(pass_file, "w"));
	fputs(REG_PASSWORD "\n", f);
	fclose(f);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "channel", "voice", "trunk", "set", uri, "--registrar",
				 "sip:127.0.0.1", NULL), 2); /* --registrar goes with --register */
	free(out);
	free(err);
	long long before = newest_contact(), answered = metric("guichet_voice_agent_rings_total{result=\"answered\"}");
	long long unknown = metric("guichet_voice_unknown_total");
	struct sipp provider, ph;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	assert_int_equal(sipp_serve_keyed(&provider, "trunk_registrar.xml", reg_port, "did", WAIT_NUMBER), 0);
	sleep_ms(300); /* their sockets bound */
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "voice", "trunk", "set", uri,
				 "--username", REG_USER, "--password-file", pass_file, "--register", "--register-expires",
				 "120", NULL), 0);
	assert_null(strstr(out, REG_PASSWORD));
	free(out);
	free(err);
	assert_int_equal(wait_registration("registered"), 200);
	assert_int_equal(metric("guichet_voice_trunk_registrations{state=\"registered\"}"), 1);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "channel", "voice", "trunk", "show", NULL), 0);
	assert_non_null(strstr(out, "\"registered\""));
	assert_null(strstr(out, REG_PASSWORD));
	free(out);
	free(err);
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "registration"), "state")), "off");
	resp_clear(&r);
	/* the provider's call: alice's phone rings and answers, the provider hangs up */
	long long contact = wait_bridged(before, answered);
	assert_int_equal(sipp_wait(&ph, 20000), 0);
	json_t *ev = call_events(contact, "call_answered");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "number")), WAIT_NUMBER);
	json_decref(ev);
	ev = call_events(contact, "call_bridged");
	assert_int_equal(json_array_size(ev), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ev, 0), "agent_id")), agent_id);
	json_decref(ev);
	ev = call_events(contact, "call_ended");
	assert_int_equal(json_array_size(ev), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(ev, 0), "by")), "caller");
	json_decref(ev);
	/* another tenant's number over this tenant's registration: refused */
	assert_int_equal(call_over_registration("+33100000299"), 0);
	assert_int_equal(metric("guichet_voice_unknown_total"), unknown + 1);
	assert_int_equal(newest_contact(), contact);
	/* cleared: unregistered (the provider's scenario ends with it) */
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	assert_int_equal(sipp_wait(&provider, 20000), 0);
	char buf[32];
	assert_int_equal(registration(buf, sizeof(buf), NULL, 0), -1);
	assert_string_equal(buf, "off");
	assert_int_equal(metric("guichet_voice_trunk_registrations{state=\"registered\"}"), 0);
	assert_int_equal(call_over_registration(WAIT_NUMBER), 0); /* no registration: no such contact */
	wait_idle();
}

/* A wrong password: the registrar (named apart from the trunk's host)
 * challenges the digest again (401), and guichet stops there (no third
 * REGISTER: no loop), failing with the 401 and its time, counted; the
 * trunk cleared, nothing is left failing. */
static void a_wrong_registration_password_fails_visibly(void **state)
{
	int reg_port = testport_free();
	long long failures = metric("guichet_voice_trunk_register_failures_total");
	struct sipp provider;
	assert_int_equal(sipp_serve_keyed(&provider, "trunk_registrar_denied.xml", reg_port, "did", WAIT_NUMBER), 0);
	sleep_ms(300);
	/* the registrar named apart from the trunk's host and port */
	struct resp r;
	char registrar[64];
	snprintf(registrar, sizeof(registrar), "sip:127.0.0.1:%d", reg_port);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s,s:s,s:b,s:s}", "uri", "sip:{number}@127.0.0.1:9",
		    "username", REG_USER, "password", "not the one", "register", 1, "registrar", registrar), &r,
		    "/api/v1/channels/voice/trunk");
	assert_true(json_is_true(json_object_get(r.json, "register")));
	assert_string_equal(json_string_value(json_object_get(r.json, "registrar")), registrar);
	assert_int_equal(json_integer_value(json_object_get(r.json, "register_expires")), 600);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r.json, "registration"), "state")),
			    "registering");
	assert_null(strstr(r.text, "not the one"));
	resp_clear(&r);
	assert_int_equal(wait_registration("failing"), 401);
	char buf[32], at[40];
	registration(buf, sizeof(buf), at, sizeof(at));
	assert_true(strlen(at) >= 20); /* when */
	assert_int_equal(sipp_wait(&provider, 20000), 0); /* no third REGISTER within 4 s */
	assert_string_equal(buf, "failing");
	assert_true(metric("guichet_voice_trunk_register_failures_total") > failures);
	assert_int_equal(metric("guichet_voice_trunk_registrations{state=\"failing\"}"), 1);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	for (int i = 0; i < 300 && metric("guichet_voice_trunk_registrations{state=\"failing\"}") != 0; i++)
		sleep_ms(10);
	assert_int_equal(metric("guichet_voice_trunk_registrations{state=\"failing\"}"), 0);
}

/* --- trunks named by a host name, found by DNS (dnsmasq, --dns-server) --- */

#define NOT_RESOLVED_NOTE "guichet could not call: the trunk's host name does not resolve"

/* The API takes a trunk and a registrar named by a host name (as providers
 * give them); an IPv6 literal is refused saying why. */
static void a_trunk_named_by_its_host_name_is_accepted(void **state)
{
	struct resp r;
	static const char *const good[] = {"sip:{number}@sip.provider.example", "sip:{number}@Trunk-1.provider.example.:5080",
					   "sip:{number}@trunk"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		http_expect(&d, "PUT", admin, 200, json_pack("{s:s}", "uri", good[i]), &r, "/api/v1/channels/voice/trunk");
		assert_string_equal(json_string_value(json_object_get(r.json, "uri")), good[i]);
		resp_clear(&r);
	}
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s,s:s,s:b,s:s}", "uri", "sip:{number}@sip.provider.invalid",
		    "username", REG_USER, "password", REG_PASSWORD, "register", 1, "registrar",
		    "sip:registrar.provider.invalid:5070;transport=tcp"), &r, "/api/v1/channels/voice/trunk");
	assert_string_equal(json_string_value(json_object_get(r.json, "registrar")),
			    "sip:registrar.provider.invalid:5070;transport=tcp");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s}", "uri", "sip:{number}@[2001:db8::1]:5060"), &r,
		    "/api/v1/channels/voice/trunk");
	assert_string_equal(error_field(&r), "uri");
	assert_non_null(strstr(r.text, "IPv4, not IPv6"));
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s,s:s,s:s,s:b,s:s}", "uri", "sip:{number}@trunk.test", "username",
		    REG_USER, "password", REG_PASSWORD, "register", 1, "registrar", "sip:[::1]"), &r,
		    "/api/v1/channels/voice/trunk");
	assert_string_equal(error_field(&r), "registrar");
	assert_non_null(strstr(r.text, "IPv4, not IPv6"));
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
}

/* The trunk sip:{number}@trunk.test (no port) registers: libre asks
 * dnsmasq for NAPTR, then SRV records (RFC 3263), and sends its REGISTER
 * to the port the SRV record names, where SIPp waits as the registrar (not
 * 5060: SRV was used); cleared, it unregisters there. */
static void a_trunk_named_by_its_host_name_registers_where_its_srv_record_says(void **state)
{
	struct sipp provider;
	assert_int_equal(sipp_serve_keyed(&provider, "trunk_registrar_stop.xml", srv_port, "did", WAIT_NUMBER), 0);
	sleep_ms(300);
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s,s:s,s:b}", "uri", "sip:{number}@trunk.test", "username",
		    REG_USER, "password", REG_PASSWORD, "register", 1), &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	assert_int_equal(wait_registration("registered"), 200);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	assert_int_equal(sipp_wait(&provider, 10000), 0); /* registered, then unregistered, at the SRV's port */
}

/* A callback through the trunk named sip:{number}@trunk.test: the
 * customer's INVITE reaches SIPp at the SRV record's port (486: busy). */
static void a_callback_through_a_trunk_named_by_its_host_name_reaches_the_customer(void **state)
{
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s}", "uri", "sip:{number}@trunk.test"), &r,
		    "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	char outcome[32];
	long long status = 0;
	assert_int_equal(dial_through("customer_busy.xml", srv_port, "+33699000011", outcome, sizeof(outcome), &status), 0);
	assert_string_equal(outcome, "busy");
	assert_int_equal(status, 486);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
}

/* A trunk whose host name does not resolve (NXDOMAIN): its registration
 * is failing with the reason, at once, no SIP status; a callback through
 * it ends its attempt with no_answer and a note saying why (the event's
 * "error", the contact's note), the callback kept for another attempt,
 * the agent's phone hung up. */
static void a_host_name_that_does_not_resolve_fails_visibly(void **state)
{
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s,s:s,s:b}", "uri", "sip:{number}@sip.provider.invalid",
		    "username", REG_USER, "password", REG_PASSWORD, "register", 1), &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	assert_int_equal(wait_registration("failing"), -1);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/channels/voice/trunk");
	const char *why = json_string_value(json_object_get(json_object_get(r.json, "registration"), "error"));
	assert_non_null(why);
	assert_non_null(strstr(why, "does not resolve"));
	resp_clear(&r);
	phone_setup();
	alice_registers();
	wait_idle();
	presence("available");
	struct sipp ph;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	sleep_ms(300);
	long long id = 0, contact = offered_callback("+33699000012", &id);
	http_expect(&d, "POST", agent, 200, NULL, &r, "/api/v1/contacts/%lld/accept", contact);
	resp_clear(&r);
	assert_int_equal(sipp_wait(&ph, 20000), 0); /* answered, then hung up by guichet */
	json_t *ev = dialed_events(contact);
	assert_int_equal(json_array_size(ev), 1);
	json_t *dialed = json_array_get(ev, 0);
	assert_string_equal(json_string_value(json_object_get(dialed, "outcome")), "no_answer");
	assert_int_equal(json_integer_value(json_object_get(dialed, "sip_status")), 0);
	const char *error = json_string_value(json_object_get(dialed, "error"));
	assert_non_null(error);
	assert_string_equal(error, NOT_RESOLVED_NOTE);
	json_decref(ev);
	json_t *cb = callback_of(id);
	assert_int_equal(json_integer_value(json_object_get(cb, "attempts")), 1);
	assert_string_equal(json_string_value(json_object_get(cb, "state")), "scheduled");
	json_decref(cb);
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld", contact);
	assert_non_null(strstr(r.text, "Callback attempt 1: no_answer. " NOT_RESOLVED_NOTE));
	resp_clear(&r);
	wait_idle();
	http_expect(&d, "POST", admin, 200, NULL, &r, "/api/v1/callbacks/%lld/cancel", id);
	resp_clear(&r);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
}

/* guichetd stopping cleanly unregisters the trunks it registered
 * (trunk_registrar_stop.xml: the REGISTER with expires=0, its digest
 * checked) before it exits, and exits cleanly; started again, the trunk
 * cleared. Last: it restarts the daemon. */
static void stopping_unregisters_the_trunk(void **state)
{
	int reg_port = testport_free();
	char uri[64], listen[32];
	snprintf(uri, sizeof(uri), "sip:{number}@127.0.0.1:%d", reg_port);
	struct sipp provider;
	assert_int_equal(sipp_serve_keyed(&provider, "trunk_registrar_stop.xml", reg_port, "did", WAIT_NUMBER), 0);
	sleep_ms(300);
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s,s:s,s:b}", "uri", uri, "username", REG_USER, "password",
		    REG_PASSWORD, "register", 1), &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
	assert_int_equal(wait_registration("registered"), 200);
	assert_int_equal(daemon_stop(&d), 0);
	assert_int_equal(sipp_wait(&provider, 10000), 0); /* unregistered before the daemon was gone */
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", sip_port);
	assert_int_equal(daemon_start(&d, "--sip-listen", listen, "--dns-server", dns_server, NULL), 0);
	http_expect(&d, "DELETE", admin, 204, NULL, &r, "/api/v1/channels/voice/trunk");
	resp_clear(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(credentials_are_set_by_the_tenant_admin_and_never_shown),
		cmocka_unit_test(a_phone_with_the_right_password_registers),
		cmocka_unit_test(a_wrong_password_is_403),
		cmocka_unit_test(another_tenants_agent_cannot_register_in_this_realm),
		cmocka_unit_test(a_flood_from_one_address_is_throttled),
		cmocka_unit_test(the_phone_answers_and_the_media_is_bridged),
		cmocka_unit_test(the_agent_hanging_up_ends_the_call),
		cmocka_unit_test(rejecting_from_the_desktop_cancels_the_ring),
		cmocka_unit_test(accepting_from_the_desktop_still_bridges_the_phone),
		cmocka_unit_test(a_phone_answering_nonsense_is_hung_up),
		cmocka_unit_test(an_unanswered_phone_pauses_the_agent),
		cmocka_unit_test(a_caller_hanging_up_while_the_phone_rings_cancels_it),
		cmocka_unit_test(hold_plays_music_and_resume_bridges_again),
		cmocka_unit_test(a_held_caller_hears_the_queues_music),
		cmocka_unit_test(a_transfer_rings_the_next_phone_and_keeps_the_timeline),
		cmocka_unit_test(an_escalation_keeps_the_caller_waiting_with_music),
		cmocka_unit_test(a_callback_rings_the_agent_then_the_customer),
		cmocka_unit_test(a_busy_customer_brings_the_callback_back),
		cmocka_unit_test(a_ring_all_offer_rings_every_phone_and_the_first_answer_wins),
		cmocka_unit_test(a_tenants_own_trunk_wins_over_the_installations),
		cmocka_unit_test(a_trunk_that_challenges_gets_the_digest),
		cmocka_unit_test(a_registration_is_checked),
		cmocka_unit_test(a_wrong_registration_password_fails_visibly),
		cmocka_unit_test(a_registered_trunk_receives_the_providers_calls),
		cmocka_unit_test(a_trunk_named_by_its_host_name_is_accepted),
		cmocka_unit_test(a_trunk_named_by_its_host_name_registers_where_its_srv_record_says),
		cmocka_unit_test(a_callback_through_a_trunk_named_by_its_host_name_reaches_the_customer),
		cmocka_unit_test(a_host_name_that_does_not_resolve_fails_visibly),
		cmocka_unit_test(stopping_unregisters_the_trunk),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
