/* The demo tenant's operations, written offline by "guichet admin demo" in
 * its one transaction, so that "make run" shows every role something real
 * from the first page:
 *
 *  - a business calendar (Europe/Paris) and four queues with service-level
 *    goals and first-response targets: Billing (chat), Billing experts (chat,
 *    level 2), Technical support (phone), Email support (email);
 *  - agents with skills, levels and capacities on chat, phone and email;
 *  - the demo's knowledge (data/demo/kb.jsonl) imported and published;
 *  - contacts waiting in the queues and contacts held by agents, written
 *    as the router writes them (a routing row, the contact's state, entry
 *    queue and due time, the routing events): guichetd's router loads them
 *    at start as after any restart (router.c, load), so they are in the
 *    real queues with their waited time, and agents get offers as soon as
 *    they go available;
 *  - a day of history and the same weekdays of the four weeks before (for
 *    the forecast beside the day so far): contacts arriving along a day's
 *    curve, answered after a wait, a few missed offers, abandoned,
 *    escalated to the experts with a reason, wrapped up, by agents
 *    available from 8:00 to 20:00 (their occupancy); each written
 *    through the store as now, then moved to its time
 *    (store_contact_backdate) step by step;
 *  - the customers' side: the help centre enabled (its phone, email and
 *    callback form; requests to a person and callbacks wait in Technical
 *    support), with
 *    an outage in Lyon and an announcement published at its top.
 *
 * The history is random but seeded: the same counts on every run, at times
 * relative to now. A contact whose story would end after now is left out. */
#include "cli/cli.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { Q_BILLING, Q_EXPERTS, Q_TECH, Q_EMAIL, N_QUEUES };
enum { A_AGENT, A_EXPERT, A_OUTSOURCED, A_SUPERVISOR, N_AGENTS };

#define MIN_MS 60000LL
#define DAY_MS 86400000LL

struct demo {
	struct store *s;
	const struct store_scope *scope;
	struct calendar cal;
	int64_t now;                /* when the demo began to be written: history is before it */
	int64_t queue[N_QUEUES], agent[N_AGENTS];
	const int64_t *customers;
	int n_customers;
	uint64_t rng;
	int n_held[3];              /* held contacts so far per channel (chat, phone, email) */
	struct demo_counts *counts;
};

/* Offers last long enough for a person trying the demo to read them. */
static const struct queue_input queues[N_QUEUES] = {
	{.name = "Billing", .channel = CHANNEL_CHAT, .level = 1, .strategy = 0, .sl_target = 0.8, .sl_seconds = 30,
	 .offer_timeout_s = 60, .wrapup_s = 10, .first_response_s = 120},
	{.name = "Billing experts", .channel = CHANNEL_CHAT, .level = 2, .strategy = 1, .sl_target = 0.8,
	 .sl_seconds = 60, .offer_timeout_s = 60, .wrapup_s = 30, .first_response_s = 600},
	{.name = "Technical support", .channel = CHANNEL_PHONE, .level = 1, .strategy = 1, .sl_target = 0.8,
	 .sl_seconds = 20, .offer_timeout_s = 30, .wrapup_s = 20, .first_response_s = 60},
	{.name = "Email support", .channel = CHANNEL_EMAIL, .level = 1, .strategy = 0, .sl_target = 0.9,
	 .sl_seconds = 3600, .offer_timeout_s = 120, .wrapup_s = 30, .first_response_s = 4 * 3600},
};

static const char *const agent_emails[N_AGENTS] = {"agent@demo.example", "expert@demo.example",
						   "agent@acme-bpo.example", "supervisor@demo.example"};

static uint64_t next(struct demo *d)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 7;
	d->rng ^= d->rng << 17;
	return d->rng;
}

/* Uniform in [lo, hi]. */
static int64_t between(struct demo *d, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(next(d) % (uint64_t)(hi - lo + 1));
}

/* In [lo, hi], most of them near lo (u cubed): waits, mostly short. */
static int64_t skewed(struct demo *d, int64_t lo, int64_t hi)
{
	double u = (double)(next(d) % 10000) / 10000.0;
	return lo + (int64_t)((double)(hi - lo) * u * u * u);
}

