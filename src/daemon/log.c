/* JSON-lines logging (log.h). The writes are serialised by a mutex and each
 * line is written whole, so lines of different threads never interleave.
 * Request lines are buffered (the main thread flushes every second, and at
 * exit); every other line is flushed at once. */
#include "daemon/log.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static char *log_path;

int log_open(const char *path)
{
	if (path == NULL)
		return GC_OK;
	FILE *f = fopen(path, "a");
	if (f == NULL)
		return GC_EIO;
	setvbuf(f, NULL, _IOFBF, 64 * 1024);
	pthread_mutex_lock(&log_lock);
	log_file = f;
	free(log_path);
	log_path = strdup(path);
	pthread_mutex_unlock(&log_lock);
	return GC_OK;
}

int log_reopen(void)
{
	int rc = GC_OK;
	pthread_mutex_lock(&log_lock);
	if (log_path) {
		FILE *f = fopen(log_path, "a");
		if (f) {
			setvbuf(f, NULL, _IOFBF, 64 * 1024);
			fclose(log_file);
			log_file = f;
		} else {
			rc = GC_EIO;
		}
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
}

void log_flush(void)
{
	pthread_mutex_lock(&log_lock);
	fflush(log_file ? log_file : stderr);
	pthread_mutex_unlock(&log_lock);
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_file)
		fclose(log_file);
	log_file = NULL;
	free(log_path);
	log_path = NULL;
	pthread_mutex_unlock(&log_lock);
}

static void emit(json_t *line)
{
	char ts[GC_TIME_LEN];
	gc_time_format(gc_now_ms(), ts);
	json_object_set_new(line, "ts", json_string(ts));
	char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(line);
	if (text == NULL)
		return;
	pthread_mutex_lock(&log_lock);
	FILE *f = log_file ? log_file : stderr;
	fprintf(f, "%s\n", text);
	fflush(f); /* events other than requests are rare and must not wait */
	pthread_mutex_unlock(&log_lock);
	free(text);
}

void log_write(const char *level, const char *msg, ...)
{
	json_t *line = json_pack("{s:s,s:s}", "level", level, "msg", msg);
	va_list ap;
	va_start(ap, msg);
	for (const char *key; (key = va_arg(ap, const char *)) != NULL;) {
		const char *value = va_arg(ap, const char *);
		json_object_set_new(line, key, value ? json_string(value) : json_null());
	}
	va_end(ap);
	emit(line);
}

/* Whether text can go in a JSON string as it is. */
static bool plain(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\')
			return false;
	return true;
}

void log_request(const char *route, const char *path, int status, double duration_ms,
		 int64_t tenant_id, const char *actor)
{
	if (!plain(path) || (actor && !plain(actor))) {
		/* rare: let jansson escape it */
		json_t *line = json_pack("{s:s,s:s,s:s,s:s,s:i,s:f,s:o,s:s?}", "level", "info", "msg",
			"request", "route", route, "path", path, "status", status, "duration_ms",
			duration_ms, "tenant", tenant_id ? json_integer(tenant_id) : json_null(),
			"actor", actor);
		if (line)
			emit(line);
		return;
	}
	/* the common case, one snprintf: this runs for every request */
	char ts[GC_TIME_LEN], line[1024], tenant[24] = "null";
	if (tenant_id)
		snprintf(tenant, sizeof(tenant), "%lld", (long long)tenant_id);
	gc_time_format(gc_now_ms(), ts);
	int len = snprintf(line, sizeof(line),
		"{\"level\":\"info\",\"msg\":\"request\",\"route\":\"%s\",\"path\":\"%.512s\","
		"\"status\":%d,\"duration_ms\":%.3f,\"tenant\":%s,\"actor\":%s%.256s%s,\"ts\":\"%s\"}\n",
		route, path, status, duration_ms, tenant, actor ? "\"" : "",
		actor ? actor : "null", actor ? "\"" : "", ts);
	if (len <= 0)
		return;
	if ((size_t)len >= sizeof(line))
		len = sizeof(line) - 1;
	pthread_mutex_lock(&log_lock);
	fwrite(line, 1, (size_t)len, log_file ? log_file : stderr);
	pthread_mutex_unlock(&log_lock);
}
