/* Durability: contacts written through the API under load, the daemon
 * killed with SIGKILL mid-stream, restarted: every acknowledged contact is
 * there, exactly once, and nothing is there twice. Then the same with
 * routing: contacts posted into a queue while agents accept their offers;
 * after the kill every acknowledged contact is waiting or assigned, to one
 * agent at most, none lost, none twice. On PostgreSQL (GUICHET_TEST_ENGINE)
 * the database server is crashed too, pg_ctl stop -m immediate, and
 * restarted before the daemon (daemon_crash). On SQLite, commits reach the
 * database file itself soon after, not only the write-ahead log: the
 * checkpointer (daemon/checkpoint.h) copies them off the writer's thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "testdb.h"

#define PASSWORD "durable pass"
#define WRITERS 8
#define MAX_PER_WRITER LOAD_MAX_WRITES

static struct daemon d;
static char *token;
static atomic_bool stop_writing;
static long long queue_id;       /* 0: contacts go to no queue */

/* Every contact stored after the restart, each subject once, every
 * acknowledged one there: how many are stored. */
static int check_stored(struct load_writer *writers)
{
	/* every contact stored, each subject once */
	static char seen[WRITERS][MAX_PER_WRITER];
	int stored = load_read_back(&d, token, WRITERS, seen);
	for (int w = 0; w < WRITERS; w++) {
		for (int k = 0; k < writers[w].n_acked; k++) {
			assert_int_equal(seen[w][writers[w].acked_seq[k]], 1);
			char one[64];
			snprintf(one, sizeof(one), "/api/v1/contacts/%lld", writers[w].acked_ids[k]);
			if (k % 50 == 0) { /* spot-check the id too */
				struct resp r;
				http_json(&d, "GET", one, token, NULL, &r);
				assert_int_equal(r.status, 200);
				char subject[32];
				snprintf(subject, sizeof(subject), "w%d-%d", w, writers[w].acked_seq[k]);
				assert_string_equal(json_string_value(json_object_get(r.json, "subject")), subject);
				resp_clear(&r);
			}
		}
	}
	return stored;
}

static void acknowledged_writes_survive_kill_9(void **state)
{
	assert_int_equal(daemon_init(&d, "t", "admin@t.example", PASSWORD), 0);
	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	token = login(&d, "admin@t.example", PASSWORD);
	static struct load_writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(load_writer_start(&writers[i], &d, token, i, queue_id, &stop_writing, &threads[i]), 0);
	usleep(1500 * 1000);
	assert_int_equal(daemon_crash(&d), 0);
	atomic_store(&stop_writing, true);
	int acked = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		acked += writers[i].n_acked;
	}
	fprintf(stderr, "# %d contacts acknowledged before kill -9\n", acked);
	assert_true(acked > 50);

	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	int stored = check_stored(writers);
	fprintf(stderr, "# %d stored after restart (acknowledged or in flight at the kill)\n", stored);
	assert_true(stored >= acked && stored <= acked + WRITERS);
	assert_int_equal(daemon_stop(&d), 0);
	free(token);
	daemon_cleanup(&d);
}

/* An agent taking every offer on its stream until the daemon dies. */
struct taker {
	char *token;
	int accepted, finished;     /* acknowledged accepts and wrap-ups */
};

static void *take_offers(void *arg)
{
	struct taker *t = arg;
	struct sse s;
	struct sse_event ev = {0};
	if (sse_open(&s, &d, t->token, 0) != 200)
		return NULL;
	while (!atomic_load(&stop_writing)) {
		if (!sse_next(&s, "offered", 200, &ev))
			continue;
		char path[96];
		snprintf(path, sizeof(path), "/api/v1/contacts/%lld/accept",
			 (long long)json_integer_value(json_object_get(ev.data, "contact_id")));
		struct resp r;
		http_json(&d, "POST", path, t->token, NULL, &r);
		t->accepted += r.status == 200;
		resp_clear(&r);
		if (t->accepted % 2 == 0) { /* every other one is finished at once */
			strcpy(strrchr(path, '/'), "/wrapup");
			http_json(&d, "POST", path, t->token, json_pack("{s:s}", "disposition", "done"), &r);
			t->finished += r.status == 200;
			resp_clear(&r);
		}
	}
	json_decref(ev.data);
	sse_close(&s);
	return NULL;
}

