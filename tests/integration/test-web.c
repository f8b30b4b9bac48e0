/* The browser's side of guichetd, against the real daemon: the session
 * cookie and its CSRF token (login, requests, the live stream, the switch
 * to another tenant, logout), and the built front end served from
 * --web-dir (caching, gzip, the Content-Security-Policy, no way out of the
 * folder, the API's 404 untouched). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define ADMIN "admin@alpha.example"
#define PERSON "two@bpo.example"
#define PASSWORD "correct horse"

static struct daemon d;
static char *admin;
static char web[160];
static long long alpha, beta;

/* An answer with its headers. */
struct wresp {
	long status;
	char *body;
	size_t len;
	char head[8192];
	size_t head_len;
	json_t *json;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct wresp *w = arg;
	char *grown = realloc(w->body, w->len + size * n + 1);
	assert_non_null(grown);
	memcpy(grown + w->len, p, size * n);
	w->body = grown;
	w->len += size * n;
	w->body[w->len] = '\0';
	return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct wresp *w = arg;
	size_t len = size * n;
	if (w->head_len + len < sizeof(w->head)) {
		memcpy(w->head + w->head_len, p, len);
		w->head_len += len;
		w->head[w->head_len] = '\0';
	}
	return len;
}

/* One request with the header lines given (NULL-terminated); body is JSON. */
static void req(const char *method, const char *path, const char *body, struct wresp *w, ...)
{
	memset(w, 0, sizeof(*w));
	CURL *curl = curl_easy_init();
	char url[512];
	snprintf(url, sizeof(url), "%s%s", d.url, path);
	struct curl_slist *headers = curl_slist_append(NULL, "Expect:");
	va_list ap;
	va_start(ap, w);
	for (const char *h; (h = va_arg(ap, const char *));)
		headers = curl_slist_append(headers, h);
	va_end(ap);
	if (body)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, w);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, w);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	if (body)
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	assert_int_equal(curl_easy_perform(curl), CURLE_OK);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &w->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	if (w->body)
		w->json = json_loads(w->body, 0, NULL);
}

static void wresp_clear(struct wresp *w)
{
	free(w->body);
	json_decref(w->json);
	memset(w, 0, sizeof(*w));
}

/* The value of the nth header name (from 0), into out; false when absent. */
static bool header_nth(const struct wresp *w, const char *name, int nth, char *out, size_t cap)
{
	size_t name_len = strlen(name);
	for (const char *line = w->head; line && *line; line = strstr(line, "\r\n") ? strstr(line, "\r\n") + 2 : NULL) {
		if (strncasecmp(line, name, name_len) == 0 && line[name_len] == ':' && nth-- == 0) {
			const char *v = line + name_len + 1;
			while (*v == ' ')
				v++;
			size_t len = strcspn(v, "\r\n");
			snprintf(out, cap, "%.*s", (int)(len < cap ? len : cap - 1), v);
			return true;
		}
	}
	return false;
}

static bool header(const struct wresp *w, const char *name, char *out, size_t cap)
{
	return header_nth(w, name, 0, out, cap);
}

/* The Set-Cookie line of cookie name, into out. */
static bool set_cookie(const struct wresp *w, const char *name, char *out, size_t cap)
{
	char line[512];
	for (int i = 0; header_nth(w, "Set-Cookie", i, line, sizeof(line)); i++) {
		if (strncmp(line, name, strlen(name)) == 0 && line[strlen(name)] == '=') {
			snprintf(out, cap, "%s", line);
			return true;
		}
	}
	return false;
}

/* A browser session: its cookie header and CSRF header lines. */
struct browser {
	char cookie[256];
	char csrf[128];
};

