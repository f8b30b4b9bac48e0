/* The messaging sender's thread (sender.h). */
#include "channel/messaging/sender.h"
#include "channel/messaging/send.h"
#include "daemon/rounds.h"
#include "guichet/error.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdlib.h>

struct msg_sender {
	struct msg_sender_deps deps;
	struct store *db;
	struct rounds *rounds;
};

static bool send_round(void *arg)
{
	struct msg_sender *s = arg;
	return msg_send_due(s->db, s->deps.writer, s->deps.secrets, s->deps.cluster, s->deps.retry_ms);
}

int msg_sender_start(const struct msg_sender_deps *deps, struct msg_sender **ret)
{
	struct msg_sender *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GC_ENOMEM;
	s->deps = *deps;
	int rc = store_open(deps->db, STORE_READ_ONLY, &s->db);
	if (rc == GC_OK)
		rc = rounds_start(send_round, s, s->deps.retry_ms, &s->rounds);
	if (rc < 0) {
		store_free(s->db);
		free(s);
		return rc;
	}
	*ret = s;
	return GC_OK;
}

void msg_sender_kick(void *sender)
{
	struct msg_sender *s = sender;
	if (s != NULL)
		rounds_kick(s->rounds);
}

void msg_sender_stop(struct msg_sender *s)
{
	if (s == NULL)
		return;
	rounds_stop(s->rounds);
	store_free(s->db);
	free(s);
}
