/* Every guichet command's help text, in one table, and the three ways of
 * printing it: "guichet --help" (the commands), "guichet GROUP --help" (a
 * group's subcommands) and "guichet GROUP SUB --help" (one command and its
 * options). "guichet --help-all" prints the first followed by every command's
 * text; help2man turns that into guichet(1), so the manual page and --help
 * are the same words.
 *
 * The output keeps to what help2man reads: "Usage:" opens the synopsis, a
 * line ending in ':' followed by indented lines is a subsection, and an
 * indented line whose description starts after two spaces (or on the next
 * line at column 20 or more) is a tagged paragraph. Option lines in the table
 * are "OPTION\tDESCRIPTION", a line "\tMORE" continues the description. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* A group of subcommands, or a command without subcommands (login). */
struct help_group {
	const char *name;
	const char *title;   /* the heading of its commands in --help-all */
	const char *summary; /* one line for guichet --help */
};

/* One command: "guichet GROUP SUB SYNOPSIS". */
struct help_command {
	const char *group;
	const char *sub;      /* NULL: the group is the command */
	const char *synopsis; /* the arguments after the command's words */
	const char *summary;  /* one line, what it does */
	const char *options;  /* "OPTION\tDESCRIPTION\n" lines, or NULL */
};

static const struct help_group groups[] = {
	{"admin", "Administration on a database file (offline)",
	 "databases, tenants and their first admin, the demo tenant"},
	{"wfm", "Workforce management (offline but for history)",
	 "staffing, plans, forecasts, simulation, outsourcing overflow"},
	{"email", "Email (offline)", "what guichet understands of one email message"},
	{"login", "Session", "log in and keep the token"},
	{"logout", "Session", "revoke the token and forget it"},
	{"me", "Session", "who the token belongs to, in which tenant, with which role"},
	{"tenants", "Directory", "the tenants (client brands) of the installation"},
	{"organisations", "Directory", "brands and outsourcers, who employ the users"},
	{"memberships", "Directory", "roles of a user in other tenants"},
	{"users", "Directory", "the tenant's users: create, roles, disable, passwords"},
	{"tokens", "Directory", "API tokens for programs"},
	{"customers", "Customers and contacts", "the tenant's customers, and their CSV import"},
	{"contacts", "Customers and contacts", "customer requests: messages, notes, states"},
	{"audit", "Customers and contacts", "the tenant's audit log"},
	{"dispositions", "Customers and contacts", "the codes agents choose when they finish a contact"},
	{"rules", "Customers and contacts", "categorisation rules: the reason, queue and reply of arriving emails"},
	{"incident", "Customers and contacts", "incidents and announcements shown at the top of the self-service portal"},
	{"calendar", "Customers and contacts", "the tenant's business hours, time zone and holidays"},
	{"report", "Customers and contacts", "the share answered the same business day; the day so far per half hour; callbacks; gestures; the summary kept current"},
	{"attachment", "Customers and contacts", "an email's attachment, downloaded"},
	{"recording", "Customers and contacts", "calls' recordings: list, download, which queues record, retention"},
	{"callback", "Customers and contacts", "customers' requests to be called back: request, follow, record the call"},
	{"gesture", "Customers and contacts", "goodwill gestures on contacts: credits, gifts, waivers, their approval"},
	{"skills", "Routing", "the skills queues ask for and agents have"},
	{"queue", "Routing", "queues, their statistics, and contacts in them"},
	{"agent", "Routing", "agents' profiles, presence, offers, wrap-up, live events"},
	{"call", "Routing", "a contact's phone call with an agent: its state; hold, resume, transfer, escalate"},
	{"kb", "Knowledge", "search, import, export, learning, review of the knowledge"},
	{"channel email", "Channels", "the tenant's email mailboxes: where mail is fetched and sent"},
	{"channel messaging", "Channels", "SMS and social channels: webhooks and replies"},
	{"channel chat", "Channels", "the tenant's web chats: the widget's key, origins, form and identity secret"},
	{"channel voice", "Channels", "telephone numbers: their queue, voice menu and greeting"},
	{"export", "Reports", "the daily level-2 export: the day's escalated contacts by category"},
};

#define GOAL_OPTIONS                                                                    \
	"--interval S\tseconds per interval (default 1800)\n"                           \
	"--sl X\tservice-level goal, a share: 0.8 for 80%, at most 0.9999 (default 0.8)\n" \
	"--target S\tanswered within this many seconds (default 20)\n"                  \
	"--shrinkage X\tshare of paid time not on the phones (default 0)\n"             \
	"--max-asa S\talso keep the average speed of answer under this\n"               \
	"--max-occupancy X\talso keep agents' occupancy under this share\n"             \
	"--max-abandon X\twith a patience column: the share that may hang up\n"
#define HISTORY_FORMAT                                                                  \
	"FILE.csv\tinterval_start,calls[,aht] per interval, or one\n"                   \
	"\ttimestamp[,handle_time] per contact (see docs/wfm.md)\n"
#define DAY_OPTIONS                                                                     \
	"--holiday DATE\ta day off the usual pattern (repeatable); days with no call or\n" \
	"\tunder half their weekday's, not declared, are left out and named\n"           \
	"--campaign DATE\ta day of a campaign or a launch (repeatable)\n"
#define PAGE_OPTIONS                                                                    \
	"--limit N\tat most N per page\n"                                               \
	"--cursor C\tthe next page, from the previous page's cursor\n"