/* Logs in with {"session":"cookie"} (and a tenant_id when not 0). */
static void browser_login(struct browser *b, const char *email, long long tenant_id)
{
	struct wresp w;
	char body[256];
	if (tenant_id)
		snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\",\"session\":\"cookie\",\"tenant_id\":%lld}",
			 email, PASSWORD, tenant_id);
	else
		snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\",\"session\":\"cookie\"}", email,
			 PASSWORD);
	req("POST", "/api/v1/auth/login", body, &w, NULL);
	assert_int_equal(w.status, 200);
	char line[512], csrf_line[512];
	assert_true(set_cookie(&w, "guichet_session", line, sizeof(line)));
	assert_true(set_cookie(&w, "guichet_csrf", csrf_line, sizeof(csrf_line)));
	snprintf(b->cookie, sizeof(b->cookie), "Cookie: other=1; %.*s; guichet_csrf=%s", (int)strcspn(line, ";"), line,
		 json_string_value(json_object_get(w.json, "csrf_token")));
	snprintf(b->csrf, sizeof(b->csrf), "X-CSRF-Token: %s", json_string_value(json_object_get(w.json, "csrf_token")));
	wresp_clear(&w);
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static int group_setup(void **state)
{
	if (daemon_init(&d, "alpha", ADMIN, PASSWORD) != 0 || daemon_add_tenant(&d, "beta", "admin@beta.example", PASSWORD) != 0 ||
	    daemon_add_tenant(&d, "gamma", "admin@gamma.example", PASSWORD) != 0)
		return fprintf(stderr, "setup failed at line %d\n", __LINE__), -1;
	/* the front end's folder, with a secret beside it and a link out of it */
	snprintf(web, sizeof(web), "%s/web", d.dir);
	char assets[200];
	snprintf(assets, sizeof(assets), "%s/assets", web);
	if (mkdir(web, 0700) != 0 || mkdir(assets, 0700) != 0)
		return fprintf(stderr, "setup failed at line %d\n", __LINE__), -1;
	write_file(web, "index.html", "<!doctype html><title>guichet</title>", 37);
	write_file(web, "favicon.svg", "<svg/>", 6);
	write_file(web, "assets/app-1a2b3c.js", "console.log(1)", 14);
	write_file(web, "assets/app-1a2b3c.js.gz", "\x1f\x8bGZ", 4);
	write_file(web, ".hidden", "hidden", 6);
	write_file(d.dir, "secret.txt", "secret", 6);
	char target[256], link[256];
	snprintf(target, sizeof(target), "%s/secret.txt", d.dir);
	snprintf(link, sizeof(link), "%s/assets/link.txt", web);
	if (symlink(target, link) != 0)
		return fprintf(stderr, "setup failed at line %d\n", __LINE__), -1;
	if (daemon_start(&d, "--web-dir", web, NULL) != 0)
		return fprintf(stderr, "setup failed at line %d\n", __LINE__), -1;
	admin = login(&d, ADMIN, PASSWORD);
	struct resp r;
	http_raw(&d, "GET", "/api/v1/tenants", admin, NULL, NULL, NULL, 0, &r);
	json_t *t;
	size_t i;
	json_array_foreach(json_object_get(r.json, "items"), i, t) {
		const char *name = json_string_value(json_object_get(t, "name"));
		if (strcmp(name, "alpha") == 0)
			alpha = json_integer_value(json_object_get(t, "id"));
		if (strcmp(name, "beta") == 0)
			beta = json_integer_value(json_object_get(t, "id"));
	}
	resp_clear(&r);
	if (alpha == 0 || beta == 0)
		return fprintf(stderr, "setup failed at line %d\n", __LINE__), -1;
	/* a person of alpha and beta */
	if (http_status(&d, "POST", "/api/v1/users", admin,
			json_pack("{s:s,s:s,s:s,s:s}", "email", PERSON, "name", "Two Brands", "password", PASSWORD, "role", "agent")) != 201 ||
	    http_status(&d, "POST", "/api/v1/memberships", admin,
			json_pack("{s:s,s:s,s:s}", "email", PERSON, "tenant", "beta", "role", "supervisor")) != 200)
		return fprintf(stderr, "setup failed at line %d\n", __LINE__), -1;
	return 0;
}

static int group_teardown(void **state)
{
	free(admin);
	int rc = daemon_stop(&d);
	daemon_cleanup(&d);
	return rc == 0 ? 0 : -1;
}

/* The login puts the token in an HttpOnly cookie, never in the answer, and
 * the CSRF token in a cookie scripts may read and in the answer. */
