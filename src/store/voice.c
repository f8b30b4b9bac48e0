/* Voice (schema migration 20): the tenants' telephone numbers and what a
 * call to each one meets (its queue, voice menu, greeting and language),
 * and the events a call leaves on its contact's timeline. A number is live
 * in one tenant at most: the telephony thread finds its tenant from the
 * number alone (store_voice_number_find). */
#include "store/store_internal.h"
#include "guichet/clock.h"
#include "guichet/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NUMBER_COLUMNS "id, number, queue_id, menu, greeting, lang, created_at, updated_at, tenant_id, waiting," \
		       " greeting_recording FROM voice_numbers"

static json_t *number_row(struct db_stmt *st, void *arg)
{
	json_t *row = json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", column_int(st, 0), "number",
				column_string(st, 1), "queue_id", column_int(st, 2), "menu", column_json(st, 3),
				"greeting", column_string(st, 4), "lang", column_string(st, 5), "created_at",
				column_time(st, 6), "updated_at", column_time(st, 7));
	if (row) {
		json_object_set_new(row, "waiting", column_json(st, 9));
		json_object_set_new(row, "greeting_recording", column_int(st, 10));
	}
	if (row && arg)
		json_object_set_new(row, "tenant_id", column_int(st, 8));
	return row;
}

/* A stored text: NULL for "" (cleared). */
static void bind_cleared(struct db_stmt *st, int idx, const char *text)
{
	bind_text(st, idx, text && *text ? text : NULL);
}

static int taken(struct store *s, int rc, const char *number)
{
	if (rc == GC_ECONFLICT)
		store_errorf(s, "the number %.40s is already in use", number);
	return rc;
}

int store_voice_number_create(struct store *s, const struct store_scope *scope, const struct store_voice_number *in,
			      int64_t *ret_id)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO voice_numbers(tenant_id, number, queue_id, menu, greeting,"
					 " lang, created_at, updated_at, waiting, greeting_recording)"
					 " VALUES (?,?,?,?,?,?,?7,?7,?8,?9) RETURNING id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, in->number);
	bind_id(st, 3, in->queue_id > 0 ? in->queue_id : 0);
	bind_cleared(st, 4, in->menu);
	bind_cleared(st, 5, in->greeting);
	bind_text(st, 6, in->lang ? in->lang : "en");
	db_bind_int64(st, 7, gc_now_ms());
	bind_cleared(st, 8, in->waiting);
	bind_id(st, 9, in->greeting_recording > 0 ? in->greeting_recording : 0);
	return taken(s, store_insert_id(s, st, ret_id), in->number);
}

int store_voice_number_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " NUMBER_COLUMNS " WHERE tenant_id = ? AND id = ? AND deleted = 0",
			  scope->tenant_id, id, number_row, ret);
}

int store_voice_number_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT " NUMBER_COLUMNS " WHERE tenant_id = ? AND deleted = 0 ORDER BY id",
			   scope->tenant_id, number_row, ret_list);
}

