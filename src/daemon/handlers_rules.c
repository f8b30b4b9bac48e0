/* The tenant's categorisation rules (guichet/rules.h): GET and POST
 * /api/v1/rules, GET and DELETE /api/v1/rules/{id}. The email channel
 * tries them on every contact a new email starts (channel/email/ingest.c).
 *
 * And what to answer a contact (GET /api/v1/contacts/{id}/suggestion): the
 * reason and level of the first rule its first message matches, else of
 * the knowledge's best article for the customer's words (its first tag),
 * with the canned reply to send in one action (the rule's, else the
 * article's first) filled for the reader. */
#include "daemon/handlers.h"
#include "daemon/canned.h"
#include "daemon/kbsvc.h"
#include "guichet/error.h"
#include "guichet/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int prepare_rule(struct request *r, struct store *db)
{
	struct decode_error err = {0};
	return rule_decode(r->body, &r->work, &err) < 0 ? reply_decode_error(r, &err) : 0;
}

int run_rule_create(struct request *r, struct store *db)
{
	json_t *rule = r->work, *queue = NULL, *row = NULL;
	int64_t queue_id = json_integer_value(json_object_get(rule, "queue_id")), id = 0;
	if (queue_id && store_queue_get(db, &r->scope, queue_id, &queue) < 0)
		return reply_error(r, 422, "invalid", "queue_id", "no queue %lld in this tenant", (long long)queue_id);
	json_decref(queue);
	int rc = store_rule_add(db, &r->scope, rule, &id);
	if (rc == GC_OK)
		rc = store_rule_get(db, &r->scope, id, &row);
	return rc < 0 ? reply_store_error(r, db, rc, rc == GC_ECONFLICT ? "name" : NULL) : reply(r, 201, row);
}

int run_rule_list(struct request *r, struct store *db)
{
	json_t *list = NULL;
	int rc = store_rule_list(db, &r->scope, &list);
	return rc < 0 ? reply_store_error(r, db, rc, NULL) : reply(r, 200, json_pack("{s:o}", "items", list));
}

int run_rule_get(struct request *r, struct store *db)
{
	json_t *row = NULL;
	int rc = store_rule_get(db, &r->scope, r->ids[0], &row);
	return rc < 0 ? reply_store_error(r, db, rc, "rule") : reply(r, 200, row);
}

int run_rule_delete(struct request *r, struct store *db)
{
	int rc = store_rule_delete(db, &r->scope, r->ids[0]);
	if (rc < 0)
		return reply_store_error(r, db, rc, "rule");
	r->status = 204;
	return GC_OK;
}

/* --- what to answer: GET /api/v1/contacts/{id}/suggestion --- */

#define SUGGEST_TEXT 4000 /* bytes of the customer's words searched in the knowledge */

/* The first inbound message's body of a contact as the API shows it. */
static const char *first_inbound(const json_t *contact)
{
	size_t i;
	const json_t *m;
	json_array_foreach(json_object_get(contact, "messages"), i, m) {
		const char *kind = json_string_value(json_object_get(m, "kind"));
		if (kind && strcmp(kind, "inbound") == 0)
			return json_string_value(json_object_get(m, "body"));
	}
	return NULL;
}

/* The customer's address, read whole: it is matched, never shown. */
static char *customer_address(struct store *db, const struct store_scope *scope, int64_t customer_id)
{
	struct store_scope whole = *scope;
	whole.sees = SENS_CONFIDENTIAL;
	json_t *customer = NULL;
	char *address = NULL;
	if (customer_id && store_customer_get(db, &whole, customer_id, &customer) == GC_OK) {
		const char *email = json_string_value(json_object_get(customer, "email"));
		address = email ? strdup(email) : NULL;
		json_decref(customer);
	}
	return address;
}

/* The best published articles for the customer's words: [{"id","title","score"}]. */
static json_t *knowledge_matches(struct store *db, int64_t tenant_id, enum kb_lang lang, const char *subject,
				 const char *body)
{
	char text[SUGGEST_TEXT + 256];
	snprintf(text, sizeof(text), "%.200s %.*s", subject ? subject : "", SUGGEST_TEXT, body ? body : "");
	size_t len = strlen(text); /* never end in the middle of a character */
	while (len > 0 && ((unsigned char)text[len - 1] & 0xC0) == 0x80)
		len--;
	if (len > 0 && ((unsigned char)text[len - 1] & 0xC0) == 0xC0)
		len--;
	text[len] = '\0';
	struct kbsvc_query q = {.text = text, .lang = lang, .limit = 3};
	json_t *found = NULL, *out = json_array();
	if (kbsvc_search(db, tenant_id, &q, &found) == GC_OK) {
		size_t i;
		json_t *r;
		json_array_foreach(json_object_get(found, "results"), i, r) {
			const char *kind = json_string_value(json_object_get(r, "kind"));
			if (kind && strcmp(kind, "article") == 0)
				json_array_append_new(out, json_pack("{s:O,s:O,s:O}", "id", json_object_get(r, "id"),
								     "title", json_object_get(r, "title"), "score",
								     json_object_get(r, "score")));
		}
	}
	json_decref(found);
	return out;
}

