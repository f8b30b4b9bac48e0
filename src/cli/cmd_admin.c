/* Offline administration on a database file: "admin init" creates or
 * migrates a database and adds a tenant with its admin; "admin demo" adds a
 * demo tenant with accounts for every role and customers, and its
 * operations (demo.c): queues, agents, knowledge, contacts in queues and a
 * day of history. Both run in one transaction: on any error nothing is
 * written. */
#include "cli/cli.h"
#include "guichet/error.h"
#include "guichet/text.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static struct store_scope admin_scope(int64_t tenant_id)
{
	struct store_scope scope = {.tenant_id = tenant_id, .role = ROLE_TENANT_ADMIN, .has_role = true,
				    .platform_admin = true, .sees = SENS_CONFIDENTIAL};
	snprintf(scope.actor, sizeof(scope.actor), "guichet admin");
	return scope;
}

static int open_db(const char *path, struct store **ret)
{
	int rc = store_open(path, STORE_READ_WRITE, ret);
	if (rc < 0) {
		char where[1024];
		store_pg_url_redact(path, where, sizeof(where));
		fprintf(stderr, "guichet admin: cannot open %s: %s\n", where, store_errmsg(*ret));
		store_free(*ret);
	}
	return rc;
}

static bool has_platform_admin(struct store *s)
{
	struct store_scope scope = admin_scope(0);
	json_t *tenants = NULL;
	/* any tenant at all means the first init ran and made its admin platform admin */
	bool any = store_tenant_list(s, &scope, &tenants) == GC_OK && json_array_size(tenants) > 0;
	json_decref(tenants);
	return any;
}

/* Adds user (or gives an existing one) role in tenant_id. */
static int add_user(struct store *s, int64_t tenant_id, const char *email, const char *name,
		    const char *password, enum role role, const char *organisation, bool platform_admin)
{
	int64_t user_id = 0;
	if (store_user_find(s, email, &user_id) == GC_OK)
		return store_membership_grant(s, user_id, tenant_id, role);
	char hash[crypto_pwhash_STRBYTES];
	int rc = store_password_hash(password, hash, sizeof(hash));
	if (rc < 0)
		return rc;
	struct store_scope scope = admin_scope(tenant_id);
	struct user_input in = {.email = email, .name = name, .password = password, .role = role,
				.organisation = organisation};
	return store_user_create(s, &scope, &in, hash, platform_admin, &user_id);
}

static int init_with(const char *db, const char *tenant, const char *email, const char *password, const char *name);

static int init(int argc, char **argv)
{
	struct args a;
	if (args_parse(argc, argv, "db= tenant= admin-email= admin-password= admin-password-file= admin-name=", &a) < 0)
		return 2;
	const char *db = args_db(&a, "admin init"), *tenant = args_need(&a, "tenant", "admin init");
	const char *email = args_need(&a, "admin-email", "admin init");
	/* from a file (or standard input, "-"): kept out of ps and the shell's history */
	const char *file = args_get(&a, "admin-password-file");
	char *from_file = file ? cli_read_secret(file, "guichet admin init", "--admin-password-file") : NULL;
	const char *password = from_file ? from_file : file ? NULL : args_get(&a, "admin-password");
	if (password == NULL && file == NULL)
		fprintf(stderr, "guichet admin init: --admin-password-file FILE (or --admin-password) is required\n");
	const char *name = args_get(&a, "admin-name");
	int status = init_with(db, tenant, email, password, name);
	free(from_file);
	return status;
}

/* What init does with its checked arguments (any NULL: exit 2, said before). */
static int init_with(const char *db, const char *tenant, const char *email, const char *password, const char *name)
{
	if (!db || !tenant || !email || !password)
		return 2;
	if (strlen(tenant) > 200 || !gc_text_is_clean(tenant, false)) {
		fprintf(stderr, "guichet admin init: --tenant: at most 200 printable characters\n");
		return 2;
	}
	if (!gc_text_is_email(email)) {
		fprintf(stderr, "guichet admin init: --admin-email: '%s' is not an email address\n", email);
		return 2;
	}
	if (strlen(password) < 8 || strlen(password) > 256) {
		fprintf(stderr, "guichet admin init: --admin-password: 8 to 256 characters\n");
		return 2;
	}
	struct store *s;
	if (open_db(db, &s) < 0)
		return 1;
	int64_t tenant_id = 0;
	bool first = !has_platform_admin(s);
	int rc = store_begin(s);
	if (rc == GC_OK && store_tenant_find(s, tenant, &tenant_id) == GC_ENOTFOUND)
		rc = store_tenant_create(s, tenant, NULL, &tenant_id);
	if (rc == GC_OK)
		rc = add_user(s, tenant_id, email, name ? name : email, password, ROLE_TENANT_ADMIN, NULL, first);
	if (rc == GC_OK) {
		struct store_scope scope = admin_scope(tenant_id);
		rc = store_audit(s, &scope, tenant_id, "tenant_initialised", tenant,
				 json_pack("{s:s}", "admin", email));
	}
	if (rc == GC_OK)
		rc = store_commit(s);
	if (rc < 0) {
		fprintf(stderr, "guichet admin init: %s: %s\n", gc_error_name(rc), store_errmsg(s));
		store_rollback(s);
		store_free(s);
		return 1;
	}
	char where[1024];
	store_pg_url_redact(db, where, sizeof(where));
	printf("database %s (schema version %d): tenant '%s' (id %lld), admin %s%s\n", where,
	       store_schema_version(), tenant, (long long)tenant_id, email,
	       first ? " (platform admin)" : "");
	store_free(s);
	return 0;
}

