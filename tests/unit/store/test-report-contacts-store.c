/* store/report_contacts.c on the run's engine: the contacts' events folded
 * into the reasons', satisfaction's and knowledge's rows, every figure
 * computed by hand. A resolution counts once with its reason and
 * disposition; a second fold adds nothing and a fold cut in chunks of one
 * event counts the same; a knowledge item's resolution turns into a
 * failure when a contact of the same customer and reason comes within 7
 * days, whether that contact is folded after the resolution or was there
 * before it; a resolution with no reason cannot be repeated; only the
 * touched tenants are folded by store_report_contacts_fold_touched;
 * another tenant sees nothing; two nodes folding one tenant's events,
 * committed out of their ids' order, count each once; on PostgreSQL the
 * events' contacts are read together (a round trip for 16, not one each);
 * the events the fold would skip are stored folded. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "teststore.h"
#include "testdb.h"
#include "store/db.h"
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#define TREE 9001
#define ARTICLE 9002

struct fixture {
	struct test_store ts;
	struct store *s;
	struct store_scope a, b;
	int64_t c1, c2, c3;
};

static struct store_scope scope_in(int64_t tenant)
{
	struct store_scope sc = {.tenant_id = tenant, .role = ROLE_TENANT_ADMIN, .has_role = true,
				 .sees = SENS_CONFIDENTIAL, .platform_admin = true};
	snprintf(sc.actor, sizeof(sc.actor), "test");
	return sc;
}

static int64_t customer(struct fixture *f, const char *ext)
{
	struct customer_input in = {.external_id = ext};
	int64_t id = 0;
	assert_int_equal(store_customer_create_id(f->s, &f->a, &in, &id), GC_OK);
	return id;
}

static int64_t contact(struct fixture *f, int64_t cust, const char *reason)
{
	struct contact_input in = {.channel = CHANNEL_EMAIL, .customer_id = cust, .subject = "s", .reason = reason};
	int64_t id = 0;
	usleep(2000); /* each contact a later millisecond: "within 7 days after" is strict, as first-contact resolution's */
	assert_int_equal(store_contact_create(f->s, &f->a, &in, &id), GC_OK);
	return id;
}

static void resolve(struct fixture *f, int64_t id, const char *disposition)
{
	struct state_input in = {.state = CONTACT_RESOLVED, .disposition = disposition, .expected_version = -1};
	assert_int_equal(store_contact_set_state(f->s, &f->a, id, &in, NULL), GC_OK);
}

static void fold(struct fixture *f, int limit)
{
	int n;
	do {
		assert_int_equal(store_begin(f->s), GC_OK);
		n = store_report_contacts_fold(f->s, f->a.tenant_id, limit);
		assert_true(n >= 0);
		assert_int_equal(store_commit(f->s), GC_OK);
	} while (limit > 0 && n == limit);
}

static json_t *read_rows(struct fixture *f, const struct store_scope *sc, bool knowledge)
{
	struct store_report_query q = {.from_ms = 0, .to_ms = gc_now_ms() + 3600000LL};
	json_t *rows = NULL;
	assert_int_equal(knowledge ? store_report_knowledge(f->s, sc, &q, &rows) : store_report_reasons(f->s, sc, &q, &rows),
			 GC_OK);
	return rows;
}

static long long sum_of(const json_t *rows, const char *key, const char *value, const char *field)
{
	long long n = 0;
	size_t i;
	const json_t *r;
	json_array_foreach(rows, i, r) {
		const json_t *v = json_object_get(r, key);
		if (value == NULL || (json_is_string(v) && strcmp(json_string_value(v), value) == 0) ||
		    (json_is_integer(v) && json_integer_value(v) == atoll(value)))
			n += json_integer_value(json_object_get(r, field));
	}
	return n;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	int64_t ta, tb;
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &tb), GC_OK);
	f->a = scope_in(ta);
	f->b = scope_in(tb);
	f->c1 = customer(f, "C-1");
	f->c2 = customer(f, "C-2");
	f->c3 = customer(f, "C-3");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_free(f->s);
	test_store_clear(&f->ts);
	free(f);
	return 0;
}

/* The history: x (C-1, internet) resolved "fixed" with the tree and its
 * article; y (C-2, billing) resolved "refunded", the tree said not to
 * solve it; z (C-3, no reason) resolved "fixed" with the tree; then w
 * (C-1, internet) comes: x's resolution fails. v (C-2, billing) is made
 * before u (C-2, billing)'s resolution is recorded, but after u: u fails at
 * once. */