static const struct help_command commands[] = {
	/* admin (cmd_admin.c) */
	{"admin", "init", "--db PATH|URL --tenant NAME --admin-email EMAIL (--admin-password-file FILE | --admin-password PASSWORD) [--admin-name NAME]",
	 "create or migrate a database, add a tenant and its admin; the first admin is the platform admin",
	 "--db PATH|URL\tthe SQLite database file, created if missing, or a postgresql:// URL "
	 "(default: GUICHET_DB)\n"
	 "--tenant NAME\tthe tenant (client brand), created if missing\n"
	 "--admin-email EMAIL\tthe tenant admin's login\n"
	 "--admin-password-file FILE\tthe password on the file's first line ('-': standard input), kept out of ps and the shell's history\n"
	 "--admin-password PASSWORD\t8 to 256 characters\n"
	 "--admin-name NAME\tthe admin's name (default: the email)\n"},
	{"admin", "demo", "--db PATH|URL [--kb FILE]",
	 "add the demo tenant: accounts for every role, customers, a business calendar, queues with\n"
	 "\tfirst-response targets, agents with skills and capacities, the knowledge published, contacts\n"
	 "\twaiting in the queues and held by agents, a day of history (with the same weekdays\n"
	 "\tof the four weeks before, for the forecast), and the customers' help centre (phone,\n"
	 "\temail, callbacks) with an outage and an announcement at its top",
	 "--db PATH|URL\tthe SQLite database file, created if missing, or a postgresql:// URL "
	 "(default: GUICHET_DB)\n"
	 "--kb FILE\tthe articles and trees to publish (JSON Lines; default data/demo/kb.jsonl\n"
	 "\twhen it is there)\n"},
	{"admin", "backup", "--to FILE [--db PATH] [--force] [--step-pages N] [--pause-ms MS]",
	 "copy the database into FILE while guichetd serves it: a consistent snapshot of what was "
	 "committed when the backup began, written whole or not at all (for PostgreSQL, use pg_dump)",
	 "--to FILE\tthe copy (one file, mode 0600)\n"
	 "--db PATH\tthe database (default: GUICHET_DB, else var/guichet.db)\n"
	 "--force\treplace an existing FILE\n"
	 "--step-pages N\tpages copied at a time (default 256)\n"
	 "--pause-ms MS\ta pause between steps, to spare a busy disk (default 0)\n"},
	{"admin", "restore", "--from FILE --db PATH [--force]",
	 "check that FILE is a guichet database this guichet knows and passes PRAGMA integrity_check, then "
	 "write it to PATH whole or not at all (for PostgreSQL, use pg_restore)",
	 "--from FILE\ta backup\n"
	 "--db PATH\tthe database to write; refused while a running guichetd has it open\n"
	 "--force\treplace a PATH that is not empty\n"},
	{"admin", "migrate", "--from FILE --to URL",
	 "move an installation from SQLite to PostgreSQL: copy every table of FILE (a snapshot, even while "
	 "guichetd writes it; stop guichetd first so that nothing written later is left behind) into the new "
	 "database URL, in one transaction, and commit only when every table's row count and checksum are "
	 "the same on both sides",
	 "--from FILE\tthe SQLite database, at this guichet's schema version\n"
	 "--to URL\tpostgresql://USER@HOST:PORT/NAME, an empty database;\n"
	 "\tone holding any guichet row, or any other table, is refused\n"},
	/* wfm (cmd_wfm.c; history through the API) */
	{"wfm", "erlang-c", "--calls N --interval S --aht S --agents N --target S",
	 "Erlang C: service level, waiting and occupancy with N agents, as JSON",
	 "--calls N\tcontacts offered in the interval\n"
	 "--interval S\tthe interval's length in seconds\n"
	 "--aht S\taverage handle time in seconds\n"
	 "--agents N\tagents on the phones\n"
	 "--target S\tanswered within this many seconds\n"},
	{"wfm", "staff", "--calls N --interval S --aht S --sl X --target S [--max-asa S] [--max-occupancy X] "
	 "[--shrinkage X] [--patience S [--max-abandon X]]",
	 "agents needed to meet a service level (Erlang C, or Erlang A with a patience), as JSON",
	 "--calls N\tcontacts offered in the interval\n"
	 "--interval S\tthe interval's length in seconds\n"
	 "--aht S\taverage handle time in seconds\n"
	 "--sl X\tservice-level goal, a share: 0.8 for 80%, at most 0.9999\n"
	 "--target S\tanswered within this many seconds\n"
	 "--max-asa S\talso keep the average speed of answer under this\n"
	 "--max-occupancy X\talso keep agents' occupancy under this share\n"
	 "--shrinkage X\tshare of paid time not on the phones\n"
	 "--patience S\tcustomers' average patience: Erlang A\n"
	 "--max-abandon X\tthe share that may hang up (needs --patience)\n"},
	{"wfm", "erlang-a", "--calls N --interval S --aht S --patience S --agents N [--target S]",
	 "Erlang A: service level, abandonment and waiting with N agents and impatient customers",
	 "--calls N\tcontacts offered in the interval\n"
	 "--interval S\tthe interval's length in seconds\n"
	 "--aht S\taverage handle time in seconds\n"
	 "--patience S\tcustomers' average patience in seconds\n"
	 "--agents N\tagents on the phones\n"
	 "--target S\tanswered within this many seconds (default 20)\n"},
	{"wfm", "plan", "FILE.csv [--interval S] [--sl X] [--target S] [--shrinkage X] [--max-asa S] "
	 "[--max-occupancy X] [--max-abandon X] [--xlsx OUT.xlsx]",
	 "staffing per interval as CSV, or an XLSX workbook",
	 "FILE.csv\tstart,calls,aht[,patience] per interval; rows with a\n"
	 "\tpatience use Erlang A\n"
	 GOAL_OPTIONS
	 "--xlsx OUT.xlsx\twrite a workbook instead of CSV on stdout\n"},
	{"wfm", "overflow", "FILE.csv --price P [--inhouse N] [--interval S] [--sl X] [--target S] "
	 "[--shrinkage X] [--max-asa S] [--max-occupancy X] [--max-abandon X]",
	 "positions to buy from an outsourcer per interval, and their cost, as JSON",
	 "FILE.csv\tstart,calls,aht[,patience[,inhouse]] per interval\n"
	 "--price P\tprice of one position for one hour\n"
	 "--inhouse N\tpeople of your own scheduled in every interval (or\n"
	 "\tthe inhouse column), counted as staff: the shrinkage\n"
	 "\tapplies to them as to the positions bought\n"
	 GOAL_OPTIONS},
	{"wfm", "simulate", "SCENARIO.json",
	 "discrete-event simulation of queues, groups and overflow rules, as JSON (see docs/wfm.md)", NULL},
	{"wfm", "forecast", "FILE.csv [--interval S] [--horizon-days N] [--holiday DATE]... [--campaign DATE]...",
	 "calls and handle time per interval for the days after the history, as CSV",
	 HISTORY_FORMAT
	 "--interval S\tseconds per interval (default 1800)\n"
	 "--horizon-days N\tdays to forecast (default 14)\n"
	 DAY_OPTIONS},
	{"wfm", "backtest", "FILE.csv [--interval S] [--holdout-days N] [--holiday DATE]... [--campaign DATE]...",
	 "day-ahead accuracy over the last days of a history, against two baselines, as JSON",
	 HISTORY_FORMAT
	 "--interval S\tseconds per interval (default 1800)\n"
	 "--holdout-days N\tthe last days forecast and compared (default 14)\n"
	 DAY_OPTIONS},
	{"wfm", "history", "[--interval S] [--days N] [--today]",
	 "the tenant's contacts per interval on its clock (calendar's zone), whole days up to today's midnight, "
	 "with each interval's AHT, as the CSV forecast and backtest read",
	 "--interval S\tseconds per interval (default 1800)\n"
	 "--days N\tthe whole days before today (default 84)\n"
	 "--today\ttoday so far too (a forecast would read it as a whole, low day)\n"},
	{"wfm", "synth", "[--weeks N] [--interval S] [--seed N] [--start MONDAY] [--peak N] [--trend X] "
	 "[--campaign DATE]...",
	 "a synthetic history, as CSV, to try the forecasts on",
	 "--weeks N\tweeks of history (default 10)\n"
	 "--interval S\tseconds per interval, dividing a day (default 1800)\n"
	 "--seed N\tthe random seed (default 1)\n"
	 "--start MONDAY\tthe first day, a Monday (default 2026-01-05)\n"
	 "--peak N\tcalls in the busiest interval (default 100)\n"
	 "--trend X\tgrowth over the history (default 0.1)\n"
	 "--campaign DATE\ta day of a campaign (repeatable)\n"},
	/* email (cmd_email.c, offline) */
	{"email", "parse", "FILE [--json]",
	 "read one message (RFC 5322, as a mailbox holds it) and print what guichet understands of it: "
	 "Message-ID, threading headers, addresses, decoded subject, date, the text an agent reads, "
	 "attachments, loop and bounce headers, and every defect found; with --json, as JSON",
	 "FILE\tthe raw message, at most 64 MiB\n"
	 "--json\tthe whole parse as one JSON object\n"},
	/* the session (cmd_api.c) */
	{"login", NULL, "--email EMAIL [--password PASSWORD] [--tenant NAME]",
	 "log in and keep the token in the token file (mode 0600); the password is asked when not given",
	 "--email EMAIL\tyour login\n"
	 "--password PASSWORD\tor GUICHET_PASSWORD, or asked on the terminal\n"
	 "--tenant NAME\tthe tenant to act in, for people with several\n"},
	{"logout", NULL, "", "revoke the token on the server and remove the token file", NULL},
	{"me", NULL, "", "the user, tenant and role the token acts as", NULL},
	/* the directory (cmd_api.c) */
	{"tenants", "list", "", "the tenants the platform admin runs", NULL},
	{"tenants", "create", "NAME [--organisation ORG] [--admin-email EMAIL --admin-name NAME --admin-password-file F]",
	 "add a tenant (platform admin), with its first administrator",
	 "--organisation ORG\tthe brand organisation that owns it\n"
	 "--admin-email EMAIL\tits first administrator's email (the tenant and the administrator are made together, or neither)\n"
	 "--admin-name NAME\tthe administrator's name\n"
	 "--admin-password-file F\ttheir first password, from a file (\"-\": standard input)\n"},
	{"organisations", "list", "", "brands and outsourcers", NULL},
	{"organisations", "create", "NAME --kind brand|outsourcer", "add an organisation (platform admin)",
	 "--kind brand|outsourcer\tbrand, or an outsourcer serving several brands\n"},
	{"memberships", "grant", "--email EMAIL --tenant NAME --role ROLE",
	 "give an existing user a role in another tenant",
	 "--email EMAIL\tthe user\n"
	 "--tenant NAME\tthe tenant\n"
	 "--role ROLE\tthe role there (see guichet --help)\n"},
	{"users", "list", "", "the tenant's users", NULL},
	{"users", "show", "ID", "one user", NULL},
	{"users", "create", "--email EMAIL --name NAME --password-file FILE|--password PASSWORD --role ROLE "
	 "[--organisation ORG]",
	 "add a user with a role in the tenant",
	 "--email EMAIL\ttheir login\n"
	 "--name NAME\ttheir name\n"
	 "--password-file FILE\ttheir first password, read from FILE (- for standard input)\n"
	 "--password PASSWORD\tthe same on the command line, where other users of the machine can\n"
	 "\tread it in the process list\n"
	 "--role ROLE\ttheir role in the tenant (see guichet --help)\n"
	 "--organisation ORG\tthe organisation that employs them\n"},
	{"users", "import", "FILE.csv [--password-file FILE]",
	 "add a team's users from a CSV file, one line each; lines refused are named, the others added",
	 "FILE.csv\tits header names the columns, ',' or ';' separated: email, name, role (required),\n"
	 "\torganisation, password; a user the tenant already has is counted, not sent again\n"
	 "--password-file FILE\tthe first password of every new user, when the file has no password column\n"},
	{"users", "role", "ID ROLE", "change a user's role in the tenant", NULL},
	{"users", "disable", "ID", "disable a user's membership: their tokens stop working", NULL},
	{"users", "enable", "ID", "enable a disabled membership again", NULL},
	{"users", "password", "ID --password-file FILE|--password PASSWORD", "set a user's password",
	 "--password-file FILE\tthe new password, read from FILE (- for standard input)\n"
	 "--password PASSWORD\tthe same on the command line (visible in the process list)\n"},
	{"tokens", "list", "", "the tenant's API tokens", NULL},
	{"tokens", "create", "--name NAME --role ROLE [--expires-days N]",
	 "create an API token for a program; it is printed once",
	 "--name NAME\twhat it is for\n"
	 "--role ROLE\tthe role it acts with\n"
	 "--expires-days N\t1 to 3650 (default: never)\n"},
	{"tokens", "revoke", "ID", "revoke an API token", NULL},
	/* customers and contacts (cmd_api.c) */
	{"customers", "list", "[--external-id X] [--email EMAIL] [--phone P] [--limit N] [--cursor C]",
	 "the tenant's customers, each with the attributes the role may see",
	 "--external-id X\tthe brand's own customer id\n"
	 "--email EMAIL\tthis email address\n"
	 "--phone P\tthis phone number\n"
	 PAGE_OPTIONS},
	{"customers", "show", "ID", "one customer, with the attributes the role may see", NULL},
	{"customers", "create", "[--external-id X] [--email EMAIL] [--phone P] [--attr KEY=VALUE[:CLASS]]...",
	 "add a customer",
	 "--external-id X\tthe brand's own customer id\n"
	 "--email EMAIL\ttheir email address\n"
	 "--phone P\ttheir phone number\n"
	 "--attr KEY=VALUE[:CLASS]\tan attribute, repeatable; CLASS is basic,\n"
	 "\tpersonal or confidential (default: the tenant's policy)\n"},
	{"customers", "import", "FILE.csv [--all-or-nothing]",
	 "import customers from CSV (a header, then one customer a line), sent in parts",
	 "FILE.csv\tcolumns external_id, email, phone and attributes; a line\n"
	 "\tupdates the customer of its external_id, keeping what a\n"
	 "\tblank cell or a missing column does not give\n"
	 "--all-or-nothing\tsend the file in one request: one bad line\n"
	 "\timports nothing\n"},
	{"contacts", "list", "[--state S] [--queue Q] [--customer ID] [--since TIME] [--limit N] [--cursor C]",
	 "the tenant's contacts",
	 "--state S\tnew, queued, assigned, in_progress, waiting_on_customer,\n"
	 "\tescalated, resolved or closed\n"
	 "--queue Q\twith this label (contacts create --queue)\n"
	 "--customer ID\tof this customer\n"
	 "--since TIME\tchanged since this RFC 3339 time\n"
	 PAGE_OPTIONS},
	{"contacts", "show", "ID", "one contact with its messages and notes", NULL},
	{"contacts", "events", "ID", "a contact's timeline", NULL},
	{"contacts", "journey", "ID", "a contact's whole journey: its events, its routing (queues, offers made and missed,\n"
	 "\twaits, escalations and transfers with their reasons, wrap-up) and its diagnosis paths, in time order", NULL},
	{"contacts", "attachments", "ID", "the attachments of a contact's emails: name, type, size, SHA-256", NULL},
	{"contacts", "create", "--channel C [--subject S] [--customer ID] [--queue-id ID] [--queue LABEL] [--reason R] "
	 "[--priority 0-9] [--tag T]... [--message TEXT]",
	 "add a contact, routed to a queue's agents if --queue-id names one",
	 "--channel C\tphone, email, chat, sms, social or web\n"
	 "--subject S\tits subject\n"
	 "--customer ID\tthe customer it is from\n"
	 "--queue-id ID\tthe routing queue it waits in, offered to its agents (guichet queue list)\n"
	 "--queue LABEL\ta free-text label of the team it belongs to, not routed (contacts list --queue)\n"
	 "--reason R\tthe contact reason\n"
	 "--priority 0-9\thigher is served first (default 0)\n"
	 "--tag T\ta tag, repeatable\n"
	 "--message TEXT\tits first message\n"},
	{"contacts", "message", "ID --body TEXT [--outbound]", "add a message to a contact",
	 "--body TEXT\tthe message\n"
	 "--outbound\tfrom the agent (default: from the customer)\n"},
	{"contacts", "note", "ID --body TEXT", "add an internal note to a contact",
	 "--body TEXT\tthe note\n"},
	{"contacts", "state", "ID STATE [--disposition CODE] [--expected-version N]",
	 "move a contact to another state",
	 "STATE\tqueued, assigned, in_progress, waiting_on_customer,\n"
	 "\tescalated, resolved or closed\n"
	 "--disposition CODE\tthe outcome, required to resolve\n"
	 "--expected-version N\trefuse if the contact changed since version N\n"},
	{"contacts", "suggest", "ID [--lang fr|en]",
	 "the reason and level the rules or the knowledge suggest, with the canned reply to send",
	 "--lang fr|en\tthe language of the knowledge searched (default fr)\n"},
	{"contacts", "reply", "ID (--body TEXT | --article KEY [--reply NAME]) [--reason R] [--mailbox ID]",
	 "answer a contact by email: queued, then sent by the server",
	 "--body TEXT\tthe reply's text\n"
	 "--article KEY\tor a published article's canned reply, its variables filled\n"
	 "--reply NAME\twhich of the article's replies (default: its first)\n"
	 "--reason R\talso set the contact's reason\n"
	 "--mailbox ID\tsend from this mailbox (default: the one the mail came through)\n"},
	{"contacts", "due", "[--within S] [--queue ID] [--limit N]",
	 "contacts without a first response, overdue or due within S seconds, most urgent first",
	 "--within S\talso those due within S seconds (default 3600)\n"
	 "--queue ID\tthat came in through this queue\n"
	 "--limit N\tat most N (default 100, at most 1000)\n"},
	{"audit", NULL, "[--limit N] [--cursor C]", "the tenant's audit log, newest first", PAGE_OPTIONS},
	{"dispositions", "show", "", "the tenant's disposition codes and their labels, in the desktop's order", NULL},
	{"dispositions", "set", "FILE.json", "replace the tenant's disposition codes (tenant admins)",
	 "FILE.json\t{\"items\": [{\"code\": \"refund_issued\", \"label\": \"Refund issued\"}, ...]}:\n"
	 "\ta code is 1 to 64 of a-z, 0-9, _ and -; {\"items\": []} lets agents type any text\n"},
	{"rules", "list", "", "the tenant's categorisation rules, in the order they are tried", NULL},
	{"rules", "add", "FILE.json", "add a rule: the reason (and queue, and canned reply) of matching emails",
	 "FILE.json\t{\"name\", \"reason\", \"level\": 1|2, \"from\": [addresses or @domains],\n"
	 "\t\"subject\": [words], \"body\": [words or phrases], \"queue_id\",\n"
	 "\t\"reply\": {\"article\", \"name\"}, \"position\"}\n"},
	{"rules", "show", "ID", "one rule", NULL},
	{"rules", "remove", "ID", "delete a rule", NULL},
	/* incidents (cmd_incident.c) */
	{"incident", "list", "[--all]", "the incidents and announcements not ended, newest first",
	 "--all\talso those ended\n"},
	{"incident", "add", "--title T [--kind incident|announcement] [--body TEXT] [--area A] [--severity S]"
	 " [--from TIME] [--to TIME] [--keyword PHRASE...] [--publish]",
	 "add an incident or an announcement for the self-service portal",
	 "--title T\tthe customer-facing headline\n"
	 "--kind K\tincident (default) or announcement\n"
	 "--body TEXT\twhat customers read\n"
	 "--area A\twhere it applies (free text, e.g. Lyon)\n"
	 "--severity S\tan incident's: minor, major (default) or critical\n"
	 "--from TIME\twhen it starts (RFC 3339; default now)\n"
	 "--to TIME\twhen the fix is expected (RFC 3339)\n"
	 "--keyword PHRASE\tan incident's: a new contact whose words mention it is linked (repeat it: at most 20)\n"
	 "--publish\tshow it on the portal now (default: a draft)\n"},
	{"incident", "end", "ID", "end an incident: it leaves the portal", NULL},
	{"incident", "remove", "ID", "delete an incident or announcement", NULL},
	{"incident", "audience", "ID --all | --attribute KEY=VALUE | --customers ID,ID,...",
	 "the customers an incident affects: its broadcasts go to them, their contacts are linked to it",
	 "--all\tevery customer of the tenant\n"
	 "--attribute KEY=VALUE\tthe customers whose attribute KEY is VALUE (e.g. product=fibre)\n"
	 "--customers IDS\ta list of customer ids, comma-separated\n"},
	{"incident", "templates", "ID FILE.json", "an incident's messages per kind and language (replaces them all)",
	 "FILE.json\t{\"declaration\"|\"update\"|\"resolution\": {\"en\"|\"fr\": {\"subject\", \"body\"}}};\n"
	 "\tvariables: {{customer.name}} {{incident.title}} {{incident.since}}\n"
	 "\t{{incident.expected_end}} {{update.text}}\n"},
	{"incident", "broadcast", "ID declaration|update|resolution [--text T] [--channel email|sms|social...] [--rate N]",
	 "tell the incident's audience by email, SMS or social message, in each customer's language (opt-outs skipped)",
	 "--text T\tthe update's text ({{update.text}}; an update needs one)\n"
	 "--channel C\temail, sms or social (the account a customer last wrote from); several, in order: each "
	 "customer gets the first one they have an address on (default email)\n"
	 "--rate N\tmessages a minute (default 600)\n"},
	{"incident", "broadcasts", "ID", "an incident's audience, templates and broadcasts so far", NULL},
	{"incident", "report", "ID", "contacts linked, contacts against the 4 weeks before, broadcasts sent", NULL},
	/* business hours (cmd_hours.c) */
	{"calendar", "show", "", "the tenant's business calendar (always open in UTC until set)", NULL},
	{"calendar", "set", "FILE.json", "set the tenant's business calendar: the file replaces it whole",
	 "FILE.json\t{\"zone\": \"Europe/Paris\", \"country\": \"FR\", \"hours\": {\"mon\":\n"
	 "\t[\"08:00-12:30\", \"13:30-18:00\"], ...}, \"holidays\": [\"2026-12-25\", ...]};\n"
	 "\twithout hours: open all day but on holidays; without country, national\n"
	 "\tphone numbers (\"06 12 34 56 78\") are refused: start from calendar show --json\n"},
	{"report", "same-day", "--from YYYY-MM-DD --to YYYY-MM-DD [--queue ID]",
	 "per queue and local day: contacts received, answered the same business day, share, late, unanswered",
	 "--from DATE\tthe first day, in the tenant's time zone\n"
	 "--to DATE\tthe last day (at most 92 days in all)\n"
	 "--queue ID\tcontacts that came in through this queue only\n"},
	/* callbacks (cmd_callback.c) */
	{"callback", "request", "--phone NUMBER [--name NAME] [--context TEXT] [--queue ID] [--contact ID]\n"
	 "\t[--window-from TIME --window-to TIME] [--source api|phone]",
	 "ask for a customer to be called back, as soon as possible or in a window: a phone contact waiting in a queue",
	 "--phone NUMBER\tthe number to call: with its country code, or as dialled in the tenant's country (kept in E.164)\n"
	 "--name NAME\twho to ask for\n"
	 "--context TEXT\twhat the customer wants: the contact's first message\n"
	 "--queue ID\ta phone queue (default: the tenant's callback queue)\n"
	 "--contact ID\ta callback about this contact, its subject and first message as context\n"
	 "--window-from TIME\tnot before this RFC 3339 time (with --window-to; at most 14 days ahead,\n"
	 "\tpartly in the tenant's business hours)\n"
	 "--window-to TIME\tnot after this one\n"
	 "--source api|phone\twhere the request came from (api by default)\n"},
	{"callback", "list", "[--state STATE] [--limit N] [--cursor C]",
	 "the tenant's callbacks, newest first",
	 "--state STATE\tscheduled, waiting, offered, dialing, done, missed or cancelled\n"},
	{"callback", "show", "ID", "one callback: number, window, state, attempts, outcome", NULL},
	{"callback", "outcome", "ID reached|no_answer|busy|voicemail|wrong_number [--note TEXT]",
	 "record how the call went (the agent who holds it, or a supervisor): no answer comes back later "
	 "at its place while attempts and its window allow, else it is missed",
	 "--note TEXT\tan internal note on the contact\n"},
	{"callback", "cancel", "ID", "cancel a scheduled or waiting callback", NULL},
	{"callback", "settings", "[--queue ID] [--retry-after S] [--max-attempts N]",
	 "the tenant's callback queue (public requests wait there), the delay between attempts and their number",
	 "--queue ID\ta phone queue\n"
	 "--retry-after S\tseconds before another attempt (900 by default)\n"
	 "--max-attempts N\tattempts in all, 1 to 10 (3 by default)\n"},
	{"report", "callbacks", "[--from DATE|TIME] [--to DATE|TIME]",
	 "callbacks requested in a span (the last 7 days by default): reached, missed and why, cancelled, "
	 "the mean time to reach, the missed ones listed",
	 "--from DATE\tthe first day (YYYY-MM-DD, the tenant's local day) or an RFC 3339 time\n"
	 "--to DATE\tthe end, excluded\n"},
	/* goodwill gestures (cmd_gesture.c) */
	{"gesture", "record", "CONTACT --kind credit|gift|waiver --amount AMOUNT [--reason TEXT] [--note TEXT]",
	 "record a goodwill gesture on a contact: approved at once within your role's limit, else pending\n"
	 "\ta supervisor's approval",
	 "--kind KIND\tcredit, gift or waiver\n"
	 "--amount AMOUNT\tits value in the tenant's currency: 25 or 25.50\n"
	 "--reason TEXT\twhy (default: the contact's reason); the report groups by it\n"
	 "--note TEXT\tdetails for the approver\n"},
	{"gesture", "list", "[--state approved|pending|refused] [--contact ID] [--limit N] [--cursor C]",
	 "the tenant's gestures, newest first (supervisors): --state pending is the approval queue", NULL},
	{"gesture", "show", "ID", "one gesture: value, reason, who recorded and who decided it", NULL},
	{"gesture", "approve", "ID [--note TEXT]",
	 "approve a pending gesture: someone other than its author, whose role's limit covers it", NULL},
	{"gesture", "refuse", "ID [--note TEXT]", "refuse a pending gesture, saying why in the note", NULL},
	{"gesture", "settings", "[--currency CODE] [--role-limit ROLE=AMOUNT...]",
	 "the tenant's currency and each role's limit, above which a gesture waits for approval",
	 "--currency CODE\tISO 4217: EUR, USD, CHF...\n"
	 "--role-limit ROLE=AMOUNT\ta role's limit (25.00), or ROLE=none for no limit; repeat per role\n"},
	{"report", "gestures", "[--from DATE|TIME] [--to DATE|TIME]",
	 "goodwill gestures recorded in a span (the last 30 days by default): counts and values approved,\n"
	 "\tpending and refused, per reason and per agent",
	 "--from DATE\tthe first day (YYYY-MM-DD, the tenant's day) or an RFC 3339 time\n"
	 "--to DATE\tthe end, excluded\n"},
	{"report", "barometer", "[--month YYYY-MM]",
	 "the accessibility barometer: the tenant's month (calls answered within 30 s, calls that waited over\n"
	 "\t2 minutes, emails answered the same business day, a way to reach a person in the help centre)\n"
	 "\tbeside what a published barometer of 262 merchant sites found",
	 "--month YYYY-MM\tthe month, in the tenant's time zone (default: this month)\n"},
	{"report", "reasons", "[--from DATE] [--to DATE] [--by day|week] [--queue ID] [--format csv|json|xlsx]\n"
	 "\t[--output FILE]",
	 "contacts resolved per day or week, by reason and disposition (the last 30 days by default); an\n"
	 "\toutsourcer's people see their organisation's resolutions only",
	 "--from DATE\tthe first day (YYYY-MM-DD, the tenant's day) or an RFC 3339 time\n"
	 "--to DATE\tthe end, excluded (at most 400 days after --from)\n"
	 "--by P\tday (by default) or week (from Monday)\n"
	 "--queue ID\tone queue only\n"
	 "--format F\tcsv, json or xlsx (xlsx needs --output); a table without it\n"
	 "--output FILE\twrite to FILE, whole or not at all\n"},
	{"report", "satisfaction", "[--from DATE] [--to DATE] [--by CUT] [--queue ID] [--format csv|json|xlsx]\n"
	 "\t[--output FILE]",
	 "customers' satisfaction scores (1 to 5, the chat's rating) per queue, agent, organisation or\n"
	 "\tchannel: how many, the average, the share of 4 and 5, the count of each score",
	 "--from DATE\tthe first day (YYYY-MM-DD, the tenant's day) or an RFC 3339 time\n"
	 "--to DATE\tthe end, excluded\n"
	 "--by CUT\tqueue (by default), agent, organisation or channel\n"
	 "--queue ID\tone queue only\n"
	 "--format F\tcsv, json or xlsx (xlsx needs --output); a table without it\n"
	 "--output FILE\twrite to FILE, whole or not at all\n"},
	{"report", "knowledge", "[--from DATE] [--to DATE] [--limit N] [--format csv|json|xlsx] [--output FILE]",
	 "knowledge items (articles and trees) used on contacts: resolved (the customer did not come back\n"
	 "\tfor the same reason within 7 days), failed (said not resolved, or came back), the rate; the\n"
	 "\titems that resolve most and that fail most",
	 "--from DATE\tthe first day (YYYY-MM-DD, the tenant's day) or an RFC 3339 time\n"
	 "--to DATE\tthe end, excluded\n"
	 "--limit N\thow many items in each ranking (1 to 100, 10 by default)\n"
	 "--format F\tcsv, json or xlsx (xlsx needs --output); a table without it\n"
	 "--output FILE\twrite to FILE, whole or not at all\n"},
	{"report", "voice", "[--week YYYY-Www] [--format csv|json] | digest [--time HH:MM --to ADDRESS...\n"
	 "\t--mailbox ID [--lang en|fr] [--barometer] | --off]",
	 "the voice of the customer: what customers talked about in a week of the tenant's zone, from\n"
	 "\tcontacts' subjects and first messages in English and French: the top topics, those rising\n"
	 "\tagainst the four weeks before, words no published article covers, per tag, and the knowledge\n"
	 "\titems that did not resolve (an outsourcer's people see the topics only). digest: the weekly\n"
	 "\tdigest, mailed on Mondays at the tenant's local time for the week before, once per week;\n"
	 "\twithout options, its schedule and the mailings sent",
	 "--week YYYY-Www\tthe ISO week (default: this week)\n"
	 "--format FORMAT\tcsv or json (default: a table)\n"
	 "--time HH:MM\tdigest: the local time on Mondays\n"
	 "--to ADDRESS\tdigest: a recipient; repeat for more (at most 10)\n"
	 "--mailbox ID\tdigest: the tenant's mailbox that sends it\n"
	 "--lang LANG\tdigest: its language, en or fr (default: en)\n"
	 "--barometer\tdigest: also mail the accessibility barometer's last month on the first of each month\n"
	 "--off\tdigest: stop it\n"},
	{"report", "intervals", "--date YYYY-MM-DD [--queue ID]",
	 "the day so far per half hour of the tenant's local day: offered, answered, abandoned, service level,\n"
	 "\taverage wait and handle time, beside the forecast and staffing from the four same weekdays before",
	 "--date DATE\tthe day, in the tenant's time zone\n"
	 "--queue ID\tone queue only (its service-level goal for the staffing)\n"},
	{"report", "summary", "--date YYYY-MM-DD | --from TIME --to TIME [--by CUT] [--queue ID]\n"
	 "\t[--format csv|json|xlsx] [--output FILE]",
	 "the figures kept current per half hour, cut by interval, queue, agent, organisation or channel:\n"
	 "\toffered, answered, abandoned and after how long, service level, speed of answer, handle time,\n"
	 "\ttransfers, escalations, contacts moved away by a supervisor, offers declined and missed,\n"
	 "\toccupancy; first-contact resolution. An outsourcer's people see their organisation's rows only",
	 "--date DATE\tthe day, in the tenant's time zone\n"
	 "--from TIME\tor a span: its start, an RFC 3339 UTC time (at most 400 days)\n"
	 "--to TIME\tits end, excluded\n"
	 "--by CUT\tinterval (by default), queue, agent, organisation or channel\n"
	 "--queue ID\tone queue only\n"
	 "--format F\tcsv, json or xlsx (xlsx needs --output); a table without it\n"
	 "--output FILE\twrite there, whole or not at all (csv without --format)\n"},
	{"attachment", "get", "ID -o FILE",
	 "download an attachment (its id from 'contacts attachments') into FILE, mode 0600, written whole or not at all",
	 "-o FILE\twhere to write it (also --output FILE)\n"},
	/* calls' recordings (cmd_recording.c) */
	{"recording", "list", "CONTACT", "a contact's call recordings: id, started, duration, size", NULL},
	{"recording", "get", "ID -o FILE",
	 "download a recording (a WAV file, 8 kHz, the caller left and the agent right) into FILE, written whole or not at all",
	 "-o FILE\twhere to write it (also --output FILE)\n"},
	{"recording", "settings", "[--retention-days N] [--queues ID,ID...|none] [--outsourcers-listen yes|no]",
	 "the queues whose calls are recorded (none by default), how many days recordings are kept (90 by default) "
	 "and whether the outsourcers' supervisors may listen to the calls their own agents took (no by default)",
	 "--retention-days N\tdays a recording is kept, 1 to 3650\n"
	 "--queues LIST\tthe recorded queues' ids, separated by commas, or none\n"
	 "--outsourcers-listen yes|no\twhether an outsourcer's supervisors hear their own agents' calls\n"},
	/* routing (cmd_routing.c) */
	{"skills", "list", "", "the tenant's skills", NULL},
	{"skills", "create", "NAME", "add a skill", NULL},
	{"skills", "rename", "ID NAME", "rename a skill", NULL},
	{"skills", "delete", "ID", "delete a skill no queue or agent uses", NULL},
	{"queue", "list", "", "the tenant's queues", NULL},
	{"queue", "stats", "", "waiting contacts, service level and agents by state, per queue", NULL},
	{"queue", "show", "ID", "one queue", NULL},
	{"queue", "delete", "ID", "delete a queue no contact waits in and no queue overflows to", NULL},
#define QUEUE_OPTIONS                                                                   \
	"--name N\tthe queue's name\n"                                                  \
	"--skill ID\tthe skill its agents need\n"                                       \
	"--channel C\tphone, email, chat, sms, social or web\n"                         \
	"--level 1|2\tfront line or experts (default 1)\n"                              \
	"--strategy S\tlongest_idle best_skill fewest_handled least_talk\n"             \
	"\tround_robin random ring_all\n"                                               \
	"--sl-target X\tservice-level goal, a share (default 0.8, 0.9 for email, web)\n" \
	"--sl-seconds S\tanswered within this many seconds (default 20 for phone,\n"    \
	"\t30 for chat, 3600 for email, sms, social, web)\n"                             \
	"--offer-timeout S\tan unanswered offer goes to another agent after S\n"        \
	"\t(default 15 for phone, 20 for chat, 60 for the others)\n"                     \
	"--wrapup S\tseconds of wrap-up after each contact\n"                           \
	"--max-wait S\tafter S seconds waiting, overflow (with --overflow-to)\n"        \
	"--overflow-to QUEUE\tthe queue contacts overflow to\n"                         \
	"--tier-delay S\tseconds before the next tier of agents is offered\n"           \
	"--sticky S\tseconds the last agent of a customer is waited for\n"              \
	"--hours FILE.json\topening hours in the tenant's zone: {utc_offset_min, days, when_closed};\n" \
	"\tnone: always open\n" \
	"--first-response S\tfirst response due S business seconds after arrival\n"
	{"queue", "create", "--name N --skill ID --channel C [--level 1|2] [--strategy S] [--sl-target X] "
	 "[--sl-seconds S] [--offer-timeout S] [--wrapup S] [--max-wait S --overflow-to QUEUE] "
	 "[--tier-delay S] [--sticky S] [--hours FILE.json] [--first-response S]",
	 "add a queue", QUEUE_OPTIONS},
	{"queue", "update", "ID [--name N] [--skill ID] [--channel C] [...the options of create]",
	 "change a queue's settings", QUEUE_OPTIONS},
	{"queue", "enqueue", "CONTACT --queue ID [--priority 0-9]", "put a contact in a queue",
	 "--queue ID\tthe queue\n"
	 "--priority 0-9\thigher is served first\n"},
	{"queue", "move", "CONTACT --queue ID", "move a waiting contact to another queue",
	 "--queue ID\tthe queue\n"},
	{"queue", "where", "CONTACT", "where a contact is in routing: queue, position, agent", NULL},
	{"queue", "abandon", "CONTACT", "take a contact out of its queue: the customer gave up", NULL},
	{"agent", "list", "", "the tenant's agents with their presence", NULL},
	{"agent", "me", "", "your own agent profile and presence", NULL},
	{"agent", "show", "USER", "one agent's profile and presence", NULL},
	{"agent", "set", "USER [--skill ID:PROFICIENCY[:TIER]]... [--capacity CHANNEL=N]... [--level 1|2] "
	 "[--max-total N] [--max-missed N]",
	 "change an agent's routing profile: what is not given stays as it is",
	 "--skill ID:PROFICIENCY[:TIER]\ta skill, 1 to 10, in a tier (repeatable; the skills given replace the agent's)\n"
	 "--capacity CHANNEL=N\tcontacts of a channel at once (repeatable; the other channels are kept)\n"
	 "--level 1|2\tfront line or expert\n"
	 "--max-total N\tcontacts at once, all channels\n"
	 "--max-missed N\tmissed offers before the agent is paused\n"},
	{"agent", "presence", "available|paused|offline [--reason R] [--user ID]",
	 "set your presence, or as a supervisor another agent's",
	 "--reason R\tthe pause reason\n"
	 "--user ID\tthe agent's id (a supervisor forcing it)\n"},
	{"agent", "accept", "CONTACT", "accept the contact offered to you", NULL},
	{"agent", "reject", "CONTACT", "decline the contact offered to you", NULL},
	{"agent", "wrapup", "CONTACT (--disposition D | --state waiting_on_customer)",
	 "end your work on a contact",
	 "--disposition D\tthe outcome code (needed unless it waits on the customer)\n"
	 "--state S\twaiting_on_customer to keep it open\n"},
	{"agent", "escalate", "CONTACT --queue ID --reason R",
	 "hand a contact to a level-2 queue with its history",
	 "--queue ID\tthe experts' queue\n"
	 "--reason R\twhy\n"},
	{"agent", "transfer", "CONTACT [--queue ID] [--agent USER] [--reason R]",
	 "hand a contact to another queue or agent",
	 "--queue ID\tthe queue\n"
	 "--agent USER\tthe agent\n"
	 "--reason R\twhy\n"},
	{"agent", "events", "[--last-event-id N]", "the live stream, one JSON line per event",
	 "--last-event-id N\tresume after this event\n"},
	{"call", "show", "CONTACT",
	 "the contact's call with an agent's phone: ringing, bridged or held, with its times", NULL},
	{"call", "hold", "CONTACT", "put the contact's bridged call on hold: the caller hears the music", NULL},
	{"call", "resume", "CONTACT", "take the call off hold: caller and agent talk again", NULL},
	{"call", "transfer", "CONTACT [--queue ID] [--agent USER] [--reason R]",
	 "hang up your phone's leg; the caller waits with the music for the queue or agent named",
	 "--queue ID\tthe queue\n"
	 "--agent USER\tthe agent\n"
	 "--reason R\twhy\n"},
	{"call", "escalate", "CONTACT --queue ID --reason R",
	 "hand the call to a level-2 queue with its history; the caller waits with the music",
	 "--queue ID\tthe experts' queue\n"
	 "--reason R\twhy\n"},
	/* knowledge (cmd_kb.c) */
	{"kb", "search", "\"WORDS\" [--lang fr|en] [--limit N] [--explain]",
	 "search the published knowledge as agents do",
	 "--lang fr|en\tthe language searched (default: the words' own, French when they do not tell)\n"
	 "--limit N\tat most N results, 1 to 50 (default 10)\n"
	 "--explain\tsay which words matched, through which synonym\n"},
	{"kb", "import", "FILE [--publish]", "import articles and diagnostic trees",
	 "FILE\tJSON Lines of articles and trees, or a JSON tree or list\n"
	 "--publish\tpublish them at once (a reviewer's role)\n"},
	{"kb", "export", "[--drafts]", "the knowledge as JSON Lines, on stdout",
	 "--drafts\tdrafts too\n"},
	{"kb", "learn", "FILE", "learn from past resolutions",
	 "FILE\tJSON Lines of {query, article or tree, resolved}\n"},
	{"kb", "list", "[--state S] [--kind article|tree]", "articles and trees",
	 "--state S\tdraft, review, approved, published or archived\n"
	 "--kind article|tree\tonly these\n"},
	{"kb", "show", "ID", "one article or tree", NULL},
	{"kb", "gaps", "", "searches that found nothing, trees that end in escalation", NULL},
	{"kb", "submit", "ID", "submit a draft for review", NULL},
	{"kb", "approve", "ID", "approve an item in review", NULL},
	{"kb", "reject", "ID [--comment TEXT]", "send an item in review back to its author",
	 "--comment TEXT\twhat to change, shown to the author\n"},
	{"kb", "publish", "ID [--review-by DATE]", "publish an approved item",
	 "--review-by DATE\tthe date it must be reviewed again\n"},
	{"kb", "archive", "ID", "archive an item", NULL},
	{"kb", "flag", "ID --reason wrong|outdated|unclear [--comment TEXT]",
	 "report a problem with an item to its reviewers",
	 "--reason R\twrong, outdated or unclear\n"
	 "--comment TEXT\twhat is wrong\n"},
	{"channel email", "list", "", "the tenant's mailboxes (never their passwords)", NULL},
	{"channel email", "add", "--name N --address A --imap-url URL --username U --password-file F "
	 "[--smtp-url URL] [--queue ID] [--from-name N]", "add a mailbox whose mail becomes contacts in a queue",
	 "--name N\tthe mailbox's name in this tenant\n"
	 "--address A\tits email address, the sender of replies\n"
	 "--imap-url URL\twhere its mail is fetched: imaps://host[:port]/MAILBOX\n"
	 "\t(imap:// on loopback only)\n"
	 "--username U\tthe IMAP (and SMTP) login\n"
	 "--password-file F\tthe password, the first line of F (- for standard input);\n"
	 "\tstored sealed with the server's key file, never shown again\n"
	 "--smtp-url URL\twhere replies are sent: smtps://host[:port] (smtp:// on loopback)\n"
	 "--queue ID\tthe queue its contacts go to\n"
	 "--from-name N\tthe name its mail goes out under (\"Acme Support\"); the tenant's\n"
	 "\tname by default\n"
	 "--ack on|off\tacknowledgements, with --ack-subject, --ack-body-file,\n"
	 "\t--ack-language and --ack-max-per-hour: see set\n"},
	{"channel email", "show", "ID", "one mailbox, and how far its mail was fetched", NULL},
	{"channel email", "set", "ID [--from-name N] [--ack on|off] [--ack-subject S] [--ack-body-file F] "
	 "[--ack-language en|fr] [--ack-max-per-hour N]",
	 "change a mailbox's sender name or acknowledgements (an automatic email to each new contact)",
	 "--from-name N\tthe name its mail goes out under (\"\" for the tenant's name)\n"
	 "--ack on|off\tacknowledge each new contact made from an email (the mailbox\n"
	 "\tneeds an SMTP URL); never an automatic email, a bounce, mail from\n"
	 "\tthe tenant's own mailboxes or from robots (noreply, mailer-daemon...)\n"
	 "--ack-subject S\tits subject (\"\" for the language's own); the [#ID] token\n"
	 "\tis added when missing\n"
	 "--ack-body-file F\tits body, the whole of F (- for standard input; an empty\n"
	 "\tfile for the language's own). Variables: {{contact.id}}, {{token}},\n"
	 "\t{{expected_reply}} (\"within 2 hours\"), {{subject}}\n"
	 "--ack-language en|fr\tthe language of the default texts and of the expected reply time\n"
	 "--ack-max-per-hour N\tat most N acknowledgements to one address in an hour (3 by default)\n"},
	{"channel email", "test", "ID", "log in to the mailbox's IMAP server now and say whether it worked", NULL},
	{"channel email", "remove", "ID", "stop fetching a mailbox and forget it", NULL},
	{"channel messaging", "list", "", "the tenant's SMS and social channels (never their secrets)", NULL},
	{"channel messaging", "add", "--name N --provider twilio|generic --public-url URL --address A --secret-file F "
	 "[--kind sms|social] [--account SID] [--api-url URL] [--queue ID]",
	 "add a channel whose messages become contacts in a queue, and whose contacts' replies go out through it",
	 "--name N\tthe channel's name in this tenant\n"
	 "--provider P\ttwilio (its SMS webhook and Messages API) or generic (signed JSON)\n"
	 "--public-url URL\twhere the provider reaches this server (https://host);\n"
	 "\tthe answer's webhook_url is the address to give the provider\n"
	 "--address A\tour number (+15550001111) or account, the sender of replies\n"
	 "--secret-file F\tTwilio's auth token or the generic HMAC secret, the first line of F\n"
	 "\t(- for standard input); stored sealed, never shown again\n"
	 "--kind K\tsms (default) or social: the contacts' channel\n"
	 "--account SID\tTwilio's Account SID (twilio: required)\n"
	 "--api-url URL\tTwilio's API (default https://api.twilio.com) or the generic\n"
	 "\tprovider's endpoint (generic: required)\n"
	 "--queue ID\tthe queue its contacts go to\n"},
	{"channel messaging", "show", "ID", "one channel, with its webhook's URL", NULL},
	{"channel messaging", "remove", "ID", "stop taking messages through a channel and forget it", NULL},
	{"channel chat", "list", "", "the tenant's web chats (never their secrets)", NULL},
	{"channel chat", "add", "--name N --queue ID --origin URL... [--prechat-name off|optional|required] "
	 "[--prechat-email off|optional|required] [--topic T...] [--offline-message] [--offline-callback] "
	 "[--attachment-max-bytes N] [--attachment-type T...] [--attachments-per-chat N]",
	 "add a web chat: prints its widget key and its identity secret, once",
	 "--name N\tthe chat's name in this tenant\n"
	 "--queue ID\tthe chat queue its conversations wait in\n"
	 "--origin URL\ta site that may show the chat: https://host[:port] (repeat, up to 16)\n"
	 "--prechat-name L\tthe form asks the visitor's name: off, optional or required\n"
	 "--prechat-email L\tthe form asks the visitor's email: off, optional or required\n"
	 "--topic T\ta topic the visitor chooses from (repeat, up to 20)\n"
	 "--offline-message\twhen closed, the visitor may leave a message (answered by email)\n"
	 "--offline-callback\twhen closed, the visitor may ask to be called back\n"
	 "--attachment-max-bytes N\tthe largest file either side may send, in bytes (0 to 26214400; 0: no files; "
	 "10 MiB by default)\n"
	 "--attachment-type T\ta type taken: image/png, image/jpeg, image/gif, image/webp, application/pdf or "
	 "text/plain (repeat; all by default)\n"
	 "--attachments-per-chat N\tthe files a chat may hold, both sides together (0 to 100; 10 by default)\n"},
	{"channel chat", "show", "ID", "one web chat, with its key (not its secret)", NULL},
	{"channel chat", "set", "ID [--name N] [--queue ID] [--origin URL...] [--prechat-name L] [--prechat-email L] "
	 "[--topic T...] [--offline-message] [--offline-callback] [--attachment-max-bytes N] [--attachment-type T...] "
	 "[--attachments-per-chat N]",
	 "change a web chat: each option given replaces that setting, and the attachments' options replace the "
	 "three limits together, those not given at their defaults (see add)", NULL},
	{"channel chat", "secret", "ID", "a new identity secret, printed once: the old one stops working", NULL},
	{"channel chat", "remove", "ID", "remove a web chat: its widget stops answering", NULL},
	{"channel voice", "list", "", "the tenant's telephone numbers", NULL},
	{"channel voice", "add", "--number +E164 [--queue ID] [--menu-file F] [--greeting TEXT] "
	 "[--greeting-recording ID] [--lang en|fr] "
	 "[--announce-every S] [--announce-first S] [--callback-key K|none]",
	 "take calls to a number (guichetd --sip-listen): greeted, a voice menu, then a queue",
	 "--number N\tthe number callers dial, as the trunk sends it (+33612345678)\n"
	 "--queue ID\tthe queue callers wait in when the number has no menu (none: no queue)\n"
	 "--menu-file F\tthe voice menu, JSON (- for standard input):\n"
	 "\t{\"prompt\": \"...\", \"options\": {\"1\": {\"queue_id\": 4}, \"2\": {\"menu\": {...}}},\n"
	 "\t \"closed\": {\"prompt\": \"...\"}}; closed plays outside business hours\n"
	 "--greeting TEXT\twhat callers hear first, spoken in --lang\n"
	 "--greeting-recording ID\tone of the tenant's recordings (channel voice prompt), played\n"
	 "\tinstead of --greeting, which is then said only if it cannot be played (none: the text)\n"
	 "--lang L\ten (default) or fr: the voice of the greeting and prompts\n"
	 "--announce-every S\twhile callers wait in a queue, their position and expected wait\n"
	 "\tare said every S seconds (5 to 3600; 0: never; none: no waiting settings)\n"
	 "--announce-first S\tthe first announcement S seconds after entering the queue (30)\n"
	 "--callback-key K\tthe key (0-9, * or #; 1 by default once a waiting setting is given)\n"
	 "\tthat asks to be called back keeping one's place; none: no callback offered\n"},
	{"channel voice", "show", "ID", "one number, with its menu", NULL},
	{"channel voice", "set", "ID [--number N] [--queue ID|none] [--menu-file F] [--greeting TEXT] "
	 "[--greeting-recording ID|none] [--lang en|fr] "
	 "[--announce-every S|none] [--announce-first S] [--callback-key K|none]",
	 "change a number: what is given replaces what was (the waiting options together, as in add)", NULL},
	{"channel voice", "remove", "ID", "stop taking calls to a number and forget it", NULL},
	{"channel voice", "waiting", "list | show QUEUE | set QUEUE [--announce-every S] [--announce-first S] "
	 "[--callback-key K|none] [--music ID|none] | clear QUEUE",
	 "a queue's own waiting settings, which win over its numbers' (the options as in add; "
	 "set replaces them whole, and keeps the music unless --music is given), and its own music on hold; "
	 "clear gives the queue back to its numbers' settings and guichetd's --moh-file",
	 "--music ID\tone of the tenant's recordings (channel voice prompt), looped to the callers\n"
	 "\twaiting in the queue and to those its agents put on hold; none: --moh-file again\n"},
	{"channel voice", "trunk", "[show | set URI [--username U --password-file F] [--register [--registrar URI] "
	 "[--register-expires S]] | clear]",
	 "the tenant's own trunk, where its callbacks call their customers: sip:{number}@HOST[:PORT], "
	 "winning over guichetd's --sip-trunk, and where its provider's calls come from when guichet registers "
	 "to it; show says the registration's state; clear: the installation's again (and unregisters)",
	 "--username U\tthe digest username the provider gives, for an INVITE it challenges (401/407)\n"
	 "--password-file F\tits password, the file's first line (- for standard input); stored sealed,"
	 " never shown\n"
	 "--register\tguichet registers to the provider with these credentials, so that the provider\n"
	 "\tdelivers the calls to the tenant's numbers (its DIDs) to guichet\n"
	 "--registrar URI\twhere to register, sip:HOST[:PORT][;transport=udp|tcp], when it is not the\n"
	 "\ttrunk's own host and port\n"
	 "--register-expires S\tthe registration's expiry asked, 60 to 3600 seconds (600 by default)\n"},
	{"channel voice", "prompt", "list | add FILE.wav --name NAME | show ID | get ID -o FILE | remove ID",
	 "the tenant's own recordings of its prompts: a WAV file (16-bit PCM, mono or stereo, 8 to 48 kHz, "
	 "a minute at most) kept at 8 kHz, which a menu plays instead of its text ({\"recording\": ID})", NULL},
	{"export", "l2", "--date YYYY-MM-DD [--xlsx FILE] | schedule set --time HH:MM --to ADDRESS --mailbox ID "
	 "| schedule show | schedule remove",
	 "the day's level-2 contacts by category, customers' basic fields only; or its daily mail",
	 "--date YYYY-MM-DD\tthe tenant's local day\n"
	 "--xlsx FILE\twrite the workbook guichetd mails instead of printing\n"
	 "schedule set\tmail each day's workbook after a local time, once a day\n"
	 "--time HH:MM\tthe tenant's local time to send at\n"
	 "--to ADDRESS\twho receives it (the brand's technical team)\n"
	 "--mailbox ID\tthe tenant's mailbox that sends it (it needs an smtp_url)\n"
	 "schedule show\tthe schedule, its time zone and the days sent lately\n"
	 "schedule remove\tstop mailing it\n"},
};

