/* Browser session cookies and their CSRF token (session.h). */
#include "daemon/session.h"
#include "guichet/error.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* A token is base64url with an ASCII prefix: letters, digits, '-', '_', '.'. */
static bool token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '.';
}

int session_cookie_get(const char *cookie_header, const char *name, char *ret_value, size_t len)
{
	size_t name_len = strlen(name);
	const char *p = cookie_header;
	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		const char *end = strchr(p, ';');
		size_t pair_len = end ? (size_t)(end - p) : strlen(p);
		if (pair_len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
			const char *v = p + name_len + 1;
			size_t v_len = pair_len - name_len - 1;
			while (v_len > 0 && (v[v_len - 1] == ' ' || v[v_len - 1] == '\t'))
				v_len--;
			if (v_len == 0 || v_len >= len)
				return GC_EINVAL;
			for (size_t i = 0; i < v_len; i++)
				if (!token_char(v[i]))
					return GC_EINVAL;
			memcpy(ret_value, v, v_len);
			ret_value[v_len] = '\0';
			return GC_OK;
		}
		p = end;
	}
	return GC_ENOTFOUND;
}

void session_csrf_token(const char *session_token, char ret_csrf[SESSION_CSRF_LEN])
{
	static const char purpose[] = "guichet csrf v1";
	unsigned char key[crypto_generichash_KEYBYTES_MAX];
	unsigned char mac[32];
	/* the token as the key: hashed first, since a key has a bounded size */
	crypto_generichash(key, sizeof(key), (const unsigned char *)session_token, strlen(session_token), NULL, 0);
	crypto_generichash(mac, sizeof(mac), (const unsigned char *)purpose, sizeof(purpose) - 1, key, sizeof(key));
	sodium_bin2base64(ret_csrf, SESSION_CSRF_LEN, mac, sizeof(mac), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(key, sizeof(key));
}

bool session_csrf_ok(const char *session_token, const char *header)
{
	char want[SESSION_CSRF_LEN];
	if (header == NULL)
		return false;
	session_csrf_token(session_token, want);
	size_t len = strlen(want);
	if (strlen(header) != len) /* the length is no secret: every CSRF token has it */
		return false;
	return sodium_memcmp(want, header, len) == 0;
}

static int set_cookie(const char *name, const char *value, int64_t max_age_s, bool http_only, bool secure,
		      char ret[SESSION_SET_COOKIE_MAX])
{
	int n = snprintf(ret, SESSION_SET_COOKIE_MAX, "%s=%s; Path=/; Max-Age=%lld; SameSite=Strict%s%s", name, value,
			 (long long)max_age_s, http_only ? "; HttpOnly" : "", secure ? "; Secure" : "");
	return n < 0 || n >= SESSION_SET_COOKIE_MAX ? GC_ETOOBIG : GC_OK;
}

int session_set_cookie(const char *token, int64_t max_age_s, bool secure, char ret[SESSION_SET_COOKIE_MAX])
{
	return set_cookie(SESSION_COOKIE, token, max_age_s, true, secure, ret);
}

int session_set_csrf_cookie(const char *csrf, int64_t max_age_s, bool secure, char ret[SESSION_SET_COOKIE_MAX])
{
	return set_cookie(SESSION_CSRF_COOKIE, csrf, max_age_s, false, secure, ret);
}

void session_clear_cookie(const char *name, bool http_only, bool secure, char ret[SESSION_SET_COOKIE_MAX])
{
	set_cookie(name, "", 0, http_only, secure, ret);
}

bool session_secure(bool from_trusted_proxy, const char *forwarded_proto)
{
	return from_trusted_proxy && forwarded_proto && strcasecmp(forwarded_proto, "https") == 0;
}
