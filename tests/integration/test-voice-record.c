/* Calls' recordings end to end, on the run's engine, against the real
 * daemon taking SIP on loopback and SIPp as the caller and as the agent's
 * phone (which echoes what it hears): the recording settings (recorded
 * queues, retention) checked strictly and kept per tenant; a call to a
 * recorded queue hears the consent notice before the agent is rung and
 * bridged, and its recording (a WAV file beside the store) lasts as long
 * as the bridge within two packets, holds in its left channel exactly the
 * caller's audio SIPp played (its pcap's A-law decoded) and in its right
 * the phone's echo of it; the audio is served whole and by byte ranges;
 * an agent, an outsourced agent and another tenant's administrator cannot
 * list nor fetch it (403, 404), a supervisor can; the CLI lists and
 * downloads it; a call to a queue that is not recorded leaves no file and
 * no notice; past the tenant's retention a restart deletes the row and its
 * file, and files no row names (a crash's) are swept. */
#include "harness.h"
#include "sipp.h"
#include "srvguard.h"
#include "testport.h"
#include "testdb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PASSWORD "record pass word"
#define PHONE_PASSWORD "phone-secret-1"
#define TALK_NUMBER "+33100000301"  /* a menu: 1 for the recorded queue */
#define PLAIN_NUMBER "+33100000302" /* the queue that is not recorded */
#define CALLER "+33612345678"
#define PCAP "/usr/share/sip-tester/g711a.pcap"

static struct daemon d;
static char *admin, *other, *agent, *supervisor, *outsourced, *inhouse, *bpo_supervisor, *bpo2_supervisor;
static int sip_port, phone_port;
static long long agent_id, talk_queue, plain_queue, other_queue;
static char rec_dir[160], sip_listen[32];

static void sleep_ms(int ms)
{
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL);
}

static long long new_user(const char *admin_token, const char *email, const char *role)
{
	return post_id(&d, admin_token, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", "R",
		       "password", PASSWORD, "role", role));
}

/* A user of the brand from an outsourcer (organisation org). */
static long long new_staff(const char *email, const char *role, const char *org)
{
	return post_id(&d, admin, "/api/v1/users", json_pack("{s:s,s:s,s:s,s:s,s:s}", "email", email, "name", "R",
		       "password", PASSWORD, "role", role, "organisation", org));
}

static int start(void)
{
	return daemon_start(&d, "--sip-listen", sip_listen, "--recordings-dir", rec_dir, NULL);
}