#define N_GROUPS (sizeof(groups) / sizeof(groups[0]))
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))
#define WIDTH 79
#define OPTION_COLUMN 24 /* where descriptions start, two spaces after the option */

static const char overview_head[] =
	"Usage: guichet [--server URL] [--tenant NAME] [--json] COMMAND [ARGUMENTS]\n"
	"  or:  guichet [COMMAND [SUBCOMMAND]] --help\n"
	"The command-line client of guichet, the contact-center platform: administration\n"
	"on a database file and workforce planning offline, everything else through the\n"
	"HTTP API of guichetd.\n\n";

static const char global_options[] =
	"--server URL\tthe API's address (GUICHET_URL;\n"
	"\tdefault http://127.0.0.1:8080)\n"
	"--tenant NAME\tact in this tenant (sent as X-Guichet-Tenant)\n"
	"--json\tprint answers as JSON; accepted anywhere on the line\n"
	"--help\tthis text; after a command, that command's\n"
	"--help-all\tthis text, then every command's, as in guichet(1)\n"
	"--version\tthe version\n";

static const char overview_tail[] =
	"Roles: tenant_admin supervisor agent expert author reviewer planner\n"
	"outsourced_agent. Exit status: 0 on success, 1 when the server or a file\n"
	"refused, 2 on a bad command line.\n\n"
	"Environment:\n"
	"  GUICHET_URL         the API's address, as --server\n"
	"  GUICHET_TOKEN_FILE  where login keeps the token\n"
	"  GUICHET_PASSWORD    the password of login, when --password is not given\n\n"
	"Files:\n"
	"  ~/.config/guichet/token\n"
	"                      the token saved by login (mode 0600), unless\n"
	"                      GUICHET_TOKEN_FILE names another\n";

