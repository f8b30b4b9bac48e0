/* guichet queue | skills | agent: routing through the HTTP API, and the
 * live event stream printed one JSON line per event. */
#include "cli/cli.h"
#include "guichet/text.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets body[field] from the integer option name in [min, max]; false (with
 * a message naming the option) when it is not one. */
static bool int_option(const struct args *a, const char *name, int64_t min, int64_t max, json_t *body,
		       const char *field)
{
	const char *v = args_get(a, name);
	int64_t n;
	if (v == NULL)
		return true;
	if (gc_parse_i64(v, min, max, &n) < 0) {
		fprintf(stderr, "guichet: --%s: expected an integer from %lld to %lld, got '%s'\n", name,
			(long long)min, (long long)max, v);
		return false;
	}
	json_object_set_new(body, field, json_integer(n));
	return true;
}

/* The queue's options as a JSON body (only those given). */
static json_t *queue_body(const struct args *a)
{
	json_t *body = json_object();
	const char *v;
	if ((v = args_get(a, "name")))
		json_object_set_new(body, "name", json_string(v));
	if ((v = args_get(a, "channel")))
		json_object_set_new(body, "channel", json_string(v));
	if ((v = args_get(a, "strategy")))
		json_object_set_new(body, "strategy", json_string(v));
	if ((v = args_get(a, "sl-target"))) {
		double x;
		if (gc_parse_number(v, 0, true, 1, &x) < 0) {
			fprintf(stderr, "guichet queue: --sl-target: expected a share in (0, 1] like 0.8, got '%s'\n", v);
			goto bad;
		}
		json_object_set_new(body, "sl_target", json_real(x));
	}
	if ((v = args_get(a, "hours")) && strcmp(v, "none") == 0) { /* always open again */
		json_object_set_new(body, "hours", json_null());
	} else if (v) { /* a JSON file: {"utc_offset_min", "days", "when_closed"} */
		json_t *hours = cli_load_json("guichet queue --hours", v, "object");
		if (hours == NULL)
			goto bad;
		json_object_set_new(body, "hours", hours);
	}
	if (!int_option(a, "skill", 1, INT64_MAX, body, "skill_id") || !int_option(a, "level", 1, 2, body, "level") ||
	    !int_option(a, "sl-seconds", 1, 86400, body, "sl_seconds") ||
	    !int_option(a, "offer-timeout", 0, 3600, body, "offer_timeout_s") ||
	    !int_option(a, "wrapup", 0, 3600, body, "wrapup_s") ||
	    !int_option(a, "max-wait", 0, 7 * 86400, body, "max_wait_s") ||
	    !int_option(a, "overflow-to", 1, INT64_MAX, body, "overflow_to") ||
	    !int_option(a, "tier-delay", 0, 3600, body, "tier_delay_s") ||
	    !int_option(a, "sticky", 0, 3600, body, "sticky_s") ||
	    !int_option(a, "first-response", 1, 30 * 86400, body, "first_response_s"))
		goto bad;
	return body;
bad:
	json_decref(body);
	return NULL;
}

/* The sum of a capacity object's channels. */
static json_int_t capacity_sum(const json_t *capacity)
{
	const char *key;
	json_t *v;
	json_int_t sum = 0;
	json_object_foreach((json_t *)capacity, key, v)
		sum += json_integer_value(v);
	return sum;
}

/* agent set: the options given over the agent's profile as it is (now, from
 * GET; PUT replaces it whole): --skill replaces the skills, --capacity sets
 * the channels it names, --level, --max-total and --max-missed theirs. A
 * max_total that was only the capacities' sum follows them. */
