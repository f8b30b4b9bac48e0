/* The integration test harness (harness.h). */
#include "harness.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *harness_binary(const char *name, char *buf, size_t len)
{
	const char *dir = getenv("GUICHET_BUILD");
	snprintf(buf, len, "%s/%s", dir ? dir : GUICHET_BUILD_DIR, name);
	return buf;
}

/* Runs argv; stdout and stderr to files out_path/err_path (or inherited). */
static int run(char *const argv[], const char *out_path, const char *err_path, char *const env_add[])
{
	pid_t pid = fork();
	if (pid == 0) {
		if (out_path) {
			int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			dup2(fd, 1);
		}
		if (err_path) {
			int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
			dup2(fd, 2);
		}
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		for (size_t i = 0; env_add && env_add[i]; i++)
			putenv(env_add[i]);
		execv(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int daemon_add_tenant(struct daemon *d, const char *tenant, const char *email, const char *password)
{
	char bin[512];
	char *argv[] = {(char *)harness_binary("guichet", bin, sizeof(bin)), "admin", "init", "--db", d->db,
			"--tenant", (char *)tenant, "--admin-email", (char *)email, "--admin-password",
			(char *)password, NULL};
	return run(argv, "/dev/null", NULL, NULL);
}

int daemon_prepare(struct daemon *d)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/guichet-it-XXXXXX");
	if (mkdtemp(d->dir) == NULL)
		return -1;
	snprintf(d->log, sizeof(d->log), "%s/guichetd.log", d->dir);
	return testdb_new(d->dir, "guichet.db", d->db, sizeof(d->db));
}

int daemon_prepare_shared(struct daemon *d, const struct daemon *other)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->dir, sizeof(d->dir), "/tmp/guichet-it-XXXXXX");
	if (mkdtemp(d->dir) == NULL)
		return -1;
	snprintf(d->log, sizeof(d->log), "%s/guichetd.log", d->dir);
	snprintf(d->db, sizeof(d->db), "%s", other->db);
	d->shares_db = true;
	/* the nodes of a cluster share the key file too: what one seals or
	   signs (a visitor's token, a mailbox's password), the others open */
	snprintf(d->key_dir, sizeof(d->key_dir), "%s", other->key_dir[0] ? other->key_dir : other->dir);
	return 0;
}

int daemon_init(struct daemon *d, const char *tenant, const char *email, const char *password)
{
	if (daemon_prepare(d) < 0)
		return -1;
	return daemon_add_tenant(d, tenant, email, password);
}

int daemon_set_schema_version(const struct daemon *d, int version)
{
	return testdb_set_schema_version(d->db, version);
}

int daemon_crash(struct daemon *d)
{
	daemon_kill9(d);
	return testdb_crash_server();
}

int daemon_start(struct daemon *d, ...)
{
	char bin[512];
	static _Thread_local char key[160];
	/* an agent's closed stream signs them out only in the tests of that
	 * (test-routing, test-cluster pass --desk-grace): elsewhere tests open
	 * and close agents' streams and expect them still available later */
	char *argv[32] = {(char *)harness_binary("guichetd", bin, sizeof(bin)), "--db", d->db,
			  "--listen", "127.0.0.1:0", "--log", d->log, "--threads", "2", "--desk-grace", "0"};
	int argc = 11;
	if (testdb_is_pg()) { /* its default, var/guichet.key, is relative to where it runs: here, its folder */
		snprintf(key, sizeof(key), "%s/guichet.key", d->key_dir[0] ? d->key_dir : d->dir);
		argv[argc++] = "--secret-key-file";
		argv[argc++] = key;
	}
	va_list ap;
	va_start(ap, d);
	for (char *arg; argc < 30 && (arg = va_arg(ap, char *)) != NULL;)
		argv[argc++] = arg;
	va_end(ap);
	argv[argc] = NULL;
	return daemon_exec(d, argv, false);
}

int daemon_exec(struct daemon *d, char *const argv[], bool stderr_to_log)
{
	int out[2];
	if (pipe(out) < 0)
		return -1;
	d->pid = fork();
	if (d->pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		if (stderr_to_log && freopen(d->log, "a", stderr) == NULL)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	FILE *f = fdopen(out[0], "r");
	char line[256] = "";
	bool ok = fgets(line, sizeof(line), f) != NULL;
	fclose(f);
	const char *colon = strrchr(line, ':');
	if (!ok || strncmp(line, "guichetd listening on", 21) != 0 || colon == NULL) {
		int status;
		waitpid(d->pid, &status, 0);
		d->pid = 0;
		return -1;
	}
	d->port = atoi(colon + 1);
	snprintf(d->url, sizeof(d->url), "http://127.0.0.1:%d", d->port);
	return 0;
}

int daemon_stop(struct daemon *d)
{
	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	int status = 0;
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void daemon_kill9(struct daemon *d)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGKILL);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
}

