/* The voice of the customer's API: GET /api/v1/reports/voice?week=YYYY-Www
 * (the tenant's week: top, rising and uncovered topics, per tag, and the
 * knowledge that failed; an outsourcer's staff see the topics only) and
 * the weekly digest's schedule, GET/PUT/DELETE /api/v1/reports/voice/digest
 * (daemon/voc.h mails it). */
#include "daemon/handlers.h"
#include "daemon/voc.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "guichet/tz.h"
#include "report/l2.h"
#include "report/voc.h"

#include <stdio.h>
#include <string.h>

int run_report_voice(struct request *r, struct store *db)
{
	const char *week = query_get(r, "week");
	char current[9];
	int64_t org = 0;
	int rc = store_report_viewer_organisation(db, &r->scope, &org);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (week == NULL) {
		char zone[GC_TZ_NAME_MAX], date[11];
		if ((rc = store_tenant_zone(db, r->scope.tenant_id, zone)) < 0)
			return reply_store_error(r, db, rc, NULL);
		l2_local_date(zone, gc_now_ms(), date);
		voc_iso_week(date, current);
		week = current;
	}
	json_t *out = NULL;
	rc = voc_report_build(db, &r->scope, week, org != 0, &out);
	if (rc == GC_EINVAL)
		return reply_error(r, 400, "invalid", "week", "'week' is an ISO week, YYYY-Www (2026-W49)");
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	return reply(r, 200, out);
}

static int parse_hhmm(const char *t)
{
	if (t == NULL || strlen(t) != 5 || t[2] != ':' || t[0] < '0' || t[0] > '2' || t[1] < '0' || t[1] > '9' ||
	    t[3] < '0' || t[3] > '5' || t[4] < '0' || t[4] > '9')
		return -1;
	int m = (t[0] - '0') * 600 + (t[1] - '0') * 60 + (t[3] - '0') * 10 + (t[4] - '0');
	return m < 24 * 60 ? m : -1;
}

/* The addresses, one a line, into r->work. */
int prepare_voice_digest(struct request *r, struct store *db)
{
	(void)db;
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v)
		if (strcmp(key, "time") != 0 && strcmp(key, "to") != 0 && strcmp(key, "mailbox_id") != 0 &&
		    strcmp(key, "lang") != 0 && strcmp(key, "barometer") != 0)
			return reply_error(r, 400, "invalid", key, "unknown field (time, to, lang, mailbox_id, barometer)") < 0;
	int minute = parse_hhmm(json_string_value(json_object_get(r->body, "time")));
	if (minute < 0)
		return reply_error(r, 400, "invalid", "time", "the local time to send at on Mondays, HH:MM from 00:00 to 23:59") < 0;
	json_t *to = json_object_get(r->body, "to");
	if (!json_is_array(to) || json_array_size(to) == 0 || json_array_size(to) > VOC_MAX_ADDRESSES)
		return reply_error(r, 400, "invalid", "to", "a list of 1 to %d addresses to send the digest to",
				   VOC_MAX_ADDRESSES) < 0;
	size_t i;
	json_array_foreach(to, i, v) {
		const char *a = json_string_value(v);
		if (a == NULL || strlen(a) > 320 || !gc_text_is_email(a))
			return reply_error(r, 400, "invalid", "to", "'%s' is not an email address", a ? a : "(not a string)") < 0;
	}
	const char *lang = json_string_value(json_object_get(r->body, "lang"));
	if (json_object_get(r->body, "lang") && (lang == NULL || (strcmp(lang, "en") != 0 && strcmp(lang, "fr") != 0)))
		return reply_error(r, 400, "invalid", "lang", "the digest's language: en or fr") < 0;
	json_t *mailbox = json_object_get(r->body, "mailbox_id");
	if (!json_is_integer(mailbox) || json_integer_value(mailbox) < 1)
		return reply_error(r, 400, "invalid", "mailbox_id", "the ID of the mailbox that sends it") < 0;
	json_t *barometer = json_object_get(r->body, "barometer");
	if (barometer && !json_is_boolean(barometer))
		return reply_error(r, 400, "invalid", "barometer", "true or false") < 0;
	r->stash[0] = minute;
	r->stash[1] = json_integer_value(mailbox);
	return 0;
}

