/* Browser sessions: the session token in an HttpOnly cookie, and the
 * protection against cross-site request forgery that comes with it.
 *
 * A browser cannot keep a token away from scripts unless the server puts it
 * in an HttpOnly cookie; the browser then sends it with every request, so a
 * state-changing request must prove it came from our own page. The proof is
 * a signed double submit: the CSRF token is a keyed hash of the session
 * token (BLAKE2b keyed by the token), given to the page in a second cookie
 * that scripts may read and in the login's answer; the page sends it back in
 * X-CSRF-Token. Another site can neither read that cookie nor compute the
 * hash, and a cookie planted by a sibling domain fails because the server
 * checks the header against the session, not against the cookie. Both
 * cookies are SameSite=Strict and Path=/.
 *
 * Pure: no I/O, no globals; the daemon (http.c, handlers_session.c) calls it. */
#ifndef GUICHET_DAEMON_SESSION_H
#define GUICHET_DAEMON_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_COOKIE "guichet_session"
#define SESSION_CSRF_COOKIE "guichet_csrf"
#define SESSION_CSRF_HEADER "X-CSRF-Token"
#define SESSION_TOKEN_MAX 128       /* bytes of a session token's text, with its NUL */
#define SESSION_CSRF_LEN 44         /* base64url of 32 bytes, with its NUL */
#define SESSION_SET_COOKIE_MAX 256  /* one Set-Cookie value, with its NUL */

/* The value of the cookie name in a Cookie header (NULL: none) into
 * ret_value: GC_OK, GC_ENOTFOUND when absent, GC_EINVAL when it is empty,
 * too long for len or holds a byte a token never has. The first of
 * several cookies with the name wins. */
int session_cookie_get(const char *cookie_header, const char *name, char *ret_value, size_t len);
/* The CSRF token that goes with a session token. */
void session_csrf_token(const char *session_token, char ret_csrf[SESSION_CSRF_LEN]);
/* Whether header (may be NULL) is the CSRF token of session_token, compared
 * in constant time. */
bool session_csrf_ok(const char *session_token, const char *header);
/* The Set-Cookie values: the session (HttpOnly) and its CSRF token
 * (readable by scripts), living max_age_s seconds; Secure when secure. */
int session_set_cookie(const char *token, int64_t max_age_s, bool secure, char ret[SESSION_SET_COOKIE_MAX]);
int session_set_csrf_cookie(const char *csrf, int64_t max_age_s, bool secure, char ret[SESSION_SET_COOKIE_MAX]);
/* The Set-Cookie value that removes cookie name (logout). */
void session_clear_cookie(const char *name, bool http_only, bool secure, char ret[SESSION_SET_COOKIE_MAX]);
/* Whether a request is known to have come over TLS: a trusted proxy said
 * X-Forwarded-Proto https (proto may be NULL). guichetd itself speaks plain
 * HTTP, so without a proxy saying so the cookies are not Secure. */
bool session_secure(bool from_trusted_proxy, const char *forwarded_proto);

#endif
