/* Goodwill gestures' rules (see guichet/gesture.h): the roles' limits, the
 * state a gesture starts in, who may approve or refuse it, amounts. */
#include "guichet/gesture.h"
#include "guichet/error.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *const kinds[] = {"credit", "gift", "waiver"};
static const char *const states[] = {"approved", "pending", "refused"};

void gesture_settings_default(struct gesture_settings *ret)
{
	memset(ret, 0, sizeof(*ret));
	memcpy(ret->currency, "EUR", 4);
	for (int r = 0; r < ROLE_N; r++)
		ret->limits[r] = 0;
	ret->limits[ROLE_AGENT] = 2000;
	ret->limits[ROLE_OUTSOURCED_AGENT] = 1000;
	ret->limits[ROLE_EXPERT] = 5000;
	ret->limits[ROLE_SUPERVISOR] = 20000;
	ret->limits[ROLE_TENANT_ADMIN] = GESTURE_NO_LIMIT;
}

static bool currency_ok(const char *c)
{
	return c && strlen(c) == 3 && isupper((unsigned char)c[0]) && isupper((unsigned char)c[1]) &&
	       isupper((unsigned char)c[2]);
}

int gesture_settings_decode(const json_t *json, struct gesture_settings *ret, char *ret_field, size_t field_len,
			    char *msg, size_t msg_len)
{
	const char *key;
	json_t *v;
	gesture_settings_default(ret);
	if (!json_is_object(json)) {
		snprintf(ret_field, field_len, "%s", "");
		snprintf(msg, msg_len, "the settings are an object: {\"currency\": \"EUR\", \"limits\": {ROLE: CENTS}}");
		return GC_EINVAL;
	}
	json_object_foreach((json_t *)json, key, v) {
		if (strcmp(key, "currency") == 0) {
			if (!currency_ok(json_string_value(v))) {
				snprintf(ret_field, field_len, "currency");
				snprintf(msg, msg_len, "the currency is an ISO 4217 code: three capitals (EUR, USD...)");
				return GC_EINVAL;
			}
			memcpy(ret->currency, json_string_value(v), 4);
		} else if (strcmp(key, "limits") == 0 && json_is_object(v)) {
			const char *role_key;
			json_t *limit;
			json_object_foreach(v, role_key, limit) {
				enum role role;
				snprintf(ret_field, field_len, "limits.%s", role_key);
				if (role_parse(role_key, &role) < 0) {
					snprintf(msg, msg_len, "no role '%s'", role_key);
					return GC_EINVAL;
				}
				if (json_is_null(limit)) {
					ret->limits[role] = GESTURE_NO_LIMIT;
				} else if (json_is_integer(limit) && json_integer_value(limit) >= 0 &&
					   json_integer_value(limit) <= GESTURE_MAX_AMOUNT) {
					ret->limits[role] = json_integer_value(limit);
				} else {
					snprintf(msg, msg_len, "a limit is null (none) or an amount in minor units from 0 to %lld",
						 GESTURE_MAX_AMOUNT);
					return GC_EINVAL;
				}
			}
		} else {
			snprintf(ret_field, field_len, "%s", key);
			if (strcmp(key, "limits") == 0)
				snprintf(msg, msg_len, "limits is an object {ROLE: CENTS or null}");
			else
				snprintf(msg, msg_len, "unknown field '%s'", key);
			return GC_EINVAL;
		}
	}
	return GC_OK;
}

json_t *gesture_settings_json(const struct gesture_settings *s)
{
	json_t *limits = json_object();
	for (int r = 0; r < ROLE_N; r++)
		json_object_set_new(limits, role_name((enum role)r),
				    s->limits[r] == GESTURE_NO_LIMIT ? json_null() : json_integer(s->limits[r]));
	return json_pack("{s:s,s:o}", "currency", s->currency, "limits", limits);
}

static int parse_name(const char *text, const char *const *names, size_t n)
{
	for (size_t i = 0; text && i < n; i++)
		if (strcmp(text, names[i]) == 0)
			return (int)i;
	return GC_EINVAL;
}

const char *gesture_kind_name(enum gesture_kind kind)
{
	return kinds[kind];
}

int gesture_kind_parse(const char *text, enum gesture_kind *ret)
{
	int i = parse_name(text, kinds, 3);
	if (i < 0)
		return i;
	*ret = (enum gesture_kind)i;
	return GC_OK;
}

const char *gesture_state_name(enum gesture_state state)
{
	return states[state];
}

int gesture_state_parse(const char *text, enum gesture_state *ret)
{
	int i = parse_name(text, states, 3);
	if (i < 0)
		return i;
	*ret = (enum gesture_state)i;
	return GC_OK;
}

bool gesture_within_limit(const struct gesture_settings *s, enum role role, int64_t amount)
{
	return role >= 0 && role < ROLE_N && (s->limits[role] == GESTURE_NO_LIMIT || amount <= s->limits[role]);
}

enum gesture_state gesture_initial_state(const struct gesture_settings *s, enum role role, int64_t amount)
{
	return gesture_within_limit(s, role, amount) ? GESTURE_APPROVED : GESTURE_PENDING;
}

int gesture_may_decide(const struct gesture_settings *s, enum role approver_role, int64_t approver_user,
		       int64_t author_user, int64_t amount, bool approve, char *msg, size_t msg_len)
{
	if (approver_user != 0 && approver_user == author_user) {
		snprintf(msg, msg_len, "a gesture is decided by someone other than the person who recorded it");
		return GC_EFORBIDDEN;
	}
	if (approve && !gesture_within_limit(s, approver_role, amount)) {
		snprintf(msg, msg_len, "this gesture is above your role's limit: someone with a higher limit approves it");
		return GC_EFORBIDDEN;
	}
	return GC_OK;
}

int gesture_amount_parse(const char *text, int64_t *ret)
{
	int64_t units = 0, cents = 0;
	const char *p = text;
	if (p == NULL || !isdigit((unsigned char)*p))
		return GC_EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		units = units * 10 + (*p - '0');
		if (units > GESTURE_MAX_AMOUNT / 100)
			return GC_EINVAL;
	}
	if (*p == '.') {
		p++;
		int digits = 0;
		for (; isdigit((unsigned char)*p) && digits < 2; p++, digits++)
			cents = cents * 10 + (*p - '0');
		if (digits == 0)
			return GC_EINVAL;
		if (digits == 1)
			cents *= 10;
	}
	if (*p != '\0' || units * 100 + cents > GESTURE_MAX_AMOUNT)
		return GC_EINVAL;
	*ret = units * 100 + cents;
	return GC_OK;
}