void daemon_cleanup(struct daemon *d)
{
	if (d->pid > 0)
		daemon_kill9(d);
	if (d->dir[0]) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", d->dir);
	}
	if (d->db[0] && !d->shares_db)
		testdb_drop(d->db);
}

struct buffer {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t n, void *arg)
{
	struct buffer *b = arg;
	char *grown = realloc(b->data, b->len + size * n + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + b->len, ptr, size * n);
	b->data = grown;
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

int load_writer_start(struct load_writer *w, const struct daemon *d, const char *token, int index,
		      long long queue_id, const atomic_bool *stop, pthread_t *ret_thread)
{
	w->d = d;
	w->token = token;
	w->index = index;
	w->queue_id = queue_id;
	w->stop = stop;
	atomic_store(&w->n_acked, 0);
	return pthread_create(ret_thread, NULL, load_write_contacts, w) == 0 ? 0 : -1;
}

void *load_write_contacts(void *arg)
{
	struct load_writer *w = arg;
	CURL *curl = curl_easy_init();
	char url[128], auth[256], body[160];
	snprintf(url, sizeof(url), "%s/api/v1/contacts", w->d->url);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", w->token);
	struct curl_slist *headers = curl_slist_append(NULL, auth);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
	for (int seq = 0; seq < LOAD_MAX_WRITES && !atomic_load(w->stop); seq++) {
		struct buffer answer = {0};
		if (w->queue_id)
			snprintf(body, sizeof(body), "{\"channel\":\"chat\",\"subject\":\"w%d-%d\",\"queue_id\":%lld}",
				 w->index, seq, w->queue_id);
		else
			snprintf(body, sizeof(body), "{\"channel\":\"web\",\"subject\":\"w%d-%d\"}", w->index, seq);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
		long status = 0;
		if (curl_easy_perform(curl) != CURLE_OK) {
			free(answer.data);
			break; /* the daemon is gone */
		}
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		json_t *j = answer.data ? json_loads(answer.data, 0, NULL) : NULL;
		if (status == 201 && j) {
			int n = atomic_load(&w->n_acked);
			w->acked_ids[n] = json_integer_value(json_object_get(j, "id"));
			w->acked_seq[n] = seq;
			atomic_store(&w->n_acked, n + 1); /* read by the test while this goes on */
		}
		json_decref(j);
		free(answer.data);
	}
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return NULL;
}

int load_read_back(const struct daemon *d, const char *token, int n_writers,
		   char seen[][LOAD_MAX_WRITES])
{
	memset(seen, 0, (size_t)n_writers * sizeof(seen[0]));
	int stored = 0;
	char path[128] = "/api/v1/contacts?limit=500";
	for (;;) {
		struct resp r;
		http_json(d, "GET", path, token, NULL, &r);
		assert_int_equal(r.status, 200);
		size_t i;
		json_t *item;
		json_array_foreach(json_object_get(r.json, "items"), i, item) {
			int w = 0, seq = 0;
			assert_int_equal(sscanf(json_string_value(json_object_get(item, "subject")), "w%d-%d", &w, &seq), 2);
			assert_true(w >= 0 && w < n_writers && seq >= 0 && seq < LOAD_MAX_WRITES);
			assert_int_equal(seen[w][seq], 0); /* never twice */
			seen[w][seq] = 1;
			stored++;
		}
		const char *next = json_string_value(json_object_get(r.json, "next_cursor"));
		if (next)
			snprintf(path, sizeof(path), "/api/v1/contacts?limit=500&cursor=%s", next);
		resp_clear(&r);
		if (!next)
			return stored;
	}
}

static size_t header(char *ptr, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	if (strncasecmp(ptr, "Retry-After:", 12) == 0)
		snprintf(r->retry_after, sizeof(r->retry_after), "%.*s", (int)strcspn(ptr + 13, "\r\n"), ptr + 13);
	return size * n;
}

static void request(const struct daemon *d, const char *method, const char *path, const char *token,
		    const char *tenant, const char *content_type, const char *extra_header,
		    const char *body, size_t len, struct resp *ret);

void http_raw(const struct daemon *d, const char *method, const char *path, const char *token,
	      const char *tenant, const char *content_type, const char *body, size_t len,
	      struct resp *ret)
{
	request(d, method, path, token, tenant, content_type, NULL, body, len, ret);
}

void http_raw_headers(const struct daemon *d, const char *method, const char *path,
		      const char *token, const char *header, const char *json_body, struct resp *ret)
{
	request(d, method, path, token, NULL, "application/json", header, json_body, strlen(json_body), ret);
}

static void request(const struct daemon *d, const char *method, const char *path, const char *token,
		    const char *tenant, const char *content_type, const char *extra_header,
		    const char *body, size_t len, struct resp *ret)
{
	memset(ret, 0, sizeof(*ret));
	CURL *curl = curl_easy_init();
	char url[1024], h[512];
	snprintf(url, sizeof(url), "%s%s", d->url, path);
	struct curl_slist *headers = NULL;
	if (token) {
		snprintf(h, sizeof(h), "Authorization: Bearer %s", token);
		headers = curl_slist_append(headers, h);
	}
	if (tenant) {
		snprintf(h, sizeof(h), "X-Guichet-Tenant: %s", tenant);
		headers = curl_slist_append(headers, h);
	}
	if (content_type) {
		snprintf(h, sizeof(h), "Content-Type: %s", content_type);
		headers = curl_slist_append(headers, h);
	}
	for (const char *line = extra_header, *end; line && *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n'); /* several lines, each "Name: value" */
		snprintf(h, sizeof(h), "%.*s", (int)(end - line), line);
		headers = curl_slist_append(headers, h);
	}
	headers = curl_slist_append(headers, "Expect:");
	struct buffer b = {0};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, ret);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	CURLcode rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		long status = 0;
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		ret->status = (int)status;
	} else { /* status 0: say why, for the failure that follows */
		fprintf(stderr, "# %s %s: no answer: %s\n", method, path, curl_easy_strerror(rc));
	}
	ret->text = b.data;
	if (b.data)
		ret->json = json_loadb(b.data, b.len, 0, NULL);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
}

