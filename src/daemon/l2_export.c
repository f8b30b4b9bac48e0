/* The daily level-2 export in guichetd (l2_export.h). */
#include "daemon/l2_export.h"
#include "daemon/cluster.h"
#include "daemon/log.h"
#include "daemon/ops.h"
#include "daemon/writer.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/tz.h"
#include "report/l2.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int l2_export_build(struct store *db, const struct store_scope *scope, const char *date, json_t **ret)
{
	char zone[GC_TZ_NAME_MAX];
	int64_t from, to;
	int rc = store_tenant_zone(db, scope->tenant_id, zone);
	if (rc < 0)
		return rc;
	if (l2_day_window(zone, date, &from, &to) < 0)
		return GC_EINVAL;
	json_t *rows = NULL;
	bool truncated = false;
	if ((rc = store_l2_contacts(db, scope, from, to, &rows, &truncated)) < 0)
		return rc;
	json_t *groups = l2_group(rows);
	size_t n = json_array_size(rows);
	json_decref(rows);
	if (groups == NULL)
		return GC_ENOMEM;
	*ret = json_pack("{s:s,s:s,s:I,s:I,s:I,s:b,s:o}", "date", date, "time_zone", zone, "from", (json_int_t)from, "to",
			 (json_int_t)to, "count", (json_int_t)n, "truncated", truncated, "categories", groups);
	return *ret ? GC_OK : GC_ENOMEM;
}

/* The workbook's bytes (malloc'd): written to a temporary file, read back,
 * removed (libxlsxwriter writes files only). */
static int workbook_bytes(const json_t *export, unsigned char **ret, size_t *ret_len)
{
	const char *dir = getenv("TMPDIR");
	char path[1024];
	snprintf(path, sizeof(path), "%s/guichet-l2-XXXXXX.xlsx", dir && *dir ? dir : "/tmp");
	int fd = mkstemps(path, 5);
	if (fd < 0)
		return GC_EIO;
	close(fd);
	int rc = l2_xlsx_write(export, path);
	FILE *f = rc == GC_OK ? fopen(path, "rb") : NULL;
	unsigned char *data = NULL;
	long len = -1;
	if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && len <= STORE_MAX_ATTACHMENT &&
	    fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)len + 1)) != NULL &&
	    fread(data, 1, (size_t)len, f) == (size_t)len) {
		*ret = data;
		*ret_len = (size_t)len;
	} else {
		free(data);
		rc = rc < 0 ? rc : len > STORE_MAX_ATTACHMENT ? GC_ETOOBIG : GC_EIO;
	}
	if (f)
		fclose(f);
	unlink(path);
	return rc;
}

/* One day's mail, queued on the writer. */
struct job {
	struct store_scope scope;
	const char *day, *to, *from_address;
	int64_t mailbox_id;
	const json_t *export;
	unsigned char *xlsx;
	size_t len;
	bool queued;
};

static void mail_text(const struct job *j, char *subject, size_t subject_len, char **ret_body)
{
	json_int_t n = json_integer_value(json_object_get(j->export, "count"));
	snprintf(subject, subject_len, "Level-2 contacts of %s: %lld", j->day, (long long)n);
	size_t cap = 512, len = 0, i;
	json_t *cat;
	json_array_foreach(json_object_get(j->export, "categories"), i, cat)
		cap += strlen(json_string_value(json_object_get(cat, "category"))) + 32;
	char *body = malloc(cap);
	if (body == NULL) {
		*ret_body = NULL;
		return;
	}
	len += (size_t)snprintf(body + len, cap - len,
				"The contacts that went to level 2 on %s (%s), by category, with the customers"
				" concerned, are in the attached workbook.\n\n",
				j->day, json_string_value(json_object_get(j->export, "time_zone")));
	json_array_foreach(json_object_get(j->export, "categories"), i, cat)
		len += (size_t)snprintf(body + len, cap - len, "%s: %lld\n",
					json_string_value(json_object_get(cat, "category")),
					(long long)json_integer_value(json_object_get(cat, "count")));
	if (n == 0)
		len += (size_t)snprintf(body + len, cap - len, "No contact went to level 2 that day.\n");
	if (json_is_true(json_object_get(j->export, "truncated")))
		len += (size_t)snprintf(body + len, cap - len, "\nThe day had more: only the first %d are in it.\n",
					STORE_L2_MAX_CONTACTS);
	snprintf(body + len, cap - len, "\n-- \nguichet, the daily level-2 export\n");
	*ret_body = body;
}

/* On the writer: the mail, its workbook and the day, in one transaction,
 * unless the day went already. */
