/* guichet channel voice add|list|show|set|remove: the tenant's telephone
 * numbers through the HTTP API, each with its queue, voice menu (a JSON
 * file, --menu-file, "-" for standard input; the server checks it), greeting
 * and language, and what its callers hear and may do while they wait
 * (--announce-every, --announce-first, --callback-key: the "waiting" member);
 * "channel voice waiting" gives a queue settings of its own, "channel voice
 * prompt" uploads the tenant's own recordings of its prompts. */
#include "cli/cli.h"
#include "guichet/text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options of add and set into body; 2 on a bad one (said on stderr). */
static int options(const struct args *a, const char *sub, json_t *body)
{
	static const char *const texts[][2] = {{"number", "number"}, {"greeting", "greeting"}, {"lang", "lang"}};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (args_get(a, texts[i][0]))
			json_object_set_new(body, texts[i][1], json_string(args_get(a, texts[i][0])));
	const char *v = args_get(a, "queue");
	if (v && strcmp(v, "none") == 0) {
		json_object_set_new(body, "queue_id", json_null());
	} else if (v) {
		char *end;
		long long q = strtoll(v, &end, 10);
		if (*v == '\0' || *end || q < 1) {
			fprintf(stderr, "guichet channel voice %s: --queue: expected a queue ID or none, got '%s'\n", sub, v);
			return 2;
		}
		json_object_set_new(body, "queue_id", json_integer(q));
	}
	if ((v = args_get(a, "greeting-recording")) != NULL && strcmp(v, "none") == 0) {
		json_object_set_new(body, "greeting_recording", json_null());
	} else if (v) {
		char *end;
		long long id = strtoll(v, &end, 10);
		if (*v == '\0' || *end || id < 1) {
			fprintf(stderr, "guichet channel voice %s: --greeting-recording: expected a recording's ID or none,"
				" got '%s'\n", sub, v);
			return 2;
		}
		json_object_set_new(body, "greeting_recording", json_integer(id));
	}
	if ((v = args_get(a, "menu-file")) != NULL) {
		char what[64];
		snprintf(what, sizeof(what), "guichet channel voice %s --menu-file", sub);
		json_t *menu = cli_load_json(what, v, "object");
		if (menu == NULL)
			return 2;
		json_object_set_new(body, "menu", menu);
	}
	return 0;
}

/* A number of seconds from 0 to max for option name into *ret; 2 on a bad one. */
static int seconds(const char *sub, const char *name, const char *v, long max, long *ret)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (*v == '\0' || *end || n < 0 || n > max) {
		fprintf(stderr, "guichet channel voice %s: --%s: expected seconds from 0 to %ld, got '%s'\n", sub, name,
			max, v);
		return 2;
	}
	*ret = n;
	return 0;
}

/* --announce-every, --announce-first, --callback-key into the "waiting"
 * member (replaced whole; "--callback-key none" offers no callback, and
 * --announce-every none clears the settings); 2 on a bad one. */
static int waiting(const struct args *a, const char *sub, json_t *body)
{
	const char *every = args_get(a, "announce-every"), *first = args_get(a, "announce-first");
	const char *key = args_get(a, "callback-key");
	if (every && strcmp(every, "none") == 0) {
		json_object_set_new(body, "waiting", json_null());
		return 0;
	}
	if (every == NULL && first == NULL && key == NULL)
		return 0;
	json_t *w = json_object();
	json_object_set_new(body, "waiting", w);
	long n = 0;
	if (every && seconds(sub, "announce-every", every, 3600, &n) != 0)
		return 2;
	if (every)
		json_object_set_new(w, "announce_every_s", json_integer(n));
	if (first && seconds(sub, "announce-first", first, 3600, &n) != 0)
		return 2;
	if (first)
		json_object_set_new(w, "announce_first_s", json_integer(n));
	if (key && strcmp(key, "none") == 0) {
		json_object_set_new(w, "callback_key", json_null());
	} else if (key && (strlen(key) != 1 || strchr("0123456789*#", key[0]) == NULL)) {
		fprintf(stderr, "guichet channel voice %s: --callback-key: expected one key (0-9, * or #) or none, got '%s'\n",
			sub, key);
		return 2;
	} else if (key) {
		json_object_set_new(w, "callback_key", json_string(key));
	}
	return 0;
}

