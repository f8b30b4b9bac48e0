/* The built front end served from its folder (web.h). */
#include "daemon/web.h"
#include "daemon/http.h"

#include <event2/buffer.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define WEB_MAX_PATH 256

bool web_claims(const char *path)
{
	return strncmp(path, "/api/", 5) != 0 && strcmp(path, "/api") != 0 && strncmp(path, "/public/", 8) != 0 &&
	       strncmp(path, "/chat/", 6) != 0 &&
	       strcmp(path, "/healthz") != 0 && strcmp(path, "/metrics") != 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.';
}

bool web_path_ok(const char *path)
{
	size_t len = strlen(path);
	if (len == 0 || len >= WEB_MAX_PATH)
		return false;
	bool segment_start = true;
	for (size_t i = 0; i < len; i++) {
		char c = path[i];
		if (c == '/') {
			if (segment_start) /* an empty segment: "//" or a leading '/' */
				return false;
			segment_start = true;
			continue;
		}
		if (!name_char(c) || (segment_start && c == '.'))
			return false;
		segment_start = false;
	}
	return !segment_start; /* no trailing '/': a folder */
}

bool web_accepts_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding;
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		const char *end = strchr(p, ',');
		size_t item = end ? (size_t)(end - p) : strlen(p);
		size_t name = 0;
		while (name < item && p[name] != ';' && p[name] != ' ' && p[name] != '\t')
			name++;
		if (name == 4 && strncasecmp(p, "gzip", 4) == 0) {
			const char *q = memchr(p, ';', item);
			if (q == NULL)
				return true;
			/* q=0, q=0.0, q=0.000: refused */
			const char *v = strstr(q, "q=");
			if (v == NULL || v >= p + item)
				return true;
			v += 2;
			while (v < p + item && (*v == '0' || *v == '.'))
				v++;
			return v < p + item && *v >= '1' && *v <= '9';
		}
		p = end;
	}
	return false;
}

const char *web_content_type(const char *name)
{
	static const char *const types[][2] = {
		{".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
		{".json", "application/json"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
		{".ico", "image/x-icon"}, {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"},
		{".webmanifest", "application/manifest+json"}, {".map", "application/json"},
	};
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i][0]) == 0)
			return types[i][1];
	return "application/octet-stream";
}

/* Opens dir/name as a regular file, not through a symbolic link at its
 * end; -1 when there is none. */
static int open_file(const char *dir, const char *name, off_t *ret_size)
{
	char full[1024 + WEB_MAX_PATH + 8];
	struct stat st;
	int n = snprintf(full, sizeof(full), "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= sizeof(full))
		return -1;
	int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*ret_size = st.st_size;
	return fd;
}

static void not_found(struct request *r)
{
	reply_error(r, 404, "not_found", NULL, "no such page");
}

/* Answers r with the file name of dir; frame_ancestors as in web_serve_chat. */
static void serve(struct request *r, const char *dir, const char *name, const char *frame_ancestors)
{
	char gz[WEB_MAX_PATH + 4];
	off_t size = 0;
	int fd = -1;
	bool gzipped = false;
	if (web_accepts_gzip(conn_header(r->conn, "Accept-Encoding"))) {
		snprintf(gz, sizeof(gz), "%s.gz", name);
		fd = open_file(dir, gz, &size);
		gzipped = fd >= 0;
	}
	if (fd < 0)
		fd = open_file(dir, name, &size);
	if (fd < 0) {
		not_found(r);
		return;
	}
	struct evbuffer *body = evbuffer_new();
	if (body == NULL || (size > 0 && evbuffer_add_file(body, fd, 0, size) < 0)) {
		if (body)
			evbuffer_free(body);
		else
			close(fd);
		reply_error(r, 503, "out_of_memory", NULL, "try again");
		return;
	}
	if (size == 0)
		close(fd);
	bool hashed = strncmp(name, "assets/", 7) == 0;
	r->cache_control = hashed ? "public, max-age=31536000, immutable" : "no-cache";
	if (gzipped)
		reply_header(r, "Content-Encoding", "gzip");
	reply_header(r, "Vary", "Accept-Encoding");
	if (frame_ancestors) {
		char csp[4096];
		snprintf(csp, sizeof(csp), WEB_CSP_SOURCES "frame-ancestors %s", frame_ancestors);
		reply_header(r, "Content-Security-Policy", csp);
	} else {
		reply_header(r, "Content-Security-Policy", WEB_CSP);
		reply_header(r, "X-Frame-Options", "DENY");
	}
	reply_header(r, "Referrer-Policy", "no-referrer");
	r->status = 200;
	r->content_type = web_content_type(name);
	r->resp_body = body;
}

void web_serve(struct request *r, const char *dir, const char *path)
{
	const char *name = strcmp(path, "/") == 0 ? "index.html" : path + 1;
	size_t name_len = strlen(name);
	if (dir[0] == '\0' || path[0] != '/' || !web_path_ok(name) ||
	    (name_len > 3 && strcmp(name + name_len - 3, ".gz") == 0)) {
		not_found(r);
		return;
	}
	serve(r, dir, name, NULL);
}

void web_serve_chat(struct request *r, const char *dir, const char *name, const char *frame_ancestors)
{
	if (dir[0] == '\0' || !web_path_ok(name)) {
		not_found(r);
		return;
	}
	serve(r, dir, name, frame_ancestors);
}