static bool chance(struct demo *d, int percent)
{
	return (int)(next(d) % 100) < percent;
}

/* --- configuration --- */

static int demo_calendar(struct demo *d)
{
	json_t *in = json_pack("{s:s,s:s,s:{s:[s],s:[s],s:[s],s:[s],s:[s],s:[s]},s:[s,s,s]}", "zone", "Europe/Paris",
		"country", "FR",
		"hours", "mon", "08:00-20:00", "tue", "08:00-20:00", "wed", "08:00-20:00", "thu", "08:00-20:00",
		"fri", "08:00-20:00", "sat", "09:00-13:00", "holidays", "2026-12-25", "2027-01-01", "2027-05-01");
	struct decode_error err = {0};
	int rc = in == NULL ? GC_ENOMEM : calendar_decode(in, &d->cal, &err);
	json_decref(in);
	json_t *canon = rc == GC_OK ? calendar_json(&d->cal) : NULL;
	char *text = canon ? json_dumps(canon, JSON_COMPACT) : NULL;
	if (rc == GC_OK)
		rc = text ? store_calendar_put(d->s, d->scope, text) : GC_ENOMEM;
	free(text);
	json_decref(canon);
	return rc;
}

/* Skills, queues and agents' profiles: billing chats with level-2 experts
 * behind them, technical calls, email, and an outsourced agent on billing. */
/* The codes agents choose from at wrap-up: those the demo's history uses
 * ("abandoned" is guichet's own), and a few more. */
static int demo_dispositions(struct demo *d)
{
	static const char *const codes[][2] = {
		{"solved", "Solved"}, {"explained", "Explained to the customer"}, {"fixed_remotely", "Fixed remotely"},
		{"callback", "Callback planned"}, {"refund_issued", "Refund issued"}, {"technician_sent", "Technician sent"},
		{"no_solution", "No solution"},
	};
	struct disposition_list list = {.n = (int)(sizeof(codes) / sizeof(codes[0]))};
	for (int i = 0; i < list.n; i++) {
		list.items[i].code = codes[i][0];
		list.items[i].label = codes[i][1];
	}
	return store_dispositions_put(d->s, d->scope, &list);
}

static int demo_routing(struct demo *d)
{
	static const char *const skills[] = {"billing", "technical", "email"};
	int64_t skill_ids[3] = {0};
	int rc = GC_OK;
	for (int i = 0; rc == GC_OK && i < 3; i++) {
		json_t *skill = NULL;
		rc = store_skill_create(d->s, d->scope, skills[i], &skill);
		skill_ids[i] = json_integer_value(json_object_get(skill, "id"));
		json_decref(skill);
	}
	static const int queue_skill[N_QUEUES] = {0, 0, 1, 2};
	for (int i = 0; rc == GC_OK && i < N_QUEUES; i++) {
		struct queue_input q = queues[i];
		q.skill_id = skill_ids[queue_skill[i]];
		json_t *config = queue_input_json(&q);
		rc = config ? store_queue_create(d->s, d->scope, q.name, config, &d->queue[i]) : GC_ENOMEM;
		json_decref(config);
	}
	/* level; proficiency in billing, technical, email; capacity on phone, chat, email */
	static const int profile[N_AGENTS][7] = {
		{1, 7, 5, 6, 1, 3, 2}, {2, 8, 9, 5, 1, 2, 1}, {1, 6, 0, 0, 0, 3, 0}, {2, 8, 8, 8, 1, 2, 2}};
	for (int i = 0; rc == GC_OK && i < N_AGENTS; i++) {
		struct agent_profile_input p = {.level = profile[i][0], .max_missed = 3};
		for (int k = 0; k < 3; k++)
			if (profile[i][1 + k])
				p.skills[p.n_skills++] = (struct agent_skill_input){skill_ids[k], profile[i][1 + k], 1};
		p.capacity[CHANNEL_PHONE] = profile[i][4];
		p.capacity[CHANNEL_CHAT] = profile[i][5];
		p.capacity[CHANNEL_EMAIL] = profile[i][6];
		p.max_total = profile[i][4] + profile[i][5] + profile[i][6];
		if ((rc = store_user_find(d->s, agent_emails[i], &d->agent[i])) == GC_OK) {
			json_t *json = agent_profile_json(&p);
			rc = json ? store_agent_set_profile(d->s, d->scope, d->agent[i], json) : GC_ENOMEM;
			json_decref(json);
		}
	}
	return rc;
}