void http_json(const struct daemon *d, const char *method, const char *path, const char *token,
	       json_t *body, struct resp *ret)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	http_raw(d, method, path, token, NULL, text ? "application/json" : NULL, text,
		 text ? strlen(text) : 0, ret);
	free(text);
}

void resp_clear(struct resp *r)
{
	json_decref(r->json);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

int http_status(const struct daemon *d, const char *method, const char *path, const char *token,
		json_t *body)
{
	struct resp r;
	http_json(d, method, path, token, body, &r);
	int status = r.status;
	resp_clear(&r);
	return status;
}

void http_expect(const struct daemon *d, const char *method, const char *token, int status, json_t *body,
		 struct resp *r, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	http_json(d, method, path, token, body, r);
	if (r->status != status)
		fprintf(stderr, "%s %s: %d, expected %d: %s\n", method, path, r->status, status, r->text);
	assert_int_equal(r->status, status);
}

long long post_id(const struct daemon *d, const char *token, const char *path, json_t *body)
{
	struct resp r;
	http_json(d, "POST", path, token, body, &r);
	if (r.status != 201)
		fprintf(stderr, "POST %s: %d %s\n", path, r.status, r.text ? r.text : "");
	assert_int_equal(r.status, 201);
	long long id = resp_int(&r, "id");
	resp_clear(&r);
	return id;
}

char *login(const struct daemon *d, const char *email, const char *password)
{
	struct resp r;
	http_json(d, "POST", "/api/v1/auth/login", NULL,
		  json_pack("{s:s,s:s}", "email", email, "password", password), &r);
	const char *token = json_string_value(json_object_get(r.json, "token"));
	if (r.status != 200 || token == NULL) {
		fprintf(stderr, "login %s failed: %d %s\n", email, r.status, r.text ? r.text : "");
		abort();
	}
	char *copy = strdup(token);
	resp_clear(&r);
	return copy;
}

long long resp_int(const struct resp *r, const char *key)
{
	return json_integer_value(json_object_get(r->json, key));
}

long long daemon_metric(const struct daemon *d, const char *token, const char *name)
{
	struct resp r;
	http_raw(d, "GET", "/metrics", token, NULL, NULL, NULL, 0, &r);
	assert_int_equal(r.status, 200);
	char key[256];
	snprintf(key, sizeof(key), "\n%s ", name);
	const char *at = strstr(r.text, key);
	long long v = at ? strtoll(at + strlen(key), NULL, 10) : 0;
	resp_clear(&r);
	return v;
}

const char *resp_error(const struct resp *r)
{
	const char *code = json_string_value(json_object_get(json_object_get(r->json, "error"), "code"));
	return code ? code : "";
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return strdup("");
	struct buffer b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		collect(chunk, 1, n, &b);
	fclose(f);
	return b.data ? b.data : strdup("");
}

int run_cli(const struct daemon *d, const char *token_file, char **ret_out, char **ret_err, ...)
{
	char bin[512], out[160], err[160], url_env[128], token_env[256];
	char *argv[48] = {(char *)harness_binary("guichet", bin, sizeof(bin))};
	int argc = 1;
	va_list ap;
	va_start(ap, ret_err);
	for (char *arg; argc < 46 && (arg = va_arg(ap, char *)) != NULL;)
		argv[argc++] = arg;
	va_end(ap);
	argv[argc] = NULL;
	snprintf(out, sizeof(out), "%s/cli.out", d->dir);
	snprintf(err, sizeof(err), "%s/cli.err", d->dir);
	snprintf(url_env, sizeof(url_env), "GUICHET_URL=%s", d->url);
	snprintf(token_env, sizeof(token_env), "GUICHET_TOKEN_FILE=%s", token_file);
	char *env[] = {url_env, token_env, NULL};
	int rc = run(argv, out, err, env);
	*ret_out = slurp(out);
	*ret_err = slurp(err);
	return rc;
}

/* --- Server-Sent Events --- */

static size_t sse_collect(char *ptr, size_t size, size_t n, void *arg)
{
	struct sse *s = arg;
	size_t add = size * n;
	if (s->len + add + 1 > s->cap) {
		size_t cap = (s->len + add + 1) * 2;
		char *p = realloc(s->buf, cap);
		if (p == NULL)
			return 0;
		s->buf = p;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, ptr, add);
	s->len += add;
	s->buf[s->len] = '\0';
	return add;
}

/* Lets curl work for up to ms. */
static void sse_pump(struct sse *s, int ms)
{
	int running = 0, numfds = 0;
	curl_multi_perform(s->multi, &running);
	curl_multi_poll(s->multi, NULL, 0, ms, &numfds);
	curl_multi_perform(s->multi, &running);
	s->ended = running == 0;
}

int sse_open(struct sse *s, const struct daemon *d, const char *token, long long last_event_id)
{
	return sse_open_path(s, d, "/api/v1/events", token, last_event_id);
}

int sse_open_path(struct sse *s, const struct daemon *d, const char *path, const char *token, long long last_event_id)
{
	memset(s, 0, sizeof(*s));
	char url[1024], h[512];
	snprintf(url, sizeof(url), "%s%s", d->url, path);
	struct curl_slist *headers = NULL;
	if (token) {
		snprintf(h, sizeof(h), "Authorization: Bearer %s", token);
		headers = curl_slist_append(headers, h);
	}
	if (last_event_id) {
		snprintf(h, sizeof(h), "Last-Event-ID: %lld", last_event_id);
		headers = curl_slist_append(headers, h);
	}
	CURL *easy = curl_easy_init();
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, sse_collect);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	s->easy = easy;
	s->headers = headers;
	s->multi = curl_multi_init();
	curl_multi_add_handle(s->multi, easy);
	for (int waited = 0; waited < 5000; waited += 50) {
		sse_pump(s, 50);
		long status = 0;
		curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
		if (status) {
			s->status = (int)status;
			return s->status;
		}
	}
	return 0;
}