int store_voice_number_update(struct store *s, const struct store_scope *scope, int64_t id,
			      const struct store_voice_number *in)
{
	struct db_stmt *st = store_stmt(s, "UPDATE voice_numbers SET number = COALESCE(?3, number),"
					 " queue_id = CASE WHEN ?4 < 0 THEN queue_id WHEN ?4 = 0 THEN NULL ELSE ?4 END,"
					 " menu = CASE WHEN ?5 IS NULL THEN menu WHEN ?5 = '' THEN NULL ELSE ?5 END,"
					 " greeting = CASE WHEN ?6 IS NULL THEN greeting WHEN ?6 = '' THEN NULL"
					 " ELSE ?6 END, lang = COALESCE(?7, lang), updated_at = ?8,"
					 " waiting = CASE WHEN ?9 IS NULL THEN waiting WHEN ?9 = '' THEN NULL ELSE ?9 END,"
					 " greeting_recording = CASE WHEN ?10 < 0 THEN greeting_recording WHEN ?10 = 0 THEN NULL"
					 " ELSE ?10 END"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	bind_text(st, 3, in->number);
	db_bind_int64(st, 4, in->queue_id);
	bind_text(st, 5, in->menu);
	bind_text(st, 6, in->greeting);
	bind_text(st, 7, in->lang);
	db_bind_int64(st, 8, gc_now_ms());
	bind_text(st, 9, in->waiting);
	db_bind_int64(st, 10, in->greeting_recording);
	int rc = taken(s, store_step_done(s, st), in->number);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_voice_number_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	struct db_stmt *st = store_stmt(s, "UPDATE voice_numbers SET deleted = 1, updated_at = ?3"
					 " WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, gc_now_ms());
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_voice_number_find(struct store *s, const char *number, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " NUMBER_COLUMNS " WHERE number = ? AND deleted = 0");
	if (st == NULL)
		return GC_ESTORE;
	bind_text(st, 1, number);
	return one_row(s, st, number_row, s, ret);
}

int store_voice_event(struct store *s, const struct store_scope *scope, int64_t contact_id, const char *type,
		      const json_t *data)
{
	char *text = json_dumps(data, JSON_COMPACT);
	if (text == NULL)
		return GC_ENOMEM;
	struct db_stmt *st = store_stmt(s, "INSERT INTO contact_events(tenant_id, contact_id, type, actor, data, at)"
					 " SELECT tenant_id, id, ?3, ?4, ?5, ?6 FROM contacts"
					 " WHERE tenant_id = ?1 AND id = ?2");
	int rc = GC_ESTORE;
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		db_bind_int64(st, 2, contact_id);
		bind_text(st, 3, type);
		bind_text(st, 4, scope->actor);
		db_bind_text(st, 5, text, -1);
		db_bind_int64(st, 6, gc_now_ms());
		rc = store_step_done(s, st);
		if (rc == GC_OK && db_changes(s->db) == 0)
			rc = GC_ENOTFOUND;
	}
	free(text);
	return rc;
}

static json_t *unended_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o}", "tenant_id", column_int(st, 0), "contact_id", column_int(st, 1), "answered_at",
			 column_int(st, 2));
}

int store_voice_calls_unended(struct store *s, int64_t since, json_t **ret_list)
{
	/* each tenant's phone contacts since then, by contacts_created */
	struct db_stmt *st = store_stmt(s, "SELECT c.tenant_id, c.id, a.at FROM tenants t"
					 " JOIN contacts c ON c.tenant_id = t.id AND c.created_at >= ?"
					 " JOIN contact_events a ON a.contact_id = c.id AND a.type = 'call_answered'"
					 " WHERE c.channel = 'phone' AND NOT EXISTS (SELECT 1 FROM contact_events e"
					 "  WHERE e.contact_id = c.id AND e.type = 'call_ended')"
					 " ORDER BY c.id");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, since);
	return collect_rows(s, st, unended_row, NULL, ret_list);
}

int store_voice_phone_set(struct store *s, const struct store_scope *scope, int64_t user_id, const char *username,
			  const char *ha1)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO agent_phones(tenant_id, user_id, username, ha1, updated_at)"
					 " SELECT tenant_id, user_id, ?3, ?4, ?5 FROM agents"
					 " WHERE tenant_id = ?1 AND user_id = ?2"
					 " ON CONFLICT (tenant_id, user_id) DO UPDATE SET username = excluded.username,"
					 " ha1 = excluded.ha1, updated_at = excluded.updated_at");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, user_id);
	bind_text(st, 3, username);
	bind_text(st, 4, ha1);
	db_bind_int64(st, 5, gc_now_ms());
	int rc = store_step_done(s, st);
	if (rc == GC_ECONFLICT)
		store_errorf(s, "the SIP username %.64s is another agent's", username);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

int store_voice_phone_find(struct store *s, int64_t tenant_id, const char *username, int64_t *ret_user_id,
			   char ret_ha1[33])
{
	struct db_stmt *st = store_stmt(s, "SELECT p.user_id, p.ha1 FROM agent_phones p"
					 " JOIN memberships m ON m.tenant_id = p.tenant_id AND m.user_id = p.user_id"
					 " WHERE p.tenant_id = ? AND p.username = ? AND m.disabled = 0");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, tenant_id);
	bind_text(st, 2, username);
	int rc = db_step(st);
	if (rc == DB_ROW) {
		const char *ha1 = db_column_text(st, 1);
		if (ha1 && strlen(ha1) == 32) {
			*ret_user_id = db_column_int64(st, 0);
			memcpy(ret_ha1, ha1, 33);
			rc = GC_OK;
		} else {
			rc = store_fail(s, GC_ESTORE);
		}
	} else {
		rc = rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	db_reset(st); /* no read left open on the telephony thread's connection */
	return rc;
}

