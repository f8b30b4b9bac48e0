/* The contact's journey and the supervisor's day so far.
 *
 * GET /api/v1/contacts/{id}/journey: the contact's own events, its routing
 * events and its diagnosis sessions in one time line (store/journey.c).
 *
 * GET /api/v1/reports/intervals?date=D[&queue=ID]: the tenant's local day
 * (its calendar's zone) in 48 half hours of local wall time, each with the
 * contacts that entered a queue (offered: enqueued, or arrived by
 * escalation, transfer, move or overflow), answered, abandoned, the service
 * level (answered within the queue's sl_seconds over answered and
 * abandoned, as the live statistics count it), the average wait of those
 * answered and the average handle time of the contacts held, as the summary
 * defines it (store/report.c): every moment an agent held a contact, to its
 * wrap-up or to the transfer or escalation that handed it on, over the
 * contacts wrapped up and handed on. Each is counted in the interval where
 * it happened, read from the routing events.
 *
 * Beside them, the forecast and staffing for the same intervals. Plans are
 * not stored: the forecast is the mean of the same interval on the same
 * weekday over the FORECAST_WEEKS weeks before (those with any routing
 * event), its handle time theirs (HANDLE_DEFAULT_S without one), and the
 * staffing is Erlang C for the queue's goal (without a queue: 80% in 20 s,
 * wfm's default). No history in those weeks: no forecast (null). */
#include "daemon/handlers.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"
#include "wfm/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_SLOTS 48
#define SLOT_MS (30 * 60 * 1000LL)
#define FORECAST_WEEKS 4
#define HANDLE_DEFAULT_S 300
#define REPORT_MAX_QUEUES 1000

/* The stored context of session id among sessions, or NULL. */
static const json_t *session_context(const json_t *sessions, json_int_t id)
{
	size_t i;
	const json_t *s;
	json_array_foreach(sessions, i, s) if (json_integer_value(json_object_get(s, "id")) == id)
		return json_object_get(s, "context");
	return NULL;
}

/* The diagnosis paths are stored whole: each is shown as the reader's class
 * sees it, as GET /contacts/{id}/diagnosis does (a step answered from a
 * value above it is redacted). */
static int journey_shown_to(struct request *r, struct store *db, json_t *items)
{
	json_t *sessions = NULL;
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		json_t *data = json_object_get(item, "data");
		json_t *path = json_object_get(data, "path");
		if (json_array_size(path) == 0)
			continue;
		if (sessions == NULL) {
			int rc = store_kb_sessions_of_contact(db, &r->scope, r->ids[0], &sessions);
			if (rc < 0)
				return rc;
		}
		kb_path_shown_to(path, session_context(sessions, json_integer_value(json_object_get(data, "session_id"))),
				 r->scope.sees);
	}
	json_decref(sessions);
	return GC_OK;
}

int run_contact_journey(struct request *r, struct store *db)
{
	json_t *items = NULL;
	int rc = store_contact_journey(db, &r->scope, r->ids[0], &items);
	if (rc == GC_OK)
		rc = journey_shown_to(r, db, items);
	if (rc < 0) {
		json_decref(items);
		return reply_store_error(r, db, rc, "contact");
	}
	return reply(r, 200, json_pack("{s:I,s:o}", "contact_id", (json_int_t)r->ids[0], "items", items));
}

struct slot {
	int offered, answered, within, abandoned;
	int held; /* wrapped up, transferred or escalated by the agent holding it */
	int64_t wait_ms, handle_ms;
};

struct qgoal {
	int64_t id;
	int sl_seconds;
};

struct tally {
	const char *zone;
	int64_t queue;                /* 0: every queue */
	const struct qgoal *goals;
	size_t n_goals;
	struct slot s[N_SLOTS];
	bool any;                     /* any routing event at all */
};

static int sl_seconds(const struct tally *t, int64_t queue)
{
	for (size_t i = 0; i < t->n_goals; i++)
		if (t->goals[i].id == queue)
			return t->goals[i].sl_seconds;
	return 0;
}

static bool counted(const struct tally *t, int64_t queue)
{
	return t->queue == 0 || t->queue == queue;
}

