/* Exports: the daily level-2 export (GET /api/v1/exports/l2?date=...) and
 * its schedule (PUT, GET, DELETE /api/v1/exports/l2/schedule), for the
 * tenant's supervisors and admins. The export shows the customers' basic
 * fields only, whoever asks (l2_export.h). */
#include "daemon/handlers.h"
#include "daemon/l2_export.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "guichet/tz.h"

#include <stdio.h>
#include <string.h>

int run_export_l2(struct request *r, struct store *db)
{
	const char *date = query_get(r, "date");
	if (date == NULL)
		return reply_error(r, 400, "invalid", "date", "give the day: date=YYYY-MM-DD");
	json_t *export = NULL;
	int rc = l2_export_build(db, &r->scope, date, &export);
	if (rc == GC_EINVAL)
		return reply_error(r, 400, "invalid", "date", "'%.40s' is not a day like 2026-12-01", date);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, export);
}

/* "HH:MM", 00:00 to 23:59: minutes after midnight, or -1. */
static int parse_hhmm(const char *t)
{
	if (t == NULL || strlen(t) != 5 || t[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (t[i] < '0' || t[i] > '9'))
			return -1;
	int h = (t[0] - '0') * 10 + t[1] - '0', m = (t[3] - '0') * 10 + t[4] - '0';
	return h < 24 && m < 60 ? h * 60 + m : -1;
}

/* {"time":"HH:MM","to":ADDRESS,"mailbox_id":ID}, nothing else. */
int prepare_export_schedule(struct request *r, struct store *db)
{
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v)
		if (strcmp(key, "time") != 0 && strcmp(key, "to") != 0 && strcmp(key, "mailbox_id") != 0)
			return reply_error(r, 400, "invalid", key, "unknown field (time, to, mailbox_id)") < 0;
	const char *time = json_string_value(json_object_get(r->body, "time"));
	const char *to = json_string_value(json_object_get(r->body, "to"));
	json_t *mailbox = json_object_get(r->body, "mailbox_id");
	int minute = parse_hhmm(time);
	if (minute < 0)
		return reply_error(r, 400, "invalid", "time", "the local time to send at, HH:MM from 00:00 to 23:59") < 0;
	if (to == NULL || strlen(to) > 320 || !gc_text_is_email(to))
		return reply_error(r, 400, "invalid", "to", "the address to send the export to") < 0;
	if (!json_is_integer(mailbox) || json_integer_value(mailbox) < 1)
		return reply_error(r, 400, "invalid", "mailbox_id", "the ID of the mailbox that sends it") < 0;
	r->stash[0] = minute;
	r->stash[1] = json_integer_value(mailbox);
	return 0;
}

/* The schedule with the tenant's zone and the days sent lately. */
static int answer_schedule(struct request *r, struct store *db, int status)
{
	json_t *s = NULL, *days = NULL;
	char zone[GC_TZ_NAME_MAX];
	int rc = store_l2_schedule_get(db, &r->scope, &s);
	if (rc == GC_OK)
		rc = store_tenant_zone(db, r->scope.tenant_id, zone);
	if (rc == GC_OK)
		rc = store_l2_days(db, &r->scope, &days);
	if (rc < 0) {
		json_decref(s);
		return reply_store_error(r, db, rc, "schedule");
	}
	json_t *mailbox = NULL; /* removed since: nothing is sent until the schedule names another */
	bool mailbox_ok = store_mailbox_get(db, &r->scope, json_integer_value(json_object_get(s, "mailbox_id")),
					    &mailbox) == GC_OK;
	json_decref(mailbox);
	json_object_del(s, "tenant_id");
	json_object_set_new(s, "mailbox_removed", json_boolean(!mailbox_ok));
	json_object_set_new(s, "time_zone", json_string(zone));
	json_object_set_new(s, "sent", days);
	return reply(r, status, s);
}

int run_export_schedule_put(struct request *r, struct store *db)
{
	json_t *mailbox = NULL;
	int rc = store_mailbox_get(db, &r->scope, r->stash[1], &mailbox);
	bool can_send = rc == GC_OK && json_string_value(json_object_get(mailbox, "smtp_url"));
	json_decref(mailbox);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "invalid", "mailbox_id", "no mailbox %lld in this tenant", (long long)r->stash[1]);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (!can_send)
		return reply_error(r, 422, "invalid", "mailbox_id", "this mailbox has no smtp_url to send with");
	struct store_l2_schedule in = {.at_minute = (int)r->stash[0],
				       .to_address = json_string_value(json_object_get(r->body, "to")),
				       .mailbox_id = r->stash[1]};
	if ((rc = store_l2_schedule_put(db, &r->scope, &in)) < 0)
		return reply_store_error(r, db, rc, "mailbox_id");
	return answer_schedule(r, db, 200);
}

int run_export_schedule_get(struct request *r, struct store *db)
{
	return answer_schedule(r, db, 200);
}

int run_export_schedule_delete(struct request *r, struct store *db)
{
	int rc = store_l2_schedule_delete(db, &r->scope);
	if (rc < 0)
		return reply_store_error(r, db, rc, "schedule");
	r->status = 204;
	return GC_OK;
}