static int setup(void **state)
{
	if (!sipp_available()) {
		fprintf(stderr, "test-voice-record: sipp is not installed (apt-get install sip-tester)\n");
		return -1;
	}
	sip_port = testport_free();
	snprintf(sip_listen, sizeof(sip_listen), "127.0.0.1:%d", sip_port);
	if (sip_port <= 0 || daemon_init(&d, "brand", "admin@brand.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "other", "admin@other.example", PASSWORD) != 0)
		return -1;
	snprintf(rec_dir, sizeof(rec_dir), "%s/recordings", d.dir);
	if (start() != 0)
		return -1;
	admin = login(&d, "admin@brand.example", PASSWORD);
	other = login(&d, "admin@other.example", PASSWORD);
	/* alice, whose phone takes the calls, works for an outsourcer (BPO);
	 * BPO2 is another outsourcer of the brand */
	if (http_status(&d, "POST", "/api/v1/organisations", admin, json_pack("{s:s,s:s}", "name", "BPO", "kind",
										"outsourcer")) != 201 ||
	    http_status(&d, "POST", "/api/v1/organisations", admin, json_pack("{s:s,s:s}", "name", "BPO2", "kind",
										"outsourcer")) != 201)
		return -1;
	agent_id = new_staff("alice@bpo.example", "outsourced_agent", "BPO");
	new_user(admin, "ann@brand.example", "agent");
	new_user(admin, "sam@brand.example", "supervisor");
	new_user(admin, "olga@brand.example", "outsourced_agent");
	new_staff("sup@bpo.example", "supervisor", "BPO");
	new_staff("sup@bpo2.example", "supervisor", "BPO2");
	agent = login(&d, "alice@bpo.example", PASSWORD);
	inhouse = login(&d, "ann@brand.example", PASSWORD);
	supervisor = login(&d, "sam@brand.example", PASSWORD);
	outsourced = login(&d, "olga@brand.example", PASSWORD);
	bpo_supervisor = login(&d, "sup@bpo.example", PASSWORD);
	bpo2_supervisor = login(&d, "sup@bpo2.example", PASSWORD);
	long long skill = post_id(&d, admin, "/api/v1/skills", json_pack("{s:s}", "name", "voice"));
	talk_queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "talk", "skill_id",
			     (json_int_t)skill, "channel", "phone", "offer_timeout_s", 30, "wrapup_s", 1));
	plain_queue = post_id(&d, admin, "/api/v1/queues", json_pack("{s:s,s:I,s:s,s:i,s:i}", "name", "plain",
			      "skill_id", (json_int_t)skill, "channel", "phone", "offer_timeout_s", 30, "wrapup_s", 1));
	long long other_skill = post_id(&d, other, "/api/v1/skills", json_pack("{s:s}", "name", "voice"));
	other_queue = post_id(&d, other, "/api/v1/queues", json_pack("{s:s,s:I,s:s}", "name", "theirs", "skill_id",
			      (json_int_t)other_skill, "channel", "phone"));
	struct resp r;
	http_expect(&d, "PUT", admin, 200, json_pack("{s:i,s:[{s:I,s:i}],s:{s:i}}", "level", 1, "skills", "skill_id",
		    (json_int_t)skill, "proficiency", 5, "capacity", "phone", 1), &r, "/api/v1/agents/%lld", agent_id);
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:s,s:s}", "username", "alice", "password", PHONE_PASSWORD), &r,
		    "/api/v1/agents/%lld/sip", agent_id);
	resp_clear(&r);
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:{s:s,s:{s:{s:I}}}}", "number",
		TALK_NUMBER, "menu", "prompt", "Press 1.", "options", "1", "queue_id", (json_int_t)talk_queue));
	post_id(&d, admin, "/api/v1/channels/voice/numbers", json_pack("{s:s,s:I}", "number", PLAIN_NUMBER, "queue_id",
		(json_int_t)plain_queue));
	return 0;
}

static int teardown(void **state)
{
	free(admin);
	free(other);
	free(agent);
	free(supervisor);
	free(outsourced);
	free(inhouse);
	free(bpo_supervisor);
	free(bpo2_supervisor);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

static const char *error_field(const struct resp *r)
{
	const char *f = json_string_value(json_object_get(json_object_get(r->json, "error"), "field"));
	return f ? f : "";
}

static void settings_are_checked_and_kept_per_tenant(void **state)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/recordings/settings");
	assert_int_equal(resp_int(&r, "retention_days"), 90);
	assert_int_equal(json_array_size(json_object_get(r.json, "queues")), 0); /* off by default */
	assert_true(json_is_false(json_object_get(r.json, "outsourcers_listen")));
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s}", "outsourcers_listen", "yes"), &r,
		    "/api/v1/recordings/settings");
	assert_string_equal(error_field(&r), "outsourcers_listen");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:i}", "retention_days", 0), &r, "/api/v1/recordings/settings");
	assert_string_equal(error_field(&r), "retention_days");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:s}", "queues", "all"), &r, "/api/v1/recordings/settings");
	assert_string_equal(error_field(&r), "queues");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 400, json_pack("{s:i}", "retention", 5), &r, "/api/v1/recordings/settings");
	assert_string_equal(error_field(&r), "retention");
	resp_clear(&r);
	/* another tenant's queue is no queue here */
	http_expect(&d, "PUT", admin, 422, json_pack("{s:[I]}", "queues", (json_int_t)other_queue), &r,
		    "/api/v1/recordings/settings");
	assert_string_equal(error_field(&r), "queues");
	resp_clear(&r);
	http_expect(&d, "PUT", agent, 403, json_pack("{s:[I]}", "queues", (json_int_t)talk_queue), &r,
		    "/api/v1/recordings/settings");
	resp_clear(&r);
	http_expect(&d, "PUT", admin, 200, json_pack("{s:i,s:[I]}", "retention_days", 30, "queues", (json_int_t)talk_queue),
		    &r, "/api/v1/recordings/settings");
	assert_int_equal(resp_int(&r, "retention_days"), 30);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(r.json, "queues"), 0)), talk_queue);
	resp_clear(&r);
	/* the other tenant's are its own */
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/recordings/settings");
	assert_int_equal(resp_int(&r, "retention_days"), 90);
	assert_int_equal(json_array_size(json_object_get(r.json, "queues")), 0);
	resp_clear(&r);
}

