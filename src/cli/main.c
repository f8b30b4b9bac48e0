/* guichet: the command-line client. Global options, then a command. */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: guichet [--server URL] [--tenant NAME] [--json] COMMAND ...\n\n"
	"Offline, on a database file:\n"
	"  admin init --db PATH --tenant NAME --admin-email EMAIL --admin-password PASSWORD\n"
	"             [--admin-name NAME]       create or migrate a database, add a tenant and its admin\n"
	"  admin demo --db PATH                 add the demo tenant, accounts, customers, contacts\n\n"
	"Staffing mathematics, offline (each prints one JSON object):\n"
	"  wfm erlang-c --calls N --interval S --aht S --agents N --target S\n"
	"  wfm staff --calls N --interval S --aht S --sl 0.8 --target S [--max-asa S]\n"
	"            [--max-occupancy X] [--shrinkage X] [--patience S [--max-abandon X]]  (patience: Erlang A)\n"
	"  wfm erlang-a --calls N --interval S --aht S --patience S --agents N [--target S]\n"
	"  wfm plan FILE.csv [--interval 1800] [--sl 0.8] [--target 20] [--shrinkage X] [--max-asa S]\n"
	"           [--max-occupancy X] [--max-abandon X] [--xlsx OUT.xlsx]\n"
	"           FILE.csv: start,calls,aht[,patience] per interval; rows with a patience use Erlang A\n"
	"  wfm overflow FILE.csv --price P [--inhouse N] [plan's goal options]\n"
	"           positions to buy from an outsourcer per interval (FILE.csv may add an inhouse column)\n"
	"  wfm simulate SCENARIO.json           discrete-event simulation (see docs/wfm.md)\n"
	"  wfm forecast FILE.csv [--interval 1800] [--horizon-days 14] [--holiday DATE]... [--campaign DATE]...\n"
	"  wfm backtest FILE.csv [--interval 1800] [--holdout-days 14] [--holiday DATE]... [--campaign DATE]...\n"
	"           FILE.csv: interval_start,calls[,aht] or timestamp[,handle_time] (see docs/wfm.md)\n"
	"  wfm history [--interval 1800] [--days 84]   the tenant's contacts per interval, from the server,\n"
	"           as the CSV forecast and backtest read\n"
	"  wfm synth [--weeks 10] [--interval 1800] [--seed 1] [--start MONDAY] [--peak 100] [--trend 0.1]\n"
	"            [--campaign DATE]...      a synthetic history to try the forecasts on\n\n"
	"Through the API (--server URL, or GUICHET_URL; default http://127.0.0.1:8080):\n"
	"  login --email EMAIL [--password P] [--tenant T]   (GUICHET_PASSWORD also works)\n"
	"  logout | me\n"
	"  tenants list | tenants create NAME [--organisation ORG]\n"
	"  organisations list | organisations create NAME --kind brand|outsourcer\n"
	"  memberships grant --email EMAIL --tenant NAME --role ROLE\n"
	"  users list | show ID | create --email E --name N --password P --role R [--organisation O]\n"
	"  users role ID ROLE | disable ID | enable ID | password ID --password P\n"
	"  tokens list | create --name N --role R [--expires-days D] | revoke ID\n"
	"  customers list [--external-id X] [--email E] [--phone P] [--limit N] [--cursor C]\n"
	"  customers show ID | create [--external-id X] [--email E] [--phone P] [--attr KEY=VALUE[:CLASS]]...\n"
	"  customers import FILE.csv [--all-or-nothing]\n"
	"  contacts list [--state S] [--queue Q] [--customer ID] [--since TIME] [--limit N] [--cursor C]\n"
	"  contacts show ID | events ID\n"
	"  contacts create --channel C [--subject S] [--customer ID] [--queue Q] [--reason R]\n"
	"                  [--priority 0-9] [--tag T]... [--message TEXT]\n"
	"  contacts message ID --body TEXT [--outbound] | note ID --body TEXT\n"
	"  contacts state ID STATE [--disposition CODE] [--expected-version N]\n"
	"  audit [--limit N] [--cursor C]\n"
	"  skills list | create NAME | rename ID NAME | delete ID\n"
	"  queue list | stats | show ID | delete ID\n"
	"  queue create|update [ID] --name N --skill ID --channel C [--level 1|2] [--strategy S]\n"
	"        [--sl-target 0.8] [--sl-seconds 20] [--offer-timeout S] [--wrapup S] [--max-wait S\n"
	"        --overflow-to QUEUE] [--tier-delay S] [--sticky S] [--hours FILE.json]\n"
	"        strategies: longest_idle best_skill fewest_handled least_talk round_robin random ring_all\n"
	"  queue enqueue CONTACT --queue ID [--priority 0-9] | move CONTACT --queue ID\n"
	"  queue where CONTACT | abandon CONTACT\n"
	"  agent list | me | show USER | set USER --skill ID:PROFICIENCY[:TIER]... --capacity CHANNEL=N...\n"
	"        [--level 1|2] [--max-total N] [--max-missed N]\n"
	"  agent presence available|paused|offline [--reason R] [--user USER (a supervisor forcing it)]\n"
	"  agent accept CONTACT | reject CONTACT | wrapup CONTACT --disposition D [--state waiting_on_customer]\n"
	"  agent escalate CONTACT --queue ID --reason R | transfer CONTACT [--queue ID] [--agent USER] [--reason R]\n"
	"  agent events [--last-event-id N]   the live stream, one JSON line per event\n"
	"  kb search \"WORDS\" [--lang fr|en] [--limit N] [--explain]\n"
	"  kb import FILE [--publish]   JSON Lines of articles and trees, or a JSON tree or list\n"
	"  kb export [--drafts] | kb learn FILE (JSON Lines: query, article|tree, resolved)\n"
	"  kb list [--state S] [--kind article|tree] | show ID | gaps\n"
	"  kb submit|approve|reject|archive ID | publish ID [--review-by DATE]\n"
	"  kb flag ID --reason wrong|outdated|unclear [--comment TEXT]\n\n"
	"The login token is kept in $GUICHET_TOKEN_FILE or ~/.config/guichet/token (mode 0600).\n"
	"Roles: tenant_admin supervisor agent expert author reviewer planner outsourced_agent\n";