/* Takes one whole frame ("...\n\n") off the buffer into ret; false if none. */
static bool sse_take(struct sse *s, struct sse_event *ret)
{
	char *end = s->buf ? strstr(s->buf, "\n\n") : NULL;
	if (end == NULL)
		return false;
	*end = '\0';
	ret->id = 0;
	ret->type[0] = '\0';
	json_decref(ret->data);
	ret->data = NULL;
	for (char *line = s->buf, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (strncmp(line, "id: ", 4) == 0)
			ret->id = atoll(line + 4);
		else if (strncmp(line, "event: ", 7) == 0)
			snprintf(ret->type, sizeof(ret->type), "%s", line + 7);
		else if (strncmp(line, "data: ", 6) == 0)
			ret->data = json_loads(line + 6, 0, NULL);
	}
	size_t used = (size_t)(end + 2 - s->buf);
	memmove(s->buf, s->buf + used, s->len - used + 1);
	s->len -= used;
	return true;
}

bool sse_ended(struct sse *s, int timeout_ms)
{
	for (int waited = 0; !s->ended && waited < timeout_ms; waited += 20)
		sse_pump(s, 20);
	return s->ended;
}

bool sse_next(struct sse *s, const char *type, int timeout_ms, struct sse_event *ret)
{
	for (int waited = 0;;) {
		while (sse_take(s, ret)) {
			if (ret->type[0] == '\0')
				continue; /* retry: or a comment */
			if (type ? strcmp(ret->type, type) == 0
				 : strcmp(ret->type, "queue_stats") != 0 && strcmp(ret->type, "agent_states") != 0)
				return true;
		}
		if (waited >= timeout_ms)
			return false;
		sse_pump(s, 20);
		waited += 20;
	}
}

void sse_close(struct sse *s)
{
	if (s->multi) {
		curl_multi_remove_handle(s->multi, s->easy);
		curl_easy_cleanup(s->easy);
		curl_multi_cleanup(s->multi);
	}
	curl_slist_free_all(s->headers);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

long long queue_agents_counted(const json_t *queue)
{
	long long n = 0;
	const char *state;
	json_t *count;
	json_object_foreach(json_object_get(queue, "agents"), state, count)
		n += json_integer_value(count);
	return n;
}
