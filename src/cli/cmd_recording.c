/* guichet recording list|get|settings: calls' recordings through the HTTP
 * API. A recording downloads as the server keeps it (a WAV file, 8 kHz,
 * 16-bit, the caller left and the agent right), into a file written whole
 * or not at all (cli_download). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUEUES 256

static int list(const struct cli *cli, const struct args *a)
{
	const char *contact = need_only_id(a, 2, "recording list");
	if (contact == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/contacts/%s/recordings", contact);
	return cli_simple(cli, "GET", path, NULL);
}

static int get(const struct cli *cli, const struct args *a)
{
	const char *id = need_id(a, 2, "recording get"), *out = cli_output_path(a);
	if (id == NULL)
		return 2;
	if (out == NULL || *out == '\0') {
		fprintf(stderr, "guichet recording get: -o FILE is required\n");
		return 2;
	}
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/recordings/%s/audio", id);
	return cli_download(cli, path, out, "recording get");
}

/* "1,2,3" or "none" into an array; NULL (with the message) when malformed. */
static json_t *queue_list(const char *text)
{
	json_t *ids = json_array();
	if (strcmp(text, "none") == 0)
		return ids;
	for (const char *p = text; ids && *p;) {
		char *end = NULL;
		long long id = strtoll(p, &end, 10);
		if (end == p || id <= 0 || (*end && *end != ',') || json_array_size(ids) >= MAX_QUEUES) {
			fprintf(stderr, "guichet recording settings: --queues is queue ids separated by commas, or none, "
				"not '%s'\n", text);
			json_decref(ids);
			return NULL;
		}
		json_array_append_new(ids, json_integer(id));
		p = *end ? end + 1 : end;
	}
	return ids;
}

static int settings(const struct cli *cli, const struct args *a)
{
	const char *days = args_get(a, "retention-days"), *queues = args_get(a, "queues"),
		   *outsourcers = args_get(a, "outsourcers-listen");
	if (days == NULL && queues == NULL && outsourcers == NULL)
		return cli_simple(cli, "GET", "/api/v1/recordings/settings", NULL);
	if (outsourcers && strcmp(outsourcers, "yes") != 0 && strcmp(outsourcers, "no") != 0) {
		fprintf(stderr, "guichet recording settings: --outsourcers-listen is yes or no, not '%s'\n", outsourcers);
		return 2;
	}
	json_t *body = json_object();
	if (outsourcers)
		json_object_set_new(body, "outsourcers_listen", json_boolean(strcmp(outsourcers, "yes") == 0));
	if (days) {
		char *end = NULL;
		long long n = strtoll(days, &end, 10);
		if (end == days || *end || n < 1 || n > 3650) {
			fprintf(stderr, "guichet recording settings: --retention-days is a number of days from 1 to 3650, "
				"not '%s'\n", days);
			json_decref(body);
			return 2;
		}
		json_object_set_new(body, "retention_days", json_integer(n));
	}
	if (queues) {
		json_t *ids = queue_list(queues);
		if (ids == NULL) {
			json_decref(body);
			return 2;
		}
		json_object_set_new(body, "queues", ids);
	}
	return cli_simple(cli, "PUT", "/api/v1/recordings/settings", body);
}

int cmd_recording(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "";
	if (strcmp(sub, "list") == 0)
		return list(cli, a);
	if (strcmp(sub, "get") == 0)
		return get(cli, a);
	if (strcmp(sub, "settings") == 0)
		return settings(cli, a);
	fprintf(stderr, "guichet recording: expected 'list CONTACT', 'get ID -o FILE' or 'settings'\n");
	return 2;
}