static void cookie_login_sets_the_cookies(void **state)
{
	struct wresp w;
	req("POST", "/api/v1/auth/login",
	    "{\"email\":\"" ADMIN "\",\"password\":\"" PASSWORD "\",\"session\":\"cookie\"}", &w,
	    "X-Forwarded-Proto: https", NULL);
	assert_int_equal(w.status, 200);
	assert_null(json_object_get(w.json, "token"));
	const char *csrf = json_string_value(json_object_get(w.json, "csrf_token"));
	assert_non_null(csrf);
	char line[512];
	assert_true(set_cookie(&w, "guichet_session", line, sizeof(line)));
	assert_non_null(strstr(line, "; HttpOnly"));
	assert_non_null(strstr(line, "; SameSite=Strict"));
	assert_non_null(strstr(line, "; Path=/"));
	assert_null(strstr(line, "Secure")); /* plain HTTP, and no trusted proxy said https */
	assert_true(set_cookie(&w, "guichet_csrf", line, sizeof(line)));
	assert_null(strstr(line, "HttpOnly"));
	assert_non_null(strstr(line, "; SameSite=Strict"));
	char want[256];
	snprintf(want, sizeof(want), "guichet_csrf=%s;", csrf);
	assert_memory_equal(line, want, strlen(want));
	wresp_clear(&w);
	/* without "session" the answer is as before, with no cookie */
	req("POST", "/api/v1/auth/login", "{\"email\":\"" ADMIN "\",\"password\":\"" PASSWORD "\"}", &w, NULL);
	assert_int_equal(w.status, 200);
	assert_non_null(json_object_get(w.json, "token"));
	assert_false(header(&w, "Set-Cookie", line, sizeof(line)));
	wresp_clear(&w);
	req("POST", "/api/v1/auth/login",
	    "{\"email\":\"" ADMIN "\",\"password\":\"" PASSWORD "\",\"session\":\"jar\"}", &w, NULL);
	assert_int_equal(w.status, 400);
	assert_string_equal(json_string_value(json_object_get(json_object_get(w.json, "error"), "field")), "session");
	wresp_clear(&w);
}

/* Behind a trusted proxy that says https, the cookies are Secure; the
 * same header from anyone else changes nothing (the first test). */
static void cookies_are_secure_behind_a_tls_proxy(void **state)
{
	struct daemon saved = d, proxied;
	assert_int_equal(daemon_init(&proxied, "proxied", ADMIN, PASSWORD), 0);
	assert_int_equal(daemon_start(&proxied, "--trusted-proxy", "127.0.0.1", NULL), 0);
	d = proxied; /* req() speaks to d */
	struct wresp w;
	req("POST", "/api/v1/auth/login",
	    "{\"email\":\"" ADMIN "\",\"password\":\"" PASSWORD "\",\"session\":\"cookie\"}", &w,
	    "X-Forwarded-Proto: https", "X-Forwarded-For: 203.0.113.7", NULL);
	d = saved;
	assert_int_equal(w.status, 200);
	char line[512];
	assert_true(set_cookie(&w, "guichet_session", line, sizeof(line)));
	assert_non_null(strstr(line, "; Secure"));
	assert_true(set_cookie(&w, "guichet_csrf", line, sizeof(line)));
	assert_non_null(strstr(line, "; Secure"));
	wresp_clear(&w);
	assert_int_equal(daemon_stop(&proxied), 0);
	daemon_cleanup(&proxied);
}

/* A GET needs the cookie only; any other method its CSRF token too, or 403
 * "csrf"; a bearer token needs none. */