/* --- knowledge --- */

/* One line of the file checked and put as a draft; its id kept in ids. */
static int kb_line(struct demo *d, const char *path, int n, const char *line, json_t *ids)
{
	json_error_t jerr;
	json_t *o = json_loads(line, 0, &jerr), *canon = NULL;
	struct kb_tree_errors e;
	bool created = false;
	int rc = GC_EINVAL;
	if (o == NULL)
		fprintf(stderr, "guichet admin demo: %s: line %d: %s\n", path, n, jerr.text);
	else if (kb_content_limits(o, &e) < 0 || !kb_content_check(o, &e, &canon))
		fprintf(stderr, "guichet admin demo: %s: line %d: not a valid article or tree\n", path, n);
	else if ((rc = store_kb_put(d->s, d->scope, canon, &created, NULL)) == GC_OK)
		rc = json_array_append(ids, json_object_get(canon, "id")) == 0 ? GC_OK : GC_ENOMEM;
	json_decref(o);
	json_decref(canon);
	return rc;
}

/* Imports the file's articles and trees and publishes them: articles
 * first, so that a tree finds the articles it names. */
static int demo_kb(struct demo *d, const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "guichet admin demo: --kb: cannot open %s\n", path);
		return GC_EINVAL;
	}
	json_t *ids = json_array(), *kinds = json_array();
	char *line = NULL;
	size_t cap = 0;
	int rc = GC_OK, n = 0;
	while (rc == GC_OK && getline(&line, &cap, f) >= 0) {
		n++;
		if (strspn(line, " \t\r\n") == strlen(line))
			continue;
		size_t before = json_array_size(ids);
		rc = kb_line(d, path, n, line, ids);
		if (rc == GC_OK && json_array_size(ids) > before) {
			json_t *o = json_loads(line, 0, NULL);
			json_array_append_new(kinds, json_string(kb_content_kind(o)));
			json_decref(o);
		}
	}
	free(line);
	fclose(f);
	for (int pass = 0; rc == GC_OK && pass < 2; pass++)
		for (size_t i = 0; rc == GC_OK && i < json_array_size(ids); i++)
			if ((strcmp(json_string_value(json_array_get(kinds, i)), "tree") == 0) == (pass == 1))
				rc = store_kb_transition(d->s, d->scope, json_string_value(json_array_get(ids, i)),
							 "publish", 0, true);
	if (rc == GC_OK)
		d->counts->kb_items = (int)json_array_size(ids);
	json_decref(ids);
	json_decref(kinds);
	return rc;
}

/* --- routing as the router writes it --- */

/* A routing event with the data the router gives it (router.c, emit). */
static int event(struct demo *d, int64_t at, const char *type, int64_t contact, int64_t agent, int64_t queue,
		 json_t *data)
{
	if (data == NULL)
		data = json_object();
	char when[GC_TIME_LEN];
	gc_time_format(at, when);
	json_object_set_new(data, "at", json_string(when));
	if (contact)
		json_object_set_new(data, "contact_id", json_integer(contact));
	if (agent)
		json_object_set_new(data, "agent_id", json_integer(agent));
	if (queue)
		json_object_set_new(data, "queue_id", json_integer(queue));
	char *text = json_dumps(data, JSON_COMPACT);
	json_decref(data);
	int rc = text ? store_routing_event(d->s, d->scope->tenant_id, at, type, contact, agent, queue, text, NULL)
		      : GC_ENOMEM;
	free(text);
	return rc;
}

static int set_state(struct demo *d, int64_t contact, enum contact_state state, const char *disposition)
{
	struct state_input st = {.state = state, .expected_version = -1, .disposition = disposition};
	json_t *c = NULL;
	int rc = store_contact_set_state(d->s, d->scope, contact, &st, &c);
	json_decref(c);
	return rc;
}

