/* Twilio's webhook form and signature (twilio.h). */
#include "channel/messaging/twilio.h"
#include "guichet/error.h"

#include <curl/curl.h>
#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void msg_form_clear(struct msg_form *f)
{
	for (size_t i = 0; f && i < f->n_params; i++) {
		free(f->params[i].name);
		free(f->params[i].value);
	}
	if (f) {
		free(f->params);
		*f = (struct msg_form){0};
	}
}

/* One part of the form, decoded into *ret (malloc'd): GC_EINVAL when it decodes to a NUL. */
static int unescape(CURL *curl, const char *text, size_t len, char **ret)
{
	char *plus = malloc(len + 1);
	if (plus == NULL)
		return GC_ENOMEM;
	for (size_t i = 0; i < len; i++)
		plus[i] = text[i] == '+' ? ' ' : text[i];
	plus[len] = '\0'; /* a length of 0 tells libcurl to measure the string */
	int out_len = 0;
	char *decoded = curl_easy_unescape(curl, plus, (int)len, &out_len);
	free(plus);
	if (decoded == NULL)
		return GC_ENOMEM;
	if (memchr(decoded, '\0', (size_t)out_len)) {
		curl_free(decoded);
		return GC_EINVAL;
	}
	*ret = strdup(decoded);
	curl_free(decoded);
	return *ret ? GC_OK : GC_ENOMEM;
}

static int add_part(CURL *curl, const char *part, size_t len, struct msg_form *f)
{
	const char *eq = memchr(part, '=', len);
	size_t name_len = eq ? (size_t)(eq - part) : len;
	if (name_len == 0)
		return GC_EINVAL;
	if (f->n_params == MSG_FORM_MAX_PARAMS)
		return GC_ETOOBIG;
	struct msg_param p = {0};
	int rc = unescape(curl, part, name_len, &p.name);
	if (rc == GC_OK)
		rc = eq ? unescape(curl, eq + 1, len - name_len - 1, &p.value) : ((p.value = strdup("")) ? GC_OK : GC_ENOMEM);
	if (rc < 0) {
		free(p.name);
		free(p.value);
		return rc;
	}
	f->params[f->n_params++] = p;
	return GC_OK;
}

int msg_form_parse(const char *body, size_t len, struct msg_form *ret)
{
	struct msg_form f = {.params = calloc(MSG_FORM_MAX_PARAMS, sizeof(struct msg_param))};
	CURL *curl = curl_easy_init();
	int rc = f.params && curl ? GC_OK : GC_ENOMEM;
	for (size_t at = 0; rc == GC_OK && at < len;) {
		const char *amp = memchr(body + at, '&', len - at);
		size_t part = amp ? (size_t)(amp - (body + at)) : len - at;
		if (part > 0)
			rc = add_part(curl, body + at, part, &f);
		at += part + 1;
	}
	if (curl)
		curl_easy_cleanup(curl);
	if (rc < 0) {
		msg_form_clear(&f);
		return rc;
	}
	*ret = f;
	return GC_OK;
}

const char *msg_form_get(const struct msg_form *f, const char *name)
{
	for (size_t i = 0; i < f->n_params; i++)
		if (strcmp(f->params[i].name, name) == 0)
			return f->params[i].value;
	return NULL;
}

static int by_name_then_value(const void *a, const void *b)
{
	const struct msg_param *x = *(const struct msg_param *const *)a, *y = *(const struct msg_param *const *)b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

int twilio_signature(const char *auth_token, const char *url, const struct msg_form *form,
		     char ret[TWILIO_SIGNATURE_LEN])
{
	size_t len = strlen(url);
	for (size_t i = 0; i < form->n_params; i++)
		len += strlen(form->params[i].name) + strlen(form->params[i].value);
	const struct msg_param **sorted = calloc(form->n_params + 1, sizeof(*sorted));
	char *text = malloc(len + 1);
	if (sorted == NULL || text == NULL) {
		free(sorted);
		free(text);
		return GC_ENOMEM;
	}
	for (size_t i = 0; i < form->n_params; i++)
		sorted[i] = &form->params[i];
	qsort(sorted, form->n_params, sizeof(*sorted), by_name_then_value);
	size_t at = 0, n;
	memcpy(text, url, n = strlen(url));
	at += n;
	for (size_t i = 0; i < form->n_params; i++) {
		memcpy(text + at, sorted[i]->name, n = strlen(sorted[i]->name));
		at += n;
		memcpy(text + at, sorted[i]->value, n = strlen(sorted[i]->value));
		at += n;
	}
	unsigned char digest[20];
	int rc = gnutls_hmac_fast(GNUTLS_MAC_SHA1, auth_token, strlen(auth_token), text, at, digest);
	free(sorted);
	free(text);
	if (rc < 0)
		return GC_EINVAL;
	sodium_bin2base64(ret, TWILIO_SIGNATURE_LEN, digest, sizeof(digest), sodium_base64_VARIANT_ORIGINAL);
	return GC_OK;
}

bool twilio_signature_ok(const char *auth_token, const char *url, const struct msg_form *form, const char *header)
{
	char want[TWILIO_SIGNATURE_LEN];
	if (header == NULL || strlen(header) != TWILIO_SIGNATURE_LEN - 1 ||
	    twilio_signature(auth_token, url, form, want) < 0)
		return false;
	return sodium_memcmp(want, header, TWILIO_SIGNATURE_LEN - 1) == 0;
}
