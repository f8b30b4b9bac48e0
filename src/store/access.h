/* What directory.c and auth.c share about access: loading the facts the
 * authorization table (guichet/authz.h) decides on, asking it, and ending
 * the tokens a change of credentials or membership must end. */
#ifndef GUICHET_STORE_ACCESS_H
#define GUICHET_STORE_ACCESS_H

#include "guichet/authz.h"
#include "store/store_internal.h"

/* The scope as the table's actor. */
struct authz_actor store_access_actor(const struct store_scope *scope);
/* Loads user_id's facts as seen by scope's actor, in one query: its
 * platform flag, organisation, and every membership with the actor's role
 * in the same tenant. user_id 0, or a user that does not exist, leaves
 * t->exists false. Also fills the actor's organisation. */
int store_access_load(struct store *s, const struct store_scope *scope, int64_t user_id,
		      struct authz_actor *ret_actor, struct authz_target *ret_target);
/* Asks the table: GC_OK, GC_EFORBIDDEN (the reason in s->errmsg) or GC_ENOTFOUND. */
int store_access_ask(struct store *s, const struct authz_actor *actor, enum authz_action action,
		     const struct authz_target *target);

/* Ends tokens of user_id in tenant_id (0: in every tenant): its sessions
 * landing there (when sessions), and its API tokens there. A session of
 * another tenant keeps working there: what it may do in tenant_id is
 * checked at each request against the memberships. */
int store_access_end_tokens(struct store *s, int64_t user_id, bool sessions, int64_t tenant_id);

#endif