int main(int argc, char **argv)
{
	struct cli cli = {.server = getenv("GUICHET_URL")};
	if (cli.server == NULL)
		cli.server = "http://127.0.0.1:8080";
	const char *file = getenv("GUICHET_TOKEN_FILE"), *home = getenv("HOME");
	if (file)
		snprintf(cli.token_file, sizeof(cli.token_file), "%s", file);
	else
		snprintf(cli.token_file, sizeof(cli.token_file), "%s/.config/guichet/token", home ? home : ".");
	/* --json is accepted anywhere ("guichet contacts list --json") */
	int kept = 1;
	for (int j = 1; j < argc; j++) {
		if (strcmp(argv[j], "--json") == 0)
			cli.json = true;
		else
			argv[kept++] = argv[j];
	}
	argc = kept;
	int i = 1;
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			cli.json = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else if ((strcmp(argv[i], "--server") == 0 || strcmp(argv[i], "--tenant") == 0) && i + 1 < argc) {
			if (argv[i][2] == 's')
				cli.server = argv[++i];
			else
				cli.tenant = argv[++i];
		} else {
			fprintf(stderr, "guichet: unknown or incomplete option '%s'\n%s", argv[i], usage);
			return 2;
		}
	}
	if (i >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (strcmp(argv[i], "admin") == 0)
		return cmd_admin(argc - i - 1, argv + i + 1);
	if (strcmp(argv[i], "wfm") == 0 && i + 1 < argc && strcmp(argv[i + 1], "history") == 0)
		return cmd_api(&cli, argc - i - 1, argv + i + 1); /* the one wfm command that needs the server */
	if (strcmp(argv[i], "wfm") == 0)
		return cmd_wfm(argc - i - 1, argv + i + 1);
	return cmd_api(&cli, argc - i, argv + i);
}
