/* A contact's context for knowledge variables ("customer.first_name",
 * "contact.channel"), and canned replies filled from it.
 *
 * The context keeps the customer's data with each value's class
 * ({"value", "class"}); contact fields and what a caller typed are plain
 * strings. It is read whole (a diagnosis walks on all of it), but what is
 * shown is filtered by the reader's visibility: a value above it renders
 * empty. */
#ifndef GUICHET_DAEMON_CANNED_H
#define GUICHET_DAEMON_CANNED_H

#include <jansson.h>

#include "guichet/role.h"
#include "store/store.h"

/* The contact's fields and its customer's data (read whole, whatever the
 * scope sees: each reader is shown what its visibility allows); an empty
 * object for contact_id 0 or a contact not in the tenant. */
json_t *canned_context(struct store *db, const struct store_scope *scope, int64_t contact_id);
/* A context entry's value (NULL when absent), and its class. */
const char *canned_value(const json_t *ctx, const char *key);
enum sensitivity canned_class(const json_t *ctx, const char *key);

/* The reply named name (the first when name is NULL) of the tenant's
 * published article, its variables filled from ctx as a reader seeing
 * `sees` may: {"article","version","name","text","missing","hidden"}:
 * missing names the variables the contact has no value for, hidden those
 * whose value is above what the reader sees (rendered empty; such a reply is
 * not for this reader to send).
 * GC_ENOTFOUND (with *ret_field "article" or "reply") when there is no
 * such published article or reply. */
int canned_reply(struct store *db, int64_t tenant_id, const char *article, const char *name, const json_t *ctx,
		 enum sensitivity sees, json_t **ret, const char **ret_field);

#endif
