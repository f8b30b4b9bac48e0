/* A contact's context for knowledge variables, and canned replies filled
 * from it (canned.h). */
#include "daemon/canned.h"
#include "guichet/contact.h"
#include "guichet/error.h"
#include "guichet/kb_content.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *canned_value(const json_t *ctx, const char *key)
{
	const json_t *v = json_object_get(ctx, key);
	return json_is_object(v) ? json_string_value(json_object_get(v, "value")) : json_string_value(v);
}

/* A customer's value without a class (a session started before classes
 * were kept) counts as personal, anything else as basic. */
enum sensitivity canned_class(const json_t *ctx, const char *key)
{
	const json_t *v = json_object_get(ctx, key);
	enum sensitivity sens = SENS_BASIC;
	if (json_is_object(v)) {
		if (sensitivity_parse(json_string_value(json_object_get(v, "class")), &sens) < 0)
			sens = SENS_CONFIDENTIAL;
	} else if (v && strncmp(key, "customer.", 9) == 0) {
		sens = SENS_PERSONAL;
	}
	return sens;
}

/* One customer value into the context, with its class. */
static void put_customer(json_t *ctx, const char *name, const json_t *value, const char *class)
{
	char key[160];
	snprintf(key, sizeof(key), "customer.%s", name);
	if (json_is_string(value))
		json_object_set_new(ctx, key, json_pack("{s:O,s:s}", "value", value, "class", class));
}

json_t *canned_context(struct store *db, const struct store_scope *scope, int64_t contact_id)
{
	json_t *ctx = json_object();
	enum contact_channel channel;
	int64_t customer_id = 0;
	if (contact_id && store_contact_brief(db, scope, contact_id, &channel, &customer_id) == GC_OK) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)contact_id);
		json_object_set_new(ctx, "contact.id", json_string(id));
		json_object_set_new(ctx, "contact.channel", json_string(contact_channel_name(channel)));
		struct store_scope whole = *scope;
		whole.sees = SENS_CONFIDENTIAL;
		json_t *customer = NULL;
		if (customer_id && store_customer_get(db, &whole, customer_id, &customer) == GC_OK) {
			put_customer(ctx, "external_id", json_object_get(customer, "external_id"), "basic");
			put_customer(ctx, "email", json_object_get(customer, "email"), "personal");
			put_customer(ctx, "phone", json_object_get(customer, "phone"), "personal");
			const char *k;
			json_t *v;
			json_object_foreach(json_object_get(customer, "attributes"), k, v) {
				const char *class = json_string_value(json_object_get(v, "class"));
				put_customer(ctx, k, json_object_get(v, "value"), class ? class : "confidential");
			}
			json_decref(customer);
		}
	}
	return ctx;
}

struct reader {
	const json_t *ctx;
	enum sensitivity sees;
	json_t *hidden; /* the names of the values the reader may not see */
};

static const char *shown_value(const char *name, void *arg)
{
	const struct reader *rd = arg;
	const char *v = canned_value(rd->ctx, name);
	if (v == NULL || canned_class(rd->ctx, name) <= rd->sees)
		return v;
	json_array_append_new(rd->hidden, json_string(name));
	return "";
}

int canned_reply(struct store *db, int64_t tenant_id, const char *article, const char *name, const json_t *ctx,
		 enum sensitivity sees, json_t **ret, const char **ret_field)
{
	int64_t item;
	int version;
	json_t *content = NULL;
	*ret_field = "article";
	int rc = store_kb_published(db, tenant_id, article, &item, &version, &content);
	if (rc < 0)
		return rc;
	const json_t *chosen = NULL;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(content, "replies"), i, r) {
		const char *n = json_string_value(json_object_get(r, "name"));
		if (name == NULL || (n && strcmp(n, name) == 0)) {
			chosen = r;
			break;
		}
	}
	if (chosen == NULL) {
		json_decref(content);
		*ret_field = "reply";
		return GC_ENOTFOUND;
	}
	struct reader rd = {ctx, sees, json_array()};
	json_t *missing = NULL;
	char *filled = kb_fill(json_string_value(json_object_get(chosen, "text")), shown_value, &rd, &missing);
	*ret = json_pack("{s:s,s:i,s:O?,s:s,s:o,s:o}", "article", article, "version", version, "name",
			 json_object_get(chosen, "name"), "text", filled ? filled : "", "missing",
			 missing ? missing : json_array(), "hidden", rd.hidden);
	free(filled);
	json_decref(content);
	*ret_field = NULL;
	return *ret ? GC_OK : GC_ENOMEM;
}