static json_t *agent_body(const struct args *a, const json_t *now)
{
	const json_t *capacity = json_object_get(now, "capacity");
	json_t *body = json_object();
	json_object_set_new(body, "skills", json_array());
	json_object_set_new(body, "capacity", json_is_object(capacity) ? json_deep_copy(capacity) : json_object());
	const char *v;
	size_t i;
	json_t *sk;
	if (args_get(a, "skill") == NULL) {
		json_array_foreach(json_object_get(now, "skills"), i, sk)
			json_array_append_new(json_object_get(body, "skills"),
					      json_pack("{s:O,s:O,s:O}", "skill_id", json_object_get(sk, "skill_id"),
							"proficiency", json_object_get(sk, "proficiency"), "tier",
							json_object_get(sk, "tier")));
	}
	for (i = 0; (v = args_nth(a, "skill", i)) != NULL; i++) {
		long long id = 0;
		int prof = 5, tier = 1, n = 0;
		if (sscanf(v, "%lld:%d%n", &id, &prof, &n) < 1 || (v[n] && sscanf(v + n, ":%d", &tier) != 1)) {
			fprintf(stderr, "guichet agent set: --skill: expected ID:PROFICIENCY[:TIER], got '%s'\n", v);
			goto bad;
		}
		json_array_append_new(json_object_get(body, "skills"),
				      json_pack("{s:I,s:i,s:i}", "skill_id", (json_int_t)id, "proficiency", prof, "tier", tier));
	}
	for (i = 0; (v = args_nth(a, "capacity", i)) != NULL; i++) {
		const char *eq = strchr(v, '=');
		int64_t n;
		if (eq == NULL || gc_parse_i64(eq + 1, 0, 100, &n) < 0) {
			fprintf(stderr, "guichet agent set: --capacity: expected CHANNEL=N, got '%s'\n", v);
			goto bad;
		}
		char channel[32];
		snprintf(channel, sizeof(channel), "%.*s", (int)(eq - v), v);
		json_object_set_new(json_object_get(body, "capacity"), channel, json_integer(n));
	}
	static const char *const kept[] = {"level", "max_missed"};
	for (i = 0; i < 2; i++)
		if (json_is_integer(json_object_get(now, kept[i])))
			json_object_set(body, kept[i], json_object_get(now, kept[i]));
	const json_t *total = json_object_get(now, "max_total");
	if (json_is_integer(total) && json_integer_value(total) != capacity_sum(json_object_get(now, "capacity")))
		json_object_set(body, "max_total", (json_t *)total);
	if (!int_option(a, "level", 1, 2, body, "level") || !int_option(a, "max-total", 1, 100, body, "max_total") ||
	    !int_option(a, "max-missed", 0, 100, body, "max_missed"))
		goto bad;
	return body;
bad:
	json_decref(body);
	return NULL;
}

/* PUT of the profile as agent_body makes it from the one GET answers. */
static int agent_set(const struct cli *cli, const struct args *a, const char *path)
{
	json_t *now = NULL, *body;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &now);
	if (status == 404) { /* a user with no profile yet: the options are the whole profile */
		json_decref(now);
		now = NULL;
	} else if (status < 200 || status >= 300) {
		return output_answer(cli, status, now);
	}
	body = agent_body(a, now);
	json_decref(now);
	return body ? cli_simple(cli, "PUT", path, body) : 2;
}

static int skills(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id;
	char path[128];
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/skills", "id name created_at");
	if (strcmp(sub, "create") == 0 && a->n_pos > 2)
		return cli_simple(cli, "POST", "/api/v1/skills", json_pack("{s:s}", "name", a->pos[2]));
	if ((id = need_id(a, 2, "skills")) == NULL)
		return 2;
	snprintf(path, sizeof(path), "/api/v1/skills/%s", id);
	if (strcmp(sub, "rename") == 0 && a->n_pos > 3)
		return cli_simple(cli, "PATCH", path, json_pack("{s:s}", "name", a->pos[3]));
	if (strcmp(sub, "delete") == 0)
		return cli_simple(cli, "DELETE", path, NULL);
	fprintf(stderr, "guichet skills: unknown subcommand '%s' (or a missing NAME)\n", sub);
	return 2;
}

static int queue(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id;
	char path[128];
	json_t *body;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/queues", "id name channel skill_id level strategy sl_target sl_seconds");
	if (strcmp(sub, "stats") == 0)
		return cli_simple(cli, "GET", "/api/v1/queues/stats", NULL);
	if (strcmp(sub, "create") == 0)
		return (body = queue_body(a)) ? cli_simple(cli, "POST", "/api/v1/queues", body) : 2;
	if ((id = need_only_id(a, 2, "queue")) == NULL)
		return 2;
	snprintf(path, sizeof(path), "/api/v1/queues/%s", id);
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	if (strcmp(sub, "update") == 0)
		return (body = queue_body(a)) ? cli_simple(cli, "PATCH", path, body) : 2;
	if (strcmp(sub, "delete") == 0)
		return cli_simple(cli, "DELETE", path, NULL);
	/* contacts through queues: ID is the contact's */
	snprintf(path, sizeof(path), "/api/v1/contacts/%s/%s", id, sub);
	if (strcmp(sub, "where") == 0) {
		snprintf(path, sizeof(path), "/api/v1/contacts/%s/routing", id);
		return cli_simple(cli, "GET", path, NULL);
	}
	if (strcmp(sub, "abandon") == 0)
		return cli_simple(cli, "POST", path, NULL);
	if (strcmp(sub, "enqueue") == 0 || strcmp(sub, "move") == 0) {
		if (args_get(a, "queue") == NULL) {
			fprintf(stderr, "guichet queue %s: --queue ID is required (guichet queue list)\n", sub);
			return 2;
		}
		body = json_object();
		if (!int_option(a, "queue", 1, INT64_MAX, body, "queue_id") ||
		    (strcmp(sub, "enqueue") == 0 && !int_option(a, "priority", 0, 9, body, "priority"))) {
			json_decref(body);
			return 2;
		}
		return cli_simple(cli, "POST", path, body);
	}
	fprintf(stderr, "guichet queue: unknown subcommand '%s'\n", sub);
	return 2;
}