static void write_history(struct fixture *f)
{
	int64_t x = contact(f, f->c1, "internet"), y = contact(f, f->c2, "billing"), z = contact(f, f->c3, NULL);
	assert_int_equal(store_contact_kb_outcome(f->s, &f->a, x, 1, TREE, ARTICLE, true), GC_OK);
	resolve(f, x, "fixed");
	assert_int_equal(store_contact_kb_outcome(f->s, &f->a, y, 2, TREE, 0, false), GC_OK);
	resolve(f, y, "refunded");
	assert_int_equal(store_contact_kb_outcome(f->s, &f->a, z, 3, TREE, 0, true), GC_OK);
	resolve(f, z, "fixed");
	int64_t w = contact(f, f->c1, "internet");
	resolve(f, w, "fixed");
	int64_t u = contact(f, f->c2, "billing");
	contact(f, f->c2, "billing"); /* v */
	assert_int_equal(store_contact_kb_outcome(f->s, &f->a, u, 4, ARTICLE, 0, true), GC_OK);
}

static void check(struct fixture *f)
{
	json_t *reasons = read_rows(f, &f->a, false);
	assert_int_equal(sum_of(reasons, "reason", NULL, "contacts"), 4);
	assert_int_equal(sum_of(reasons, "reason", "internet", "contacts"), 2);
	assert_int_equal(sum_of(reasons, "reason", "billing", "contacts"), 1);
	assert_int_equal(sum_of(reasons, "reason", "", "contacts"), 1);
	assert_int_equal(sum_of(reasons, "disposition", "fixed", "contacts"), 3);
	assert_int_equal(sum_of(reasons, "disposition", "refunded", "contacts"), 1);
	json_decref(reasons);
	json_t *kb = read_rows(f, &f->a, true);
	char tree[16], article[16];
	snprintf(tree, sizeof(tree), "%d", TREE);
	snprintf(article, sizeof(article), "%d", ARTICLE);
	/* the tree: x (then repeated by w), y said no, z (no reason: stands) */
	assert_int_equal(sum_of(kb, "item_id", tree, "resolved"), 2);
	assert_int_equal(sum_of(kb, "item_id", tree, "said_no"), 1);
	assert_int_equal(sum_of(kb, "item_id", tree, "repeated"), 1);
	/* the article: x (repeated by w) and u (repeated by v, there before) */
	assert_int_equal(sum_of(kb, "item_id", article, "resolved"), 2);
	assert_int_equal(sum_of(kb, "item_id", article, "repeated"), 2);
	assert_int_equal(sum_of(kb, "item_id", article, "said_no"), 0);
	json_decref(kb);
	json_t *none = read_rows(f, &f->b, false);
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
	none = read_rows(f, &f->b, true);
	assert_int_equal(json_array_size(none), 0);
	json_decref(none);
}

static void each_event_counts_once(void **state)
{
	struct fixture *f = *state;
	write_history(f);
	fold(f, 0);
	check(f);
	fold(f, 0); /* nothing new: nothing added */
	check(f);
}

static void a_fold_in_chunks_counts_the_same(void **state)
{
	struct fixture *f = *state;
	write_history(f);
	fold(f, 1);
	check(f);
}

