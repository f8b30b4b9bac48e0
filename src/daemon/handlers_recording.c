/* Calls' recordings over HTTP: a contact's list, one recording's audio
 * (audio/wav, with byte ranges), and the tenant's settings (which queues
 * record their calls, how many days recordings are kept). Listening is
 * the permission recordings.listen (tenant administrators, supervisors;
 * not agents, outsourced or not): a recording holds the customer's voice.
 * An outsourcer's supervisor hears only the calls its own organisation's
 * agents took, and only when the brand allows it (the settings'
 * outsourcers_listen); 403 otherwise. Another tenant's contact or
 * recording answers 404, as one of another organisation's calls does. The file is read from
 * the recordings' folder (server.h) by its name alone, never a path, and
 * handed to the connection as a file segment (evbuffer_add_file). */
#include "daemon/handlers.h"
#include "daemon/server.h"
#include "guichet/error.h"

#include <errno.h>
#include <event2/buffer.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_QUEUES 256 /* recorded queues a tenant lists */

/* Whose calls the caller may hear: *ret_org 0 for all the tenant's (the
 * brand's people, a platform admin, API tokens), an outsourcer's own
 * organisation when the brand shares them; false once answered (403, or
 * the store's error). */
static bool listen_scope(struct request *r, struct store *db, int64_t *ret_org)
{
	json_t *settings = NULL;
	int rc = store_report_viewer_organisation(db, &r->scope, ret_org);
	if (rc == GC_OK && *ret_org != 0)
		rc = store_recording_settings_get(db, &r->scope, &settings);
	bool shared = json_is_true(json_object_get(settings, "outsourcers_listen"));
	json_decref(settings);
	if (rc < 0)
		return reply_store_error(r, db, rc, NULL), false;
	if (*ret_org != 0 && !shared)
		return reply_error(r, 403, "forbidden", NULL, "the brand does not let its outsourcers listen to its calls"),
		       false;
	return true;
}

int run_contact_recordings(struct request *r, struct store *db)
{
	int64_t org = 0;
	if (!listen_scope(r, db, &org))
		return GC_EFORBIDDEN;
	int rc = store_contact_exists(db, &r->scope, r->ids[0]);
	json_t *list = NULL;
	if (rc == GC_OK)
		rc = store_recording_list(db, &r->scope, r->ids[0], org, &list);
	return rc < 0 ? reply_store_error(r, db, rc, "contact") : reply(r, 200, json_pack("{s:o}", "items", list));
}

/* "bytes=A-B", "bytes=A-" or "bytes=-N" within size: true with [from, to]
 * (inclusive); false for anything else, several ranges included (the
 * whole file is sent then). *ret_bad is set for a range past the end. */