struct demo_account {
	const char *email, *name;
	enum role role;
	const char *organisation;
};

static const struct demo_account demo_accounts[] = {
	{"admin@demo.example", "Ada Admin", ROLE_TENANT_ADMIN, NULL},
	{"supervisor@demo.example", "Sam Supervisor", ROLE_SUPERVISOR, NULL},
	{"agent@demo.example", "Alex Agent", ROLE_AGENT, NULL},
	{"expert@demo.example", "Eve Expert", ROLE_EXPERT, NULL},
	{"author@demo.example", "Ari Author", ROLE_AUTHOR, NULL},
	{"reviewer@demo.example", "Rui Reviewer", ROLE_REVIEWER, NULL},
	{"planner@demo.example", "Pat Planner", ROLE_PLANNER, NULL},
	{"agent@acme-bpo.example", "Olu Outsourced", ROLE_OUTSOURCED_AGENT, "Acme BPO"},
};
#define DEMO_PASSWORD "guichet-demo"
#define DEMO_CUSTOMERS 40

static const char *const first_names[] = {"Camille", "Louis", "Emma", "Hugo", "Chloé", "Noah",
					  "Léa", "Jules", "Inès", "Lucas"};
static const char *const last_names[] = {"Martin", "Bernard", "Dubois", "Thomas", "Robert",
					 "Petit", "Durand", "Leroy", "Moreau", "Simon"};
static const char *const plans[] = {"fibre-1g", "mobile-50g", "fibre-300m", "tv-plus"};

/* The demo brand's attribute policy: names and plan are basic (outsourced
 * agents see them), the IBAN confidential, the rest personal. */
static int demo_policy(struct store *s, const struct store_scope *scope)
{
	static const struct { const char *key; enum sensitivity cls; } policy[] = {
		{"first_name", SENS_BASIC}, {"last_name", SENS_BASIC}, {"plan", SENS_BASIC},
		{"iban", SENS_CONFIDENTIAL}};
	int rc = GC_OK;
	for (size_t i = 0; rc == GC_OK && i < sizeof(policy) / sizeof(policy[0]); i++)
		rc = store_attr_policy_set(s, scope, policy[i].key, policy[i].cls);
	return rc;
}

static int demo_customer(struct store *s, const struct store_scope *scope, int i, int64_t *ret_id)
{
	char ext[32], email[96], phone[32], birth[32], iban[48];
	snprintf(ext, sizeof(ext), "CUST-%05d", 1001 + i);
	snprintf(email, sizeof(email), "customer%d@example.net", i + 1);
	snprintf(phone, sizeof(phone), "+3361234%02d%02d", i / 10, i % 100); /* E.164, as the daemon keeps numbers */
	snprintf(birth, sizeof(birth), "19%02d-0%d-1%d", 60 + i, 1 + i % 9, i % 10);
	snprintf(iban, sizeof(iban), "FR76 3000 6000 0112 3456 7890 %03d", i);
	struct customer_input in = {.external_id = ext, .email = email, .phone = phone, .n_attrs = 5};
	in.attrs[0] = (struct customer_attr){"first_name", first_names[i % 10], SENS_BASIC};
	in.attrs[1] = (struct customer_attr){"last_name", last_names[(i * 3) % 10], SENS_BASIC};
	in.attrs[2] = (struct customer_attr){"plan", plans[i % 4], SENS_BASIC};
	in.attrs[3] = (struct customer_attr){"birth_date", birth, SENS_PERSONAL};
	in.attrs[4] = (struct customer_attr){"iban", iban, SENS_CONFIDENTIAL};
	json_t *c = NULL;
	int rc = store_customer_create(s, scope, &in, &c);
	if (rc == GC_OK)
		*ret_id = json_integer_value(json_object_get(c, "id"));
	json_decref(c);
	return rc;
}