static int add_message(struct demo *d, int64_t contact, bool outbound, bool note, const char *body)
{
	struct message_input m = {.outbound = outbound, .body = body};
	json_t *c = NULL;
	int rc = store_contact_add_message(d->s, d->scope, contact, &m, note, &c);
	json_decref(c);
	return rc;
}

/* The contact enters queue q at `at`: queued, its queue label, its entry
 * queue and first-response due time (ops.c, entered), "enqueued". */
static int enter(struct demo *d, int64_t contact, int q, int priority, int64_t created, int64_t at)
{
	int64_t due = 0;
	int rc = set_state(d, contact, CONTACT_QUEUED, NULL);
	if (rc == GC_OK)
		rc = store_contact_set_queue(d->s, d->scope->tenant_id, contact, queues[q].name);
	if (rc == GC_OK && calendar_due(&d->cal, created, queues[q].first_response_s, &due) < 0)
		rc = GC_EINVAL;
	if (rc == GC_OK)
		rc = store_contact_entered(d->s, d->scope->tenant_id, contact, d->queue[q], due);
	if (rc == GC_OK)
		rc = event(d, at, "enqueued", contact, 0, d->queue[q],
			   json_pack("{s:s,s:i,s:s}", "queue", queues[q].name, "priority", priority, "by", "guichet admin demo"));
	return rc;
}

/* Offered to agent a at `at` and accepted after `waited` ms in queue q. */
static int answer(struct demo *d, int64_t contact, int q, int a, int64_t at, int64_t waited)
{
	int rc = event(d, at - 2000, "offered", contact, d->agent[a], d->queue[q],
		       json_pack("{s:s,s:s,s:i}", "queue", queues[q].name, "channel",
				 contact_channel_name(queues[q].channel), "offer_timeout_s", queues[q].offer_timeout_s));
	if (rc == GC_OK)
		rc = set_state(d, contact, CONTACT_ASSIGNED, NULL);
	if (rc == GC_OK)
		rc = event(d, at, "accepted", contact, d->agent[a], d->queue[q], json_pack("{s:I}", "waited_ms", (json_int_t)waited));
	return rc;
}

/* --- the contacts of now --- */

static const char *const subjects[N_QUEUES][3] = {
	{"Charged twice this month", "Question about my bill", "Refund of my deposit"},
	{"Refund over 500 EUR", "Contract dispute", "Unpaid invoice sent to collection"},
	{"No internet since this morning", "TV decoder shows error E-204", "Box blinks red"},
	{"Moving house: transfer my line", "Change my plan", "Cancel my subscription"},
};

static int live_queue(enum contact_channel channel)
{
	return channel == CHANNEL_CHAT ? Q_BILLING : channel == CHANNEL_PHONE ? Q_TECH : Q_EMAIL;
}

/* The contact waits in its channel's queue since `ago` ms, or is held by
 * agent a (a routing row "assigned", the contact in progress). */
static int live(struct demo *d, int64_t contact, enum contact_channel channel, int priority, int64_t ago, int a)
{
	int q = live_queue(channel);
	int64_t arrived = d->now - ago, accepted = arrived + between(d, 5, 40) * 1000;
	int rc = store_contact_backdate(d->s, d->scope->tenant_id, contact, d->now, arrived);
	if (rc == GC_OK)
		rc = enter(d, contact, q, priority, arrived, arrived);
	if (rc == GC_OK && a >= 0 && (rc = answer(d, contact, q, a, accepted, accepted - arrived)) == GC_OK)
		rc = set_state(d, contact, CONTACT_IN_PROGRESS, NULL);
	if (rc == GC_OK)
		rc = store_contact_backdate(d->s, d->scope->tenant_id, contact, d->now, a >= 0 ? accepted : arrived);
	struct store_routing_row row = {.contact_id = contact, .tenant_id = d->scope->tenant_id,
		.queue_id = d->queue[q], .agent_id = a >= 0 ? d->agent[a] : 0, .priority = priority,
		.state = a >= 0 ? "assigned" : "waiting",
		.arrived = arrived, .enqueued = arrived};
	if (rc == GC_OK)
		rc = store_routing_put(d->s, &row);
	if (rc == GC_OK)
		a >= 0 ? d->counts->held++ : d->counts->waiting++;
	return rc;
}