static bool one_range(const char *h, int64_t size, int64_t *ret_from, int64_t *ret_to, bool *ret_bad)
{
	*ret_bad = false;
	if (h == NULL || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
		return false;
	const char *p = h + 6;
	char *end = NULL;
	int64_t from = -1, to = size - 1;
	errno = 0;
	if (*p == '-') {
		long long n = strtoll(p + 1, &end, 10);
		if (errno || end == p + 1 || *end || n <= 0)
			return false;
		from = n >= size ? 0 : size - n;
	} else {
		long long a = strtoll(p, &end, 10);
		if (errno || end == p || *end != '-' || a < 0)
			return false;
		from = a;
		p = end + 1;
		if (*p) {
			long long b = strtoll(p, &end, 10);
			if (errno || *end || b < a)
				return false;
			to = b < size ? b : size - 1;
		}
	}
	if (from >= size) {
		*ret_bad = true;
		return false;
	}
	*ret_from = from;
	*ret_to = to;
	return true;
}

int run_recording_audio(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int64_t org = 0;
	if (!listen_scope(r, db, &org))
		return GC_EFORBIDDEN;
	int rc = store_recording_get(db, &r->scope, r->ids[0], org, &row);
	if (rc < 0)
		return reply_store_error(r, db, rc, "recording");
	const char *dir = r->worker->server->rec_dir, *name = json_string_value(json_object_get(row, "path"));
	char path[1200];
	int fd = -1;
	struct stat st;
	if (dir[0] && name && !strchr(name, '/') && name[0] != '.') {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	json_decref(row);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return reply_error(r, 404, "not_found", NULL, "the recording's file is not here");
	}
	int64_t size = st.st_size, from = 0, to = size - 1;
	bool bad = false, ranged = one_range(conn_header(r->conn, "Range"), size, &from, &to, &bad);
	char value[96];
	if (bad) {
		close(fd);
		snprintf(value, sizeof(value), "bytes */%" PRId64, size);
		reply_header(r, "Content-Range", value);
		return reply_error(r, 416, "invalid", "Range", "the range is past the recording's %" PRId64 " bytes", size);
	}
	struct evbuffer *body = evbuffer_new();
	if (body == NULL || (size > 0 && evbuffer_add_file(body, fd, from, to - from + 1) != 0)) {
		if (body)
			evbuffer_free(body);
		close(fd);
		return reply_error(r, 500, "internal", NULL, "internal error");
	}
	if (size == 0)
		close(fd);
	reply_header(r, "Accept-Ranges", "bytes");
	if (ranged) {
		snprintf(value, sizeof(value), "bytes %" PRId64 "-%" PRId64 "/%" PRId64, from, to, size);
		reply_header(r, "Content-Range", value);
	}
	r->content_type = "audio/wav";
	r->status = ranged ? 206 : 200;
	r->resp_body = body;
	return GC_OK;
}

int run_recording_settings_get(struct request *r, struct store *db)
{
	json_t *settings = NULL;
	int rc = store_recording_settings_get(db, &r->scope, &settings);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, settings);
}

/* PUT {"retention_days": 1..3650, "queues": [queue ids],
 * "outsourcers_listen": bool}: any may be left out (it keeps its value);
 * queues replaces the list. */
int run_recording_settings_put(struct request *r, struct store *db)
{
	const char *key;
	json_t *v;
	json_object_foreach(r->body, key, v) {
		if (strcmp(key, "retention_days") != 0 && strcmp(key, "queues") != 0 &&
		    strcmp(key, "outsourcers_listen") != 0)
			return reply_error(r, 400, "invalid", key, "unknown member '%s'", key);
	}
	int64_t days = 0, queues[MAX_QUEUES];
	size_t n = 0;
	v = json_object_get(r->body, "retention_days");
	if (v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > STORE_RECORDING_MAX_DAYS)
			return reply_error(r, 400, "invalid", "retention_days", "'retention_days' is a number of days from 1 to %d",
					   STORE_RECORDING_MAX_DAYS);
		days = json_integer_value(v);
	}
	json_t *list = json_object_get(r->body, "queues");
	if (list && (!json_is_array(list) || json_array_size(list) > MAX_QUEUES))
		return reply_error(r, 400, "invalid", "queues", "'queues' is an array of at most %d queue ids", MAX_QUEUES);
	size_t i;
	json_array_foreach(list, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) <= 0)
			return reply_error(r, 400, "invalid", "queues", "'queues' holds queue ids");
		queues[n++] = json_integer_value(v);
	}
	v = json_object_get(r->body, "outsourcers_listen");
	if (v && !json_is_boolean(v))
		return reply_error(r, 400, "invalid", "outsourcers_listen", "'outsourcers_listen' is true or false");
	struct store_recording_settings in = {.retention_days = days, .outsourcers_listen = v ? json_is_true(v) : -1,
					      .set_queues = list != NULL, .queues = queues, .n_queues = n};
	int rc = store_recording_settings_put(db, &r->scope, &in);
	if (rc < 0)
		return reply_store_error(r, db, rc, "queues");
	json_t *settings = NULL;
	rc = store_recording_settings_get(db, &r->scope, &settings);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, settings);
}
