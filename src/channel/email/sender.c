/* The email sender's thread (sender.h). */
#include "channel/email/sender.h"
#include "channel/email/send.h"
#include "daemon/l2_export.h"
#include "daemon/voc.h"
#include "daemon/rounds.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "store/store.h"

#include <stdbool.h>
#include <stdlib.h>

struct email_sender {
	struct email_sender_deps deps;
	struct store *db;
	struct rounds *rounds;
};

static bool send_round(void *arg)
{
	struct email_sender *s = arg;
	/* the level-2 exports due join the outbox first */
	l2_export_due(s->db, s->deps.writer, s->deps.cluster, gc_now_ms());
	voc_due(s->db, s->deps.writer, s->deps.cluster, gc_now_ms());
	return email_send_due(s->db, s->deps.writer, s->deps.secrets, s->deps.cluster);
}

int email_sender_start(const struct email_sender_deps *deps, struct email_sender **ret)
{
	struct email_sender *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GC_ENOMEM;
	s->deps = *deps;
	int rc = store_open(deps->db, STORE_READ_ONLY, &s->db);
	if (rc == GC_OK)
		rc = rounds_start(send_round, s, s->deps.poll_ms, &s->rounds);
	if (rc < 0) {
		store_free(s->db);
		free(s);
		return rc;
	}
	*ret = s;
	return GC_OK;
}

void email_sender_kick(void *sender)
{
	struct email_sender *s = sender;
	if (s != NULL)
		rounds_kick(s->rounds);
}

void email_sender_stop(struct email_sender *s)
{
	if (s == NULL)
		return;
	rounds_stop(s->rounds);
	store_free(s->db);
	free(s);
}
