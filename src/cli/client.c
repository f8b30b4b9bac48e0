/* The CLI's HTTP client (libcurl), its token file, and argument parsing. */
#include "cli/cli.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_ANSWER (256u * 1024 * 1024)

static char parsed_command[96] = "";

void args_command(const char *group, const char *sub)
{
	snprintf(parsed_command, sizeof(parsed_command), " %s%s%s", group ? group : "", sub ? " " : "", sub ? sub : "");
}

int args_parse(int argc, char **argv, const char *spec, struct args *ret)
{
	*ret = (struct args){0};
	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) != 0 || argv[i][2] == '\0') {
			if (ret->n_pos == ARGS_MAX)
				return -1;
			ret->pos[ret->n_pos++] = argv[i];
			continue;
		}
		const char *name = argv[i] + 2;
		size_t len = strlen(name);
		const char *hit = spec;
		bool takes_value = false, known = false;
		while ((hit = strstr(hit, name)) != NULL) {
			bool starts = hit == spec || hit[-1] == ' ';
			char after = hit[len];
			if (starts && (after == '\0' || after == ' ' || after == '=')) {
				known = true;
				takes_value = after == '=';
				break;
			}
			hit += len;
		}
		if (!known) {
			fprintf(stderr, "guichet%s: unknown option '%s' (see guichet%s --help)\n", parsed_command, argv[i],
				parsed_command);
			return -1;
		}
		if (takes_value && i + 1 >= argc) {
			fprintf(stderr, "guichet%s: option '%s' needs a value (see guichet%s --help)\n", parsed_command, argv[i],
				parsed_command);
			return -1;
		}
		if (ret->n_opts == ARGS_MAX)
			return -1;
		ret->names[ret->n_opts] = name;
		ret->values[ret->n_opts++] = takes_value ? argv[++i] : "";
	}
	return 0;
}

const char *args_nth(const struct args *a, const char *name, size_t n)
{
	for (size_t i = 0; i < a->n_opts; i++)
		if (strcmp(a->names[i], name) == 0 && n-- == 0)
			return a->values[i];
	return NULL;
}

const char *args_get(const struct args *a, const char *name)
{
	const char *last = NULL;
	for (size_t i = 0; i < a->n_opts; i++)
		if (strcmp(a->names[i], name) == 0)
			last = a->values[i];
	return last;
}

const char *args_need(const struct args *a, const char *name, const char *command)
{
	const char *v = args_get(a, name);
	if (v == NULL || *v == '\0')
		fprintf(stderr, "guichet %s: --%s is required\n", command, name);
	return v && *v ? v : NULL;
}

const char *args_db(const struct args *a, const char *command)
{
	const char *v = args_get(a, "db");
	if (v == NULL || *v == '\0')
		v = getenv("GUICHET_DB");
	if (v == NULL || *v == '\0')
		fprintf(stderr, "guichet %s: --db is required (a file, or a postgresql:// URL; or set GUICHET_DB)\n",
			command);
	return v && *v ? v : NULL;
}

char *client_token(const struct cli *cli)
{
	FILE *f = fopen(cli->token_file, "r");
	if (f == NULL)
		return NULL;
	char buf[256];
	char *token = NULL;
	if (fgets(buf, sizeof(buf), f)) {
		buf[strcspn(buf, "\r\n")] = '\0';
		token = strdup(buf);
	}
	fclose(f);
	return token;
}