static long long newest_contact(void)
{
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts?limit=1");
	json_t *first = json_array_get(json_object_get(r.json, "items"), 0);
	long long id = first ? json_integer_value(json_object_get(first, "id")) : 0;
	resp_clear(&r);
	return id;
}

/* The contact's events (a new reference), waiting (up to 10 s) for one of type until. */
static json_t *events_until(long long contact, const char *until)
{
	for (int i = 0; i < 1000; i++) {
		struct resp r;
		http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/events", contact);
		json_t *items = json_incref(json_object_get(r.json, "items"));
		resp_clear(&r);
		size_t k;
		json_t *e;
		json_array_foreach(items, k, e) {
			const char *t = json_string_value(json_object_get(e, "type"));
			if (t && strcmp(t, until) == 0)
				return items;
		}
		json_decref(items);
		sleep_ms(10);
	}
	fail_msg("no %s event on contact %lld", until, contact);
	return NULL;
}

/* The index of the first event of type in items, or -1; its data into *ret_data. */
static int event_index(json_t *items, const char *type, json_t **ret_data)
{
	size_t k;
	json_t *e;
	json_array_foreach(items, k, e) {
		const char *t = json_string_value(json_object_get(e, "type"));
		if (t && strcmp(t, type) == 0) {
			if (ret_data)
				*ret_data = json_object_get(e, "data");
			return (int)k;
		}
	}
	return -1;
}

static int count_files(void)
{
	DIR *dir = opendir(rec_dir);
	assert_non_null(dir);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(dir)) != NULL)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* One call from SIPp to number, talking to alice's phone (which echoes). */
static void talk_call(const char *number)
{
	struct resp r;
	http_expect(&d, "POST", agent, 200, json_pack("{s:s}", "presence", "available"), &r, "/api/v1/agents/me/presence");
	resp_clear(&r);
	struct sipp ph, caller;
	assert_int_equal(sipp_serve(&ph, "agent_answer.xml", phone_port, 1), 0);
	sleep_ms(300);
	long long before = newest_contact();
	assert_int_equal(sipp_start_opts(&caller, "call_talk.xml", sip_port, number, CALLER, false, false), 0);
	int rc = sipp_wait(&caller, 30000);
	if (rc != 0 && newest_contact() == before) { /* no call placed: SIPp lost its port to another program */
		assert_int_equal(sipp_start_opts(&caller, "call_talk.xml", sip_port, number, CALLER, false, false), 0);
		rc = sipp_wait(&caller, 30000);
	}
	assert_int_equal(rc, 0);
	assert_int_equal(sipp_wait(&ph, 10000), 0);
}

/* A-law to linear (ITU-T G.711), to compare with the recording's samples. */
static int16_t alaw_decode(uint8_t a)
{
	a ^= 0x55;
	int t = (a & 0x0f) << 4, seg = (a & 0x70) >> 4;
	if (seg == 0)
		t += 8;
	else if (seg == 1)
		t += 0x108;
	else
		t = (t + 0x108) << (seg - 1);
	return (int16_t)((a & 0x80) ? t : -t);
}

/* The pcap SIPp plays: each RTP packet's payload decoded, in order. */
static int16_t *pcap_samples(size_t *ret_n, size_t *ret_packet)
{
	FILE *f = fopen(PCAP, "rb");
	assert_non_null(f);
	static uint8_t buf[1 << 17];
	size_t len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	int16_t *out = malloc(len * sizeof(*out));
	size_t n = 0, packet = 0;
	for (size_t at = 24; at + 16 <= len;) {
		uint32_t incl = buf[at + 8] | buf[at + 9] << 8 | buf[at + 10] << 16 | (uint32_t)buf[at + 11] << 24;
		const uint8_t *p = buf + at + 16;
		at += 16 + incl;
		if (at > len || incl < 14 + 20 + 8 + 12)
			break;
		size_t ip = 14, udp = ip + (size_t)(p[ip] & 0x0f) * 4, rtp = udp + 8;
		size_t payload = rtp + 12 + (size_t)(p[rtp] & 0x0f) * 4;
		packet = incl - payload;
		for (size_t i = payload; i < incl; i++)
			out[n++] = alaw_decode(p[i]);
	}
	*ret_n = n;
	*ret_packet = packet;
	return out;
}

