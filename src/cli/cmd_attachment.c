/* guichet attachment get ID -o FILE: an email's attachment downloaded
 * through the HTTP API into FILE. The bytes go to disk as they come, into a
 * temporary file beside FILE that is renamed over it only when the whole
 * answer arrived: an error or a cut connection leaves FILE as it was. */
#include "cli/cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ERROR_ANSWER (64u * 1024)

struct download {
	CURL *curl;
	int fd;                 /* the temporary file */
	char error[MAX_ERROR_ANSWER + 1]; /* the answer when it is not a 200 */
	size_t error_len;
	bool write_failed;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct download *d = arg;
	size_t len = size * n;
	long status = 0;
	curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		size_t room = MAX_ERROR_ANSWER - d->error_len, k = len < room ? len : room;
		memcpy(d->error + d->error_len, ptr, k);
		d->error_len += k;
		d->error[d->error_len] = '\0';
		return len;
	}
	for (size_t done = 0; done < len;) {
		ssize_t w = write(d->fd, ptr + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			d->write_failed = true;
			return 0; /* the transfer stops */
		}
		done += (size_t)w;
	}
	return len;
}

/* GETs path into the temporary file tmp; the HTTP status (0: not reached). */
static long fetch(const struct cli *cli, const char *path, struct download *d)
{
	char url[4096];
	snprintf(url, sizeof(url), "%s%s", cli->server, path);
	struct curl_slist *headers = client_headers(cli);
	curl_easy_setopt(d->curl, CURLOPT_URL, url);
	curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, d);
	curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(d->curl);
	long status = 0;
	if (rc == CURLE_OK)
		curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
	else if (!d->write_failed)
		fprintf(stderr, "guichet: cannot reach %s: %s\n", cli->server, curl_easy_strerror(rc));
	curl_slist_free_all(headers);
	return status;
}

/* The output file: "-o FILE" or "--output FILE". */
static const char *output_path(const struct args *a)
{
	for (size_t i = 0; i + 1 < a->n_pos; i++)
		if (strcmp(a->pos[i], "-o") == 0)
			return a->pos[i + 1];
	return args_get(a, "output");
}

int cli_download(const struct cli *cli, const char *path, const char *out, const char *what)
{
	char tmp[4096], dir[4096];
	snprintf(dir, sizeof(dir), "%s", out);
	snprintf(tmp, sizeof(tmp), "%s/.guichet-download-XXXXXX", dirname(dir));
	struct download *d = calloc(1, sizeof(*d));
	if (d == NULL || (d->curl = curl_easy_init()) == NULL) {
		free(d);
		return 1;
	}
	if ((d->fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, "guichet %s: cannot write beside %s: %s\n", what, out, strerror(errno));
		curl_easy_cleanup(d->curl);
		free(d);
		return 1;
	}
	long status = fetch(cli, path, d);
	int rc = 0;
	if (close(d->fd) < 0 || d->write_failed) {
		fprintf(stderr, "guichet %s: cannot write %s\n", what, out);
		rc = 1;
	} else if (status == 200) {
		if (rename(tmp, out) < 0) {
			fprintf(stderr, "guichet %s: cannot write %s: %s\n", what, out, strerror(errno));
			rc = 1;
		}
	} else {
		json_t *answer = d->error_len ? json_loadb(d->error, d->error_len, 0, NULL) : NULL;
		rc = status ? output_answer(cli, (int)status, answer) : 1;
		json_decref(answer);
		rc = rc ? rc : 1;
	}
	if (rc != 0 || status != 200)
		unlink(tmp);
	curl_easy_cleanup(d->curl);
	free(d);
	return rc;
}

const char *cli_output_path(const struct args *a)
{
	return output_path(a);
}

static int get(const struct cli *cli, const struct args *a)
{
	const char *id = need_id(a, 2, "attachment get"), *out = output_path(a);
	if (id == NULL)
		return 2;
	if (out == NULL || *out == '\0') {
		fprintf(stderr, "guichet attachment get: -o FILE is required\n");
		return 2;
	}
	char path[128];
	snprintf(path, sizeof(path), "/api/v1/attachments/%s", id);
	return cli_download(cli, path, out, "attachment get");
}

int cmd_attachment(const struct cli *cli, const struct args *a)
{
	if (a->n_pos > 1 && strcmp(a->pos[1], "get") == 0)
		return get(cli, a);
	fprintf(stderr, "guichet attachment: expected 'get ID -o FILE'\n");
	return 2;
}