/* Prints text's words after lead, wrapped at WIDTH, continuation lines
 * indented; a line break or tab in text separates words as a space does. */
static void print_wrapped(FILE *out, const char *lead, const char *text, size_t indent)
{
	size_t col = strlen(lead);
	fputs(lead, out);
	while (*text) {
		size_t len = strcspn(text, " \n\t");
		if (col + 1 + len > WIDTH && col > indent) {
			fprintf(out, "\n%*s", (int)indent, "");
			col = indent;
		} else if (col > 0 && col != indent) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)len, text);
		col += len;
		text += len;
		text += strspn(text, " \n\t");
	}
	fputc('\n', out);
}

/* Prints "OPTION\tDESCRIPTION" lines, the options at column margin. */
static void print_options(FILE *out, const char *options, int margin)
{
	while (options && *options) {
		size_t line = strcspn(options, "\n"), tab = strcspn(options, "\t");
		if (tab > line)
			tab = line; /* no description */
		int column = OPTION_COLUMN + margin - 2;
		if (tab == 0)
			fprintf(out, "%*s", column, "");
		else if (margin + (int)tab + 2 <= column)
			fprintf(out, "%*s%-*.*s", margin, "", column - margin, (int)tab, options);
		else /* too long: the description on the next line, still read by help2man */
			fprintf(out, "%*s%.*s\n%*s", margin, "", (int)tab, options, column, "");
		if (tab < line)
			fprintf(out, "%.*s", (int)(line - tab - 1), options + tab + 1);
		fputc('\n', out);
		options += line + (options[line] == '\n');
	}
}

