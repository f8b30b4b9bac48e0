/* sse-ref PORT: the chat benchmark's reference, a minimal Server-Sent
 * Events fan-out on libevent's evhttp, one thread.
 *
 * GET /s/N opens stream N (a chunked text/event-stream reply that stays
 * open); POST /m/N with a body writes "event: message\ndata: BODY\n\n" to
 * stream N and answers 204. Nothing is stored, checked or authenticated: it
 * is the floor a chat service's delivery can be compared with, measured by
 * the same client (bench-chat.c) in the same run. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STREAMS 65536

static struct evhttp_request *streams[MAX_STREAMS];

static void stream_closed(struct evhttp_connection *conn, void *arg)
{
	long n = (long)arg;
	(void)conn;
	streams[n] = NULL;
}

static long stream_number(const char *uri, const char *prefix)
{
	size_t len = strlen(prefix);
	if (strncmp(uri, prefix, len) != 0)
		return -1;
	char *end;
	long n = strtol(uri + len, &end, 10);
	return (*end == '\0' || *end == '?') && n >= 0 && n < MAX_STREAMS ? n : -1;
}

static void handle(struct evhttp_request *req, void *arg)
{
	(void)arg;
	const char *uri = evhttp_request_get_uri(req);
	long n;
	if (evhttp_request_get_command(req) == EVHTTP_REQ_GET && (n = stream_number(uri, "/s/")) >= 0) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/event-stream");
		evhttp_send_reply_start(req, 200, "OK");
		streams[n] = req;
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), stream_closed, (void *)n);
		return;
	}
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST && (n = stream_number(uri, "/m/")) >= 0) {
		if (streams[n]) {
			struct evbuffer *frame = evbuffer_new();
			evbuffer_add_printf(frame, "event: message\ndata: ");
			evbuffer_add_buffer(frame, evhttp_request_get_input_buffer(req));
			evbuffer_add(frame, "\n\n", 2);
			evhttp_send_reply_chunk(streams[n], frame);
			evbuffer_free(frame);
		}
		evhttp_send_reply(req, streams[n] ? 204 : 404, streams[n] ? "No Content" : "Not Found", NULL);
		return;
	}
	evhttp_send_reply(req, 404, "Not Found", NULL);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sse-ref PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	evhttp_set_gencb(http, handle, NULL);
	evhttp_set_timeout(http, 3600); /* streams stay open for the whole run */
	if (evhttp_bind_socket(http, "127.0.0.1", (unsigned short)atoi(argv[1])) != 0) {
		fprintf(stderr, "sse-ref: cannot listen on 127.0.0.1:%s\n", argv[1]);
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	event_base_dispatch(base);
	return 0;
}