/* --- the live stream --- */

struct frames {
	char *buf;
	size_t len;
};

/* Prints each whole frame as {"id", "event", "data"} on one line. */
static size_t print_frames(char *ptr, size_t size, size_t n, void *arg)
{
	struct frames *f = arg;
	char *grown = realloc(f->buf, f->len + size * n + 1);
	if (grown == NULL)
		return 0;
	f->buf = grown;
	memcpy(f->buf + f->len, ptr, size * n);
	f->len += size * n;
	f->buf[f->len] = '\0';
	char *end;
	while ((end = strstr(f->buf, "\n\n")) != NULL) {
		*end = '\0';
		json_t *line = json_object();
		for (char *l = f->buf, *next; l; l = next) {
			next = strchr(l, '\n');
			if (next)
				*next++ = '\0';
			if (strncmp(l, "id: ", 4) == 0)
				json_object_set_new(line, "id", json_integer(atoll(l + 4)));
			else if (strncmp(l, "event: ", 7) == 0)
				json_object_set_new(line, "event", json_string(l + 7));
			else if (strncmp(l, "data: ", 6) == 0)
				json_object_set_new(line, "data", json_loads(l + 6, 0, NULL));
		}
		if (json_object_get(line, "event")) {
			char *text = json_dumps(line, JSON_COMPACT);
			printf("%s\n", text);
			fflush(stdout);
			free(text);
		}
		json_decref(line);
		size_t used = (size_t)(end + 2 - f->buf);
		memmove(f->buf, f->buf + used, f->len - used + 1);
		f->len -= used;
	}
	return size * n;
}

static int events(const struct cli *cli, const struct args *a)
{
	char *token = client_token(cli);
	if (token == NULL) {
		fprintf(stderr, "guichet agent events: log in first (guichet login)\n");
		return 1;
	}
	char url[1024], h[600];
	snprintf(url, sizeof(url), "%s/api/v1/events", cli->server);
	struct curl_slist *headers = NULL;
	snprintf(h, sizeof(h), "Authorization: Bearer %s", token);
	headers = curl_slist_append(headers, h);
	if (cli->tenant) {
		snprintf(h, sizeof(h), "X-Guichet-Tenant: %s", cli->tenant);
		headers = curl_slist_append(headers, h);
	}
	const char *last = args_get(a, "last-event-id");
	if (last) {
		snprintf(h, sizeof(h), "Last-Event-ID: %s", last);
		headers = curl_slist_append(headers, h);
	}
	struct frames f = {0};
	CURL *curl = curl_easy_init();
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, print_frames);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
	CURLcode rc = curl_easy_perform(curl);
	if (rc != CURLE_OK)
		fprintf(stderr, "guichet agent events: %s\n", curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	free(f.buf);
	free(token);
	return rc == CURLE_OK ? 0 : 1;
}