static const struct help_group *find_group(const char *name)
{
	for (size_t i = 0; i < N_GROUPS; i++)
		if (strcmp(groups[i].name, name) == 0)
			return &groups[i];
	return NULL;
}

/* The command's words: "contacts create" or "login". */
static void command_words(const struct help_command *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->group, c->sub ? " " : "", c->sub ? c->sub : "");
}

static void print_command(FILE *out, const struct help_command *c)
{
	char lead[128];
	command_words(c, lead, sizeof(lead));
	char usage[160];
	snprintf(usage, sizeof(usage), "Usage: guichet %s", lead);
	print_wrapped(out, usage, c->synopsis, 9);
	print_wrapped(out, "", c->summary, 0);
	if (c->options) {
		fputs("\nOptions:\n", out);
		print_options(out, c->options, 2);
	}
	fputs("\nGlobal options (--server, --tenant, --json): see guichet --help.\n", out);
}

static void print_group(FILE *out, const struct help_group *g)
{
	fprintf(out, "Usage: guichet %s SUBCOMMAND [ARGUMENTS]\n%s\n\n", g->name, g->summary);
	fprintf(out, "Subcommands (guichet %s SUBCOMMAND --help for each one's options):\n", g->name);
	for (size_t i = 0; i < N_COMMANDS; i++) {
		if (strcmp(commands[i].group, g->name) == 0) {
			char lead[32];
			snprintf(lead, sizeof(lead), "  %-10s  ", commands[i].sub);
			print_wrapped(out, lead, commands[i].summary, strlen(lead));
		}
	}
}

