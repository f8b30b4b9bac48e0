/* The callbacks' routes (handlers_callback.c): staff requests, lists,
 * outcomes, cancels, the tenant's settings and the report under
 * /api/v1/callbacks and /api/v1/reports/callbacks, and the public request
 * under /public/v1/tenants/{id}/callbacks (rate-limited per address, one
 * open request per number). The work is callback.h's. */
#ifndef GUICHET_DAEMON_HANDLERS_CALLBACK_H
#define GUICHET_DAEMON_HANDLERS_CALLBACK_H

#include "daemon/http.h"

int run_callback_create(struct request *r, struct store *db);
int run_callback_list(struct request *r, struct store *db);
int run_callback_get(struct request *r, struct store *db);
int run_callback_cancel(struct request *r, struct store *db);
int run_callback_outcome(struct request *r, struct store *db);
int run_callback_settings_get(struct request *r, struct store *db);
int run_callback_settings_put(struct request *r, struct store *db);
int run_report_callbacks(struct request *r, struct store *db);
/* The public request: prepare counts it against the address's allowance
 * (429) and checks the tenant (404) on the worker. */
int prepare_public_callback(struct request *r, struct store *db);
int run_public_callback(struct request *r, struct store *db);
/* What a contact's GET shows of its callback cb (store_callback_of_contact's):
 * its "callback" object. */
json_t *callback_shown(const json_t *cb);

#endif