/* Contact i of the demo's 40: every sixth new; two in six waiting in a
 * queue, one held by an agent (chat, phone and email in turn); the others
 * resolved with a note, or closed. */
static int demo_contact(struct demo *d, int i, int64_t customer_id)
{
	static const enum contact_state path[] = {CONTACT_QUEUED, CONTACT_ASSIGNED, CONTACT_IN_PROGRESS,
						  CONTACT_RESOLVED, CONTACT_CLOSED};
	static const enum contact_channel routed[] = {CHANNEL_CHAT, CHANNEL_PHONE, CHANNEL_EMAIL};
	static const char *const reasons[] = {"billing", "billing", "outage", "move"};
	int kind = i % 6;
	bool routing = kind >= 1 && kind <= 3;
	enum contact_channel channel = routing ? routed[(i / 6 + i) % 3] : (enum contact_channel)(i % 4);
	int q = live_queue(channel);
	struct contact_input in = {.channel = channel, .customer_id = customer_id, .subject = subjects[q][i % 3],
		.reason = reasons[q], .queue = routing ? NULL : i % 3 ? "support" : "billing", .priority = i % 5,
		.message = "Hello, I need help with this please.", .n_tags = 1};
	in.tags[0] = i % 2 ? "demo" : "vip";
	int64_t id = 0;
	int rc = store_contact_create(d->s, d->scope, &in, &id);
	if (rc == GC_OK && routing) {
		/* the held ones: chats to the agent, the outsourced agent, the agent; calls to the expert
		 * and the supervisor; emails to the agent and the supervisor */
		static const int holder[3][3] = {{A_AGENT, A_OUTSOURCED, A_AGENT}, {A_EXPERT, A_SUPERVISOR, A_EXPERT},
						 {A_AGENT, A_SUPERVISOR, A_AGENT}};
		int c = (i / 6 + i) % 3, a = kind == 3 ? holder[c][d->n_held[c]++ % 3] : -1;
		return live(d, id, channel, in.priority, (kind == 3 ? 20 : 1 + i % 12) * MIN_MS + i * 7000, a);
	}
	for (int step = 0; rc == GC_OK && step < kind && step < 5; step++)
		rc = set_state(d, id, path[step], path[step] == CONTACT_RESOLVED ? "solved" : NULL);
	if (rc == GC_OK && kind == 4)
		rc = add_message(d, id, false, true, "Checked the line remotely: resynchronised.");
	return rc;
}

/* --- the history --- */

/* Contacts arriving per half hour of a weekday, from 08:00 to 20:00. */
static const int curve[24] = {2, 3, 4, 5, 6, 6, 5, 5, 4, 3, 3, 4, 5, 5, 5, 4, 4, 4, 3, 3, 2, 2, 1, 1};

struct story {
	int q, a, expert;
	bool missed, abandoned, escalated;
	int64_t arrive, wait, answered, handle, escalate_at, expert_wait, wrap;
	const char *subject, *reason, *disposition;
};