#define AGENTS 3

static void routed_contacts_survive_kill_9(void **state)
{
	memset(&d, 0, sizeof(d));
	atomic_store(&stop_writing, false);
	assert_int_equal(daemon_init(&d, "t", "admin@t.example", PASSWORD), 0);
	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	token = login(&d, "admin@t.example", PASSWORD);
	struct resp r;
	http_json(&d, "POST", "/api/v1/skills", token, json_pack("{s:s}", "name", "support"), &r);
	long long skill = resp_int(&r, "id");
	resp_clear(&r);
	http_json(&d, "POST", "/api/v1/queues", token, json_pack("{s:s,s:I,s:s,s:i}", "name", "support", "skill_id",
		  (json_int_t)skill, "channel", "chat", "offer_timeout_s", 30), &r);
	assert_int_equal(r.status, 201);
	queue_id = resp_int(&r, "id");
	resp_clear(&r);
	static struct taker takers[AGENTS];
	long long agent_ids[AGENTS];
	pthread_t agent_threads[AGENTS];
	for (int i = 0; i < AGENTS; i++) {
		char email[64], path[64];
		snprintf(email, sizeof(email), "agent%d@t.example", i);
		http_json(&d, "POST", "/api/v1/users", token, json_pack("{s:s,s:s,s:s,s:s}", "email", email, "name", email,
			  "password", PASSWORD, "role", "agent"), &r);
		agent_ids[i] = resp_int(&r, "id");
		resp_clear(&r);
		snprintf(path, sizeof(path), "/api/v1/agents/%lld", agent_ids[i]);
		assert_int_equal(http_status(&d, "PUT", path, token, json_pack("{s:[{s:I}],s:{s:i}}", "skills", "skill_id",
			(json_int_t)skill, "capacity", "chat", 3)), 200);
		takers[i].token = login(&d, email, PASSWORD);
		assert_int_equal(http_status(&d, "POST", "/api/v1/agents/me/presence", takers[i].token,
			json_pack("{s:s}", "presence", "available")), 200);
		pthread_create(&agent_threads[i], NULL, take_offers, &takers[i]);
	}
	static struct load_writer writers[WRITERS];
	pthread_t threads[WRITERS];
	for (int i = 0; i < WRITERS; i++)
		assert_int_equal(load_writer_start(&writers[i], &d, token, i, queue_id, &stop_writing, &threads[i]), 0);
	usleep(1500 * 1000);
	assert_int_equal(daemon_crash(&d), 0);
	atomic_store(&stop_writing, true);
	int acked = 0, accepted = 0, finished = 0;
	for (int i = 0; i < WRITERS; i++) {
		pthread_join(threads[i], NULL);
		acked += writers[i].n_acked;
	}
	for (int i = 0; i < AGENTS; i++) {
		pthread_join(agent_threads[i], NULL);
		accepted += takers[i].accepted;
		finished += takers[i].finished;
	}
	fprintf(stderr, "# %d routed contacts acknowledged, %d accepted, %d finished before kill -9\n", acked,
		accepted, finished);
	assert_true(acked > 50);
	assert_true(accepted > 0);

	assert_int_equal(daemon_start(&d, "--access-log", "off", NULL), 0);
	int stored = check_stored(writers);
	assert_true(stored >= acked && stored <= acked + WRITERS);
	/* each acknowledged contact waits or is held (offered again maybe), by one agent at most */
	int held = 0, waiting = 0, done = 0;
	for (int w = 0; w < WRITERS; w++)
		for (int k = 0; k < writers[w].n_acked; k++) {
			char path[96];
			snprintf(path, sizeof(path), "/api/v1/contacts/%lld/routing", writers[w].acked_ids[k]);
			http_json(&d, "GET", path, token, NULL, &r);
			if (r.status != 200) { /* finished: it left the queue, resolved */
				resp_clear(&r);
				snprintf(path, sizeof(path), "/api/v1/contacts/%lld", writers[w].acked_ids[k]);
				http_json(&d, "GET", path, token, NULL, &r);
				assert_string_equal(json_string_value(json_object_get(r.json, "state")), "resolved");
				resp_clear(&r);
				done++;
				continue;
			}
			const char *where = json_string_value(json_object_get(r.json, "state"));
			assert_true(strcmp(where, "waiting") == 0 || strcmp(where, "offered") == 0 ||
				    strcmp(where, "assigned") == 0);
			held += strcmp(where, "assigned") == 0;
			waiting += strcmp(where, "assigned") != 0;
			resp_clear(&r);
		}
	/* the agents hold exactly the assigned ones, within their capacity */
	int holding = 0;
	for (int i = 0; i < AGENTS; i++) {
		char path[64];
		snprintf(path, sizeof(path), "/api/v1/agents/%lld", agent_ids[i]);
		http_json(&d, "GET", path, token, NULL, &r);
		json_t *live = json_object_get(r.json, "live");
		int chats = (int)json_integer_value(json_object_get(json_object_get(live, "holding"), "chat"));
		int offered = (int)json_integer_value(json_object_get(live, "offered"));
		assert_true(chats <= 3);
		holding += chats - offered;
		resp_clear(&r);
		free(takers[i].token);
	}
	fprintf(stderr, "# after restart: %d resolved, %d assigned, %d waiting or offered again\n", done, held, waiting);
	/* every acknowledged accept and wrap-up kept (one in flight per agent at the kill may be too) */
	assert_true(done >= finished && done <= finished + AGENTS);
	assert_true(held >= accepted - done - AGENTS && held <= accepted - finished + AGENTS);
	assert_int_equal(holding, held);
	assert_int_equal(daemon_stop(&d), 0);
	free(token);
	daemon_cleanup(&d);
	queue_id = 0;
}

