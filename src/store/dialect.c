/* The statements that differ between SQLite and PostgreSQL, side by side.
 * JSON: queue configs and agent profiles are JSON text, read with
 * json_extract/json_each on SQLite and jsonb operators on PostgreSQL; a lock
 * only PostgreSQL needs, where several nodes write; ids taken ahead from
 * PostgreSQL's sequences; several contacts read by one statement, their ids
 * an array.
 * A statement lands here only when no common form exists. Each runs on both
 * engines in a test: test-security-routing (a queue another overflows to, a
 * skill in use: 409, not a storage error), test-read-batch (contacts read
 * together). */
#include "store/dialect.h"

static const char *const texts[DIALECT_N][2] = {
	[DIALECT_SKILL_USERS] = {
		"SELECT"
		" (SELECT count(*) FROM queues WHERE tenant_id = ?1 AND deleted = 0"
		"   AND json_extract(config, '$.skill_id') = ?2),"
		" (SELECT count(*) FROM agents, json_each(agents.profile, '$.skills') k"
		"   WHERE agents.tenant_id = ?1 AND json_extract(k.value, '$.skill_id') = ?2)",

		"SELECT"
		" (SELECT count(*) FROM queues WHERE tenant_id = ?1 AND deleted = 0"
		"   AND (config::jsonb ->> 'skill_id')::bigint = ?2),"
		" (SELECT count(*) FROM agents, jsonb_array_elements(agents.profile::jsonb -> 'skills') k"
		"   WHERE agents.tenant_id = ?1 AND (k.value ->> 'skill_id')::bigint = ?2)",
	},
	[DIALECT_QUEUE_CONFIG_USERS] = {
		"SELECT"
		" (SELECT count(*) FROM queues WHERE tenant_id = ?1 AND deleted = 0"
		"   AND id != ?2 AND json_extract(config, '$.overflow_to') = ?2),"
		" (SELECT count(*) FROM portals WHERE tenant_id = ?1 AND json_extract(config, '$.queue_id') = ?2)",

		"SELECT"
		" (SELECT count(*) FROM queues WHERE tenant_id = ?1 AND deleted = 0"
		"   AND id != ?2 AND (config::jsonb ->> 'overflow_to')::bigint = ?2),"
		" (SELECT count(*) FROM portals WHERE tenant_id = ?1 AND (config::jsonb ->> 'queue_id')::bigint = ?2)",
	},
	[DIALECT_KB_CHANGES_IN_ORDER] = {
		NULL,
		/* 27490 is "kb" in ASCII: the lock's namespace */
		"SELECT pg_advisory_xact_lock(27490, (?1 % 2147483647)::int)",
	},
	[DIALECT_RESERVE_CONTACT_IDS] = {
		NULL,
		/* the sequence looked up once, not per value (a third of the cost) */
		"WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence('contacts', 'id')::regclass AS s)"
		" SELECT nextval(q.s) FROM q, generate_series(1, 64)",
	},
	[DIALECT_RESERVE_MESSAGE_IDS] = {
		NULL,
		"WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence('messages', 'id')::regclass AS s)"
		" SELECT nextval(q.s) FROM q, generate_series(1, 64)",
	},
	[DIALECT_NEXT_MESSAGE_ID] = {
		NULL,
		"SELECT nextval(pg_get_serial_sequence('messages', 'id'))",
	},
	[DIALECT_CONTACTS_READ] = {
		NULL,
		CONTACT_ROWS_SQL("c.tenant_id = ?1 AND c.id = ANY(?2::bigint[])",
				 "l.tenant_id = ?1 AND l.contact_id = ANY(?2::bigint[])", "22, 21, 16"),
	},
};

const char *dialect_sql(const struct db *db, enum dialect_stmt which)
{
	return texts[which][db_engine(db) == DB_POSTGRESQL];
}