/* Draws what happens to a contact arriving at `at`; its end in ret_end. */
static void draw(struct demo *d, int64_t at, struct story *st, int64_t *ret_end)
{
	static const char *const dispositions[] = {"solved", "solved", "explained", "fixed_remotely", "callback"};
	static const char *const escalations[] = {"refund over 500 EUR", "contract dispute",
						  "the customer asks for a manager"};
	int r = (int)(next(d) % 100);
	*st = (struct story){.arrive = at, .a = -1, .expert = -1};
	st->q = r < 50 ? Q_BILLING : r < 80 ? Q_TECH : Q_EMAIL;
	st->subject = subjects[st->q][next(d) % 3];
	st->reason = st->q == Q_TECH ? "outage" : st->q == Q_EMAIL ? "move" : "billing";
	st->wait = st->q == Q_EMAIL ? skewed(d, 5, 150) * MIN_MS : skewed(d, 3, st->q == Q_TECH ? 45 : 70) * 1000;
	st->abandoned = st->q != Q_EMAIL && chance(d, st->q == Q_TECH ? 9 : 6);
	static const int pool[N_QUEUES][2] = {{A_AGENT, A_OUTSOURCED}, {A_EXPERT, A_SUPERVISOR},
					      {A_AGENT, A_EXPERT}, {A_AGENT, A_SUPERVISOR}};
	st->a = pool[st->q][next(d) % 2];
	st->missed = !st->abandoned && chance(d, 5);
	st->answered = at + st->wait;
	st->handle = between(d, st->q == Q_EMAIL ? 120 : 180, st->q == Q_TECH ? 480 : 600) * 1000;
	st->escalated = !st->abandoned && st->q == Q_BILLING && chance(d, 10);
	st->disposition = dispositions[next(d) % 5];
	if (st->escalated) {
		st->reason = escalations[next(d) % 3];
		st->escalate_at = st->answered + st->handle / 2;
		st->expert_wait = between(d, 10, 120) * 1000;
		st->expert = pool[Q_EXPERTS][next(d) % 2];
	}
	st->wrap = st->escalated ? st->escalate_at + st->expert_wait + st->handle : st->answered + st->handle;
	*ret_end = st->abandoned ? st->answered : st->wrap + queues[st->escalated ? Q_EXPERTS : st->q].wrapup_s * 1000;
}

static int backdate(struct demo *d, int64_t contact, int64_t at)
{
	return store_contact_backdate(d->s, d->scope->tenant_id, contact, d->now, at);
}

/* The escalation to the experts (answered at answered_at by the first
 * agent, whose time until then is its handle time, as the router writes
 * it), and an expert's answer. */
static int escalate(struct demo *d, int64_t id, const struct story *st, int64_t answered_at)
{
	char note[160];
	snprintf(note, sizeof(note), "Escalated from %s to %s: %s", queues[st->q].name, queues[Q_EXPERTS].name, st->reason);
	int rc = set_state(d, id, CONTACT_ESCALATED, NULL);
	if (rc == GC_OK)
		rc = add_message(d, id, false, true, note);
	if (rc == GC_OK)
		rc = store_contact_set_queue(d->s, d->scope->tenant_id, id, queues[Q_EXPERTS].name);
	if (rc == GC_OK)
		rc = event(d, st->escalate_at, "escalated", id, d->agent[st->a], d->queue[st->q],
			   json_pack("{s:I,s:s,s:s,s:I}", "to_queue_id", (json_int_t)d->queue[Q_EXPERTS], "to_queue",
				     queues[Q_EXPERTS].name, "reason", st->reason, "handle_ms",
				     (json_int_t)(st->escalate_at > answered_at ? st->escalate_at - answered_at : 0)));
	if (rc == GC_OK)
		rc = backdate(d, id, st->escalate_at);
	int64_t at = st->escalate_at + st->expert_wait;
	if (rc == GC_OK)
		rc = answer(d, id, Q_EXPERTS, st->expert, at, st->expert_wait);
	if (rc == GC_OK)
		rc = set_state(d, id, CONTACT_IN_PROGRESS, NULL);
	return rc == GC_OK ? backdate(d, id, at) : rc;
}

