/* The built front end (web/), served by guichetd itself from one folder.
 *
 * "/" is index.html, never cached without asking (no-cache); files under "/assets/"
 * holds files whose names carry a hash of their content, cached for a year
 * (immutable); other files at the top (favicon) are no-cache too. A file
 * with a ".gz" beside it goes out gzip-encoded to a client that accepts it.
 * Every page carries a Content-Security-Policy without inline scripts.
 * Paths are checked before any file is opened: letters, digits, '-', '_',
 * '.' and '/', no empty segment, no segment starting with '.', no '%':
 * nothing outside the folder is reachable, and folders are never listed
 * (404). Symbolic links are not followed. */
#ifndef GUICHET_DAEMON_WEB_H
#define GUICHET_DAEMON_WEB_H

#include <stdbool.h>

struct request;

/* The Content-Security-Policy of the front end's pages. */
#define WEB_CSP_SOURCES                                                                              \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "            \
	"connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; " \
	"form-action 'self'; "
#define WEB_CSP WEB_CSP_SOURCES "frame-ancestors 'none'"

/* Whether a GET of path is the front end's, not the API's: everything but
 * /api/, /public/, /healthz and /metrics. */
bool web_claims(const char *path);
/* Whether path is a safe relative file name under the folder (see above). */
bool web_path_ok(const char *path);
/* Whether an Accept-Encoding header (may be NULL) accepts gzip. */
bool web_accepts_gzip(const char *accept_encoding);
/* The Content-Type of a file name, by its extension. */
const char *web_content_type(const char *name);
/* Answers r, a GET of path, from the folder dir ("" : none, all 404). */
void web_serve(struct request *r, const char *dir, const char *path);
/* Answers r with the web chat's file name ("chat/launcher.js",
 * "chat/frame.html") from dir; frame_ancestors not NULL: the page may be
 * framed by those origins (space-separated), and only by them. */
void web_serve_chat(struct request *r, const char *dir, const char *name, const char *frame_ancestors);

#endif