/* The usage, the global options and the commands, one line each. */
static void print_head(FILE *out)
{
	fputs(overview_head, out);
	fputs("Global options:\n", out);
	print_options(out, global_options, 2);
	fputs("\nCommands (guichet COMMAND --help lists its subcommands and options):\n", out);
	for (size_t i = 0; i < N_GROUPS; i++)
		fprintf(out, "  %-14s  %s\n", groups[i].name, groups[i].summary);
}

void help_overview(FILE *out)
{
	print_head(out);
	fputc('\n', out);
	fputs(overview_tail, out);
}

/* The overview with every command's text before its roles, environment and
 * files, so that help2man puts the commands in the DESCRIPTION. */
void help_all(FILE *out)
{
	print_head(out);
	const char *title = "";
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct help_command *c = &commands[i];
		const struct help_group *g = find_group(c->group);
		if (strcmp(g->title, title) != 0) {
			title = g->title;
			fprintf(out, "\n%s:\n", title);
		}
		char lead[160];
		command_words(c, lead, sizeof(lead));
		/* the tag on one line, as help2man reads it; the summary under it */
		fprintf(out, "  guichet %s%s%s\n", lead, *c->synopsis ? " " : "", c->synopsis);
		char pad[OPTION_COLUMN + 1];
		memset(pad, ' ', OPTION_COLUMN);
		pad[OPTION_COLUMN] = '\0';
		print_wrapped(out, pad, c->summary, OPTION_COLUMN);
		print_options(out, c->options, 6);
	}
	fputc('\n', out);
	fputs(overview_tail, out);
}