static int history_contact(struct demo *d, const struct story *st)
{
	struct contact_input in = {.channel = queues[st->q].channel, .subject = st->subject, .reason = st->reason,
		.customer_id = d->customers[next(d) % (uint64_t)d->n_customers], .message = "Hello, can you help me?"};
	int64_t id = 0, t = st->answered;
	int rc = store_contact_create(d->s, d->scope, &in, &id);
	if (rc == GC_OK)
		rc = enter(d, id, st->q, 0, st->arrive, st->arrive);
	if (rc == GC_OK)
		rc = backdate(d, id, st->arrive);
	if (rc == GC_OK && st->abandoned) {
		if ((rc = set_state(d, id, CONTACT_RESOLVED, "abandoned")) == GC_OK)
			rc = event(d, t, "abandoned", id, 0, d->queue[st->q], json_pack("{s:I}", "waited_ms", (json_int_t)st->wait));
		d->counts->history++;
		return rc == GC_OK ? backdate(d, id, t) : rc;
	}
	if (rc == GC_OK && st->missed) {
		int other = st->a == A_AGENT ? A_SUPERVISOR : A_AGENT; /* missed it first */
		int64_t offered = st->arrive + 1000, expired = offered + queues[st->q].offer_timeout_s * 1000;
		rc = event(d, offered, "offered", id, d->agent[other], d->queue[st->q],
			   json_pack("{s:s,s:s,s:i}", "queue", queues[st->q].name, "channel",
				     contact_channel_name(queues[st->q].channel), "offer_timeout_s", queues[st->q].offer_timeout_s));
		if (rc == GC_OK)
			rc = event(d, expired, "offer_expired", id, d->agent[other], d->queue[st->q], NULL);
		if (expired + 3000 > t)
			t = expired + 3000;
	}
	if (rc == GC_OK)
		rc = answer(d, id, st->q, st->a, t, t - st->arrive);
	if (rc == GC_OK)
		rc = backdate(d, id, t);
	if (rc == GC_OK)
		rc = add_message(d, id, true, false, "Hello, thank you for your message: I am looking into it.");
	if (rc == GC_OK)
		rc = store_contact_first_response(d->s, d->scope->tenant_id, id, t + 20000);
	if (rc == GC_OK)
		rc = set_state(d, id, CONTACT_IN_PROGRESS, NULL);
	if (rc == GC_OK)
		rc = backdate(d, id, t + 20000);
	if (rc == GC_OK && st->escalated)
		rc = escalate(d, id, st, t);
	int q = st->escalated ? Q_EXPERTS : st->q, a = st->escalated ? st->expert : st->a;
	int64_t from = st->escalated ? st->escalate_at + st->expert_wait : t;
	if (rc == GC_OK)
		rc = set_state(d, id, CONTACT_RESOLVED, st->disposition);
	if (rc == GC_OK)
		rc = event(d, st->wrap, "wrapup_started", id, d->agent[a], d->queue[q],
			   json_pack("{s:s,s:s,s:I,s:i}", "disposition", st->disposition, "state", "resolved",
				     "handle_ms", (json_int_t)(st->wrap - from), "wrapup_s", queues[q].wrapup_s));
	if (rc == GC_OK)
		rc = event(d, st->wrap + queues[q].wrapup_s * 1000, "wrapup_ended", 0, d->agent[a], 0, NULL);
	d->counts->history++;
	return rc == GC_OK ? backdate(d, id, st->wrap) : rc;
}

/* Every contact of one local day along the curve (fewer on weekends), up
 * to now. */
static int history_day(struct demo *d, int32_t day)
{
	int rc = GC_OK, y, m, dd;
	calendar_day_date(day, &y, &m, &dd);
	int wday = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday: 0 Monday */
	int percent = wday == 6 ? 25 : wday == 5 ? 50 : 100;
	/* the agents (the supervisor takes contacts too) are available from
	 * 8:00 to 20:00, or a minute before now: their staffed time, under the
	 * day's occupancy */
	struct gc_local_time open = {.year = y, .month = m, .day = dd, .hour = 8}, close = open;
	close.hour = 20;
	int64_t from = 0, until = 0;
	if ((rc = gc_tz_utc(d->cal.zone, &open, &from)) < 0 || (rc = gc_tz_utc(d->cal.zone, &close, &until)) < 0)
		return rc;
	if (until > d->now - MIN_MS)
		until = d->now - MIN_MS;
	bool staffed = from < until;
	for (int a = 0; rc == GC_OK && staffed && a < N_AGENTS; a++)
		rc = event(d, from, "presence", 0, d->agent[a], 0,
			   json_pack("{s:s,s:s}", "presence", "available", "by", "demo"));
	for (int slot = 0; rc == GC_OK && slot < 24; slot++) {
		struct gc_local_time lt = {.year = y, .month = m, .day = dd, .hour = 8 + slot / 2, .minute = slot % 2 * 30};
		int64_t start = 0;
		if ((rc = gc_tz_utc(d->cal.zone, &lt, &start)) < 0)
			break;
		int n = (int)((curve[slot] * percent + between(d, 0, 99)) / 100);
		for (int k = 0; rc == GC_OK && k < n; k++) {
			struct story st;
			int64_t end = 0;
			draw(d, start + between(d, 0, 30 * MIN_MS - 1), &st, &end);
			if (end < d->now - MIN_MS)
				rc = history_contact(d, &st);
		}
	}
	for (int a = 0; rc == GC_OK && staffed && a < N_AGENTS; a++)
		rc = event(d, until, "presence", 0, d->agent[a], 0,
			   json_pack("{s:s,s:s}", "presence", "offline", "by", "demo"));
	return rc;
}