static int queue_task(void *arg, const struct ops *o)
{
	struct job *j = arg;
	bool sent = false;
	int rc = store_l2_day_sent(o->db, &j->scope, j->day, &sent);
	if (rc < 0 || sent)
		return rc;
	unsigned char random[8];
	char hex[17], message_id[400], subject[200], filename[64];
	randombytes_buf(random, sizeof(random));
	sodium_bin2hex(hex, sizeof(hex), random, sizeof(random));
	const char *domain = strchr(j->from_address, '@');
	snprintf(message_id, sizeof(message_id), "guichet.l2.%lld.%s.%s@%s", (long long)j->scope.tenant_id, j->day, hex,
		 domain ? domain + 1 : "guichet.invalid");
	snprintf(filename, sizeof(filename), "level2-%s.xlsx", j->day);
	char *body = NULL;
	mail_text(j, subject, sizeof(subject), &body);
	if (body == NULL)
		return GC_ENOMEM;
	struct store_outbox out = {.mailbox_id = j->mailbox_id, .message_id = message_id, .to_address = j->to,
				   .subject = subject, .body = body};
	struct store_outbox_file file = {.filename = filename, .content_type = L2_XLSX_TYPE, .data = j->xlsx,
					.len = j->len};
	int64_t id = 0;
	if ((rc = store_outbox_add(o->db, &j->scope, &out, &id)) == GC_OK &&
	    (rc = store_outbox_attach(o->db, &j->scope, id, &file)) == GC_OK &&
	    (rc = store_l2_day_record(o->db, &j->scope, j->day,
				      id, json_integer_value(json_object_get(j->export, "count")))) == GC_OK)
		j->queued = true;
	free(body);
	return rc;
}

/* Builds and queues one day of one tenant. */
static void queue_day(struct store *db, struct writer *w, struct job *j)
{
	char tenant[24];
	snprintf(tenant, sizeof(tenant), "%lld", (long long)j->scope.tenant_id);
	json_t *export = NULL;
	int rc = l2_export_build(db, &j->scope, j->day, &export);
	if (rc == GC_OK) {
		j->export = export;
		rc = workbook_bytes(export, &j->xlsx, &j->len);
	}
	if (rc == GC_OK)
		rc = writer_run(w, queue_task, j);
	if (rc < 0)
		log_error("the level-2 export could not be queued: tried again at the next round", "tenant", tenant,
			  "day", j->day, "error", gc_error_name(rc));
	else if (j->queued)
		log_info("level-2 export queued", "tenant", tenant, "day", j->day, "to", j->to);
	free(j->xlsx);
	json_decref(export);
}

/* Every day the tenant's schedule owes and that was not sent. */
static void schedule_due(struct store *db, struct writer *w, const json_t *sched, int64_t now)
{
	int64_t tenant = json_integer_value(json_object_get(sched, "tenant_id"));
	struct job proto = {.scope = ops_channel_scope(tenant, "l2-export"),
			    .to = json_string_value(json_object_get(sched, "to")),
			    .mailbox_id = json_integer_value(json_object_get(sched, "mailbox_id"))};
	const char *at = json_string_value(json_object_get(sched, "time"));
	int minute = (at[0] - '0') * 600 + (at[1] - '0') * 60 + (at[3] - '0') * 10 + (at[4] - '0');
	int64_t created = 0;
	char zone[GC_TZ_NAME_MAX], days[L2_CATCH_UP_DAYS + 1][11];
	int n = 0;
	json_t *mailbox = NULL;
	if (gc_time_parse(json_string_value(json_object_get(sched, "created_at")), &created) < 0 ||
	    store_tenant_zone(db, tenant, zone) < 0 ||
	    l2_schedule_days(zone, minute, created, now, L2_CATCH_UP_DAYS, days, &n) < 0 || n == 0)
		return;
	if (store_mailbox_get(db, &proto.scope, proto.mailbox_id, &mailbox) < 0 ||
	    (proto.from_address = json_string_value(json_object_get(mailbox, "address"))) == NULL) {
		json_decref(mailbox);
		return; /* the mailbox was removed: the schedule waits for another (GET says so) */
	}
	for (int i = 0; i < n; i++) {
		bool sent = false;
		if (store_l2_day_sent(db, &proto.scope, days[i], &sent) < 0 || sent)
			continue;
		struct job j = proto;
		j.day = days[i];
		queue_day(db, w, &j);
	}
	json_decref(mailbox);
}

void l2_export_due(struct store *db, struct writer *w, struct cluster *cl, int64_t now)
{
	json_t *list = NULL;
	if (store_l2_schedule_all(db, &list) < 0) {
		log_error("cannot read the level-2 export schedules", "error", store_errmsg(db));
		return;
	}
	size_t i;
	json_t *sched;
	json_array_foreach(list, i, sched) {
		int64_t tenant = json_integer_value(json_object_get(sched, "tenant_id"));
		if (cl == NULL || cluster_routes(cl, tenant))
			schedule_due(db, w, sched, now);
	}
	json_decref(list);
}
