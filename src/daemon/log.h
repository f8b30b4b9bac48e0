/* Structured logs: one JSON object a line, to stderr or a file that SIGHUP
 * reopens (for logrotate). Messages are lowercase, the thing first. */
#ifndef GUICHET_DAEMON_LOG_H
#define GUICHET_DAEMON_LOG_H

#include <stdint.h>

/* Logs to path (appending), or to stderr when path is NULL. */
int log_open(const char *path);
/* Reopens the file given to log_open (no-op for stderr). */
int log_reopen(void);
/* Writes buffered lines out. */
void log_flush(void);
void log_close(void);

/* One line with level, msg and string key/value pairs, NULL-terminated. */
void log_write(const char *level, const char *msg, ...);
#define log_info(msg, ...) log_write("info", msg, ##__VA_ARGS__, (const char *)NULL)
#define log_error(msg, ...) log_write("error", msg, ##__VA_ARGS__, (const char *)NULL)

/* The line for one answered request. */
void log_request(const char *route, const char *path, int status, double duration_ms,
		 int64_t tenant_id, const char *actor);

#endif
