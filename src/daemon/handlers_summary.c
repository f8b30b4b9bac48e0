/* GET /api/v1/reports/summary: the figures a brand and its outsourcer
 * settle on, read from the per half-hour rows the writer keeps current
 * (store/report.c), never from the contacts or events themselves.
 *
 * The range is date=YYYY-MM-DD (the tenant's local day, its calendar's
 * zone) or from= and to= (RFC 3339 UTC instants: the half hours starting
 * in [from, to)); by= cuts it per interval, queue, agent, organisation or
 * channel; queue= keeps one queue. Each row and the totals carry the sums
 * and what derives from them: service level (answered within the queue's
 * target over answered and abandoned, as the live statistics count it),
 * average speed of answer, average abandon wait, average handle time (the
 * time agents held contacts, to the wrap-up or to the transfer,
 * escalation or supervisor's move that handed them on, over the contacts
 * they held: handled, transferred, escalated and moved away) and occupancy (handle time over time
 * available). Offers an agent declined or let ring out (declined, missed)
 * are counted in its rows and its queues'. The totals are the whole
 * range's, whatever the cut (a cut leaves out the rows without its key:
 * per agent, the queues' own offered and abandoned; per queue or channel,
 * the agents' time available; those figures are null in its rows). First-contact resolution
 * comes from the contacts created in the range (store_report_fcr), those
 * that came in through the queue asked for when one is.
 *
 * A caller from another organisation than the brand's (an outsourcer's
 * supervisor) sees only the rows of its own agents, and no first-contact
 * resolution (a brand-wide figure). */
#include "daemon/handlers.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"

#include <string.h>

#define SUMMARY_MAX_DAYS 400
#define DAY_MS (24 * 3600 * 1000LL)

static const char *const by_names[] = {[STORE_REPORT_INTERVAL] = "interval", [STORE_REPORT_QUEUE] = "queue",
	[STORE_REPORT_AGENT] = "agent", [STORE_REPORT_ORGANISATION] = "organisation", [STORE_REPORT_CHANNEL] = "channel"};

static json_int_t sum_of(const json_t *row, const char *name)
{
	return json_integer_value(json_object_get(row, name));
}

static json_t *ratio(json_int_t num, json_int_t den, double scale)
{
	return den ? json_real((double)num / (double)den / scale) : json_null();
}

/* The figures that derive from a row's sums, added beside them. */
static void derive(json_t *row)
{
	json_int_t answered = sum_of(row, "answered"), abandoned = sum_of(row, "abandoned");
	json_int_t staffed = sum_of(row, "staffed_ms");
	/* a contact held then handed on is handled once, by the agent who ends it, but held by each */
	json_int_t held = sum_of(row, "handled") + sum_of(row, "transfers") + sum_of(row, "escalations") +
			  sum_of(row, "moved_away");
	json_object_set_new(row, "service_level", ratio(sum_of(row, "answered_within"), answered + abandoned, 1));
	json_object_set_new(row, "avg_speed_of_answer_s", ratio(sum_of(row, "answer_wait_ms"), answered, 1000));
	json_object_set_new(row, "avg_abandon_wait_s", ratio(sum_of(row, "abandon_wait_ms"), abandoned, 1000));
	json_object_set_new(row, "avg_handle_s", ratio(sum_of(row, "handle_ms"), held, 1000));
	json_object_set_new(row, "occupancy", ratio(sum_of(row, "handle_ms"), staffed, 1));
}

/* What a row of the cut has no figure for, null rather than 0: contacts
 * offered and abandoned are a queue's, never an agent's or an
 * organisation's (so not an outsourcer's either: its totals too), and time
 * available is an agent's, never a queue's or a channel's. A 0 there read
 * as "offered nothing, answered 11" beside a total of 38. */
static void leave_out(json_t *row, bool queues, bool agents)
{
	static const char *const of_queues[] = {"offered", "abandoned", "abandon_wait_ms", "avg_abandon_wait_s"};
	for (size_t k = 0; queues && k < sizeof(of_queues) / sizeof(of_queues[0]); k++)
		json_object_set_new(row, of_queues[k], json_null());
	if (agents) {
		json_object_set_new(row, "staffed_ms", json_null());
		json_object_set_new(row, "occupancy", json_null());
	}
}

static const char *const summed[] = {"offered", "answered", "answered_within", "answer_wait_ms", "abandoned",
	"abandon_wait_ms", "handled", "handle_ms", "transfers", "escalations", "staffed_ms", "declined", "missed",
	"moved_away"};

static json_t *totals_of(const json_t *rows)
{
	json_t *t = json_object();
	for (size_t k = 0; k < sizeof(summed) / sizeof(summed[0]); k++) {
		json_int_t n = 0;
		size_t i;
		const json_t *row;
		json_array_foreach(rows, i, row) n += sum_of(row, summed[k]);
		json_object_set_new(t, summed[k], json_integer(n));
	}
	derive(t);
	return t;
}