static int make_parent(const char *path)
{
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

int client_save_token(const struct cli *cli, const char *token)
{
	if (make_parent(cli->token_file) < 0)
		return -1;
	int fd = open(cli->token_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	fchmod(fd, 0600);
	size_t len = strlen(token);
	bool ok = write(fd, token, len) == (ssize_t)len && write(fd, "\n", 1) == 1;
	return close(fd) == 0 && ok ? 0 : -1;
}

struct buffer {
	char *data;
	size_t len;
};

static size_t collect(char *ptr, size_t size, size_t n, void *arg)
{
	struct buffer *b = arg;
	size_t add = size * n;
	if (b->len + add > MAX_ANSWER)
		return 0;
	char *grown = realloc(b->data, b->len + add + 1);
	if (grown == NULL)
		return 0;
	memcpy(grown + b->len, ptr, add);
	b->data = grown;
	b->len += add;
	b->data[b->len] = '\0';
	return add;
}

struct curl_slist *client_headers(const struct cli *cli)
{
	char header[512];
	struct curl_slist *headers = NULL;
	char *token = client_token(cli);
	if (token) {
		snprintf(header, sizeof(header), "Authorization: Bearer %s", token);
		headers = curl_slist_append(headers, header);
		free(token);
	}
	if (cli->tenant) {
		snprintf(header, sizeof(header), "X-Guichet-Tenant: %s", cli->tenant);
		headers = curl_slist_append(headers, header);
	}
	return headers;
}

static int request(const struct cli *cli, const char *method, const char *path, const char *body,
		   size_t body_len, const char *content_type, char **ret_text, json_t **ret_json);

int client_call(const struct cli *cli, const char *method, const char *path, const char *body,
		size_t body_len, const char *content_type, json_t **ret_json)
{
	return request(cli, method, path, body, body_len, content_type, NULL, ret_json);
}

int client_call_text(const struct cli *cli, const char *method, const char *path, char **ret_text,
		     json_t **ret_json)
{
	return request(cli, method, path, NULL, 0, NULL, ret_text, ret_json);
}

static int request(const struct cli *cli, const char *method, const char *path, const char *body,
		   size_t body_len, const char *content_type, char **ret_text, json_t **ret_json)
{
	CURL *curl = curl_easy_init();
	if (curl == NULL)
		return 0;
	char url[4096], header[512];
	snprintf(url, sizeof(url), "%s%s", cli->server, path);
	struct curl_slist *headers = client_headers(cli);
	if (content_type) {
		snprintf(header, sizeof(header), "Content-Type: %s", content_type);
		headers = curl_slist_append(headers, header);
	}
	struct buffer answer = {0};
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	if (body) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	CURLcode rc = curl_easy_perform(curl);
	long status = 0;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		*ret_json = answer.len ? json_loadb(answer.data, answer.len, 0, NULL) : NULL;
		if (ret_text) {
			*ret_text = answer.data;
			answer.data = NULL;
		}
	} else {
		fprintf(stderr, "guichet: cannot reach %s: %s\n", cli->server, curl_easy_strerror(rc));
	}
	free(answer.data);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return (int)status;
}

char *cli_read_secret(const char *path, const char *command, const char *option)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "%s: %s %s: cannot read it\n", command, option, path);
		return NULL;
	}
	char line[1100];
	char *got = fgets(line, sizeof(line), f);
	if (f != stdin)
		fclose(f);
	line[got ? strcspn(line, "\r\n") : 0] = '\0';
	if (line[0] == '\0') {
		fprintf(stderr, "%s: %s %s: empty\n", command, option, path);
		return NULL;
	}
	return strdup(line);
}

int cli_read_file(const char *path, const char *command, char **ret_data, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: cannot read %s\n", command, path);
		return -1;
	}
	char *data = NULL;
	size_t len = 0, cap = 0, n;
	char chunk[65536];
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *grown = realloc(data, cap);
			if (grown == NULL) {
				free(data);
				fclose(f);
				fprintf(stderr, "%s: %s is too large to read\n", command, path);
				return -1;
			}
			data = grown;
		}
		memcpy(data + len, chunk, n);
		len += n;
	}
	fclose(f);
	if (data == NULL && (data = malloc(1)) == NULL)
		return -1;
	data[len] = '\0';
	*ret_data = data;
	*ret_len = len;
	return 0;
}

json_t *cli_load_json(const char *what, const char *path, const char *kind)
{
	json_error_t err;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "%s: %s: %s\n", what, path, strerror(errno));
		return NULL;
	}
	json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &err);
	if (f != stdin)
		fclose(f);
	if (doc == NULL) {
		fprintf(stderr, "%s: %s: line %d, column %d: %s\n", what, path, err.line, err.column, err.text);
		return NULL;
	}
	if ((kind && strcmp(kind, "object") == 0 && !json_is_object(doc)) ||
	    (kind && strcmp(kind, "array") == 0 && !json_is_array(doc))) {
		fprintf(stderr, "%s: %s: the file must hold one JSON %s\n", what, path, kind);
		json_decref(doc);
		return NULL;
	}
	return doc;
}