static int write_number(const struct cli *cli, const struct args *a, const char *sub, const char *id)
{
	if (id == NULL && args_get(a, "number") == NULL) {
		fprintf(stderr, "guichet channel voice add: --number is required\n");
		return 2;
	}
	json_t *body = json_object();
	if (options(a, sub, body) != 0 || waiting(a, sub, body) != 0) {
		json_decref(body);
		return 2;
	}
	if (id == NULL)
		return cli_simple(cli, "POST", "/api/v1/channels/voice/numbers", body);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/voice/numbers/%s", id);
	return cli_simple(cli, "PATCH", path, body);
}

/* --music ID|none into body's "music"; 2 on a bad one. */
static int music(const struct args *a, json_t *body)
{
	const char *v = args_get(a, "music");
	if (v == NULL)
		return 0;
	if (strcmp(v, "none") == 0) {
		json_object_set_new(body, "music", json_null());
		return 0;
	}
	char *end;
	long long id = strtoll(v, &end, 10);
	if (*v == '\0' || *end || id < 1) {
		fprintf(stderr, "guichet channel voice waiting set: --music: expected a recording's ID or none, got '%s'\n",
			v);
		return 2;
	}
	json_object_set_new(body, "music", json_integer(id));
	return 0;
}

/* guichet channel voice waiting list | show QUEUE | set QUEUE [options] [--music ID|none] |
 * clear QUEUE: a queue's own waiting settings, which win over its numbers',
 * and its own music on hold (one of the tenant's recordings). */