static int agent(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list", *id, *v;
	char path[128];
	json_t *body;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/agents", "user_id name email role level presence reason");
	if (strcmp(sub, "me") == 0)
		return cli_simple(cli, "GET", "/api/v1/agents/me", NULL);
	if (strcmp(sub, "events") == 0)
		return events(cli, a);
	if (strcmp(sub, "presence") == 0) {
		if (a->n_pos < 3) {
			fprintf(stderr, "guichet agent presence: expected available, paused or offline\n");
			return 2;
		}
		body = json_pack("{s:s,s:s?}", "presence", a->pos[2], "reason", args_get(a, "reason"));
		int64_t user_id;
		if ((v = args_get(a, "user")) && gc_parse_i64(v, 1, INT64_MAX, &user_id) < 0) {
			fprintf(stderr, "guichet agent presence: --user: expected the agent's numeric id, got '%s'"
				" (guichet agent list shows them)\n", v);
			json_decref(body);
			return 2;
		}
		if (v)
			snprintf(path, sizeof(path), "/api/v1/agents/%lld/presence", (long long)user_id);
		else
			snprintf(path, sizeof(path), "/api/v1/agents/me/presence");
		return cli_simple(cli, "POST", path, body);
	}
	if ((id = need_only_id(a, 2, "agent")) == NULL)
		return 2;
	if (strcmp(sub, "show") == 0 || strcmp(sub, "set") == 0) {
		snprintf(path, sizeof(path), "/api/v1/agents/%s", id);
		if (strcmp(sub, "show") == 0)
			return cli_simple(cli, "GET", path, NULL);
		return agent_set(cli, a, path);
	}
	/* the agent's work on a contact: ID is the contact's */
	snprintf(path, sizeof(path), "/api/v1/contacts/%s/%s", id, sub);
	if (strcmp(sub, "accept") == 0 || strcmp(sub, "reject") == 0)
		return cli_simple(cli, "POST", path, NULL);
	if (strcmp(sub, "wrapup") == 0)
		return cli_simple(cli, "POST", path, json_pack("{s:s?,s:s?}", "disposition", args_get(a, "disposition"),
							      "state", args_get(a, "state")));
	if (strcmp(sub, "escalate") == 0 || strcmp(sub, "transfer") == 0) {
		body = json_pack("{s:s?}", "reason", args_get(a, "reason"));
		if (!int_option(a, "queue", 1, INT64_MAX, body, "queue_id") ||
		    !int_option(a, "agent", 1, INT64_MAX, body, "agent_id")) {
			json_decref(body);
			return 2;
		}
		return cli_simple(cli, "POST", path, body);
	}
	fprintf(stderr, "guichet agent: unknown subcommand '%s'\n", sub);
	return 2;
}

/* guichet call show CONTACT: the contact's call with its agent's phone (GET
 * /api/v1/contacts/{id}/call); hold|resume|transfer|escalate CONTACT: its
 * bridged call (POST /api/v1/contacts/{id}/call/...). */
static int call(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "";
	if (strcmp(sub, "show") != 0 && strcmp(sub, "hold") != 0 && strcmp(sub, "resume") != 0 &&
	    strcmp(sub, "transfer") != 0 && strcmp(sub, "escalate") != 0) {
		fprintf(stderr, "guichet call: unknown subcommand '%s' (show, hold, resume, transfer, escalate)\n", sub);
		return 2;
	}
	const char *id = need_id(a, 2, "call");
	if (id == NULL)
		return 2;
	char path[128];
	if (strcmp(sub, "show") == 0) {
		snprintf(path, sizeof(path), "/api/v1/contacts/%s/call", id);
		return cli_simple(cli, "GET", path, NULL);
	}
	snprintf(path, sizeof(path), "/api/v1/contacts/%s/call/%s", id, sub);
	if (strcmp(sub, "hold") == 0 || strcmp(sub, "resume") == 0)
		return cli_simple(cli, "POST", path, NULL);
	if (strcmp(sub, "escalate") == 0 && (args_get(a, "queue") == NULL || args_get(a, "reason") == NULL)) {
		fprintf(stderr, "guichet call escalate: --queue and --reason are required\n");
		return 2;
	}
	if (strcmp(sub, "transfer") == 0 && args_get(a, "queue") == NULL && args_get(a, "agent") == NULL) {
		fprintf(stderr, "guichet call transfer: --queue or --agent is required\n");
		return 2;
	}
	json_t *body = json_pack("{s:s?}", "reason", args_get(a, "reason"));
	if (!int_option(a, "queue", 1, INT64_MAX, body, "queue_id") ||
	    (strcmp(sub, "transfer") == 0 && !int_option(a, "agent", 1, INT64_MAX, body, "agent_id"))) {
		json_decref(body);
		return 2;
	}
	return cli_simple(cli, "POST", path, body);
}

int cmd_routing(const struct cli *cli, const struct args *a)
{
	const char *cmd = a->pos[0];
	if (strcmp(cmd, "call") == 0)
		return call(cli, a);
	if (strcmp(cmd, "skills") == 0)
		return skills(cli, a);
	if (strcmp(cmd, "queue") == 0)
		return queue(cli, a);
	return agent(cli, a);
}