static void count(const struct store_event *ev, void *arg)
{
	struct tally *t = arg;
	struct gc_local_time lt;
	if (gc_tz_local(t->zone, ev->at, &lt) < 0)
		return;
	struct slot *s = &t->s[lt.hour * 2 + lt.minute / 30];
	const char *type = ev->type;
	/* a day counts in the forecast when the queue (every queue: the tenant) had any of its events */
	t->any |= t->queue == 0 || (ev->queue_id == t->queue && strcmp(type, "presence") != 0);
	if (strcmp(type, "enqueued") == 0) {
		s->offered += counted(t, ev->queue_id);
		return;
	}
	bool entry = strcmp(type, "escalated") == 0 || strcmp(type, "transferred") == 0 ||
		     strcmp(type, "moved") == 0 || strcmp(type, "overflowed") == 0;
	if (!entry && strcmp(type, "accepted") && strcmp(type, "abandoned") && strcmp(type, "wrapup_started"))
		return;
	json_t *data = json_loads(ev->data, 0, NULL);
	if (entry) {
		bool into = counted(t, json_integer_value(json_object_get(data, "to_queue_id")));
		s->offered += into;
		t->any |= into;
		/* held then handed on: escalated, transferred, or moved out of the agent's hands by a supervisor */
		bool held = type[0] == 'e' || type[0] == 't' || (type[0] == 'm' && json_object_get(data, "handle_ms"));
		if (held && ev->agent_id && counted(t, ev->queue_id)) {
			s->held++;
			s->handle_ms += json_integer_value(json_object_get(data, "handle_ms"));
		}
	}
	else if (counted(t, ev->queue_id) && strcmp(type, "accepted") == 0) {
		int64_t waited = json_integer_value(json_object_get(data, "waited_ms"));
		s->answered++;
		s->wait_ms += waited;
		json_t *goal = json_object_get(data, "sl_s"); /* the goal then; older events: the queue's now */
		s->within += waited <= (goal ? json_integer_value(goal) : sl_seconds(t, ev->queue_id)) * 1000LL;
	} else if (counted(t, ev->queue_id) && strcmp(type, "abandoned") == 0)
		s->abandoned++;
	else if (counted(t, ev->queue_id)) { /* wrapup_started */
		s->held++;
		s->handle_ms += json_integer_value(json_object_get(data, "handle_ms"));
	}
	json_decref(data);
}

/* The UTC instants of a local day's midnight and of the next one. */
static int local_day(const char *zone, int32_t day, int64_t *ret_from, int64_t *ret_to)
{
	int64_t ms[2];
	for (int i = 0; i < 2; i++) {
		struct gc_local_time lt = {0};
		calendar_day_date(day + i, &lt.year, &lt.month, &lt.day);
		int rc = gc_tz_utc(zone, &lt, &ms[i]);
		if (rc < 0)
			return rc;
	}
	*ret_from = ms[0];
	*ret_to = ms[1];
	return GC_OK;
}

static int tally_day(struct store *db, int64_t tenant_id, int32_t day, struct tally *t)
{
	int64_t from, to;
	int rc = local_day(t->zone, day, &from, &to);
	return rc < 0 ? rc : store_routing_events_between(db, tenant_id, from, to, count, t);
}

static json_t *mean_s(int64_t total_ms, int n)
{
	return n ? json_real((double)total_ms / n / 1000.0) : json_null();
}

static json_t *slot_json(const struct slot *s)
{
	int judged = s->answered + s->abandoned;
	return json_pack("{s:i,s:i,s:i,s:i,s:o,s:o,s:o}", "offered", s->offered, "answered", s->answered,
			 "abandoned", s->abandoned, "answered_within", s->within, "service_level",
			 judged ? json_real((double)s->within / judged) : json_null(), "avg_wait_s",
			 mean_s(s->wait_ms, s->answered), "avg_handle_s", mean_s(s->handle_ms, s->held));
}

static void slot_add(struct slot *sum, const struct slot *s)
{
	sum->offered += s->offered;
	sum->answered += s->answered;
	sum->within += s->within;
	sum->abandoned += s->abandoned;
	sum->held += s->held;
	sum->wait_ms += s->wait_ms;
	sum->handle_ms += s->handle_ms;
}

/* The forecast of one interval from the weeks before, with its staffing. */
static json_t *forecast_json(const struct slot *past, int weeks, const struct wfm_plan_goal *g)
{
	struct wfm_plan_row row = {.calls = (double)past->offered / weeks,
		.aht = past->held ? (double)past->handle_ms / past->held / 1000.0 : HANDLE_DEFAULT_S,
		.inhouse = -1};
	struct wfm_plan_result res = {0};
	if (row.aht <= 0)
		row.aht = HANDLE_DEFAULT_S;
	if (wfm_plan_staff(&row, g, &res) < 0)
		return json_pack("{s:f,s:f,s:n,s:n}", "offered", row.calls, "aht_s", row.aht, "agents", "staff");
	return json_pack("{s:f,s:f,s:i,s:i}", "offered", row.calls, "aht_s", row.aht, "agents", res.agents,
			 "staff", res.staff);
}

/* The tenant's queues' service-level seconds; the named queue's goal into g. */
static int load_goals(struct request *r, struct store *db, int64_t queue, struct qgoal **ret_goals, size_t *ret_n,
		      struct wfm_plan_goal *g)
{
	json_t *list = NULL;
	int rc = store_queue_list(db, &r->scope, &list);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	size_t n = json_array_size(list), i;
	struct qgoal *goals = calloc(n ? n : 1, sizeof(*goals));
	json_t *q;
	bool found = queue == 0;
	json_array_foreach(goals ? list : NULL, i, q) {
		goals[i].id = json_integer_value(json_object_get(q, "id"));
		goals[i].sl_seconds = (int)json_integer_value(json_object_get(q, "sl_seconds"));
		if (goals[i].id == queue) {
			found = true;
			g->goal.service_level = json_real_value(json_object_get(q, "sl_target"));
			g->goal.target = goals[i].sl_seconds;
		}
	}
	json_decref(list);
	if (goals == NULL)
		return reply_store_error(r, db, GC_ENOMEM, NULL);
	if (!found) {
		free(goals);
		return reply_error(r, 404, "not_found", "queue", "no queue %lld in this tenant", (long long)queue);
	}
	*ret_goals = goals;
	*ret_n = n;
	return GC_OK;
}