static int demo_fill(struct store *s, const char *kb, int64_t *ret_tenant, struct demo_counts *counts)
{
	int64_t tenant_id = 0, org_id = 0, customers[DEMO_CUSTOMERS];
	int rc = store_tenant_create(s, "demo", NULL, &tenant_id);
	if (rc == GC_OK)
		rc = store_organisation_create(s, "Acme BPO", "outsourcer", &org_id);
	if (rc == GC_ECONFLICT)
		rc = GC_OK; /* the outsourcer may exist already */
	bool first = rc == GC_OK && !has_platform_admin(s);
	for (size_t i = 0; rc == GC_OK && i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++) {
		const struct demo_account *d = &demo_accounts[i];
		rc = add_user(s, tenant_id, d->email, d->name, DEMO_PASSWORD, d->role, d->organisation,
			      first && i == 0);
	}
	struct store_scope scope = admin_scope(tenant_id);
	if (rc == GC_OK)
		rc = demo_policy(s, &scope);
	for (int i = 0; rc == GC_OK && i < DEMO_CUSTOMERS; i++)
		rc = demo_customer(s, &scope, i, &customers[i]);
	if (rc == GC_OK)
		rc = demo_operations(s, &scope, customers, DEMO_CUSTOMERS, kb, counts);
	*ret_tenant = tenant_id;
	return rc;
}

/* The demo's knowledge: --kb FILE, else data/demo/kb.jsonl when it is
 * there (make run starts in the source tree), else none. */
static const char *demo_kb_path(const struct args *a)
{
	const char *kb = args_get(a, "kb");
	if (kb)
		return kb;
	FILE *f = fopen("data/demo/kb.jsonl", "r");
	if (f == NULL) {
		printf("no knowledge imported: data/demo/kb.jsonl is not here (--kb FILE names it)\n");
		return NULL;
	}
	fclose(f);
	return "data/demo/kb.jsonl";
}

static int demo(int argc, char **argv)
{
	struct args a;
	if (args_parse(argc, argv, "db= kb=", &a) < 0)
		return 2;
	const char *db = args_db(&a, "admin demo");
	if (db == NULL)
		return 2;
	struct store *s;
	if (open_db(db, &s) < 0)
		return 1;
	int64_t tenant_id = 0;
	char where[1024];
	store_pg_url_redact(db, where, sizeof(where));
	if (store_tenant_find(s, "demo", &tenant_id) == GC_OK) {
		printf("the demo tenant is already in %s\n", where);
	} else {
		struct demo_counts n = {0};
		const char *kb = demo_kb_path(&a);
		int rc = store_begin(s);
		if (rc == GC_OK)
			rc = demo_fill(s, kb, &tenant_id, &n);
		if (rc == GC_OK)
			rc = store_commit(s);
		if (rc < 0) {
			fprintf(stderr, "guichet admin demo: %s: %s\n", gc_error_name(rc), store_errmsg(s));
			store_rollback(s);
			store_free(s);
			return 1;
		}
		printf("demo tenant added to %s: %d customers; queues 1 Billing and 2 Billing experts (chat), "
		       "3 Technical support (phone), 4 Email support; 4 agents; %d contacts waiting and %d held by agents; "
		       "%d contacts of history (today, yesterday, and the same weekdays of the four weeks before); "
		       "%d articles and trees published; the help centre at /help/%lld\n",
		       where, DEMO_CUSTOMERS, n.waiting, n.held, n.history, n.kb_items, (long long)tenant_id);
	}
	printf("demo logins (password for all: %s):\n", DEMO_PASSWORD);
	for (size_t i = 0; i < sizeof(demo_accounts) / sizeof(demo_accounts[0]); i++)
		printf("  %-26s %s\n", demo_accounts[i].email, role_name(demo_accounts[i].role));
	store_free(s);
	return 0;
}

int cmd_admin(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "init") == 0)
		return init(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "demo") == 0)
		return demo(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "backup") == 0)
		return cmd_admin_backup(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "restore") == 0)
		return cmd_admin_restore(argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "migrate") == 0)
		return cmd_admin_migrate(argc - 1, argv + 1);
	fprintf(stderr, "guichet admin: expected 'init', 'demo', 'backup', 'restore' or 'migrate' "
		"(see guichet admin --help)\n");
	return 2;
}