/* How many of the pcap's packets sit, sample for sample, in channel ch of
 * the recording's frames, one after the other around where the first
 * packet that is not silence and sits there is found (the bridge may
 * start while the pcap plays: its first packets are not in the recording). */
static size_t packets_in(const int16_t *frames, size_t n_frames, int ch, const int16_t *ref, size_t n_ref, size_t pk)
{
	size_t n_packets = n_ref / pk;
	for (size_t anchor = 0; anchor < n_packets; anchor++) {
		const int16_t *want = ref + anchor * pk;
		size_t same = 1;
		while (same < pk && want[same] == want[0])
			same++;
		if (same == pk)
			continue; /* silence matches too much */
		for (size_t at = 0; at + pk <= n_frames; at++) {
			size_t i = 0;
			while (i < pk && frames[2 * (at + i) + ch] == want[i])
				i++;
			if (i < pk)
				continue;
			size_t found = 0;
			for (size_t p = 0; p < n_packets; p++) {
				long long pos = (long long)at + ((long long)p - (long long)anchor) * (long long)pk;
				if (pos < 0 || (size_t)pos + pk > n_frames)
					continue;
				size_t k = 0;
				while (k < pk && frames[2 * ((size_t)pos + k) + ch] == ref[p * pk + k])
					k++;
				found += k == pk;
			}
			return found;
		}
	}
	return 0;
}

/* A sample of /metrics (0 when absent); name may carry labels. */
static long long metric(const char *name)
{
	return daemon_metric(&d, admin, name);
}

/* alice's phone registered at phone_port (register.xml, as test-voice-agent
 * does): SIPp's exit status. */
