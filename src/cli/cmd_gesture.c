/* guichet gesture record|list|show|approve|refuse|settings and guichet
 * report gestures: goodwill gestures (credits, gifts, waivers) recorded on
 * contacts, through the HTTP API. Amounts are typed as "25.00" and sent in
 * the currency's minor unit. */
#include "cli/cli.h"
#include "guichet/gesture.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int record(const struct cli *cli, const struct args *a)
{
	const char *contact = need_only_id(a, 2, "gesture record");
	const char *kind = args_need(a, "kind", "gesture record"), *amount = args_need(a, "amount", "gesture record");
	int64_t cents = 0;
	if (contact == NULL || kind == NULL || amount == NULL)
		return 2;
	if (gesture_amount_parse(amount, &cents) < 0) {
		fprintf(stderr, "guichet gesture record: --amount is a value such as 25 or 25.50, not '%s'\n", amount);
		return 2;
	}
	json_t *body = json_pack("{s:s,s:I}", "kind", kind, "amount_cents", (json_int_t)cents);
	if (args_get(a, "reason"))
		json_object_set_new(body, "reason", json_string(args_get(a, "reason")));
	if (args_get(a, "note"))
		json_object_set_new(body, "note", json_string(args_get(a, "note")));
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/contacts/%s/gestures", contact);
	return cli_simple(cli, "POST", path, body);
}

static int decide(const struct cli *cli, const struct args *a, const char *sub)
{
	const char *id = need_only_id(a, 2, "gesture");
	if (id == NULL)
		return 2;
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/gestures/%s/%s", id, sub);
	json_t *body = json_object();
	if (args_get(a, "note"))
		json_object_set_new(body, "note", json_string(args_get(a, "note")));
	return cli_simple(cli, "POST", path, body);
}

/* --limit ROLE=AMOUNT (repeated; AMOUNT "none" for no limit) and --currency. */
static int settings(const struct cli *cli, const struct args *a)
{
	const char *currency = args_get(a, "currency");
	if (currency == NULL && args_nth(a, "role-limit", 0) == NULL)
		return cli_simple(cli, "GET", "/api/v1/gestures/settings", NULL);
	json_t *current = NULL;
	int status = client_call(cli, "GET", "/api/v1/gestures/settings", NULL, 0, NULL, &current);
	if (status != 200) {
		int rc = output_answer(cli, status, current);
		json_decref(current);
		return rc;
	}
	if (currency)
		json_object_set_new(current, "currency", json_string(currency));
	json_t *limits = json_object_get(current, "limits");
	for (size_t i = 0; args_nth(a, "role-limit", i); i++) {
		const char *v = args_nth(a, "role-limit", i), *eq = strchr(v, '=');
		int64_t cents = 0;
		if (eq == NULL || eq == v || (strcmp(eq + 1, "none") != 0 && gesture_amount_parse(eq + 1, &cents) < 0)) {
			fprintf(stderr, "guichet gesture settings: --role-limit is ROLE=AMOUNT (25.00) or ROLE=none, not '%s'\n", v);
			json_decref(current);
			return 2;
		}
		char role[64];
		snprintf(role, sizeof(role), "%.*s", (int)(eq - v), v);
		json_object_set_new(limits, role, strcmp(eq + 1, "none") == 0 ? json_null() : json_integer(cents));
	}
	return cli_simple(cli, "PUT", "/api/v1/gestures/settings", current);
}

int cmd_gesture(const struct cli *cli, const struct args *a)
{
	const char *sub = a->n_pos > 1 ? a->pos[1] : "list";
	if (strcmp(sub, "record") == 0)
		return record(cli, a);
	if (strcmp(sub, "approve") == 0 || strcmp(sub, "refuse") == 0)
		return decide(cli, a, sub);
	if (strcmp(sub, "settings") == 0)
		return settings(cli, a);
	if (strcmp(sub, "show") == 0) {
		const char *id = need_only_id(a, 2, "gesture show");
		char path[128];
		if (id == NULL)
			return 2;
		snprintf(path, sizeof(path), "/api/v1/gestures/%s", id);
		return cli_simple(cli, "GET", path, NULL);
	}
	if (strcmp(sub, "list") == 0) {
		char path[256] = "/api/v1/gestures";
		cli_query_add(path, sizeof(path), "state", args_get(a, "state"));
		cli_query_add(path, sizeof(path), "contact", args_get(a, "contact"));
		cli_query_add(path, sizeof(path), "limit", args_get(a, "limit"));
		cli_query_add(path, sizeof(path), "cursor", args_get(a, "cursor"));
		return cli_list(cli, path, "id state kind amount_cents currency reason contact_id recorded_by created_at");
	}
	fprintf(stderr, "guichet gesture: unknown subcommand '%s'\n", sub);
	return 2;
}

/* One group's line of the report: key, counts and values in units. */
static void print_group(const json_t *g, const char *key)
{
	printf("%-40s %5lld %5lld %12.2f %5lld %12.2f %5lld\n", key, json_integer_value(json_object_get(g, "gestures")),
	       json_integer_value(json_object_get(g, "approved")),
	       (double)json_integer_value(json_object_get(g, "approved_cents")) / 100,
	       json_integer_value(json_object_get(g, "pending")),
	       (double)json_integer_value(json_object_get(g, "pending_cents")) / 100,
	       json_integer_value(json_object_get(g, "refused")));
}

static void print_section(const json_t *report, const char *name, const char *title)
{
	size_t i;
	json_t *g;
	printf("\n%-40s %5s %5s %12s %5s %12s %5s\n", title, "all", "appr", "approved", "pend", "pending", "refus");
	json_array_foreach(json_object_get(report, name), i, g)
		print_group(g, json_string_value(json_object_get(g, "key")));
}

int cmd_report_gestures(const struct cli *cli, const struct args *a)
{
	char path[256] = "/api/v1/reports/gestures";
	cli_query_add(path, sizeof(path), "from", args_get(a, "from"));
	cli_query_add(path, sizeof(path), "to", args_get(a, "to"));
	json_t *answer = NULL;
	int status = client_call(cli, "GET", path, NULL, 0, NULL, &answer);
	if (status != 200 || cli->json) {
		int rc = output_answer(cli, status, answer);
		json_decref(answer);
		return rc;
	}
	printf("goodwill gestures from %s to %s, values in %s\n", json_string_value(json_object_get(answer, "from")),
	       json_string_value(json_object_get(answer, "to")), json_string_value(json_object_get(answer, "currency")));
	print_section(answer, "by_reason", "reason");
	print_section(answer, "by_agent", "agent");
	printf("\n");
	print_group(json_object_get(answer, "total"), "all");
	json_decref(answer);
	return 0;
}