/* --- the customers' side --- */

/* The help centre (/help/{tenant}) and what it shows at its top: in French,
 * as the tenant's customers read it (its knowledge is French, its calendar
 * and its numbers France's). */
static int demo_self_service(struct demo *d)
{
	const struct store_incident outage = {
		.kind = "incident", .severity = "major", .area = "Lyon", .published = true,
		.title = "Coupure internet à Lyon",
		.body = "Un câble a été sectionné sur un chantier : les clients de Lyon 3e et 7e peuvent être privés "
			"d'internet. Nos techniciens sont sur place ; inutile de redémarrer votre box.",
		.starts_at = d->now - 40 * MIN_MS, .expected_end_at = d->now + 3 * 60 * MIN_MS};
	const struct store_incident news = {
		.kind = "announcement", .published = true, .title = "Vos factures sont désormais dans votre espace client",
		.body = "Les factures papier s'arrêtent à la fin du mois ; chaque facture reste téléchargeable "
			"pendant 5 ans.",
		.starts_at = d->now - 2 * DAY_MS};
	int64_t id = 0;
	int rc = store_incident_add(d->s, d->scope, &news, &id);
	if (rc == GC_OK)
		rc = store_incident_add(d->s, d->scope, &outage, &id);
	json_t *portal = rc == GC_OK ? json_pack("{s:b,s:s,s:n,s:s,s:s,s:n,s:b,s:I}", "enabled", 1,
						 "title", "Demo help centre", "lang", "phone", "+33 1 23 45 67 89",
						 "email", "support@demo.example", "chat_key", "callback", 1,
						 "queue_id", (json_int_t)d->queue[Q_TECH])
				     : NULL;
	char *text = portal ? json_dumps(portal, JSON_COMPACT) : NULL;
	if (rc == GC_OK)
		rc = text ? store_portal_put(d->s, d->scope, text) : GC_ENOMEM;
	if (rc == GC_OK) /* the help centre's callback form: requests wait in Technical support */
		rc = store_callback_settings_put(d->s, d->scope, d->queue[Q_TECH], 900, 3);
	free(text);
	json_decref(portal);
	return rc;
}

int demo_operations(struct store *s, const struct store_scope *scope, const int64_t *customers, int n_customers,
		    const char *kb_path, struct demo_counts *counts)
{
	struct demo *d = calloc(1, sizeof(*d));
	if (d == NULL)
		return GC_ENOMEM;
	*d = (struct demo){.s = s, .scope = scope, .now = gc_now_ms(), .customers = customers,
			   .n_customers = n_customers, .rng = 0x9e3779b97f4a7c15ull, .counts = counts};
	int rc = demo_calendar(d);
	if (rc == GC_OK)
		rc = demo_dispositions(d);
	if (rc == GC_OK)
		rc = demo_routing(d);
	if (rc == GC_OK && kb_path)
		rc = demo_kb(d, kb_path);
	if (rc == GC_OK)
		rc = demo_self_service(d);
	for (int i = 0; rc == GC_OK && i < n_customers; i++)
		rc = demo_contact(d, i, customers[i]);
	int32_t today = 0;
	if (rc == GC_OK)
		rc = calendar_day_of(&d->cal, d->now, &today);
	/* today and yesterday, and the same weekdays of the four weeks before each (their forecast) */
	for (int w = 4; rc == GC_OK && w >= 0; w--)
		for (int back = 1; rc == GC_OK && back >= 0; back--)
			rc = history_day(d, today - back - 7 * w);
	free(d);
	return rc;
}