static int register_phone(const char *realm)
{
	char dir[] = "/tmp/guichet-phone-XXXXXX";
	if (mkdtemp(dir) == NULL)
		return -1;
	char path[512], remote[64], local_port[16], log[128];
	snprintf(path, sizeof(path), "%s/tests/integration/sipp/register.xml", GUICHET_SOURCE_DIR);
	snprintf(remote, sizeof(remote), "127.0.0.1:%d", sip_port);
	snprintf(local_port, sizeof(local_port), "%d", phone_port);
	snprintf(log, sizeof(log), "%s/sipp.log", dir);
	char *argv[] = {"sipp", "-sf", path, remote, "-key", "realm", (char *)realm, "-key", "user", "alice",
			"-au", "alice", "-ap", PHONE_PASSWORD, "-m", "1", "-i", "127.0.0.1", "-p", local_port,
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
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "test-voice-record: cannot remove %s\n", dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char token_file[160];

static void write_token(const char *token)
{
	snprintf(token_file, sizeof(token_file), "%s/cli-token", d.dir);
	FILE *f = fopen(token_file, "w");
	assert_non_null(f);
	fputs(token, f);
	fclose(f);
}

static long long recorded_contact, recording_id;
static char recorded_file[256];

static void a_recorded_call_says_the_notice_and_records_the_bridge(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test-voice-record: skipped: SIPp plays pcap audio as root only\n");
		skip();
	}
	phone_port = testport_free();
	char realm[32];
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/me");
	snprintf(realm, sizeof(realm), "t%lld.guichet", resp_int(&r, "tenant_id"));
	resp_clear(&r);
	assert_int_equal(register_phone(realm), 0);
	long long before = newest_contact();
	int files = count_files();
	long long to_agent = metric("guichet_voice_rtp_relayed_total{to=\"agent\"}");
	long long to_caller = metric("guichet_voice_rtp_relayed_total{to=\"caller\"}");
	talk_call(TALK_NUMBER);
	to_agent = metric("guichet_voice_rtp_relayed_total{to=\"agent\"}") - to_agent;
	to_caller = metric("guichet_voice_rtp_relayed_total{to=\"caller\"}") - to_caller;
	long long contact = newest_contact();
	assert_true(contact > before);
	json_t *items = events_until(contact, "call_recorded");
	/* the notice was said before the agent was rung and bridged */
	json_t *notice = NULL, *ended = NULL, *rec = NULL;
	int i_notice = event_index(items, "call_recording_notice", &notice);
	int i_rung = event_index(items, "call_agent_rung", NULL), i_bridged = event_index(items, "call_bridged", NULL);
	assert_true(i_notice >= 0);
	assert_string_equal(json_string_value(json_object_get(notice, "lang")), "en");
	assert_true(i_rung > i_notice);
	assert_true(i_bridged > i_notice);
	assert_true(event_index(items, "call_ended", &ended) >= 0);
	assert_true(event_index(items, "call_recorded", &rec) >= 0);
	long long talk_ms = json_integer_value(json_object_get(ended, "talk_ms"));
	long long rec_ms = json_integer_value(json_object_get(rec, "duration_ms"));
	fprintf(stderr, "# bridged %lld ms, recorded %lld ms\n", talk_ms, rec_ms);
	/* as long as the bridge, within two packets */
	assert_true(talk_ms > 4000);
	assert_true(llabs(rec_ms - talk_ms) <= 60);
	recording_id = json_integer_value(json_object_get(rec, "recording_id"));
	json_decref(items);
	assert_int_equal(count_files(), files + 1);
	/* the list: a supervisor and the administrator */
	http_expect(&d, "GET", supervisor, 200, NULL, &r, "/api/v1/contacts/%lld/recordings", contact);
	json_t *one = json_array_get(json_object_get(r.json, "items"), 0);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_int_equal(json_integer_value(json_object_get(one, "id")), recording_id);
	assert_int_equal(json_integer_value(json_object_get(one, "queue_id")), talk_queue);
	assert_int_equal(json_integer_value(json_object_get(one, "agent_id")), agent_id);
	assert_int_equal(json_integer_value(json_object_get(one, "duration_ms")), rec_ms);
	assert_null(json_object_get(one, "path"));
	long long bytes = json_integer_value(json_object_get(one, "bytes"));
	resp_clear(&r);
	assert_int_equal(bytes, 44 + rec_ms * 8 * 4);
	/* downloaded by the CLI */
	write_token(supervisor);
	char out_path[200], id[24], *out = NULL, *err = NULL;
	snprintf(out_path, sizeof(out_path), "%s/call.wav", d.dir);
	snprintf(id, sizeof(id), "%lld", recording_id);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "recording", "get", id, "-o", out_path, NULL), 0);
	free(out);
	free(err);
	FILE *f = fopen(out_path, "rb");
	assert_non_null(f);
	uint8_t *wav = malloc((size_t)bytes + 1);
	assert_int_equal(fread(wav, 1, (size_t)bytes + 1, f), (size_t)bytes);
	fclose(f);
	assert_memory_equal(wav, "RIFF", 4);
	assert_memory_equal(wav + 8, "WAVEfmt ", 8);
	assert_int_equal(wav[22], 2);                                    /* two channels */
	assert_int_equal(wav[24] | wav[25] << 8, 8000);                  /* 8 kHz */
	assert_int_equal(wav[34], 16);                                   /* 16-bit */
	assert_memory_equal(wav + 36, "data", 4);
	size_t n_frames = (size_t)(bytes - 44) / 4;
	int16_t *frames = malloc(n_frames * 2 * sizeof(*frames));
	for (size_t i = 0; i < n_frames * 2; i++)
		frames[i] = (int16_t)(wav[44 + 2 * i] | wav[45 + 2 * i] << 8);
	free(wav);
	/* the caller's channel holds what SIPp played and guichet relayed to
	 * the phone, the agent's the phone's echo of it relayed back */
	size_t n_ref = 0, pk = 0;
	int16_t *ref = pcap_samples(&n_ref, &pk);
	size_t left = packets_in(frames, n_frames, 0, ref, n_ref, pk), right = packets_in(frames, n_frames, 1, ref, n_ref, pk);
	fprintf(stderr, "# of %zu packets played, %lld relayed to the phone and %lld back: %zu in the caller's channel, "
		"%zu in the agent's\n", n_ref / pk, to_agent, to_caller, left, right);
	assert_true(to_agent > 100);
	assert_true((long long)left >= to_agent - 2 && (long long)left <= to_agent);
	assert_true((long long)right >= to_caller - 2 && (long long)right <= to_caller);
	free(ref);
	free(frames);
	recorded_contact = contact;
	snprintf(recorded_file, sizeof(recorded_file), "%s", out_path);
}