static void the_touched_tenants_are_folded(void **state)
{
	struct fixture *f = *state;
	store_report_contacts_catch_up(f->s); /* forgets what setup touched */
	assert_int_equal(store_begin(f->s), GC_OK);
	write_history(f);
	assert_int_equal(store_report_contacts_fold_touched(f->s), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	check(f);
	assert_int_equal(store_begin(f->s), GC_OK);
	assert_int_equal(store_report_contacts_fold_touched(f->s), GC_OK); /* none touched since */
	assert_int_equal(store_commit(f->s), GC_OK);
	check(f);
}

/* Two nodes of a cluster write the same tenant's events and fold them in
 * their own transactions, which commit out of the order of the events' ids:
 * node 1 takes an id first and commits last. Each event still counts once
 * (a cursor over ids counted node 2's twice or node 1's never). PostgreSQL
 * only: SQLite has one writer, so its ids always commit in order. */
static void two_nodes_fold_each_event_once(void **state)
{
	struct fixture *f = *state;
	if (strcmp(testdb_engine_name(), "postgresql") != 0) {
		skip();
		return;
	}
	struct store *node2 = NULL;
	assert_int_equal(store_open(f->ts.target, STORE_READ_WRITE, &node2), GC_OK);
	int64_t x = contact(f, f->c1, "internet"), y = contact(f, f->c2, "billing");
	fold(f, 0);
	assert_int_equal(store_begin(f->s), GC_OK);
	resolve(f, x, "fixed"); /* node 1's event: the lower id, not committed yet */
	assert_int_equal(store_report_contacts_fold(f->s, f->a.tenant_id, 0), 1);
	assert_int_equal(store_begin(node2), GC_OK);
	struct state_input in = {.state = CONTACT_RESOLVED, .disposition = "refunded", .expected_version = -1};
	assert_int_equal(store_contact_set_state(node2, &f->a, y, &in, NULL), GC_OK);
	assert_int_equal(store_report_contacts_fold(node2, f->a.tenant_id, 0), 1); /* its own only */
	assert_int_equal(store_commit(node2), GC_OK);
	assert_int_equal(store_commit(f->s), GC_OK);
	fold(f, 0); /* nothing left on either node */
	assert_int_equal(store_begin(node2), GC_OK);
	assert_int_equal(store_report_contacts_fold(node2, f->a.tenant_id, 0), 0);
	assert_int_equal(store_commit(node2), GC_OK);
	json_t *reasons = read_rows(f, &f->a, false);
	assert_int_equal(sum_of(reasons, "reason", NULL, "contacts"), 2);
	assert_int_equal(sum_of(reasons, "disposition", "fixed", "contacts"), 1);
	assert_int_equal(sum_of(reasons, "disposition", "refunded", "contacts"), 1);
	json_decref(reasons);
	store_free(node2);
}

/* 40 events of contacts with no customer (nothing else to read or write
 * for them; each taken in progress, as their creation is stored folded):
 * the claim, then their contacts in 3 round trips (16, 16, 8), once the
 * statements are prepared (the first round). */
static void the_events_contacts_are_read_together(void **state)
{
	struct fixture *f = *state;
	int64_t trips[2] = {0};
	for (int round = 0; round < 2; round++) {
		assert_int_equal(store_begin(f->s), GC_OK);
		for (int i = 0; i < 40; i++) {
			struct contact_input in = {.channel = CHANNEL_EMAIL, .subject = "s"};
			struct state_input st = {.state = CONTACT_IN_PROGRESS, .expected_version = -1};
			int64_t id = 0;
			assert_int_equal(store_contact_create(f->s, &f->a, &in, &id), GC_OK);
			assert_int_equal(store_contact_set_state(f->s, &f->a, id, &st, NULL), GC_OK);
		}
		assert_int_equal(store_commit(f->s), GC_OK);
		assert_int_equal(store_begin(f->s), GC_OK);
		int64_t before = db_engine(f->s->db) == DB_POSTGRESQL ? db_pg_round_trips(f->s->db) : 0;
		assert_int_equal(store_report_contacts_fold(f->s, f->a.tenant_id, 100), 40);
		if (db_engine(f->s->db) == DB_POSTGRESQL)
			trips[round] = db_pg_round_trips(f->s->db) - before;
		assert_int_equal(store_commit(f->s), GC_OK);
	}
	if (db_engine(f->s->db) == DB_POSTGRESQL)
		assert_int_equal(trips[1], 1 + 3);
}

/* The events the fold would skip are stored folded: contacts created with
 * no customer, or no reason, and messages leave nothing to claim, and a
 * batch of them touches no tenant. A contact created so and given its
 * customer and reason afterwards is folded by that change: it still
 * repeats the resolution of its customer and reason made before it. */
static void only_what_the_fold_counts_waits_for_it(void **state)
{
	struct fixture *f = *state;
	int64_t x = contact(f, f->c1, "internet");
	assert_int_equal(store_contact_kb_outcome(f->s, &f->a, x, 1, TREE, 0, true), GC_OK);
	resolve(f, x, "fixed");
	fold(f, 0);
	store_report_contacts_catch_up(f->s); /* forgets what was touched */
	assert_int_equal(store_begin(f->s), GC_OK);
	int64_t y = contact(f, 0, "internet"), z = contact(f, f->c1, NULL);
	contact(f, 0, NULL);
	struct message_input m = {.body = "still down"};
	json_t *msg = NULL;
	assert_int_equal(store_contact_add_message(f->s, &f->a, y, &m, false, &msg), GC_OK);
	json_decref(msg);
	assert_int_equal(f->s->n_touched, 0);
	assert_false(f->s->touched_all);
	assert_int_equal(store_report_contacts_fold(f->s, f->a.tenant_id, 0), 0);
	assert_int_equal(store_commit(f->s), GC_OK);
	char tree[16];
	snprintf(tree, sizeof(tree), "%d", TREE);
	json_t *kb = read_rows(f, &f->a, true);
	assert_int_equal(sum_of(kb, "item_id", tree, "repeated"), 0);
	json_decref(kb);
	/* z gets its reason: internet, for C-1, after x's resolution */
	struct contact_input up = {.has = HAS_REASON, .reason = "internet"};
	json_t *c = NULL;
	assert_int_equal(store_contact_update(f->s, &f->a, z, &up, &c), GC_OK);
	json_decref(c);
	fold(f, 0);
	kb = read_rows(f, &f->a, true);
	assert_int_equal(sum_of(kb, "item_id", tree, "repeated"), 1);
	json_decref(kb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(each_event_counts_once, setup, teardown),
		cmocka_unit_test_setup_teardown(a_fold_in_chunks_counts_the_same, setup, teardown),
		cmocka_unit_test_setup_teardown(the_touched_tenants_are_folded, setup, teardown),
		cmocka_unit_test_setup_teardown(two_nodes_fold_each_event_once, setup, teardown),
		cmocka_unit_test_setup_teardown(the_events_contacts_are_read_together, setup, teardown),
		cmocka_unit_test_setup_teardown(only_what_the_fold_counts_waits_for_it, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