/* --- a queue's own waiting settings (schema migration 36) and music on
 * hold (41: one of the tenant's recordings). A row holds either or both;
 * its waiting is the JSON text "null" when it has music alone. --- */

static json_t *queue_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:o}", "queue_id", column_int(st, 0), "waiting", column_json(st, 1), "music",
			 column_int(st, 3), "updated_at", column_time(st, 2));
}

int store_voice_queue_set(struct store *s, const struct store_scope *scope, int64_t queue_id, const char *waiting,
			  int64_t music)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO voice_queues(tenant_id, queue_id, waiting, updated_at, music)"
					 " SELECT tenant_id, id, COALESCE(?3, 'null'), ?4, CASE WHEN ?5 > 0 THEN ?5 END"
					 " FROM queues WHERE tenant_id = ?1 AND id = ?2 AND deleted = 0"
					 " ON CONFLICT (tenant_id, queue_id) DO UPDATE SET"
					 " waiting = COALESCE(?3, voice_queues.waiting), updated_at = excluded.updated_at,"
					 " music = CASE WHEN ?5 < 0 THEN voice_queues.music WHEN ?5 = 0 THEN NULL ELSE ?5 END");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, queue_id);
	bind_text(st, 3, waiting);
	db_bind_int64(st, 4, gc_now_ms());
	db_bind_int64(st, 5, music);
	int rc = store_step_done(s, st);
	if (rc == GC_OK && db_changes(s->db) == 0)
		return GC_ENOTFOUND;
	if (rc < 0)
		return rc;
	/* nothing of its own left: the queue follows its numbers again */
	st = store_stmt(s, "DELETE FROM voice_queues WHERE tenant_id = ? AND queue_id = ? AND waiting = 'null'"
			" AND music IS NULL");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, queue_id);
	return store_step_done(s, st);
}

int store_voice_queue_get(struct store *s, const struct store_scope *scope, int64_t queue_id, json_t **ret)
{
	return scoped_get(s, "SELECT queue_id, waiting, updated_at, music FROM voice_queues WHERE tenant_id = ?"
			  " AND queue_id = ?", scope->tenant_id, queue_id, queue_row, ret);
}

int store_voice_queue_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT v.queue_id, v.waiting, v.updated_at, v.music FROM voice_queues v"
			   " JOIN queues q ON q.id = v.queue_id AND q.tenant_id = v.tenant_id AND q.deleted = 0"
			   " WHERE v.tenant_id = ? ORDER BY v.queue_id", scope->tenant_id, queue_row, ret_list);
}

int store_voice_queue_music_user(struct store *s, const struct store_scope *scope, int64_t recording_id,
				 int64_t *ret_queue_id)
{
	struct db_stmt *st = store_stmt(s, "SELECT v.queue_id FROM voice_queues v JOIN queues q ON q.id = v.queue_id"
					 " AND q.tenant_id = v.tenant_id AND q.deleted = 0"
					 " WHERE v.tenant_id = ? AND v.music = ? ORDER BY v.queue_id LIMIT 1");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, recording_id);
	int rc = db_step(st);
	*ret_queue_id = rc == DB_ROW ? db_column_int64(st, 0) : 0;
	db_reset(st);
	return rc == DB_ROW || rc == DB_DONE ? GC_OK : store_fail(s, rc);
}

/* --- a tenant's own recordings of its prompts (schema migration 34) --- */

#define PROMPT_COLUMNS "id, name, samples, created_at FROM voice_prompts"

static json_t *prompt_row(struct db_stmt *st, void *arg)
{
	int64_t samples = db_column_int64(st, 2);
	return json_pack("{s:o,s:o,s:I,s:I,s:o}", "id", column_int(st, 0), "name", column_string(st, 1), "duration_ms",
			 (json_int_t)(samples * 1000 / STORE_VOICE_PROMPT_RATE), "bytes", (json_int_t)(samples * 2),
			 "created_at", column_time(st, 3));
}