static void only_listeners_of_the_tenant_get_a_recording(void **state)
{
	if (recording_id == 0)
		skip();
	struct resp r;
	/* agents, outsourced or not: 403; another tenant: 404 */
	http_expect(&d, "GET", agent, 403, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	resp_clear(&r);
	http_expect(&d, "GET", inhouse, 403, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	resp_clear(&r);
	http_expect(&d, "GET", inhouse, 403, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	http_expect(&d, "GET", outsourced, 403, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	resp_clear(&r);
	http_expect(&d, "GET", outsourced, 403, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	http_expect(&d, "GET", agent, 403, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	resp_clear(&r);
	http_expect(&d, "GET", other, 404, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	/* the audio, whole and by ranges */
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/recordings/%lld/audio", recording_id);
	http_raw_headers(&d, "GET", path, admin, "Range: bytes=0-3", "", &r);
	assert_int_equal(r.status, 206);
	assert_memory_equal(r.text, "RIFF", 4);
	resp_clear(&r);
	http_raw_headers(&d, "GET", path, admin, "Range: bytes=99999999-", "", &r);
	assert_int_equal(r.status, 416);
	resp_clear(&r);
	/* the CLI's list */
	write_token(admin);
	char id[24], *out = NULL, *err = NULL;
	snprintf(id, sizeof(id), "%lld", recorded_contact);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "recording", "list", id, NULL), 0);
	assert_non_null(strstr(out, "duration_ms"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "recording", "get", id, NULL), 2);
	assert_non_null(strstr(err, "-o FILE"));
	free(out);
	free(err);
}

/* The outsourcer's supervisors hear nothing until the brand allows it, then
 * only the calls their own organisation's agents took. */
static void an_outsourcers_supervisor_hears_its_agents_calls_once_the_brand_allows(void **state)
{
	if (recording_id == 0)
		skip();
	struct resp r;
	http_expect(&d, "GET", supervisor, 200, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1); /* the brand's own supervisor */
	resp_clear(&r);
	http_expect(&d, "GET", bpo_supervisor, 403, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	resp_clear(&r);
	http_expect(&d, "GET", bpo_supervisor, 403, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	/* the CLI checks its flag, then the brand allows it: the retention stays as it was */
	write_token(admin);
	char *out = NULL, *err = NULL;
	assert_int_equal(run_cli(&d, token_file, &out, &err, "recording", "settings", "--outsourcers-listen", "maybe",
				 NULL), 2);
	assert_non_null(strstr(err, "--outsourcers-listen"));
	free(out);
	free(err);
	assert_int_equal(run_cli(&d, token_file, &out, &err, "--json", "recording", "settings", "--outsourcers-listen",
				 "yes", NULL), 0);
	assert_non_null(strstr(out, "\"outsourcers_listen\": true"));
	assert_non_null(strstr(out, "\"retention_days\": 30"));
	free(out);
	free(err);
	http_expect(&d, "GET", bpo_supervisor, 200, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "agent_id")),
			 agent_id);
	resp_clear(&r);
	char path[96];
	snprintf(path, sizeof(path), "/api/v1/recordings/%lld/audio", recording_id);
	http_raw_headers(&d, "GET", path, bpo_supervisor, "Range: bytes=0-3", "", &r);
	assert_int_equal(r.status, 206);
	assert_memory_equal(r.text, "RIFF", 4);
	resp_clear(&r);
	/* another outsourcer's supervisor: none of alice's calls */
	http_expect(&d, "GET", bpo2_supervisor, 200, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	http_expect(&d, "GET", bpo2_supervisor, 404, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	/* outsourced agents still never listen, nor another tenant, whose setting is its own */
	http_expect(&d, "GET", agent, 403, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	http_expect(&d, "GET", other, 200, NULL, &r, "/api/v1/recordings/settings");
	assert_true(json_is_false(json_object_get(r.json, "outsourcers_listen")));
	resp_clear(&r);
	/* a tenant with no settings yet that allows it keeps the default retention */
	http_expect(&d, "PUT", other, 200, json_pack("{s:b}", "outsourcers_listen", 1), &r, "/api/v1/recordings/settings");
	assert_int_equal(resp_int(&r, "retention_days"), 90);
	resp_clear(&r);
	/* taken back: 403 again */
	http_expect(&d, "PUT", admin, 200, json_pack("{s:b}", "outsourcers_listen", 0), &r, "/api/v1/recordings/settings");
	assert_int_equal(resp_int(&r, "retention_days"), 30);
	resp_clear(&r);
	http_expect(&d, "GET", bpo_supervisor, 403, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
}

static void a_queue_not_recorded_leaves_no_file(void **state)
{
	if (geteuid() != 0)
		skip();
	int files = count_files();
	long long before = newest_contact();
	talk_call(PLAIN_NUMBER);
	long long contact = newest_contact();
	assert_true(contact > before);
	json_t *items = events_until(contact, "call_ended");
	assert_true(event_index(items, "call_bridged", NULL) >= 0);
	assert_int_equal(event_index(items, "call_recording_notice", NULL), -1);
	json_decref(items);
	sleep_ms(1000); /* a recording would be written by now */
	items = events_until(contact, "call_ended");
	assert_int_equal(event_index(items, "call_recorded", NULL), -1);
	json_decref(items);
	struct resp r;
	http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/recordings", contact);
	assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
	resp_clear(&r);
	assert_int_equal(count_files(), files);
}

static void retention_deletes_the_row_and_its_file_and_orphans_go(void **state)
{
	if (recording_id == 0)
		skip();
	/* a crash's leftovers: a file being written, a whole file no row names */
	char stray[256], part[256];
	snprintf(stray, sizeof(stray), "%s/t1-c1-1-999.wav", rec_dir);
	snprintf(part, sizeof(part), "%s/t1-c1-1-998.wav.part", rec_dir);
	FILE *f = fopen(stray, "w");
	fputs("x", f);
	fclose(f);
	f = fopen(part, "w");
	fputs("x", f);
	fclose(f);
	int files = count_files();
	/* the recording 31 days old: past the tenant's 30 */
	assert_int_equal(daemon_stop(&d), 0);
	char sql[160];
	snprintf(sql, sizeof(sql), "UPDATE recordings SET started_at = started_at - %lld WHERE id = %lld",
		 31LL * 86400000, recording_id);
	assert_int_equal(testdb_exec(d.db, sql), 0);
	assert_int_equal(start(), 0);
	free(admin);
	admin = login(&d, "admin@brand.example", PASSWORD);
	size_t left = 1;
	for (int i = 0; i < 500 && left > 0; i++) {
		struct resp r;
		http_expect(&d, "GET", admin, 200, NULL, &r, "/api/v1/contacts/%lld/recordings", recorded_contact);
		left = json_array_size(json_object_get(r.json, "items"));
		resp_clear(&r);
		if (left)
			sleep_ms(10);
	}
	assert_int_equal(left, 0);
	struct resp r;
	http_expect(&d, "GET", admin, 404, NULL, &r, "/api/v1/recordings/%lld/audio", recording_id);
	resp_clear(&r);
	assert_int_equal(count_files(), files - 3); /* the expired one and both orphans */
	struct stat st;
	assert_int_not_equal(stat(stray, &st), 0);
	assert_int_not_equal(stat(part, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_are_checked_and_kept_per_tenant),
		cmocka_unit_test(a_recorded_call_says_the_notice_and_records_the_bridge),
		cmocka_unit_test(only_listeners_of_the_tenant_get_a_recording),
		cmocka_unit_test(an_outsourcers_supervisor_hears_its_agents_calls_once_the_brand_allows),
		cmocka_unit_test(a_queue_not_recorded_leaves_no_file),
		cmocka_unit_test(retention_deletes_the_row_and_its_file_and_orphans_go),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
