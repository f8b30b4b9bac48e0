/* The tenant's disposition codes over HTTP: GET for whoever reads contacts
 * (the desktop lists them at wrap-up), PUT for its admin (the list replaced
 * whole, audited), and the check the wrap-up and state routes make of a
 * disposition a person gives. */
#include "daemon/handlers.h"
#include "guichet/error.h"

#include <stdio.h>

int run_dispositions_get(struct request *r, struct store *db)
{
	json_t *items = NULL;
	int rc = store_dispositions_get(db, r->scope.tenant_id, &items);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", items));
}

int run_dispositions_put(struct request *r, struct store *db)
{
	struct disposition_list in;
	struct decode_error err = {0};
	if (disposition_list_decode(r->body, &in, &err) < 0)
		return reply_decode_error(r, &err);
	int rc = store_dispositions_put(db, &r->scope, &in);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : run_dispositions_get(r, db);
}

int disposition_allowed(struct request *r, struct store *db, const char *code)
{
	char codes[400];
	if (code == NULL)
		return GC_OK;
	int rc = store_disposition_check(db, r->scope.tenant_id, code, codes, sizeof(codes));
	if (rc == GC_EINVAL)
		return reply_error(r, 422, "invalid", "disposition", "'%s' is not one of the tenant's dispositions: %s",
				   code, codes);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : GC_OK;
}