/* The range asked: a local day, or two UTC instants. */
static int summary_range(struct request *r, struct store *db, int64_t *ret_from, int64_t *ret_to)
{
	const char *date = query_get(r, "date"), *from = query_get(r, "from"), *to = query_get(r, "to");
	if (date) {
		int32_t day;
		char zone[GC_TZ_NAME_MAX];
		if (from || to || calendar_date_parse(date, &day) < 0)
			return reply_error(r, 400, "invalid", "date", "'date' is a date YYYY-MM-DD, without from and to");
		int rc = store_tenant_zone(db, r->scope.tenant_id, zone);
		if (rc < 0)
			return reply_store_error(r, db, rc, NULL);
		int64_t ms[2];
		for (int i = 0; i < 2; i++) {
			struct gc_local_time lt = {0};
			calendar_day_date(day + i, &lt.year, &lt.month, &lt.day);
			if (gc_tz_utc(zone, &lt, &ms[i]) < 0)
				return reply_error(r, 400, "invalid", "date", "the date is out of range");
		}
		*ret_from = ms[0];
		*ret_to = ms[1];
		return GC_OK;
	}
	if (from == NULL || gc_time_parse(from, ret_from) < 0)
		return reply_error(r, 400, "invalid", "from", "'from' is an RFC 3339 UTC time (or give 'date')");
	if (to == NULL || gc_time_parse(to, ret_to) < 0)
		return reply_error(r, 400, "invalid", "to", "'to' is an RFC 3339 UTC time");
	if (*ret_to <= *ret_from || *ret_to - *ret_from > SUMMARY_MAX_DAYS * DAY_MS)
		return reply_error(r, 400, "invalid", "to", "'to' comes after 'from', at most %d days later",
				   SUMMARY_MAX_DAYS);
	return GC_OK;
}

static int summary_by(struct request *r, enum store_report_by *ret_by)
{
	const char *by = query_get(r, "by");
	if (by == NULL)
		by = "interval";
	for (size_t i = 0; i < sizeof(by_names) / sizeof(by_names[0]); i++)
		if (strcmp(by, by_names[i]) == 0) {
			*ret_by = (enum store_report_by)i;
			return GC_OK;
		}
	return reply_error(r, 400, "invalid", "by", "'by' is interval, queue, agent, organisation or channel");
}

/* final_at: when the last contact of the range has had its 7 days; until
 * then a customer coming back about the same reason can still lower the
 * figure (last Monday's rate was not the same on Tuesday and on Friday). */
static json_t *fcr_json(int64_t resolved, int64_t once, int64_t to_ms)
{
	char final[GC_TIME_LEN];
	gc_time_format(to_ms + STORE_FCR_WINDOW_MS, final);
	return json_pack("{s:I,s:I,s:o,s:s,s:b}", "resolved", (json_int_t)resolved, "once_and_done", (json_int_t)once,
			 "rate", ratio(once, resolved, 1), "final_at", final, "provisional",
			 to_ms + STORE_FCR_WINDOW_MS > gc_now_ms());
}

int run_report_summary(struct request *r, struct store *db)
{
	struct store_report_query q = {0};
	int rc;
	if ((rc = summary_range(r, db, &q.from_ms, &q.to_ms)) < 0 || (rc = summary_by(r, &q.by)) < 0 ||
	    (rc = query_int(r, "queue", 1, INT64_MAX, 0, &q.queue_id)) < 0)
		return rc;
	json_t *rows = NULL, *fcr = json_null();
	if (q.queue_id) { /* another tenant's queue: not found, as everywhere */
		if ((rc = store_queue_get(db, &r->scope, q.queue_id, &rows)) < 0)
			return reply_store_error(r, db, rc, "queue");
		json_decref(rows);
		rows = NULL;
	}
	json_t *all = NULL; /* every row of the range, by interval: the totals, whatever the cut */
	if ((rc = store_report_viewer_organisation(db, &r->scope, &q.organisation_id)) == GC_OK)
		rc = store_report_summary(db, &r->scope, &q, &rows);
	if (rc == GC_OK && q.by != STORE_REPORT_INTERVAL) {
		struct store_report_query every = q;
		every.by = STORE_REPORT_INTERVAL;
		rc = store_report_summary(db, &r->scope, &every, &all);
	}
	if (rc == GC_OK && q.organisation_id == 0) {
		int64_t resolved = 0, once = 0;
		if ((rc = store_report_fcr(db, &r->scope, q.from_ms, q.to_ms, q.queue_id, &resolved, &once)) == GC_OK)
			fcr = fcr_json(resolved, once, q.to_ms);
	}
	char zone[GC_TZ_NAME_MAX] = "UTC"; /* the zone the tenant's days are read in, for those who show the half hours */
	if (rc == GC_OK)
		rc = store_tenant_zone(db, r->scope.tenant_id, zone);
	if (rc < 0) {
		json_decref(rows);
		json_decref(all);
		json_decref(fcr);
		return reply_store_error(r, db, rc, NULL);
	}
	json_t *totals = totals_of(all ? all : rows);
	json_decref(all);
	leave_out(totals, q.organisation_id != 0, false);
	bool by_agents = q.by == STORE_REPORT_AGENT || q.by == STORE_REPORT_ORGANISATION;
	bool by_queues = q.by == STORE_REPORT_QUEUE || q.by == STORE_REPORT_CHANNEL;
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		derive(row);
		leave_out(row, by_agents || q.organisation_id != 0, by_queues);
	}
	char from[GC_TIME_LEN], to[GC_TIME_LEN];
	gc_time_format(q.from_ms, from);
	gc_time_format(q.to_ms, to);
	json_t *answer = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "from", from, "to", to, "zone", zone, "by", by_names[q.by],
		"queue_id", q.queue_id ? json_integer(q.queue_id) : json_null(), "organisation_id",
		q.organisation_id ? json_integer(q.organisation_id) : json_null(), "totals", totals,
		"first_contact_resolution", fcr, "rows", rows);
	return reply(r, 200, answer);
}
