/* The generic JSON provider's events and signature (generic.h). */
#include "channel/messaging/generic.h"
#include "guichet/error.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int generic_signature(const char *secret, const char *timestamp, const char *body, size_t len,
		      char ret[GENERIC_SIGNATURE_LEN])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	memcpy(ret, "sha256=", 7);
	sodium_bin2hex(ret + 7, GENERIC_SIGNATURE_LEN - 7, mac, sizeof(mac));
	return GC_OK;
}

bool generic_signature_ok(const char *secret, const char *timestamp, const char *signature, const char *body,
			  size_t len, int64_t now_ms)
{
	if (timestamp == NULL || signature == NULL || strlen(signature) != GENERIC_SIGNATURE_LEN - 1)
		return false;
	char *end = NULL;
	long long at = strtoll(timestamp, &end, 10);
	if (end == timestamp || *end != '\0' || at <= 0 || at > INT64_MAX / 1000)
		return false;
	int64_t skew = now_ms / 1000 - (int64_t)at;
	if (skew > GENERIC_MAX_SKEW_S || skew < -GENERIC_MAX_SKEW_S)
		return false;
	char want[GENERIC_SIGNATURE_LEN];
	generic_signature(secret, timestamp, body, len, want);
	return sodium_memcmp(want, signature, GENERIC_SIGNATURE_LEN - 1) == 0;
}

void generic_event_clear(struct generic_event *e)
{
	if (e) {
		json_decref(e->root);
		*e = (struct generic_event){0};
	}
}

/* root's string member name, or NULL; false when present but not a string of 1 to max bytes. */
static bool string_member(json_t *root, const char *name, size_t max, const char **ret)
{
	json_t *v = json_object_get(root, name);
	*ret = json_string_value(v);
	return v == NULL || json_is_null(v) || (*ret && **ret && strlen(*ret) <= max);
}

int generic_event_parse(const char *body, size_t len, struct generic_event *ret, const char **field)
{
	struct generic_event e = {.root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL)};
	*field = NULL;
	if (!json_is_object(e.root)) {
		generic_event_clear(&e);
		return GC_EINVAL;
	}
	const char *type = NULL;
	static const char *const names[] = {"id", "from", "to", "text", "name", "status"};
	const char **slots[] = {&e.id, &e.from, &e.to, &e.text, &e.name, &e.status};
	bool ok = string_member(e.root, "type", 32, &type) || (*field = "type", false);
	for (size_t i = 0; ok && i < 6; i++)
		if (!string_member(e.root, names[i], i == 3 ? GENERIC_MAX_TEXT : 256, slots[i]))
			ok = (*field = names[i], false);
	e.receipt = type && strcmp(type, "receipt") == 0;
	if (ok && type && !e.receipt && strcmp(type, "message") != 0)
		ok = (*field = "type", false);
	if (ok && e.id == NULL)
		ok = (*field = "id", false);
	if (ok && e.receipt && (e.status == NULL || (strcmp(e.status, "sent") && strcmp(e.status, "delivered") &&
						    strcmp(e.status, "undelivered") && strcmp(e.status, "failed"))))
		ok = (*field = "status", false);
	if (ok && !e.receipt && e.from == NULL)
		ok = (*field = "from", false);
	if (ok && !e.receipt && e.text == NULL)
		ok = (*field = "text", false);
	if (!ok) {
		generic_event_clear(&e);
		return GC_EINVAL;
	}
	*ret = e;
	return GC_OK;
}