static void cookie_requests_need_their_csrf_token(void **state)
{
	struct browser b;
	browser_login(&b, ADMIN, 0);
	struct wresp w;
	req("GET", "/api/v1/me", NULL, &w, b.cookie, NULL);
	assert_int_equal(w.status, 200);
	assert_string_equal(json_string_value(json_object_get(w.json, "actor")), ADMIN);
	wresp_clear(&w);
	const char *contact = "{\"channel\":\"chat\",\"subject\":\"from the browser\"}";
	req("POST", "/api/v1/contacts", contact, &w, b.cookie, NULL);
	assert_int_equal(w.status, 403);
	assert_string_equal(json_string_value(json_object_get(json_object_get(w.json, "error"), "code")), "csrf");
	wresp_clear(&w);
	/* the CSRF cookie alone proves nothing: a sibling site can plant one */
	req("POST", "/api/v1/contacts", contact, &w, b.cookie, "X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    NULL);
	assert_int_equal(w.status, 403);
	wresp_clear(&w);
	req("POST", "/api/v1/contacts", contact, &w, b.cookie, b.csrf, NULL);
	assert_int_equal(w.status, 201);
	wresp_clear(&w);
	/* a bearer token is as before, and wins over a cookie */
	char auth[160];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", admin);
	req("POST", "/api/v1/contacts", contact, &w, auth, b.cookie, NULL);
	assert_int_equal(w.status, 201);
	wresp_clear(&w);
	req("GET", "/api/v1/me", NULL, &w, "Cookie: guichet_session=gct_unknown", NULL);
	assert_int_equal(w.status, 401);
	wresp_clear(&w);
	req("GET", "/api/v1/me", NULL, &w, "Cookie: guichet_session=\"<x>\"", NULL);
	assert_int_equal(w.status, 401);
	wresp_clear(&w);
}

/* EventSource sends cookies, not headers: the live stream takes the cookie. */
static void the_live_stream_takes_the_cookie(void **state)
{
	struct browser b;
	browser_login(&b, ADMIN, 0);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)d.port)};
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	char text[512];
	int n = snprintf(text, sizeof(text), "GET /api/v1/events HTTP/1.1\r\nHost: x\r\n%s\r\nAccept: text/event-stream\r\n\r\n",
			 b.cookie);
	assert_int_equal(send(fd, text, (size_t)n, MSG_NOSIGNAL), n);
	char answer[2048] = {0};
	size_t got = 0;
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (got < sizeof(answer) - 1 && !strstr(answer, "\r\n\r\n") && poll(&p, 1, 5000) == 1) {
		ssize_t k = recv(fd, answer + got, sizeof(answer) - 1 - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	close(fd);
	assert_memory_equal(answer, "HTTP/1.1 200", 12);
	assert_non_null(strcasestr(answer, "text/event-stream"));
}

/* A person of two tenants moves the session to the other without logging
 * out; the old token dies; a tenant of someone else's answers 403. */
static void the_session_switches_tenant(void **state)
{
	struct browser b;
	browser_login(&b, PERSON, 0);
	struct wresp w;
	req("GET", "/api/v1/me", NULL, &w, b.cookie, NULL);
	assert_int_equal(json_integer_value(json_object_get(w.json, "tenant_id")), alpha);
	wresp_clear(&w);
	char body[64];
	snprintf(body, sizeof(body), "{\"tenant_id\":%lld}", beta);
	req("POST", "/api/v1/auth/switch", body, &w, b.cookie, NULL);
	assert_int_equal(w.status, 403); /* no CSRF token */
	wresp_clear(&w);
	req("POST", "/api/v1/auth/switch", "{\"tenant_id\":999999}", &w, b.cookie, b.csrf, NULL);
	assert_int_equal(w.status, 403);
	assert_string_equal(json_string_value(json_object_get(json_object_get(w.json, "error"), "field")), "tenant_id");
	wresp_clear(&w);
	req("POST", "/api/v1/auth/switch", "{\"tenant_id\":\"beta\"}", &w, b.cookie, b.csrf, NULL);
	assert_int_equal(w.status, 400);
	wresp_clear(&w);
	req("POST", "/api/v1/auth/switch", body, &w, b.cookie, b.csrf, NULL);
	assert_int_equal(w.status, 200);
	assert_int_equal(json_integer_value(json_object_get(w.json, "tenant_id")), beta);
	assert_string_equal(json_string_value(json_object_get(w.json, "role")), "supervisor");
	assert_null(json_object_get(w.json, "token"));
	char line[512];
	assert_true(set_cookie(&w, "guichet_session", line, sizeof(line)));
	struct browser next;
	snprintf(next.cookie, sizeof(next.cookie), "Cookie: %.*s", (int)strcspn(line, ";"), line);
	snprintf(next.csrf, sizeof(next.csrf), "X-CSRF-Token: %s",
		 json_string_value(json_object_get(w.json, "csrf_token")));
	wresp_clear(&w);
	req("GET", "/api/v1/me", NULL, &w, b.cookie, NULL);
	assert_int_equal(w.status, 401); /* the old session is gone */
	wresp_clear(&w);
	req("GET", "/api/v1/me", NULL, &w, next.cookie, NULL);
	assert_int_equal(w.status, 200);
	assert_int_equal(json_integer_value(json_object_get(w.json, "tenant_id")), beta);
	assert_string_equal(json_string_value(json_object_get(w.json, "role")), "supervisor");
	wresp_clear(&w);
	/* and back, with the new session's CSRF token (the old one is refused) */
	snprintf(body, sizeof(body), "{\"tenant_id\":%lld}", alpha);
	req("POST", "/api/v1/auth/switch", body, &w, next.cookie, b.csrf, NULL);
	assert_int_equal(w.status, 403);
	wresp_clear(&w);
	req("POST", "/api/v1/auth/switch", body, &w, next.cookie, next.csrf, NULL);
	assert_int_equal(w.status, 200);
	assert_int_equal(json_integer_value(json_object_get(w.json, "tenant_id")), alpha);
	wresp_clear(&w);
	/* a login may name the tenant by its id */
	browser_login(&b, PERSON, beta);
	req("GET", "/api/v1/me", NULL, &w, b.cookie, NULL);
	assert_int_equal(json_integer_value(json_object_get(w.json, "tenant_id")), beta);
	wresp_clear(&w);
	req("POST", "/api/v1/auth/login",
	    "{\"email\":\"" PERSON "\",\"password\":\"" PASSWORD "\",\"session\":\"cookie\",\"tenant_id\":999999}", &w, NULL);
	assert_int_equal(w.status, 403);
	wresp_clear(&w);
	/* a bearer session switches too, and gets its new token in the answer */
	char *token = login(&d, PERSON, PASSWORD), auth[160];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	snprintf(body, sizeof(body), "{\"tenant_id\":%lld}", beta);
	req("POST", "/api/v1/auth/switch", body, &w, auth, NULL);
	assert_int_equal(w.status, 200);
	assert_non_null(json_object_get(w.json, "token"));
	assert_false(header(&w, "Set-Cookie", line, sizeof(line)));
	wresp_clear(&w);
	free(token);
}

/* Logout revokes the session and clears both cookies. */
static void logout_clears_the_cookies(void **state)
{
	struct browser b;
	browser_login(&b, ADMIN, 0);
	struct wresp w;
	req("POST", "/api/v1/auth/logout", NULL, &w, b.cookie, NULL);
	assert_int_equal(w.status, 403);
	wresp_clear(&w);
	req("POST", "/api/v1/auth/logout", NULL, &w, b.cookie, b.csrf, NULL);
	assert_int_equal(w.status, 204);
	char line[512];
	assert_true(set_cookie(&w, "guichet_session", line, sizeof(line)));
	assert_non_null(strstr(line, "guichet_session=;"));
	assert_non_null(strstr(line, "Max-Age=0"));
	assert_true(set_cookie(&w, "guichet_csrf", line, sizeof(line)));
	assert_non_null(strstr(line, "Max-Age=0"));
	wresp_clear(&w);
	req("GET", "/api/v1/me", NULL, &w, b.cookie, NULL);
	assert_int_equal(w.status, 401);
	wresp_clear(&w);
}

/* index.html is checked every time, hashed assets cached for a year, each
 * with its type and the policy; gzip when accepted. */
static void the_front_end_is_served(void **state)
{
	struct wresp w;
	char v[512];
	req("GET", "/", NULL, &w, NULL);
	assert_int_equal(w.status, 200);
	assert_string_equal(w.body, "<!doctype html><title>guichet</title>");
	assert_true(header(&w, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/html; charset=utf-8");
	assert_true(header(&w, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "no-cache");
	assert_true(header(&w, "Content-Security-Policy", v, sizeof(v)));
	assert_non_null(strstr(v, "default-src 'self'"));
	assert_non_null(strstr(v, "connect-src 'self'"));
	assert_non_null(strstr(v, "script-src 'self'"));
	assert_null(strstr(v, "unsafe-inline"));
	assert_null(strstr(v, "unsafe-eval"));
	wresp_clear(&w);
	req("GET", "/assets/app-1a2b3c.js", NULL, &w, NULL);
	assert_int_equal(w.status, 200);
	assert_string_equal(w.body, "console.log(1)");
	assert_true(header(&w, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "text/javascript; charset=utf-8");
	assert_true(header(&w, "Cache-Control", v, sizeof(v)));
	assert_string_equal(v, "public, max-age=31536000, immutable");
	assert_false(header(&w, "Content-Encoding", v, sizeof(v)));
	wresp_clear(&w);
	req("GET", "/assets/app-1a2b3c.js", NULL, &w, "Accept-Encoding: br, gzip", NULL);
	assert_int_equal(w.status, 200);
	assert_int_equal(w.len, 4);
	assert_memory_equal(w.body, "\x1f\x8bGZ", 4);
	assert_true(header(&w, "Content-Encoding", v, sizeof(v)));
	assert_string_equal(v, "gzip");
	assert_true(header(&w, "Vary", v, sizeof(v)));
	assert_string_equal(v, "Accept-Encoding");
	wresp_clear(&w);
	req("GET", "/assets/app-1a2b3c.js", NULL, &w, "Accept-Encoding: gzip;q=0, identity", NULL);
	assert_string_equal(w.body, "console.log(1)");
	wresp_clear(&w);
	req("GET", "/favicon.svg", NULL, &w, NULL);
	assert_int_equal(w.status, 200);
	assert_true(header(&w, "Content-Type", v, sizeof(v)));
	assert_string_equal(v, "image/svg+xml");
	wresp_clear(&w);
}

/* Nothing outside the folder, no folder listed, no hidden file, no link
 * followed; the API's unknown paths still answer its JSON 404. */
static void nothing_else_is_served(void **state)
{
	static const char *const refused[] = {
		"/assets/", "/assets", "/../secret.txt", "/assets/../../secret.txt", "/assets/..%2f..%2fsecret.txt",
		"/%2e%2e/secret.txt", "/.hidden", "/assets/link.txt", "/assets/app-1a2b3c.js.gz", "//etc/passwd",
		"/assets//app-1a2b3c.js", "/nope.html", "/index.html/", "/assets/./app-1a2b3c.js",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct wresp w;
		req("GET", refused[i], NULL, &w, NULL);
		if (w.status != 404)
			fprintf(stderr, "%s answered %ld\n", refused[i], w.status);
		assert_int_equal(w.status, 404);
		assert_null(strstr(w.body ? w.body : "", "secret"));
		assert_string_equal(json_string_value(json_object_get(json_object_get(w.json, "error"), "code")),
				    "not_found");
		wresp_clear(&w);
	}
	struct wresp w;
	req("GET", "/api/v1/nope", NULL, &w, NULL);
	assert_int_equal(w.status, 404);
	assert_string_equal(json_string_value(json_object_get(json_object_get(w.json, "error"), "message")),
			    "no such endpoint");
	wresp_clear(&w);
	req("POST", "/", "{}", &w, NULL);
	assert_int_equal(w.status, 404);
	wresp_clear(&w);
	req("GET", "/healthz", NULL, &w, NULL);
	assert_int_equal(w.status, 200);
	assert_non_null(json_object_get(w.json, "status"));
	wresp_clear(&w);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cookie_login_sets_the_cookies),
		cmocka_unit_test(cookies_are_secure_behind_a_tls_proxy),
		cmocka_unit_test(cookie_requests_need_their_csrf_token),
		cmocka_unit_test(the_live_stream_takes_the_cookie),
		cmocka_unit_test(the_session_switches_tenant),
		cmocka_unit_test(logout_clears_the_cookies),
		cmocka_unit_test(the_front_end_is_served),
		cmocka_unit_test(nothing_else_is_served),
	};
	int rc = cmocka_run_group_tests(tests, group_setup, group_teardown);
	curl_global_cleanup();
	return rc;
}
