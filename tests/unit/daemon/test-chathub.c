/* The chat fan-out (src/daemon/chathub.c): a note reaches the boxes that
 * watch its contact, once per box, and no other; what the writer staged
 * goes out only when its job was kept and its batch committed; a stream
 * that stops watching hears nothing more; routing events of watched
 * contacts come out as CHAT_ROUTING notes with their type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <stdio.h>
#include <string.h>

#include "daemon/chathub.h"
#include "daemon/hub.h"
#include "guichet/error.h"

struct seen {
	int n;
	int64_t contact, id;
	enum chat_to to;
	char frame[128];
};

static void record(void *arg, const struct chat_note *n)
{
	struct seen *s = arg;
	s->n++;
	s->contact = n->contact_id;
	s->id = n->id;
	s->to = n->to;
	snprintf(s->frame, sizeof(s->frame), "%.*s", (int)n->len, n->frame);
}

static void note(struct chat_note *n, int64_t contact, const char *frame)
{
	*n = (struct chat_note){.contact_id = contact, .id = 0, .to = CHAT_TO_BOTH, .frame = frame, .len = strlen(frame)};
}

static void a_note_reaches_its_watchers_only(void **state)
{
	struct event_base *base = event_base_new();
	struct chathub *h = chathub_new();
	struct seen a = {0}, b = {0};
	struct chatbox *ba = chatbox_new(h, base, record, &a), *bb = chatbox_new(h, base, record, &b);
	assert_int_equal(chathub_watch(ba, 7), GC_OK);
	assert_int_equal(chathub_watch(ba, 7), GC_OK); /* two streams of the same chat on one worker: one copy */
	assert_int_equal(chathub_watch(bb, 8), GC_OK);
	struct chat_note n;
	note(&n, 7, "event: typing\ndata: {}\n\n");
	chathub_publish(h, &n);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.contact, 7);
	assert_string_equal(a.frame, "event: typing\ndata: {}\n\n");
	assert_int_equal(b.n, 0);
	chathub_unwatch(ba, 7);
	chathub_publish(h, &n);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 2); /* one stream still watches */
	chathub_unwatch(ba, 7);
	chathub_publish(h, &n);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 2);
	chatbox_free(ba);
	chatbox_free(bb);
	chathub_free(h);
	event_base_free(base);
}

static void staged_notes_wait_for_the_commit(void **state)
{
	struct event_base *base = event_base_new();
	struct chathub *h = chathub_new();
	struct seen a = {0};
	struct chatbox *ba = chatbox_new(h, base, record, &a);
	assert_int_equal(chathub_watch(ba, 7), GC_OK);
	struct chat_note n;
	note(&n, 7, "id: 5\nevent: message\ndata: {}\n\n");
	n.id = 5;
	/* a job rolled back */
	assert_int_equal(chathub_stage(h, &n), GC_OK);
	chathub_job_end(h, false);
	chathub_batch_end(h, true);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 0);
	/* a batch that did not commit */
	assert_int_equal(chathub_stage(h, &n), GC_OK);
	chathub_job_end(h, true);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 0); /* not before the commit */
	chathub_batch_end(h, false);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 0);
	/* kept and committed */
	assert_int_equal(chathub_stage(h, &n), GC_OK);
	chathub_job_end(h, true);
	chathub_batch_end(h, true);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.id, 5);
	chatbox_free(ba);
	chathub_free(h);
	event_base_free(base);
}

static void routing_events_of_watched_chats_come_through(void **state)
{
	struct event_base *base = event_base_new();
	struct chathub *h = chathub_new();
	struct seen a = {0};
	struct chatbox *ba = chatbox_new(h, base, record, &a);
	assert_int_equal(chathub_watch(ba, 7), GC_OK);
	char f1[] = "id: 1\nevent: accepted\ndata: {}\n\n", f2[] = "id: 2\nevent: accepted\ndata: {}\n\n";
	struct hub_event events[] = {
		{.id = 1, .tenant_id = 1, .agent_id = 3, .contact_id = 9, .frame = f1, .len = sizeof(f1) - 1},
		{.id = 2, .tenant_id = 1, .agent_id = 4, .contact_id = 7, .frame = f2, .len = sizeof(f2) - 1},
	};
	chathub_routing(h, events, 2);
	event_base_loop(base, EVLOOP_NONBLOCK);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.contact, 7);
	assert_int_equal(a.to, CHAT_ROUTING);
	assert_int_equal(a.id, 4);
	assert_string_equal(a.frame, "accepted");
	chatbox_free(ba);
	chathub_free(h);
	event_base_free(base);
}

static void a_wait_is_told_when_it_moves(void **state)
{
	struct event_base *base = event_base_new();
	struct chathub *h = chathub_new();
	struct seen a = {0};
	struct chatbox *ba = chatbox_new(h, base, record, &a);
	assert_false(chathub_wait_changed(h, 7, 3, 120)); /* nobody watches the chat */
	assert_int_equal(chathub_watch(ba, 7), GC_OK);
	assert_true(chathub_wait_changed(h, 7, 3, 120)); /* a new watcher was told nothing yet */
	assert_false(chathub_wait_changed(h, 7, 3, 120));
	assert_true(chathub_wait_changed(h, 7, 2, 120)); /* the queue moved */
	assert_true(chathub_wait_changed(h, 7, 2, -1)); /* nobody can tell the time any more */
	assert_false(chathub_wait_changed(h, 7, 2, -1));
	assert_false(chathub_wait_changed(h, 8, 2, -1)); /* another chat */
	chatbox_free(ba);
	chathub_free(h);
	event_base_free(base);
}

int main(void)
{
	evthread_use_pthreads();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_note_reaches_its_watchers_only),
		cmocka_unit_test(staged_notes_wait_for_the_commit),
		cmocka_unit_test(routing_events_of_watched_chats_come_through),
		cmocka_unit_test(a_wait_is_told_when_it_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
