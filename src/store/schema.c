/* The schema, as an ordered list of migrations.
 *
 * PRAGMA user_version holds the number of migrations applied. store_open
 * applies the missing ones in one transaction each, and refuses a file whose
 * version is above the last one here: it was written by a newer guichet. A
 * migration once released is never edited; a change is a new migration. */
#include "store/schema.h"

#include <stddef.h>

static const char *const migrations[] = {
	/* 1: organisations, tenants, users, tokens, customers, contacts, audit */
	"CREATE TABLE organisations("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('brand','outsourcer')),"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE tenants("
	"  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE users("
	"  id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE COLLATE NOCASE,"
	"  name TEXT NOT NULL, organisation_id INTEGER NOT NULL REFERENCES organisations(id),"
	"  password_hash TEXT NOT NULL, platform_admin INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE memberships("
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	"  user_id INTEGER NOT NULL REFERENCES users(id),"
	"  role TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, user_id)) WITHOUT ROWID;"
	"CREATE INDEX memberships_user ON memberships(user_id, tenant_id);"
	"CREATE TABLE tokens("
	"  id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('session','api')),"
	"  user_id INTEGER REFERENCES users(id), tenant_id INTEGER REFERENCES tenants(id),"
	"  role TEXT, name TEXT, created_at INTEGER NOT NULL, expires_at INTEGER,"
	"  revoked_at INTEGER);"
	"CREATE INDEX tokens_user ON tokens(user_id);"
	"CREATE TABLE customers("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	"  external_id TEXT, email TEXT, phone TEXT, version INTEGER NOT NULL DEFAULT 1,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX customers_external ON customers(tenant_id, external_id)"
	"  WHERE external_id IS NOT NULL;"
	"CREATE INDEX customers_email ON customers(tenant_id, email) WHERE email IS NOT NULL;"
	"CREATE INDEX customers_phone ON customers(tenant_id, phone) WHERE phone IS NOT NULL;"
	"CREATE TABLE customer_attributes("
	"  customer_id INTEGER NOT NULL REFERENCES customers(id), key TEXT NOT NULL,"
	"  value TEXT NOT NULL, sensitivity INTEGER NOT NULL CHECK (sensitivity BETWEEN 0 AND 2),"
	"  PRIMARY KEY (customer_id, key)) WITHOUT ROWID;"
	"CREATE TABLE contacts("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	"  channel TEXT NOT NULL, customer_id INTEGER REFERENCES customers(id),"
	"  subject TEXT, reason TEXT, queue TEXT, priority INTEGER NOT NULL DEFAULT 0,"
	"  tags TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, disposition TEXT," /* one per line */
	"  version INTEGER NOT NULL DEFAULT 1, created_by INTEGER,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX contacts_tenant ON contacts(tenant_id, id);"
	"CREATE INDEX contacts_state ON contacts(tenant_id, state, id);"
	"CREATE INDEX contacts_queue ON contacts(tenant_id, queue, id);"
	"CREATE INDEX contacts_customer ON contacts(tenant_id, customer_id, id);"
	"CREATE INDEX contacts_updated ON contacts(tenant_id, updated_at, id);"
	"CREATE TABLE messages("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL,"
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('inbound','outbound','note')),"
	"  body TEXT NOT NULL, author_id INTEGER, created_at INTEGER NOT NULL);"
	"CREATE INDEX messages_contact ON messages(contact_id, id);"
	"CREATE TABLE contact_events("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL,"
	"  contact_id INTEGER NOT NULL REFERENCES contacts(id), type TEXT NOT NULL,"
	"  actor TEXT, data TEXT NOT NULL, at INTEGER NOT NULL);"
	"CREATE INDEX contact_events_contact ON contact_events(contact_id, id);"
	"CREATE TABLE audit("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER, at INTEGER NOT NULL,"
	"  actor TEXT, action TEXT NOT NULL, target TEXT, detail TEXT NOT NULL, ip TEXT);"
	"CREATE INDEX audit_tenant ON audit(tenant_id, id);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
	/* 2: idempotency keys, so a client may retry a write it got no answer for */
	"CREATE TABLE idempotency_keys("
	"  tenant_id INTEGER NOT NULL, key TEXT NOT NULL, route TEXT NOT NULL,"
	"  body_hash BLOB NOT NULL, status INTEGER NOT NULL, answer TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, key)) WITHOUT ROWID;"
	"CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);",
	/* 3: routing: skills, queues, agents' profiles and presence, the routing
	 * state of contacts in queues, and the routing events (the truth the
	 * engine is rebuilt from, and what live streams replay) */
	"CREATE TABLE skills("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	"  name TEXT NOT NULL, created_at INTEGER NOT NULL, UNIQUE (tenant_id, name));"
	"CREATE TABLE queues("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	"  name TEXT NOT NULL, config TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX queues_name ON queues(tenant_id, name) WHERE deleted = 0;"
	"CREATE TABLE agents("
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	"  user_id INTEGER NOT NULL REFERENCES users(id), profile TEXT NOT NULL,"
	"  presence TEXT NOT NULL DEFAULT 'offline'"
	"    CHECK (presence IN ('offline','available','paused')),"
	"  reason TEXT, presence_at INTEGER, updated_at INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, user_id)) WITHOUT ROWID;"
	"CREATE TABLE routing("
	"  contact_id INTEGER PRIMARY KEY REFERENCES contacts(id), tenant_id INTEGER NOT NULL,"
	"  queue_id INTEGER NOT NULL, priority INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('waiting','offered','assigned')),"
	"  agent_id INTEGER, named INTEGER NOT NULL DEFAULT 0,"
	"  arrived_at INTEGER NOT NULL, enqueued_at INTEGER NOT NULL);"
	"CREATE INDEX routing_queue ON routing(tenant_id, queue_id);"
	"CREATE TABLE routing_events("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, at INTEGER NOT NULL,"
	"  type TEXT NOT NULL, contact_id INTEGER, agent_id INTEGER, queue_id INTEGER,"
	"  data TEXT NOT NULL);"
	"CREATE INDEX routing_events_tenant ON routing_events(tenant_id, id);"
	"CREATE INDEX routing_events_contact ON routing_events(contact_id, id);",
	/* 4: knowledge: articles and trees with their drafts and immutable
	 * published versions, approvals, flags, diagnosis sessions, learned
	 * links, the tenant's thesaurus entries, words that matched nothing,
	 * and the change log searches follow */
	"CREATE TABLE kb_settings("
	"  tenant_id INTEGER PRIMARY KEY REFERENCES tenants(id), approvals INTEGER NOT NULL DEFAULT 1);"
	"CREATE TABLE kb_items("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants(id),"
	"  key TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('article','tree')),"
	"  state TEXT NOT NULL CHECK (state IN ('draft','review','approved','published','archived')),"
	"  owner_id INTEGER REFERENCES users(id), lang TEXT NOT NULL, title TEXT NOT NULL,"
	"  draft TEXT NOT NULL, published_version INTEGER, review_by INTEGER,"
	"  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (tenant_id, key));"
	"CREATE TABLE kb_versions("
	"  item_id INTEGER NOT NULL REFERENCES kb_items(id), version INTEGER NOT NULL,"
	"  tenant_id INTEGER NOT NULL, content TEXT NOT NULL,"
	"  published_at INTEGER NOT NULL, published_by INTEGER,"
	"  PRIMARY KEY (item_id, version)) WITHOUT ROWID;"
	"CREATE TABLE kb_approvals("
	"  item_id INTEGER NOT NULL REFERENCES kb_items(id), user_id INTEGER NOT NULL,"
	"  at INTEGER NOT NULL, PRIMARY KEY (item_id, user_id)) WITHOUT ROWID;"
	"CREATE TABLE kb_flags("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL, item_id INTEGER NOT NULL REFERENCES kb_items(id),"
	"  version INTEGER, user_id INTEGER,"
	"  reason TEXT NOT NULL CHECK (reason IN ('wrong','outdated','unclear')), comment TEXT,"
	"  created_at INTEGER NOT NULL, resolved_at INTEGER, resolved_by INTEGER);"
	"CREATE INDEX kb_flags_item ON kb_flags(tenant_id, item_id);"
	"CREATE TABLE kb_sessions("
	"  id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL,"
	"  mode TEXT NOT NULL CHECK (mode IN ('agent','training','public')),"
	"  user_id INTEGER, contact_id INTEGER, query TEXT, lang TEXT NOT NULL,"
	"  tree_id INTEGER NOT NULL, tree_version INTEGER NOT NULL, context TEXT NOT NULL,"
	"  answers TEXT NOT NULL, path TEXT NOT NULL, scenario TEXT, secret TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('open','ended')),"
	"  outcome TEXT, outcome_node TEXT, article_id INTEGER, article_version INTEGER,"
	"  resolved INTEGER, feedback TEXT, score INTEGER,"
	"  started_at INTEGER NOT NULL, ended_at INTEGER);"
	"CREATE INDEX kb_sessions_contact ON kb_sessions(tenant_id, contact_id);"
	"CREATE INDEX kb_sessions_tree ON kb_sessions(tenant_id, tree_id);"
	"CREATE TABLE kb_links("
	"  tenant_id INTEGER NOT NULL, lang TEXT NOT NULL, term TEXT NOT NULL,"
	"  item_id INTEGER NOT NULL REFERENCES kb_items(id), ok INTEGER NOT NULL, failed INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, lang, term, item_id)) WITHOUT ROWID;"
	"CREATE TABLE kb_synonyms("
	"  tenant_id INTEGER NOT NULL, lang TEXT NOT NULL, word TEXT NOT NULL, phrase TEXT NOT NULL,"
	"  created_by INTEGER, created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, lang, word, phrase)) WITHOUT ROWID;"
	"CREATE TABLE kb_unmatched("
	"  tenant_id INTEGER NOT NULL, lang TEXT NOT NULL, word TEXT NOT NULL,"
	"  item_id INTEGER NOT NULL, count INTEGER NOT NULL,"
	"  PRIMARY KEY (tenant_id, lang, word, item_id)) WITHOUT ROWID;"
	"CREATE TABLE kb_uses("
	"  tenant_id INTEGER NOT NULL, contact_id INTEGER, item_id INTEGER NOT NULL, version INTEGER NOT NULL,"
	"  session_id INTEGER, at INTEGER NOT NULL);"
	"CREATE INDEX kb_uses_item ON kb_uses(tenant_id, item_id);"
	"CREATE TABLE kb_changes("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant_id INTEGER NOT NULL,"
	"  kind TEXT NOT NULL CHECK (kind IN ('item','link','synonym')),"
	"  item_id INTEGER, lang TEXT, term TEXT, phrase TEXT);"
	"CREATE INDEX kb_changes_tenant ON kb_changes(tenant_id, seq);",
	/* 5: the writer's minute check of review-by dates reads only the dated items */
	"CREATE INDEX kb_items_review ON kb_items(review_by) WHERE review_by IS NOT NULL;",
	/* 6: the class of a customer attribute is the tenant's policy, not the
	 * writer's choice (issue 12, finding 15): key -> class, the key '*' for
	 * keys not listed (personal when absent). Filled from the classes already
	 * stored, the most sensitive winning, and every stored value aligned on it. */
	"CREATE TABLE customer_attribute_classes("
	"  tenant_id INTEGER NOT NULL REFERENCES tenants(id), key TEXT NOT NULL,"
	"  sensitivity INTEGER NOT NULL CHECK (sensitivity BETWEEN 0 AND 2),"
	"  PRIMARY KEY (tenant_id, key)) WITHOUT ROWID;"
	"INSERT INTO customer_attribute_classes(tenant_id, key, sensitivity)"
	"  SELECT c.tenant_id, a.key, MAX(a.sensitivity) FROM customer_attributes a"
	"  JOIN customers c ON c.id = a.customer_id GROUP BY c.tenant_id, a.key;"
	"UPDATE customer_attributes SET sensitivity = (SELECT p.sensitivity"
	"  FROM customer_attribute_classes p JOIN customers c ON c.tenant_id = p.tenant_id"
	"  WHERE c.id = customer_attributes.customer_id AND p.key = customer_attributes.key);",
	/* 7: an idempotency key belongs to its caller (user or token) and its
	 * request (method and full path), not to the tenant and route pattern
	 * alone. Keys live 24 hours: the old ones are dropped, not guessed into
	 * shape. */
	"DROP TABLE idempotency_keys;"
	"CREATE TABLE idempotency_keys("
	"  tenant_id INTEGER NOT NULL, caller TEXT NOT NULL, request TEXT NOT NULL, key TEXT NOT NULL,"
	"  body_hash BLOB NOT NULL, status INTEGER NOT NULL, answer TEXT NOT NULL,"
	"  created_at INTEGER NOT NULL, PRIMARY KEY (tenant_id, caller, request, key)) WITHOUT ROWID;"
	"CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);",
};

int schema_n_migrations(void)
{
	return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *schema_migration(int version)
{
	return version >= 1 && version <= schema_n_migrations() ? migrations[version - 1] : NULL;
}