static int queue_waiting(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 3 ? a->pos[3] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/channels/voice/queues", "queue_id waiting music updated_at");
	if (strcmp(sub, "show") != 0 && strcmp(sub, "set") != 0 && strcmp(sub, "clear") != 0) {
		fprintf(stderr, "guichet channel voice waiting: unknown subcommand '%s' (list, show, set, clear)\n", sub);
		return 2;
	}
	if ((id = need_id(a, 4, "channel voice waiting")) == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/voice/queues/%s", id);
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	json_t *body = json_object();
	if (strcmp(sub, "clear") == 0) {
		json_object_set_new(body, "waiting", json_null());
		json_object_set_new(body, "music", json_null());
	} else if (waiting(a, "waiting set", body) != 0 || music(a, body) != 0) {
		json_decref(body);
		return 2;
	} else if (json_object_size(body) == 0) {
		fprintf(stderr, "guichet channel voice waiting set: give --announce-every, --announce-first,"
			" --callback-key or --music\n");
		json_decref(body);
		return 2;
	}
	return cli_simple(cli, "PUT", path, body);
}

/* guichet channel voice prompt add FILE --name NAME: the WAV file sent as it is (the server checks it). */
static int prompt_add(const struct cli *cli, const struct args *a)
{
	const char *name = args_get(a, "name");
	if (a->n_pos < 5 || name == NULL) {
		fprintf(stderr, "guichet channel voice prompt add: expected FILE.wav and --name NAME\n");
		return 2;
	}
	char *data = NULL;
	size_t len = 0;
	if (cli_read_file(a->pos[4], "guichet channel voice prompt add", &data, &len) < 0)
		return 1;
	char path[512] = "/api/v1/channels/voice/prompts";
	cli_query_add(path, sizeof(path), "name", name);
	json_t *answer = NULL;
	int status = client_call(cli, "POST", path, data ? data : "", len, "audio/wav", &answer);
	free(data);
	int rc = output_answer(cli, status, answer);
	json_decref(answer);
	return rc;
}

/* guichet channel voice prompt list | add FILE --name N | show ID | get ID -o FILE | remove ID:
 * the tenant's own recordings of its prompts, which menus name ("recording"). */
static int prompts(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 3 ? a->pos[3] : "list", *id;
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/channels/voice/prompts", "id name duration_ms created_at");
	if (strcmp(sub, "add") == 0)
		return prompt_add(cli, a);
	if (strcmp(sub, "show") != 0 && strcmp(sub, "get") != 0 && strcmp(sub, "remove") != 0) {
		fprintf(stderr, "guichet channel voice prompt: unknown subcommand '%s' (list, add, show, get, remove)\n",
			sub);
		return 2;
	}
	if ((id = need_id(a, 4, "channel voice prompt")) == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/voice/prompts/%s", id);
	if (strcmp(sub, "get") == 0) {
		const char *out = cli_output_path(a);
		if (out == NULL || *out == '\0') {
			fprintf(stderr, "guichet channel voice prompt get: -o FILE is required\n");
			return 2;
		}
		strncat(path, "/audio", sizeof(path) - strlen(path) - 1);
		return cli_download(cli, path, out, "channel voice prompt get");
	}
	return cli_simple(cli, strcmp(sub, "show") == 0 ? "GET" : "DELETE", path, NULL);
}

/* guichet channel voice trunk [show | set URI [--username U --password-file F]
 * [--register [--registrar URI] [--register-expires S]] | clear]: the
 * tenant's own trunk, with the digest credentials its provider asks for
 * and whether guichet registers to the provider with them; the password
 * read from a file, never from the command line. */
static int trunk(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 3 ? a->pos[3] : "show";
	const char *path = "/api/v1/channels/voice/trunk";
	if (strcmp(sub, "show") == 0)
		return cli_simple(cli, "GET", path, NULL);
	if (strcmp(sub, "clear") == 0)
		return cli_simple(cli, "DELETE", path, NULL);
	if (strcmp(sub, "set") != 0 || a->n_pos < 5) {
		fprintf(stderr, "guichet channel voice trunk: show, set URI (sip:{number}@HOST[:PORT])"
			" [--username U --password-file F] [--register [--registrar URI] [--register-expires S]]"
			" or clear\n");
		return 2;
	}
	const char *user = args_get(a, "username"), *file = args_get(a, "password-file");
	if ((user == NULL) != (file == NULL)) {
		fprintf(stderr, "guichet channel voice trunk set: --username and --password-file go together\n");
		return 2;
	}
	const char *registrar = args_get(a, "registrar"), *expires = args_get(a, "register-expires");
	bool registers = args_get(a, "register") != NULL;
	if (!registers && (registrar || expires)) {
		fprintf(stderr, "guichet channel voice trunk set: --registrar and --register-expires go with --register\n");
		return 2;
	}
	int64_t seconds = 0;
	if (expires && gc_parse_i64(expires, 1, INT32_MAX, &seconds) < 0) {
		fprintf(stderr, "guichet channel voice trunk set: --register-expires is a number of seconds\n");
		return 2;
	}
	json_t *body = json_pack("{s:s}", "uri", a->pos[4]);
	if (registers) {
		json_object_set_new(body, "register", json_true());
		if (registrar)
			json_object_set_new(body, "registrar", json_string(registrar));
		if (expires)
			json_object_set_new(body, "register_expires", json_integer((json_int_t)seconds));
	}
	if (user) {
		char *password = cli_read_secret(file, "guichet channel voice trunk", "--password-file");
		if (password == NULL) {
			json_decref(body);
			return 1;
		}
		json_object_set_new(body, "username", json_string(user));
		json_object_set_new(body, "password", json_string(password));
		memset(password, 0, strlen(password));
		free(password);
	}
	return cli_simple(cli, "PUT", path, body);
}

int cmd_channel_voice(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 2 ? a->pos[2] : "list", *id;
	if (strcmp(sub, "waiting") == 0)
		return queue_waiting(cli, a);
	if (strcmp(sub, "prompt") == 0)
		return prompts(cli, a);
	if (strcmp(sub, "trunk") == 0)
		return trunk(cli, a);
	if (strcmp(sub, "list") == 0)
		return cli_list(cli, "/api/v1/channels/voice/numbers", "id number queue_id lang");
	if (strcmp(sub, "add") == 0)
		return write_number(cli, a, sub, NULL);
	if (strcmp(sub, "show") != 0 && strcmp(sub, "remove") != 0 && strcmp(sub, "set") != 0) {
		fprintf(stderr, "guichet channel voice: unknown subcommand '%s' (add, list, show, set, remove, waiting, prompt, trunk)\n", sub);
		return 2;
	}
	if ((id = need_id(a, 3, "channel voice")) == NULL)
		return 2;
	if (strcmp(sub, "set") == 0)
		return write_number(cli, a, sub, id);
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/channels/voice/numbers/%s", id);
	return cli_simple(cli, strcmp(sub, "show") == 0 ? "GET" : "DELETE", path, NULL);
}
