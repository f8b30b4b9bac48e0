/* The few statements that cannot be written once for both engines, by
 * name; dialect.c holds each one's SQLite and PostgreSQL text side by side.
 * Every other statement of the store is written once (db.h says how).
 * Internal to src/store. */
#ifndef GUICHET_STORE_DIALECT_H
#define GUICHET_STORE_DIALECT_H

#include "store/db.h"

/* A contact and its messages, one row per message (a contact without any:
 * one row, the message's columns NULL), then the incidents it is linked
 * to, in the message's columns (id, title, severity, -, ended_at); column
 * 21 tells them apart (0, 1), column 22 is the contact. contacts_where and
 * links_where choose the contacts (aliases c and l), order_by orders the
 * rows: contact.c reads one contact with it, DIALECT_CONTACTS_READ several. */
#define CONTACT_ROWS_SQL(contacts_where, links_where, order_by) \
	"SELECT c.id, c.channel, c.customer_id, c.subject, c.reason," \
	" c.queue, c.priority, c.tags, c.state, c.disposition, c.version, c.created_at," \
	" c.updated_at, c.due_at, c.first_response_at, m.id, m.kind, m.body, m.author_id, m.created_at, 0, c.id" \
	" FROM contacts c LEFT JOIN messages m ON m.contact_id = c.id WHERE " contacts_where \
	" UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL," \
	" NULL, i.id, i.title, i.severity, NULL, i.ended_at, 1, l.contact_id FROM contact_incidents l" \
	" JOIN incidents i ON i.id = l.incident_id WHERE " links_where " ORDER BY " order_by

enum dialect_stmt {
	/* (tenant ?1, skill ?2): how many live queues and agent profiles use the skill */
	DIALECT_SKILL_USERS,
	/* (tenant ?1, queue ?2): how many other live queues overflow to the
	 * queue, and whether the portal's settings send to it */
	DIALECT_QUEUE_CONFIG_USERS,
	/* (tenant ?1): holds the tenant's knowledge change log until the end of
	 * the transaction, so that its numbers commit in their order whatever
	 * the node writing (kb.c); NULL on SQLite, whose one writer is enough */
	DIALECT_KB_CHANGES_IN_ORDER,
	/* (): STORE_RESERVED_IDS new ids of contacts, of messages, one per row,
	 * taken ahead so that inserts need not wait for theirs (store.c's
	 * store_reserve_id); NULL on SQLite, where an insert's id costs nothing */
	DIALECT_RESERVE_CONTACT_IDS,
	DIALECT_RESERVE_MESSAGE_IDS,
	/* (): one new message id, taken now: a message added to a contact
	 * whose row this transaction holds (store_contact_add_message) gets an
	 * id above every message committed to it before, whatever the node
	 * writing; NULL on SQLite, whose one writer commits in id order */
	DIALECT_NEXT_MESSAGE_ID,
	/* (tenant ?1, ids ?2): CONTACT_ROWS_SQL's rows of several contacts of
	 * a tenant at once, ordered by contact; ?2 a PostgreSQL array text
	 * ('{1,2}'); NULL on SQLite, whose statements cost no round trip and
	 * little to start (contact.c reads each alone there) */
	DIALECT_CONTACTS_READ,
	DIALECT_N
};

/* The text of statement which for db's engine: a string literal, so that
 * the statement cache knows it again; NULL where the engine needs none. */
const char *dialect_sql(const struct db *db, enum dialect_stmt which);

#endif