static int answer_digest(struct request *r, struct store *db, int status)
{
	json_t *s = NULL, *sent = NULL;
	char zone[GC_TZ_NAME_MAX];
	int rc = store_voc_schedule_get(db, &r->scope, &s);
	if (rc == GC_ENOTFOUND) /* no digest: said so, with the mailings sent before */
		rc = (s = json_object()) ? GC_OK : GC_ENOMEM;
	else if (rc == GC_OK)
		json_object_set_new(s, "enabled", json_true());
	if (rc == GC_OK && json_object_get(s, "enabled") == NULL)
		json_object_set_new(s, "enabled", json_false());
	if (rc == GC_OK)
		rc = store_tenant_zone(db, r->scope.tenant_id, zone);
	if (rc == GC_OK)
		rc = store_voc_mailings(db, &r->scope, &sent);
	if (rc < 0) {
		json_decref(s);
		return reply_store_error(r, db, rc, "digest");
	}
	json_object_del(s, "tenant_id");
	json_object_set_new(s, "time_zone", json_string(zone));
	json_object_set_new(s, "sent", sent);
	return reply(r, status, s);
}

/* The digest and the barometer it mails are the brand's whole week and
 * month: an outsourcer's people neither read nor set where they go. */
#define DIGEST_IS_THE_BRANDS "the digest is the brand's: its whole week, and the barometer its whole month"

int run_voice_digest_put(struct request *r, struct store *db)
{
	json_t *mailbox = NULL;
	int rc = brand_only(r, db, DIGEST_IS_THE_BRANDS);
	if (rc < 0)
		return rc;
	rc = store_mailbox_get(db, &r->scope, r->stash[1], &mailbox);
	bool can_send = rc == GC_OK && json_string_value(json_object_get(mailbox, "smtp_url"));
	json_decref(mailbox);
	if (rc == GC_ENOTFOUND)
		return reply_error(r, 422, "invalid", "mailbox_id", "no mailbox %lld in this tenant", (long long)r->stash[1]);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL);
	if (!can_send)
		return reply_error(r, 422, "invalid", "mailbox_id", "this mailbox has no smtp_url to send with");
	char to[VOC_MAX_ADDRESSES * 322] = "";
	size_t i, len = 0;
	json_t *v;
	json_array_foreach(json_object_get(r->body, "to"), i, v)
		len += (size_t)snprintf(to + len, sizeof(to) - len, "%s%s", i ? "\n" : "", json_string_value(v));
	const char *lang = json_string_value(json_object_get(r->body, "lang"));
	struct store_voc_schedule in = {.at_minute = (int)r->stash[0], .to_addresses = to, .lang = lang ? lang : "en",
					.mailbox_id = r->stash[1],
					.barometer = json_is_true(json_object_get(r->body, "barometer"))};
	if ((rc = store_voc_schedule_put(db, &r->scope, &in)) < 0)
		return reply_store_error(r, db, rc, "mailbox_id");
	return answer_digest(r, db, 200);
}

int run_voice_digest_get(struct request *r, struct store *db)
{
	int rc = brand_only(r, db, DIGEST_IS_THE_BRANDS);
	return rc < 0 ? rc : answer_digest(r, db, 200);
}

int run_voice_digest_delete(struct request *r, struct store *db)
{
	int rc = brand_only(r, db, DIGEST_IS_THE_BRANDS);
	if (rc < 0)
		return rc;
	rc = store_voc_schedule_delete(db, &r->scope);
	if (rc < 0)
		return reply_store_error(r, db, rc, "digest");
	r->status = 204;
	return GC_OK;
}