static int report_params(struct request *r, int32_t *ret_day, int64_t *ret_queue)
{
	const char *date = query_get(r, "date");
	if (date == NULL || calendar_date_parse(date, ret_day) < 0)
		return reply_error(r, 400, "invalid", "date", "'date' is a date YYYY-MM-DD");
	return query_int(r, "queue", 1, INT64_MAX, 0, ret_queue);
}

static json_t *intervals_json(const char *zone, int32_t day, const struct tally *today, const struct tally *past,
			      int weeks, const struct wfm_plan_goal *g)
{
	json_t *list = json_array();
	struct gc_local_time lt = {0};
	calendar_day_date(day, &lt.year, &lt.month, &lt.day);
	for (int i = 0; i < N_SLOTS; i++) {
		char label[8], when[GC_TIME_LEN];
		int64_t start = 0;
		lt.hour = i / 2;
		lt.minute = i % 2 * 30;
		gc_tz_utc(zone, &lt, &start);
		gc_time_format(start, when);
		snprintf(label, sizeof(label), "%02d:%02d", lt.hour, lt.minute);
		/* a half hour a clock change skips (02:00 and 02:30 in spring) never starts: no start */
		struct gc_local_time back;
		bool happens = gc_tz_local(zone, start, &back) == GC_OK && back.hour == lt.hour && back.minute == lt.minute;
		json_t *o = slot_json(&today->s[i]);
		json_object_set_new(o, "time", json_string(label));
		json_object_set_new(o, "start", happens ? json_string(when) : json_null());
		json_object_set_new(o, "forecast", weeks ? forecast_json(&past->s[i], weeks, g) : json_null());
		json_array_append_new(list, o);
	}
	return list;
}

int run_report_intervals(struct request *r, struct store *db)
{
	int32_t day = 0;
	int64_t queue = 0;
	int rc;
	if ((rc = report_params(r, &day, &queue)) < 0)
		return rc;
	if ((rc = brand_only(r, db, "the day's intervals are the brand's whole day: an outsourcer's people read "
			     "their own in GET /api/v1/reports/summary?by=interval")) < 0)
		return rc;
	char zone[GC_TZ_NAME_MAX];
	if ((rc = store_tenant_zone(db, r->scope.tenant_id, zone)) < 0)
		return reply_store_error(r, db, rc, NULL);
	struct wfm_plan_goal g = {.interval = SLOT_MS / 1000, .goal = {.service_level = 0.8, .target = 20}};
	struct qgoal *goals = NULL;
	size_t n_goals = 0;
	if ((rc = load_goals(r, db, queue, &goals, &n_goals, &g)) < 0)
		return rc;
	if (g.goal.service_level <= 0 || g.goal.service_level > 1)
		g.goal.service_level = 0.8;
	struct tally *t = calloc(2, sizeof(*t));
	if (t == NULL) {
		free(goals);
		return reply_store_error(r, db, GC_ENOMEM, NULL);
	}
	t[0] = (struct tally){.zone = zone, .queue = queue, .goals = goals, .n_goals = n_goals};
	t[1] = t[0];
	rc = tally_day(db, r->scope.tenant_id, day, &t[0]);
	int weeks = 0;
	for (int w = 1; rc == GC_OK && w <= FORECAST_WEEKS; w++) {
		t[1].any = false;
		rc = tally_day(db, r->scope.tenant_id, day - 7 * w, &t[1]);
		weeks += t[1].any;
	}
	if (rc < 0) {
		free(goals);
		free(t);
		return rc == GC_EINVAL ? reply_error(r, 400, "invalid", "date", "the date is out of range")
				       : reply_store_error(r, db, rc, NULL);
	}
	struct slot sum = {0};
	for (int i = 0; i < N_SLOTS; i++)
		slot_add(&sum, &t[0].s[i]);
	char date[CALENDAR_DATE_LEN];
	calendar_date_format(day, date);
	json_t *answer = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "date", date, "zone", zone, "queue_id",
		queue ? json_integer(queue) : json_null(), "intervals",
		intervals_json(zone, day, &t[0], &t[1], weeks, &g), "totals", slot_json(&sum), "forecast",
		weeks ? json_pack("{s:s,s:i,s:f,s:f}", "method", "same weekday mean", "weeks", weeks,
				  "service_level", g.goal.service_level, "target_s", g.goal.target)
		      : json_null());
	free(goals);
	free(t);
	return reply(r, 200, answer);
}