int store_voice_prompt_create(struct store *s, const struct store_scope *scope, const char *name,
			      const int16_t *samples, size_t n, int64_t *ret_id)
{
	uint8_t *audio = malloc(n * 2 + 1);
	if (audio == NULL)
		return GC_ENOMEM;
	for (size_t i = 0; i < n; i++) { /* little-endian whatever the host */
		audio[2 * i] = (uint8_t)((uint16_t)samples[i] & 0xff);
		audio[2 * i + 1] = (uint8_t)((uint16_t)samples[i] >> 8);
	}
	struct db_stmt *st = store_stmt(s, "INSERT INTO voice_prompts(tenant_id, name, samples, audio, created_at)"
					 " VALUES (?,?,?,?,?) RETURNING id");
	int rc = GC_ESTORE;
	if (st) {
		db_bind_int64(st, 1, scope->tenant_id);
		bind_text(st, 2, name);
		db_bind_int64(st, 3, (int64_t)n);
		db_bind_blob(st, 4, audio, n * 2);
		db_bind_int64(st, 5, gc_now_ms());
		rc = store_insert_id(s, st, ret_id);
		if (rc == GC_ECONFLICT)
			store_errorf(s, "a recording is already named %.64s", name);
	}
	free(audio);
	return rc;
}

int store_voice_prompt_get(struct store *s, const struct store_scope *scope, int64_t id, json_t **ret)
{
	return scoped_get(s, "SELECT " PROMPT_COLUMNS " WHERE tenant_id = ? AND id = ?", scope->tenant_id, id,
			  prompt_row, ret);
}

int store_voice_prompt_list(struct store *s, const struct store_scope *scope, json_t **ret_list)
{
	return tenant_rows(s, "SELECT " PROMPT_COLUMNS " WHERE tenant_id = ? ORDER BY id", scope->tenant_id, prompt_row,
			   ret_list);
}

int store_voice_prompt_count(struct store *s, const struct store_scope *scope, int64_t *ret)
{
	return tenant_int(s, "SELECT count(*) FROM voice_prompts WHERE tenant_id = ?", scope->tenant_id, ret);
}

int store_voice_prompt_audio(struct store *s, const struct store_scope *scope, int64_t id, int16_t **ret,
			     size_t *ret_n)
{
	struct db_stmt *st = store_stmt(s, "SELECT audio FROM voice_prompts WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	const uint8_t *data = db_column_blob(st, 0); /* the blob first, then its length */
	size_t len = db_column_bytes(st, 0), n = len / 2;
	int16_t *out = n ? malloc(n * sizeof(*out)) : NULL;
	if (out && data) {
		for (size_t i = 0; i < n; i++)
			out[i] = (int16_t)(uint16_t)(data[2 * i] | data[2 * i + 1] << 8);
		*ret = out;
		*ret_n = n;
		rc = GC_OK;
	} else {
		free(out);
		rc = n == 0 ? GC_ENOTFOUND : GC_ENOMEM;
	}
	db_reset(st); /* no read left open on the telephony thread's connection */
	return rc;
}

int store_voice_prompt_delete(struct store *s, const struct store_scope *scope, int64_t id)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM voice_prompts WHERE tenant_id = ? AND id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	db_bind_int64(st, 2, id);
	int rc = store_step_done(s, st);
	return rc == GC_OK && db_changes(s->db) == 0 ? GC_ENOTFOUND : rc;
}

/* --- a tenant's own trunk (schema migration 38), its digest
 * credentials (40: the password sealed by the caller, never read back
 * but by the telephony thread, store_voice_trunk_dial) and its
 * registration to the provider (48) --- */

#define TRUNK_COLUMNS "uri, updated_at, username, registers, registrar, register_expires"