/* An article's first tag: the reason the knowledge suggests for it. */
static json_t *article_reason(struct store *db, int64_t tenant_id, const char *key)
{
	int64_t item;
	int version;
	json_t *content = NULL, *reason = json_null();
	if (store_kb_published(db, tenant_id, key, &item, &version, &content) == GC_OK) {
		json_t *tag = json_array_get(json_object_get(content, "tags"), 0);
		if (json_is_string(tag))
			reason = json_incref(tag);
	}
	json_decref(content);
	return reason;
}

int run_contact_suggestion(struct request *r, struct store *db)
{
	enum kb_lang lang = KB_LANG_FR;
	const char *code = query_get(r, "lang");
	if (code && kb_lang_parse(code, &lang) < 0)
		return reply_error(r, 400, "invalid", "lang", "'lang' must be 'fr' or 'en'");
	json_t *contact = NULL, *rules = NULL;
	int rc = store_contact_get(db, &r->scope, r->ids[0], &contact);
	if (rc < 0)
		return reply_store_error(r, db, rc, "contact");
	if ((rc = store_rule_list(db, &r->scope, &rules)) < 0) {
		json_decref(contact);
		return reply_store_error(r, db, rc, NULL);
	}
	const char *subject = json_string_value(json_object_get(contact, "subject")), *body = first_inbound(contact);
	if (code == NULL) { /* the customer's words tell their language */
		char *words = NULL;
		if (asprintf(&words, "%s\n%s", subject ? subject : "", body ? body : "") >= 0) {
			lang = kb_lang_guess(words, strlen(words), KB_LANG_FR);
			free(words);
		}
	}
	char *from = customer_address(db, &r->scope, json_integer_value(json_object_get(contact, "customer_id")));
	struct rule_subject what = {.from = from, .subject = subject, .body = body};
	int i = rules_match(rules, &what);
	free(from);
	json_t *rule = i >= 0 ? json_array_get(rules, (size_t)i) : NULL;
	json_t *articles = knowledge_matches(db, r->scope.tenant_id, lang, subject, body);
	json_t *out = json_pack("{s:I,s:O,s:o}", "contact_id", (json_int_t)r->ids[0], "current_reason",
				json_object_get(contact, "reason"), "articles", articles);
	const char *article = NULL, *reply_name = NULL;
	if (rule) {
		json_object_set_new(out, "source", json_string("rule"));
		json_object_set_new(out, "rule", json_pack("{s:O,s:O}", "id", json_object_get(rule, "id"), "name",
							    json_object_get(rule, "name")));
		json_object_set(out, "reason", json_object_get(rule, "reason"));
		json_object_set(out, "level", json_object_get(rule, "level"));
		const json_t *canned = json_object_get(rule, "reply");
		article = json_string_value(json_object_get(canned, "article"));
		reply_name = json_string_value(json_object_get(canned, "name"));
		if (article == NULL && json_integer_value(json_object_get(rule, "level")) == 1 &&
		    json_array_size(articles) > 0) /* a first-level rule without its own reply: the knowledge's */
			article = json_string_value(json_object_get(json_array_get(articles, 0), "id"));
	} else if (json_array_size(articles) > 0) {
		article = json_string_value(json_object_get(json_array_get(articles, 0), "id"));
		json_object_set_new(out, "source", json_string("knowledge"));
		json_object_set_new(out, "reason", article_reason(db, r->scope.tenant_id, article));
		json_object_set_new(out, "level", json_integer(1));
	} else {
		json_object_set_new(out, "source", json_null());
		json_object_set_new(out, "reason", json_null());
	}
	json_t *filled = NULL;
	const char *field;
	if (article) {
		json_t *ctx = canned_context(db, &r->scope, r->ids[0]);
		if (canned_reply(db, r->scope.tenant_id, article, reply_name, ctx, r->scope.sees, &filled, &field) < 0)
			filled = NULL; /* an article without replies, or unpublished since: no reply to offer */
		json_decref(ctx);
	}
	json_object_set_new(out, "reply", filled ? filled : json_null());
	json_decref(rules);
	json_decref(contact);
	return reply(r, 200, out);
}
