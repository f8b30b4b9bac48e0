/* libFuzzer target: resuming a live stream, the hub's read path (hub.c).
 *
 * A client chooses the cursor a stream resumes from (Last-Event-ID): any
 * int64 must be safe. The input is a script: each 9-byte record is an
 * operation byte and an int64. Operations publish events (ids increasing,
 * with gaps as rolled-back ids leave, sometimes more than the ring holds)
 * or read from the given cursor, a boundary cursor (0, -1, INT64_MIN,
 * INT64_MAX, INT64_MAX - 1, the newest id and around it, the ring's edge).
 * Every read checks the hub's promises: it delivers only ids after the
 * cursor, in increasing order, each at most once, of the tenant and agent
 * asked for (or of the agents an outsourcer's supervisor manages); it never moves the cursor back; it answers false only for a
 * cursor older than the ring; and the cursor it returns is a resume point
 * where the next read delivers nothing new. */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/hub.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 64

struct seen {
	int64_t last_id, n;
	int64_t tenant_id, agent_id;
	bool managed_only;          /* agents 1 and 3 alone */
};

static const int64_t managed[] = {1, 3};

static void check_frame(const char *frame, size_t len, void *arg)
{
	struct seen *s = arg;
	long long id = 0, tenant = 0, agent = 0;
	assert(len > 0 && frame[len] == '\0');
	assert(sscanf(frame, "id: %lld t%lld a%lld", &id, &tenant, &agent) == 3);
	assert(id > s->last_id); /* increasing, each once, after the cursor */
	assert(tenant == s->tenant_id);
	assert(s->agent_id == 0 || agent == s->agent_id);
	assert(!s->managed_only || agent == 1 || agent == 3);
	s->last_id = id;
	s->n++;
}

static void publish(struct hub *h, int64_t *last, uint64_t arg)
{
	struct hub_event evs[8];
	size_t n = 1 + arg % 8;
	/* mostly small gaps; now and then a jump past the ring */
	int64_t gap = (arg >> 8) % 16 == 0 ? 1 + (int64_t)((arg >> 12) % (3 * HUB_RING)) : 1 + (int64_t)((arg >> 12) % 3);
	for (size_t i = 0; i < n; i++) {
		int64_t id = *last + gap + (int64_t)i;
		char *frame = malloc(64);
		assert(frame);
		int len = snprintf(frame, 64, "id: %lld t%d a%d\n", (long long)id, (int)(id % 3) + 1,
				   (int)(id % 5));
		evs[i] = (struct hub_event){.id = id, .tenant_id = id % 3 + 1, .agent_id = id % 5,
					    .frame = frame, .len = (size_t)len};
	}
	*last = evs[n - 1].id;
	hub_publish(h, evs, n);
}

/* last: the newest id of any tenant (the ring's end) */
static void read_from(struct hub *h, int64_t last, int64_t cursor, uint64_t arg)
{
	bool managed_only = (arg >> 5) % 4 == 0;
	struct seen s = {.last_id = cursor < 0 ? 0 : cursor, .tenant_id = 1 + (int64_t)(arg % 3),
			 .agent_id = managed_only ? 0 : (int64_t)((arg >> 2) % 5), .managed_only = managed_only};
	int64_t newest = hub_last_id(h, s.tenant_id), before = cursor;
	const struct hub_audience audience = {.agent_id = s.agent_id, .managed_only = managed_only,
					       .managed = managed, .n_managed = 2};
	bool ok = hub_read(h, s.tenant_id, &audience, &cursor, check_frame, &s);
	int64_t from = before < 0 ? 0 : before;
	assert(ok == (from >= last - HUB_RING)); /* false only when older than the ring */
	if (!ok) {
		assert(cursor == before && s.n == 0);
		return;
	}
	assert(cursor >= before);      /* never back */
	assert(before >= newest || cursor == newest); /* up to the tenant's newest */
	assert(s.n <= HUB_RING);
	int64_t again = cursor;
	s.n = 0;
	assert(hub_read(h, s.tenant_id, &audience, &again, check_frame, &s));
	assert(s.n == 0 && again == cursor); /* nothing twice */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hub *h = hub_new();
	assert(h);
	int64_t last = 0;
	for (size_t off = 0, n = 0; off + 9 <= size && n < MAX_OPS; off += 9, n++) {
		uint64_t arg;
		memcpy(&arg, data + off + 1, sizeof(arg));
		int64_t boundary[] = {0, -1, INT64_MIN, INT64_MAX, INT64_MAX - 1, last, last - 1, last + 1,
				      last - HUB_RING, last - HUB_RING - 1};
		switch (data[off] % 4) {
		case 0:
			publish(h, &last, arg);
			break;
		case 1: /* the raw cursor a client sent */
			read_from(h, last, (int64_t)arg, arg);
			break;
		case 2:
			read_from(h, last, boundary[arg % (sizeof(boundary) / sizeof(boundary[0]))], arg >> 4);
			break;
		default: /* a cursor near the newest id */
			read_from(h, last, last - (int64_t)(arg % (2 * HUB_RING)) + 8, arg >> 20);
			break;
		}
	}
	for (size_t i = 0; i < 10; i++) {
		int64_t boundary[] = {0, -1, INT64_MIN, INT64_MAX, INT64_MAX - 1, last, last - 1, last + 1,
				      last - HUB_RING, last - HUB_RING - 1};
		read_from(h, last, boundary[i], i);
	}
	hub_free(h);
	return 0;
}