int store_voice_trunk_set(struct store *s, const struct store_scope *scope, const struct store_voice_trunk *in)
{
	struct db_stmt *st = store_stmt(s, "INSERT INTO voice_trunks(tenant_id, uri, updated_at, username, sealed_password,"
					 " registers, registrar, register_expires) VALUES (?,?,?,?,?,?,?,?)"
					 " ON CONFLICT (tenant_id) DO UPDATE SET uri = excluded.uri,"
					 " updated_at = excluded.updated_at, username = excluded.username,"
					 " sealed_password = excluded.sealed_password, registers = excluded.registers,"
					 " registrar = excluded.registrar, register_expires = excluded.register_expires");
	if (st == NULL)
		return GC_ESTORE;
	bool creds = in->username && in->sealed;
	db_bind_int64(st, 1, scope->tenant_id);
	bind_text(st, 2, in->uri);
	db_bind_int64(st, 3, gc_now_ms());
	bind_text(st, 4, creds ? in->username : NULL);
	if (creds)
		db_bind_blob(st, 5, in->sealed, in->sealed_len);
	else
		db_bind_null(st, 5);
	db_bind_int64(st, 6, in->registers ? 1 : 0);
	bind_text(st, 7, in->registers ? in->registrar : NULL);
	if (in->registers && in->register_expires > 0)
		db_bind_int64(st, 8, in->register_expires);
	else
		db_bind_null_int64(st, 8);
	return store_step_done(s, st);
}

int store_voice_trunk_clear(struct store *s, const struct store_scope *scope)
{
	struct db_stmt *st = store_stmt(s, "DELETE FROM voice_trunks WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return store_step_done(s, st);
}

static json_t *trunk_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:o,s:o,s:o,s:b,s:o,s:o}", "uri", column_string(st, 0), "username", column_string(st, 2),
			 "updated_at", column_time(st, 1), "register", db_column_int64(st, 3) != 0, "registrar",
			 column_string(st, 4), "register_expires", column_int(st, 5));
}

int store_voice_trunk_get(struct store *s, const struct store_scope *scope, json_t **ret)
{
	struct db_stmt *st = store_stmt(s, "SELECT " TRUNK_COLUMNS " FROM voice_trunks WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	return one_row(s, st, trunk_row, NULL, ret);
}

int store_voice_trunk_dial(struct store *s, const struct store_scope *scope, json_t **ret, unsigned char **ret_sealed,
			   size_t *ret_sealed_len)
{
	struct db_stmt *st = store_stmt(s, "SELECT " TRUNK_COLUMNS ", sealed_password FROM voice_trunks"
					 " WHERE tenant_id = ?");
	if (st == NULL)
		return GC_ESTORE;
	db_bind_int64(st, 1, scope->tenant_id);
	int rc = db_step(st);
	if (rc != DB_ROW) {
		db_reset(st);
		return rc == DB_DONE ? GC_ENOTFOUND : store_fail(s, rc);
	}
	json_t *row = trunk_row(st, NULL);
	const unsigned char *blob = db_column_blob(st, 6); /* the blob first, then its length */
	size_t len = (size_t)db_column_bytes(st, 6);
	unsigned char *copy = blob && len ? malloc(len) : NULL;
	if (row == NULL || (blob && len && copy == NULL)) {
		json_decref(row);
		free(copy);
		db_reset(st);
		return GC_ENOMEM;
	}
	if (copy)
		memcpy(copy, blob, len);
	db_reset(st); /* no read left open on the telephony thread's connection */
	*ret = row;
	*ret_sealed = copy;
	*ret_sealed_len = copy ? len : 0;
	return GC_OK;
}

static json_t *registering_row(struct db_stmt *st, void *arg)
{
	return json_pack("{s:I,s:I}", "tenant_id", (json_int_t)db_column_int64(st, 0), "updated_ms",
			 (json_int_t)db_column_int64(st, 1));
}

int store_voice_trunks_registering(struct store *s, json_t **ret_list)
{
	/* every tenant's: the telephony thread registers for them all; then
	 * each trunk is read with its tenant's scope (store_voice_trunk_dial) */
	struct db_stmt *st = store_stmt(s, "SELECT tenant_id, updated_at FROM voice_trunks WHERE registers <> 0"
					 " ORDER BY tenant_id");
	if (st == NULL)
		return GC_ESTORE;
	return collect_rows(s, st, registering_row, NULL, ret_list);
}