/* The contacts in the SQLite file itself, the write-ahead log left aside
 * (immutable=1 reads the file as it is): what checkpoints copied there. */
static long checkpointed_contacts(void)
{
	char cmd[1200];
	snprintf(cmd, sizeof(cmd), "sqlite3 'file:%s?immutable=1' 'SELECT count(*) FROM contacts' 2>/dev/null", d.db);
	FILE *p = popen(cmd, "r");
	long n = -1;
	if (p && fscanf(p, "%ld", &n) != 1)
		n = -1;
	if (p)
		pclose(p);
	return n;
}

static void commits_reach_the_database_file(void **state)
{
	testdb_skip_unless_sqlite("PostgreSQL checkpoints its own log");
	assert_int_equal(daemon_init(&d, "durable", "admin@durable.example", PASSWORD), 0);
	assert_int_equal(daemon_start(&d, NULL), 0);
	token = login(&d, "admin@durable.example", PASSWORD);
	for (int i = 0; i < 300; i++) {
		char subject[32];
		snprintf(subject, sizeof(subject), "checkpointed %d", i);
		assert_int_equal(http_status(&d, "POST", "/api/v1/contacts", token,
					     json_pack("{s:s,s:s}", "channel", "email", "subject", subject)), 201);
	}
	long n = 0;
	for (int i = 0; i < 50 && (n = checkpointed_contacts()) < 300; i++)
		usleep(100000);
	assert_int_equal(n, 300);
	assert_int_equal(daemon_stop(&d), 0);
	free(token);
	daemon_cleanup(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(acknowledged_writes_survive_kill_9),
		cmocka_unit_test(routed_contacts_survive_kill_9),
		cmocka_unit_test(commits_reach_the_database_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