int help_command(FILE *out, const char *group, const char *sub)
{
	const struct help_group *g = find_group(group);
	if (g == NULL) {
		fprintf(stderr, "guichet: unknown command '%s' (see guichet --help)\n", group);
		return 2;
	}
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct help_command *c = &commands[i];
		if (strcmp(c->group, group) == 0 && (c->sub == NULL || (sub && strcmp(c->sub, sub) == 0))) {
			print_command(out, c);
			return 0;
		}
	}
	if (sub != NULL) {
		fprintf(stderr, "guichet %s: unknown subcommand '%s' (see guichet %s --help)\n", group, sub, group);
		return 2;
	}
	print_group(out, g);
	return 0;
}

/* How text names --option as a whole word: 0 not at all, 1 as a flag
 * ("[--outbound]", "--all\t..."), 2 with a value after it ("--queue Q",
 * "--level 1|2"). */
static int option_form(const char *text, const char *option)
{
	size_t len = strlen(option);
	int form = 0;
	for (const char *p = text; p && (p = strstr(p, "--")) != NULL; p += 2) {
		const char *end = p + 2 + len;
		if (strncmp(p + 2, option, len) != 0 || (p > text && p[-1] == '-') || *end == '-' ||
		    (*end >= 'a' && *end <= 'z') || (*end >= '0' && *end <= '9'))
			continue;
		if (*end == ' ' && end[1] != '[' && end[1] != '-' && end[1] != '\0')
			return 2;
		form = 1;
	}
	return form;
}

int help_knows(const char *group, const char *sub)
{
	bool group_known = false;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct help_command *c = &commands[i];
		if (strcmp(c->group, group) != 0)
			continue;
		group_known = true;
		if (c->sub == NULL || (sub && strcmp(c->sub, sub) == 0))
			return 1;
	}
	return group_known ? 0 : -1;
}

int help_option_form(const char *group, const char *sub, const char *option)
{
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct help_command *c = &commands[i];
		if (strcmp(c->group, group) == 0 && (c->sub == NULL || (sub && strcmp(c->sub, sub) == 0))) {
			int a = option_form(c->synopsis, option), b = c->options ? option_form(c->options, option) : 0;
			return a > b ? a : b;
		}
	}
	return -1;
}
