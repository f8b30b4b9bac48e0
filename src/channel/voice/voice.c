/* The telephony thread (voice.h): libre's SIP stack and librem's G.711 in
 * one re main loop. Everything here runs on that thread but voice_start,
 * voice_stop and voice_stats; the calls' steps go to calls.h, whose
 * results come back through the mqueue and the done list.
 *
 * Media: each call has its RTP socket (a port pair from MEDIA_PORT_MIN),
 * sends 20 ms of G.711 (PCMU or PCMA, as the offer prefers) every 20 ms
 * from a timer whose deadlines are counted from the call's start, so late
 * ticks do not drift, and takes RFC 4733 keypad events (telev) from the
 * address the offer gave only. The RTP sockets are read by media_in.h, a
 * bounded number a turn, so that the SIP socket keeps its place in the loop. */
#include "channel/voice/voice.h"
#include "channel/voice/announce.h"
#include "channel/voice/calls.h"
#include "channel/voice/media_in.h"
#include "channel/voice/menu.h"
#include "channel/voice/prompt.h"
#include "channel/voice/recorder.h"
#include "channel/voice/registrar.h"
#include "channel/voice/trunkreg.h"
#include "daemon/log.h"
#include "daemon/hub.h"
#include "daemon/ops.h"
#include "daemon/router.h"
#include "daemon/secrets.h"
#include "daemon/writer.h"
#include "guichet/calendar.h"
#include "guichet/clock.h"
#include "guichet/error.h"
#include "guichet/message.h"
#include "guichet/text.h"
#include "guichet/route.h"
#include "store/store.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sodium.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <uthash.h>

/* libre's headers one by one: re.h would bring re_json.h, whose names clash with jansson's */
#include <re_types.h>
#include <re_fmt.h>
#include <re_mem.h>
#include <re_mbuf.h>
#include <re_list.h>
#include <re_sa.h>
#include <re_tmr.h>
#include <re_main.h>
#include <re_mqueue.h>
#include <re_msg.h>
#include <re_uri.h>
#include <re_dns.h>
#include <re_sip.h>
#include <re_sipsess.h>
#include <re_sdp.h>
#include <re_rtp.h>
#include <re_telev.h>
#include <rem_g711.h>

#define PTIME_MS 20
#define SAMPLES_PER_PACKET (PROMPT_RATE * PTIME_MS / 1000)
#define MEDIA_PORT_MIN 20000
#define MEDIA_PORT_MAX 40000
#define TELEV_PT 101
#define MAX_CALLS 1000
#define MAX_LATE_MS 60       /* a tick later than this skips the packets it missed */
#define CLOCK_BUDGET 32      /* packets the clock sends before the loop turns again */
#define LOOP_NICE (-10)      /* the telephony thread's priority, when it may have it */
#define MENU_REPEAT_MS 8000  /* silence after a menu's prompt before it is said again */
#define MAX_MENU_REPEATS 3
#define MOH_MAX_SAMPLES (PROMPT_RATE * 600)

enum mq_id { MQ_STOP = 1, MQ_DONE = 2, MQ_ROUTING = 3 };
#define MAX_OFFERS 10000   /* phone contacts' offers followed at once */
#define MAX_TOUCHED 256    /* contacts whose offers or bridge changed, for the next MQ_ROUTING */
/* libre's hash tables of SIP transactions and sessions (a power of two):
 * a server transaction lives 32 s after its answer, so at 100 calls a
 * second thousands are alive, and 32 buckets made each lookup a long walk */
#define SIP_HASH_SIZE 4096

/* A refusal of a well-formed offer with no codec in common: 488, not counted as malformed. */
#define NO_CODEC 1488

enum call_state { CALL_GREETING, CALL_MENU, CALL_CLOSED, CALL_QUEUED, CALL_ENDED };

struct voice;

struct call {
	struct voice *v;
	uint64_t id;
	struct call *next;
	enum call_state state;
	struct sipsess *sess;
	struct sdp_session *sdp;
	struct sdp_media *media;
	struct rtp_sock *rtp;
	struct media_in_sock *rtp_in; /* its reading (media_in.h) */
	struct telev *telev;
	struct sa remote;
	int pt, te_pt;             /* the audio's payload type (0 or 8), the events' (-1: none) */
	bool keyed;                /* a key was taken, from the event of timestamp key_ts */
	uint32_t key_ts;
	struct tmr tick, linger;   /* tick: a callback's ringing time-outs (the media has the clock) */
	struct call *tick_next, **tick_pprev; /* on the clock's slot (NULL pprev: not ticking) */
	uint64_t started;          /* tmr_jiffies() at the first packet */
	uint64_t packets;          /* sent */
	uint32_t ts;
	/* what plays: a prompt, then (when it ends) the next, then music or silence */
	struct prompt *playing, *next_prompt;
	size_t pos;
	bool moh;                  /* music on hold once the prompts end */
	size_t moh_pos;
	struct prompt *music;      /* the queue's own music (held; NULL: the installation's v->moh) */
	uint64_t quiet_since;      /* jiffies when the menu's prompt ended (repeat it later) */
	int repeats;
	json_t *menu;              /* the number's menu (owned); NULL: none */
	const json_t *at;          /* the menu being walked */
	char path[VOICE_MENU_MAX_DEPTH + 1];
	char lang[3];
	bool closed;               /* outside business hours */
	struct voice_ticket *ticket; /* handed to the jobs: never read here */
	int64_t contact_id;        /* from the answer's result */
	int64_t tenant_id;
	char caller[40];
	/* the agent's phone: ringing or answered (NULL: none) */
	struct leg *agent;
	struct leg *also[ROUTE_MAX_RING]; /* a ring-all offer's other ringing phones (ring_*) */
	int n_also;
	uint64_t rung_seq;         /* the newest offer rung (struct offer_agent's seq) */
	bool bridged;              /* media relayed between the caller and agent->rtp */
	uint64_t bridged_at;       /* tmr_jiffies() */
	/* waiting in a queue (announce.h): the number's settings, the next
	 * announcement, a callback asked by the keypad and not answered yet */
	struct voice_waiting waiting;
	struct tmr announce;
	bool hold_asked;
	/* on hold (voice_call_hold): the caller hears the music, nothing is relayed */
	bool held;
	uint64_t held_since;       /* tmr_jiffies() */
	int64_t held_ms;           /* the call's holds before this one */
	/* a callback's call (dial_start): the agent's phone first, then the customer at dial_uri */
	bool dial, dial_media;     /* dial_media: the customer's answer gave an address */
	char dial_uri[600];
	char *dial_user, *dial_pass; /* the trunk's digest credentials (malloc'd; NULL: none) */
	/* recording (recorder.h): the queue records its calls */
	bool rec_on, rec_notice_said;
	int64_t rec_queue;
	struct prompt *rec_notice; /* the consent notice, held until it has been said */
	struct recording *rec;     /* bridged and recorded; NULL: not recording */
};

/* The call's leg to an agent's phone: an INVITE guichet sent (sipsess_connect)
 * with an offer for its own RTP socket, the caller's codec alone, so that
 * the media is relayed as it comes, never transcoded. */
struct leg {
	struct call *call;         /* NULL once dropped */
	int64_t user_id;
	struct sipsess *sess;
	struct sdp_session *sdp;
	struct sdp_media *media;
	struct rtp_sock *rtp;
	struct media_in_sock *rtp_in;
	struct sa remote;
	bool has_remote, answered;
	struct tmr linger;
};

/* A phone contact's offer, as the router's committed events tell it (the
 * observer, on the writer's thread, writes; the loop reads; under lock):
 * one agent's, or each agent's a ring-all offer rings (ROUTE_MAX_RING at
 * most; the offers of one commit are one round: its first replaces the
 * last round's). */
enum offer_state { OFFER_OPEN, OFFER_ACCEPTED, OFFER_CLOSED };
struct offer_agent {
	int64_t agent_id;
	enum offer_state state;
	char reason[24];           /* CLOSED: expired, withdrawn, rejected */
	uint64_t seq;              /* one per offer */
};
struct offer {
	int64_t contact_id, tenant_id;
	struct offer_agent agents[ROUTE_MAX_RING];
	int n_agents;
	uint64_t round;            /* the observer's call that made it (struct voice's round) */
	UT_hash_handle hh;
};

struct voice {
	char db_path[1024], host[256], moh_file[1024];
	int port;
	struct writer *writer;
	pthread_t thread;
	pthread_mutex_t lock;      /* start handshake, and the done list */
	pthread_cond_t ready_cond;
	int ready;                 /* 0 starting, 1 listening, < 0 failed */
	struct voice_job *done;    /* finished jobs, for the loop */
	/* the loop's own */
	struct mqueue *mq;
	struct media_in *media_in; /* every RTP socket's reading */
	struct dnsc *dnsc;         /* resolves trunks' and registrars' host names for the SIP stack */
	struct voice_dns_server dns[VOICE_MAX_DNS_SERVERS]; /* given (--dns-server); none: the system's */
	size_t n_dns;
	struct sip *sip;
	struct sipsess_sock *sock;
	struct store *store;
	struct prompt_cache *prompts;
	struct voice_calls *calls;
	struct registrar *registrar; /* agents' phones */
	struct trunkreg *trunkreg;   /* tenants' trunks registering to their providers */
	struct trunkreg_counters trunks;
	bool stopping;               /* MQ_STOP taken: the trunks unregister, no new call */
	struct router *router;     /* observed (router_add_observer) */
	struct offer *offers;      /* by contact, under lock */
	struct bridge *bridges;    /* bridged calls by contact, under lock (the API's hold and transfer) */
	struct dial_req *dials;    /* callbacks accepted, to dial (under lock) */
	size_t n_dials;
	char trunk[512];           /* the customers' SIP URI template ({number}); "": callbacks are dialled by hand */
	struct secrets *secrets;   /* opens a tenant's trunk's password */
	size_t n_offers;
	uint64_t offer_seq;
	uint64_t round;            /* the observer's calls (on_routing), one per commit */
	/* the contacts whose offers or bridge changed since the loop last
	 * looked (under lock): MQ_ROUTING brings only their calls in line,
	 * not every call (at 500 calls, a pass over all at each routing
	 * commit was 4,000 instructions a call) */
	int64_t touched[MAX_TOUCHED];
	size_t n_touched;
	bool touched_all;          /* more than MAX_TOUCHED: every call */
	char from_uri[300];        /* what an agent's phone sees calling */
	struct call *list;
	uint64_t next_id;
	struct sa media_ip;
	/* the media clock: one timer for every call's 20 ms packets, each call
	 * in the slot of its deadlines' millisecond (started % PTIME_MS) */
	int clock_fd;              /* a timerfd in the loop (-1: none) */
	struct call *slots[PTIME_MS];
	uint64_t clock_done;       /* the last millisecond whose slot was run */
	size_t n_ticking;
	struct prompt *moh;        /* the music on hold; NULL: silence */
	char rec_dir[1024];        /* the recordings' folder; "": calls are not recorded */
	struct recorder *recorder;
	/* counters */
	atomic_uint_fast64_t n_calls, n_unknown, n_malformed, n_rtp_sent, n_rtp_received, n_keys;
	atomic_uint_fast64_t n_rings, n_bridged, n_unanswered, n_to_agent, n_to_caller, n_rtp_dropped;
	atomic_uint_fast64_t n_moved;  /* bridged calls whose agent's leg a transfer hung up */
	atomic_int_fast64_t n_active;
	struct registrar_counters phones;
	voice_call_changed_fn call_changed; /* the API's view of a call changed (voice.h) */
	void *call_changed_arg;
};

static void call_end(struct call *c, const char *by);
static void say_menu(struct call *c, const json_t *menu);
static void call_end_talked(struct call *c, const char *by, int64_t talk_ms);
static void wait_begin(struct call *c, int64_t queue_id);
static void wait_key(struct call *c, char key);
static void bridge_note(struct call *c, int64_t agent_id, bool ringing, bool tell);
static int64_t bridge_forget(struct call *c, bool tell);
static void tell_over(struct voice *v, int64_t tenant_id, int64_t contact_id, int64_t agent_id);
static void dial_customer(struct call *c, struct leg *leg);
static void call_free(struct call *c);
static void dial_forget_credentials(struct call *c);
static bool ring_add(struct call *c, struct leg *leg);
static bool ring_take(struct call *c, struct leg *leg);
static void ring_closed(struct call *c, struct leg *leg, const char *reason);
static void ring_next(struct call *c);
static void ring_drop_all(struct call *c, const char *reason, bool now);
static void ring_stop_gone(struct call *c, struct offer *o);
static struct offer_agent *offer_agent(struct offer *o, int64_t agent_id);
static void record_queued(struct call *c, int64_t queue_id);
static void record_notice_check(struct call *c);
static bool record_notice_done(const struct call *c);
static void record_begin(struct call *c, int64_t agent_id);
static void record_put(struct call *c, int side, const struct rtp_header *hdr, struct mbuf *mb);
static void record_end(struct call *c);
static void record_clear(struct call *c);

/* --- what plays --- */

static void play(struct call *c, struct prompt *p)
{
	prompt_release(c->playing);
	c->playing = p;
	c->pos = 0;
	c->quiet_since = 0;
}

/* A text in the call's language, spoken now (or after what plays, when queue is true). */
static void say(struct call *c, const char *text, bool queue)
{
	struct prompt *p = NULL;
	if (text == NULL || prompt_get(c->v->prompts, text, c->lang, &p) < 0)
		return;
	if (queue && c->playing) {
		prompt_release(c->next_prompt);
		c->next_prompt = p;
	} else {
		play(c, p);
	}
}

/* The next 20 ms of linear audio into out. */
static void next_samples(struct call *c, int16_t *out)
{
	size_t n = 0;
	while (n < SAMPLES_PER_PACKET && c->playing) {
		size_t take = c->playing->n_samples - c->pos;
		if (take > SAMPLES_PER_PACKET - n)
			take = SAMPLES_PER_PACKET - n;
		memcpy(out + n, c->playing->samples + c->pos, take * sizeof(*out));
		n += take;
		c->pos += take;
		if (c->pos >= c->playing->n_samples) {
			play(c, c->next_prompt);
			c->next_prompt = NULL;
			if (c->playing == NULL)
				c->quiet_since = tmr_jiffies();
		}
	}
	const struct prompt *moh = c->music ? c->music : c->v->moh;
	while (n < SAMPLES_PER_PACKET && c->moh && c->playing == NULL && moh) {
		out[n++] = moh->samples[c->moh_pos++];
		if (c->moh_pos >= moh->n_samples)
			c->moh_pos = 0;
	}
	memset(out + n, 0, (SAMPLES_PER_PACKET - n) * sizeof(*out));
}

/* What follows the end of the prompts: the menu said again, or the closed message's hang-up. */
static void after_prompts(struct call *c)
{
	record_notice_check(c);
	if (c->playing || c->quiet_since == 0)
		return;
	if (c->state == CALL_CLOSED) {
		call_end(c, "guichet");
	} else if (c->state == CALL_MENU && tmr_jiffies() - c->quiet_since >= MENU_REPEAT_MS) {
		if (++c->repeats > MAX_MENU_REPEATS)
			call_end(c, "guichet");
		else
			say_menu(c, c->at);
	}
}

/* One 20 ms packet of what plays, due now (the clock's). */
static void media_tick(struct call *c, uint64_t now)
{
	int16_t pcm[SAMPLES_PER_PACKET];
	next_samples(c, pcm);
	/* encoded in place, after room for the header: no allocation, no call a byte
	 * (mbuf_write_u8 a sample was two thirds of the instructions of a tick) */
	uint8_t buf[RTP_HEADER_SIZE + SAMPLES_PER_PACKET];
	for (size_t i = 0; i < SAMPLES_PER_PACKET; i++)
		buf[RTP_HEADER_SIZE + i] = c->pt == 8 ? g711_pcm2alaw(pcm[i]) : g711_pcm2ulaw(pcm[i]);
	struct mbuf mb = {.buf = buf, .size = sizeof(buf), .pos = RTP_HEADER_SIZE, .end = sizeof(buf)};
	if (rtp_send(c->rtp, &c->remote, false, c->packets == 0, (uint8_t)c->pt, c->ts, &mb) == 0)
		atomic_fetch_add(&c->v->n_rtp_sent, 1);
	c->ts += SAMPLES_PER_PACKET;
	c->packets++;
	/* the next deadline counts from the start: a late tick does not push the others */
	uint64_t due = c->started + c->packets * PTIME_MS;
	if (now > due + MAX_LATE_MS) {
		/* the loop fell behind: the packets missed are skipped (their time
		 * passes in the timestamps), not sent in a burst, which at 400
		 * calls kept the loop seconds late and every call's SIP with it */
		uint64_t missed = (now - due) / PTIME_MS;
		c->packets += missed;
		c->ts += (uint32_t)(missed * SAMPLES_PER_PACKET);
	}
	after_prompts(c); /* last: it may end the call */
}

/* --- the media clock: libre 1.1 keeps its timers in one sorted list and
 * inserts a timer by walking it from its far end, past every SIP
 * transaction's (32 s each): one timer per call restarted every 20 ms was
 * 23% of the telephony thread at 100 calls a second. The calls' packets
 * share one timer instead, which runs the slots of the milliseconds gone
 * by; a call stays in its slot while it ticks, since its deadlines keep
 * their millisecond modulo PTIME_MS. That timer is a timerfd, not one of
 * libre's: armed 1 to 20 ms ahead, a libre timer is the list's first and
 * its insertion walked the whole list from the far end each time
 * (list_apply, 5% of the telephony thread at 100 calls a second). --- */

static void clock_arm(struct voice *v, uint64_t now);

/* The clock fires in d ms (0: at the loop's next turn, after its sockets). */
static void clock_set(struct voice *v, uint64_t d)
{
	struct itimerspec its = {.it_value = {.tv_sec = (time_t)(d / 1000), .tv_nsec = d ? (long)(d % 1000) * 1000000 : 1}};
	timerfd_settime(v->clock_fd, 0, &its, NULL);
}

static void clock_stop(struct voice *v)
{
	struct itimerspec its = {{0, 0}, {0, 0}};
	timerfd_settime(v->clock_fd, 0, &its, NULL);
}

static void on_clock(void *arg)
{
	struct voice *v = arg;
	uint64_t now = tmr_jiffies();
	uint64_t from = now - v->clock_done > PTIME_MS ? now - PTIME_MS + 1 : v->clock_done + 1;
	int budget = CLOCK_BUDGET;
	for (uint64_t ms = from; ms <= now; ms++) {
		for (struct call *c = v->slots[ms % PTIME_MS], *next; c; c = next) {
			next = c->tick_next; /* media_tick may end c: it leaves the slot, others stay */
			if (c->started + c->packets * PTIME_MS > now)
				continue;
			if (budget-- == 0) {
				/* the rest after a turn of the loop (the SIP socket's, the
				 * media's); this slot again, its calls already sent not due */
				v->clock_done = ms - 1;
				clock_set(v, 0);
				return;
			}
			media_tick(c, now);
		}
	}
	v->clock_done = now;
	clock_arm(v, now);
}

/* The clock set for the next millisecond whose slot holds a call (none: stopped). */
static void clock_arm(struct voice *v, uint64_t now)
{
	if (v->n_ticking == 0) {
		clock_stop(v);
		return;
	}
	uint64_t d = 1;
	while (d < PTIME_MS && v->slots[(now + d) % PTIME_MS] == NULL)
		d++;
	clock_set(v, d);
}

/* The loop: the clock's timerfd fired (nothing to read: re-armed since). */
static void on_clock_fd(int flags, void *arg)
{
	struct voice *v = arg;
	uint64_t expirations;
	if (read(v->clock_fd, &expirations, sizeof(expirations)) == (ssize_t)sizeof(expirations))
		on_clock(v);
}

/* The call's packets stop (not ticking: nothing). */
static void media_stop(struct call *c)
{
	if (c->tick_pprev == NULL)
		return;
	*c->tick_pprev = c->tick_next;
	if (c->tick_next)
		c->tick_next->tick_pprev = c->tick_pprev;
	c->tick_next = NULL;
	c->tick_pprev = NULL;
	c->v->n_ticking--;
}

/* The call's packets start again from now, the first at once. */
static void media_start(struct call *c)
{
	struct voice *v = c->v;
	media_stop(c);
	c->started = tmr_jiffies();
	c->packets = 0;
	struct call **slot = &v->slots[c->started % PTIME_MS];
	c->tick_next = *slot;
	c->tick_pprev = slot;
	if (*slot)
		(*slot)->tick_pprev = &c->tick_next;
	*slot = c;
	v->n_ticking++;
	if (v->clock_done >= c->started) /* its millisecond's slot has run: the first packet now */
		v->clock_done = c->started - 1;
	clock_set(v, 0);
}

/* --- RTP sockets: libre's, for the port and the sending; read by media_in.h --- */

static int rtp_open(struct voice *v, struct rtp_sock **ret, struct media_in_sock **ret_in, rtp_recv_h *h, void *arg)
{
	struct rtp_sock *rs = NULL;
	struct media_in_sock *in = NULL;
	int err = rtp_listen(&rs, IPPROTO_UDP, &v->media_ip, MEDIA_PORT_MIN, MEDIA_PORT_MAX, false, h, NULL, arg);
	if (err == 0 && media_in_add(v->media_in, rs, sa_af(&v->media_ip), h, arg, &in) < 0)
		err = EIO;
	if (err) {
		mem_deref(rs);
		return err;
	}
	*ret = rs;
	*ret_in = in;
	return 0;
}

/* The socket's reading stops first: a turn of media_in may still hold its events. */
static void rtp_close(struct rtp_sock **rs, struct media_in_sock **in)
{
	media_in_remove(*in);
	*in = NULL;
	*rs = mem_deref(*rs);
}

/* --- the menu --- */

static void submit(struct call *c, enum voice_job_kind kind, char key, int64_t queue_id, const char *by)
{
	struct voice_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		log_error("cannot record a call's step", "error", "out of memory");
		return;
	}
	*job = (struct voice_job){.kind = kind, .ticket = c->ticket, .call_id = c->id, .key = key,
				  .queue_id = queue_id};
	snprintf(job->menu_path, sizeof(job->menu_path), "%s", c->path);
	snprintf(job->ended_by, sizeof(job->ended_by), "%s", by ? by : "");
	voice_calls_submit(c->v->calls, job);
}

/* agent: whose phone had the call (0: none), told it is over once the end
 * is recorded (take_done). */
static void submit_end(struct call *c, const char *by, int64_t talk_ms, int64_t agent)
{
	struct voice_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		log_error("cannot record a call's step", "error", "out of memory");
		if (c->ticket)
			tell_over(c->v, c->ticket->tenant_id, c->contact_id, agent);
		return;
	}
	*job = (struct voice_job){.kind = VOICE_JOB_END, .ticket = c->ticket, .call_id = c->id, .talk_ms = talk_ms,
				  .held_ms = c->held_ms, .agent_id = agent};
	snprintf(job->ended_by, sizeof(job->ended_by), "%s", by);
	voice_calls_submit(c->v->calls, job);
}

static void on_key(struct call *c, char key)
{
	atomic_fetch_add(&c->v->n_keys, 1);
	if (c->state == CALL_QUEUED)
		wait_key(c, key);
	if (c->state != CALL_MENU)
		return;
	int64_t queue = 0;
	const json_t *sub = NULL;
	if (voice_menu_choose(c->at, key, &queue, &sub) < 0) {
		say_menu(c, c->at); /* no such choice: the menu again */
		return;
	}
	submit(c, VOICE_JOB_CHOICE, key, queue, NULL);
	size_t depth = strlen(c->path);
	if (depth < sizeof(c->path) - 1) {
		c->path[depth] = key;
		c->path[depth + 1] = '\0';
	}
	c->repeats = 0;
	if (sub) {
		c->at = sub;
		say_menu(c, sub);
		return;
	}
	c->state = CALL_QUEUED;
	c->moh = true;
	play(c, NULL);
	wait_begin(c, queue);
	record_queued(c, queue);
}

static void on_rtp(const struct sa *src, const struct rtp_header *hdr, struct mbuf *mb, void *arg)
{
	struct call *c = arg;
	if (!sa_cmp(src, &c->remote, SA_ADDR)) {
		atomic_fetch_add(&c->v->n_rtp_dropped, 1); /* not the caller's media */
		return;
	}
	atomic_fetch_add(&c->v->n_rtp_received, 1);
	struct leg *leg = c->agent;
	if (c->bridged && !c->held && leg && leg->has_remote && (int)hdr->pt == c->pt) {
		/* relayed as it came; the leg's own SSRC and sequence */
		record_put(c, 0, hdr, mb);
		if (rtp_send(leg->rtp, &leg->remote, false, hdr->m, hdr->pt, hdr->ts, mb) == 0)
			atomic_fetch_add(&c->v->n_to_agent, 1);
		return;
	}
	int event = 0;
	bool end = false;
	/* one key per event, whose packets share a timestamp: taken from its
	 * first packet that arrives, the end's when the others were lost */
	if (c->telev && (int)hdr->pt == c->te_pt && telev_recv(c->telev, mb, &event, &end) == 0 &&
	    !(c->keyed && c->key_ts == hdr->ts)) {
		int digit = telev_code2digit(event);
		c->keyed = true;
		c->key_ts = hdr->ts;
		if (digit > 0)
			on_key(c, (char)digit);
	}
}

/* --- the agent's phone --- */

static void submit_agent(struct call *c, enum voice_job_kind kind, int64_t agent_id, const char *reason)
{
	struct voice_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		log_error("cannot record a call's step", "error", "out of memory");
		return;
	}
	*job = (struct voice_job){.kind = kind, .ticket = c->ticket, .call_id = c->id, .agent_id = agent_id};
	snprintf(job->reason, sizeof(job->reason), "%s", reason ? reason : "");
	voice_calls_submit(c->v->calls, job);
}

static void leg_free(struct leg *leg)
{
	tmr_cancel(&leg->linger);
	mem_deref(leg->sess); /* ringing: a CANCEL; answered: a BYE */
	rtp_close(&leg->rtp, &leg->rtp_in);
	mem_deref(leg->sdp);
	free(leg);
}

static void leg_linger_done(void *arg)
{
	leg_free(arg);
}

/* The leg leaves its call: freed after this turn of the loop (libre may be
 * inside its handler), or now (now: not inside one). */
static void leg_drop(struct call *c, bool now)
{
	struct leg *leg = c->agent;
	if (leg == NULL)
		return;
	c->agent = NULL;
	leg->call = NULL;
	bridge_forget(c, true); /* ringing or bridged */
	if (c->bridged) {
		record_end(c);
		c->bridged = false;
		if (c->state != CALL_ENDED) { /* the caller waits again, with the music */
			c->moh = true;
			media_start(c);
		}
	}
	if (now)
		leg_free(leg);
	else
		tmr_start(&leg->linger, 0, leg_linger_done, leg);
}

/* Ringing stops unanswered: recorded, with why (now: as leg_drop). */
static void leg_unanswered(struct call *c, const char *reason, bool now)
{
	if (c->agent == NULL || c->agent->answered)
		return;
	atomic_fetch_add(&c->v->n_unanswered, 1);
	submit_agent(c, VOICE_JOB_NO_ANSWER, c->agent->user_id, reason);
	leg_drop(c, now);
	ring_next(c); /* a ring-all offer's other phones ring on */
}

static void on_agent_rtp(const struct sa *src, const struct rtp_header *hdr, struct mbuf *mb, void *arg)
{
	struct leg *leg = arg;
	struct call *c = leg->call;
	if (c == NULL || leg != c->agent || !leg->has_remote || !sa_cmp(src, &leg->remote, SA_ADDR) ||
	    (int)hdr->pt != c->pt) {
		if (c)
			atomic_fetch_add(&c->v->n_rtp_dropped, 1);
		return;
	}
	if (c->bridged && !c->held)
		record_put(c, 1, hdr, mb);
	if (c->bridged && !c->held && rtp_send(c->rtp, &c->remote, false, hdr->m, hdr->pt, hdr->ts, mb) == 0)
		atomic_fetch_add(&c->v->n_to_caller, 1);
}

/* The phone's answer (its 200's SDP): the caller's codec, an address. */
static int on_agent_answer(const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	if (leg->call == NULL || msg->mb == NULL || sdp_decode(leg->sdp, msg->mb, false) != 0)
		return EPROTO;
	const struct sdp_format *audio = sdp_media_rformat(leg->media, NULL);
	if (audio == NULL || audio->pt != leg->call->pt || sdp_media_rport(leg->media) == 0)
		return EPROTO;
	leg->remote = *sdp_media_raddr(leg->media);
	leg->has_remote = true;
	return 0;
}

/* Answered: the offer accepted in the router, and the bridge (the music stops). */
static void on_agent_estab(const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	struct call *c = leg->call;
	if (c == NULL || leg->answered)
		return;
	if (leg != c->agent && !ring_take(c, leg)) /* a ring-all offer's other phone */
		return;
	if (!leg->has_remote) { /* a 200 without an answer we can use: hung up */
		leg_unanswered(c, "bad_answer", false);
		return;
	}
	if (c->dial) { /* a callback: now the customer */
		dial_customer(c, leg);
		return;
	}
	leg->answered = true;
	c->bridged = true;
	c->bridged_at = tmr_jiffies();
	bridge_note(c, leg->user_id, false, false); /* told once its ACCEPT is recorded */
	record_begin(c, leg->user_id);
	media_stop(c);
	c->moh = false;
	atomic_fetch_add(&c->v->n_bridged, 1);
	submit_agent(c, VOICE_JOB_ACCEPT, leg->user_id, NULL);
	ring_drop_all(c, "withdrawn", true); /* the first to answer takes it: CANCEL to the others */
}

/* Why a phone that did not answer stopped ringing, from its final response. */
static const char *refusal(int err, const struct sip_msg *msg)
{
	return err == EPROTO ? "bad_answer" : msg && msg->scode >= 400 && msg->scode != 408 ? "declined"
													: "unreachable";
}

static void on_agent_close(int err, const struct sip_msg *msg, void *arg)
{
	struct leg *leg = arg;
	struct call *c = leg->call;
	if (c == NULL)
		return;
	if (leg != c->agent) { /* a ring-all offer's other phone refused */
		ring_closed(c, leg, refusal(err, msg));
		return;
	}
	if (leg->answered) { /* the agent hung up: so does the caller's leg */
		int64_t talk_ms = (int64_t)(tmr_jiffies() - c->bridged_at);
		c->agent = NULL; /* inside its handler: freed after this turn */
		leg->call = NULL;
		tmr_start(&leg->linger, 0, leg_linger_done, leg);
		call_end_talked(c, "agent", talk_ms);
		return;
	}
	/* a final refusal from the phone (busy, declined): the offer rejected */
	leg_unanswered(c, refusal(err, msg), false);
	if (c->dial) /* a callback's: the agent keeps it, to dial by hand */
		call_end(c, "unanswered");
}

static int add_format(struct sdp_media *m, int pt)
{
	return pt == 8 ? sdp_format_add(NULL, m, false, "8", "PCMA", 8000, 1, NULL, NULL, NULL, false, NULL)
		       : sdp_format_add(NULL, m, false, "0", "PCMU", 8000, 1, NULL, NULL, NULL, false, NULL);
}

/* Rings the agent's phone at its binding for the call. */
static int leg_ring(struct call *c, const struct registrar_binding *b)
{
	struct voice *v = c->v;
	struct leg *leg = calloc(1, sizeof(*leg));
	if (leg == NULL)
		return GC_ENOMEM;
	*leg = (struct leg){.call = c, .user_id = b->user_id};
	tmr_init(&leg->linger);
	struct mbuf *desc = NULL;
	int err = rtp_open(v, &leg->rtp, &leg->rtp_in, on_agent_rtp, leg);
	if (err == 0)
		err = sdp_session_alloc(&leg->sdp, &v->media_ip);
	if (err == 0)
		err = sdp_media_add(&leg->media, leg->sdp, sdp_media_audio, sa_port(rtp_local(leg->rtp)),
				    sdp_proto_rtpavp);
	if (err == 0)
		err = add_format(leg->media, c->pt);
	if (err == 0)
		err = sdp_encode(&desc, leg->sdp, true);
	if (err == 0)
		err = sipsess_connect(&leg->sess, v->sock, b->contact, c->caller[0] ? c->caller : "guichet", v->from_uri,
				      "guichet", NULL, 0, "application/sdp", desc, NULL, NULL, false, NULL,
				      on_agent_answer, NULL, on_agent_estab, NULL, NULL, on_agent_close, leg,
				      "Allow: INVITE, ACK, BYE, CANCEL\r\n");
	mem_deref(desc);
	if (err || !ring_add(c, leg)) {
		leg_free(leg);
		return GC_EIO;
	}
	atomic_fetch_add(&v->n_rings, 1);
	submit_agent(c, VOICE_JOB_RING, b->user_id, NULL);
	return GC_OK;
}

/* The call's phone legs brought in line with its contact's offer: a new
 * offer to an agent with a phone rings it (each agent's, for a ring-all
 * offer); an offer gone (expired, withdrawn, rejected) stops its ringing.
 * Accepted from the desktop, the phone rings on until answered. */
static void reconcile(struct call *c)
{
	struct voice *v = c->v;
	if (c->contact_id == 0 || c->state != CALL_QUEUED || !record_notice_done(c))
		return;
	struct offer now = {0};
	bool known = false;
	pthread_mutex_lock(&v->lock);
	struct offer *o = NULL;
	HASH_FIND(hh, v->offers, &c->contact_id, sizeof(c->contact_id), o);
	if (o) {
		now = *o;
		known = true;
	}
	pthread_mutex_unlock(&v->lock);
	ring_stop_gone(c, known ? &now : NULL);
	if (!known || (c->agent && c->agent->answered))
		return;
	uint64_t newest = c->rung_seq;
	for (int i = 0; i < now.n_agents; i++) {
		const struct offer_agent *a = &now.agents[i];
		bool rings = c->agent && c->agent->user_id == a->agent_id;
		for (int k = 0; k < c->n_also && !rings; k++)
			rings = c->also[k]->user_id == a->agent_id;
		if (a->state != OFFER_OPEN || a->seq <= c->rung_seq || rings)
			continue;
		if (a->seq > newest)
			newest = a->seq;
		const struct registrar_binding *b = registrar_find(v->registrar, c->tenant_id, a->agent_id);
		if (b && leg_ring(c, b) < 0)
			log_error("cannot ring an agent's phone", "contact", b->contact);
	}
	c->rung_seq = newest;
}

/* --- ring-all: a ring-all queue's offer rings every offered agent's phone
 * at once. c->agent is the first rung (what the API shows as ringing),
 * c->also the others; the first to answer is the call's agent (the
 * router's accept), the others get a CANCEL; one that stops ringing
 * (refused, its offer closed) leaves the rest ringing, and when the first
 * stops the next takes its place. --- */

/* A leg just rung joins the call: its agent's leg, or one more ringing beside it. */
static bool ring_add(struct call *c, struct leg *leg)
{
	if (c->agent == NULL) {
		c->agent = leg;
		bridge_note(c, leg->user_id, true, false); /* told once its RING is recorded */
		return true;
	}
	if (c->n_also >= ROUTE_MAX_RING)
		return false;
	c->also[c->n_also++] = leg;
	return true;
}

/* The other leg k stops ringing: its unanswered event (reason NULL: none,
 * the call is being freed), and a CANCEL (a BYE if it answered), now or
 * after this turn of the loop (inside its own handler). */
static void ring_drop(struct call *c, int k, const char *reason, bool now)
{
	struct leg *leg = c->also[k];
	c->also[k] = c->also[--c->n_also];
	c->also[c->n_also] = NULL;
	if (reason) {
		atomic_fetch_add(&c->v->n_unanswered, 1);
		submit_agent(c, VOICE_JOB_NO_ANSWER, leg->user_id, reason);
	}
	leg->call = NULL;
	if (now)
		leg_free(leg);
	else
		tmr_start(&leg->linger, 0, leg_linger_done, leg);
}

static void ring_drop_all(struct call *c, const char *reason, bool now)
{
	while (c->n_also > 0)
		ring_drop(c, c->n_also - 1, reason, now);
}

static int ring_index(const struct call *c, const struct leg *leg)
{
	for (int k = 0; k < c->n_also; k++)
		if (c->also[k] == leg)
			return k;
	return -1;
}

/* Another leg refused (inside its handler): it goes; the offer rejected
 * as for the first phone (calls.c). */
static void ring_closed(struct call *c, struct leg *leg, const char *reason)
{
	int k = ring_index(c, leg);
	if (k >= 0)
		ring_drop(c, k, reason, false);
}

/* The call's first leg went: the next ringing one takes its place. */
static void ring_next(struct call *c)
{
	if (c->agent != NULL || c->n_also == 0)
		return;
	c->agent = c->also[--c->n_also];
	c->also[c->n_also] = NULL;
	bridge_note(c, c->agent->user_id, true, true);
}

/* Another leg answered (inside its handler): it becomes the call's agent
 * leg, unless one answered first (then it is hung up: false). */
static bool ring_take(struct call *c, struct leg *leg)
{
	int k = ring_index(c, leg);
	if (k < 0)
		return false;
	if (c->agent && c->agent->answered) {
		ring_drop(c, k, "withdrawn", false);
		return false;
	}
	if (c->agent) { /* the first leg rings on in its place, until the bridge cancels it */
		c->also[k] = c->agent;
	} else {
		c->also[k] = c->also[--c->n_also];
		c->also[c->n_also] = NULL;
	}
	c->agent = leg;
	bridge_note(c, leg->user_id, true, true);
	return true;
}

/* The ringing legs whose agent's offer is gone (closed, or not in this
 * round) stop ringing, the others first so the first leg's place goes to
 * one that rings on. */
static void ring_stop_gone(struct call *c, struct offer *o)
{
	for (int k = c->n_also - 1; k >= 0; k--) {
		struct offer_agent *a = o ? offer_agent(o, c->also[k]->user_id) : NULL;
		if (a == NULL || a->state == OFFER_CLOSED)
			ring_drop(c, k, a ? a->reason : "withdrawn", true);
	}
	struct leg *leg = c->agent;
	if (leg && !leg->answered) {
		struct offer_agent *a = o ? offer_agent(o, leg->user_id) : NULL;
		if (a == NULL || a->state == OFFER_CLOSED)
			leg_unanswered(c, a ? a->reason : "withdrawn", true);
	}
}

static void forget_offer(struct voice *v, int64_t contact_id)
{
	pthread_mutex_lock(&v->lock);
	struct offer *o = NULL;
	HASH_FIND(hh, v->offers, &contact_id, sizeof(contact_id), o);
	if (o) {
		HASH_DEL(v->offers, o);
		v->n_offers--;
		free(o);
	}
	pthread_mutex_unlock(&v->lock);
}

/* The offer's entry for agent_id, or NULL. */
static struct offer_agent *offer_agent(struct offer *o, int64_t agent_id)
{
	for (int i = 0; i < o->n_agents; i++)
		if (o->agents[i].agent_id == agent_id)
			return &o->agents[i];
	return NULL;
}

/* An "offered" event: the agent's offer open. The first of a commit
 * starts a new round (what the last one left is forgotten); the others of
 * the same commit (a ring-all offer's agents) join it. */
static void offer_open(struct voice *v, struct offer *o, const struct hub_event *ev)
{
	if (o->round != v->round) {
		o->n_agents = 0;
		o->round = v->round;
	}
	o->contact_id = ev->contact_id;
	o->tenant_id = ev->tenant_id;
	struct offer_agent *a = offer_agent(o, ev->agent_id);
	for (int i = 0; a == NULL && i < o->n_agents; i++)
		if (o->agents[i].state == OFFER_CLOSED)
			a = &o->agents[i]; /* a closed one's place */
	if (a == NULL && o->n_agents < ROUTE_MAX_RING)
		a = &o->agents[o->n_agents++];
	if (a)
		*a = (struct offer_agent){.agent_id = ev->agent_id, .state = OFFER_OPEN, .seq = ++v->offer_seq};
}

/* The offer of agent_id (0: every agent's) closed for reason; whether one was open. */
static bool offer_close(struct offer *o, int64_t agent_id, const char *reason)
{
	bool closed = false;
	for (int i = 0; i < o->n_agents; i++) {
		struct offer_agent *a = &o->agents[i];
		if ((agent_id == 0 || a->agent_id == agent_id) && a->state != OFFER_CLOSED) {
			a->state = OFFER_CLOSED;
			snprintf(a->reason, sizeof(a->reason), "%s", reason);
			closed = true;
		}
	}
	return closed;
}

/* One committed routing event (a frame "id: N\nevent: TYPE\ndata: JSON\n\n")
 * into the offers (lock held). */
static bool follow(struct voice *v, const struct hub_event *ev)
{
	const char *type = memmem(ev->frame, ev->len, "event: ", 7), *data = memmem(ev->frame, ev->len, "data: ", 6);
	if (type == NULL || data == NULL)
		return false;
	type += 7;
	data += 6;
	size_t type_len = strcspn(type, "\n");
	char name[24];
	if (type_len >= sizeof(name))
		return false;
	memcpy(name, type, type_len);
	name[type_len] = '\0';
	struct offer *o = NULL;
	HASH_FIND(hh, v->offers, &ev->contact_id, sizeof(ev->contact_id), o);
	if (strcmp(name, "offered") == 0) {
		json_t *j = json_loadb(data, (size_t)(ev->frame + ev->len - data), JSON_DISABLE_EOF_CHECK, NULL);
		const char *channel = json_string_value(json_object_get(j, "channel"));
		bool phone = channel && strcmp(channel, "phone") == 0;
		json_decref(j);
		if (!phone)
			return false;
		if (o == NULL && v->n_offers < MAX_OFFERS && (o = calloc(1, sizeof(*o))) != NULL) {
			o->contact_id = ev->contact_id;
			HASH_ADD(hh, v->offers, contact_id, sizeof(o->contact_id), o);
			v->n_offers++;
		}
		if (o == NULL)
			return false;
		offer_open(v, o, ev);
		return true;
	}
	if (o == NULL)
		return false;
	struct offer_agent *a = offer_agent(o, ev->agent_id);
	if (strcmp(name, "accepted") == 0 && a) {
		a->state = OFFER_ACCEPTED;
	} else if (strcmp(name, "offer_expired") == 0 || strcmp(name, "offer_withdrawn") == 0 ||
		   strcmp(name, "rejected") == 0) {
		/* the agent's only: another's, in a ring-all offer, leaves the others ringing */
		return offer_close(o, ev->agent_id, strcmp(name, "offer_expired") == 0 ? "expired" :
				   strcmp(name, "rejected") == 0 ? "rejected" : "withdrawn");
	} else if (strcmp(name, "abandoned") == 0 || strcmp(name, "wrapup_started") == 0 ||
		   strcmp(name, "transferred") == 0 || strcmp(name, "moved") == 0) {
		/* the contact is done with this offer (the call ends or moves): a
		 * phone contact of no call here (a callback's) leaves no entry */
		HASH_DEL(v->offers, o);
		v->n_offers--;
		free(o);
	} else {
		return false;
	}
	return true;
}

/* --- hold and transfer of bridged calls (the API's: voice_call_hold;
 * the router's transfers and escalations) --- */

/* A call with an agent's leg as other threads see it (under lock): ringing
 * (the API shows it), then bridged: its hold asked by the API, a transfer
 * seen in the router's events. */
struct bridge {
	int64_t contact_id, tenant_id, agent_id;
	bool ringing;              /* the agent's phone (a callback's: or then the customer's) rings */
	int64_t since;             /* ms, when it began ringing, or was bridged */
	bool held;                 /* asked: the loop applies it (control_apply) */
	int64_t held_at;           /* ms, when the hold was asked */
	char moved[16];            /* "transferred", "escalated", "moved": the leg goes */
	UT_hash_handle hh;
};

/* The call's leg to agent_id's phone rings (ringing), or is bridged:
 * others may then hold or transfer it. Either replaces what was noted.
 * tell: the live streams are told now; otherwise once the job recording
 * this step is done (take_done), so that a screen told of it reads a
 * timeline that has it. */
static void bridge_note(struct call *c, int64_t agent_id, bool ringing, bool tell)
{
	struct voice *v = c->v;
	struct bridge *b = calloc(1, sizeof(*b));
	if (b == NULL || c->contact_id == 0) {
		free(b);
		return;
	}
	*b = (struct bridge){.contact_id = c->contact_id, .tenant_id = c->tenant_id, .agent_id = agent_id,
			     .ringing = ringing, .since = gc_now_ms()};
	struct voice_call now = {.agent_id = agent_id, .ringing = ringing, .since_ms = b->since};
	int64_t was = 0; /* another agent whose phone rang for it (ring-all) */
	pthread_mutex_lock(&v->lock);
	struct bridge *old = NULL;
	HASH_FIND(hh, v->bridges, &b->contact_id, sizeof(b->contact_id), old);
	if (old) {
		if (old->agent_id != agent_id && old->moved[0] == '\0')
			was = old->agent_id;
		HASH_DEL(v->bridges, old);
		free(old);
	}
	HASH_ADD(hh, v->bridges, contact_id, sizeof(b->contact_id), b);
	pthread_mutex_unlock(&v->lock);
	if (v->call_changed && was)
		v->call_changed(v->call_changed_arg, c->tenant_id, c->contact_id, was, NULL);
	if (v->call_changed && tell)
		v->call_changed(v->call_changed_arg, c->tenant_id, c->contact_id, agent_id, &now);
}

/* The leg is over (unanswered, hung up, transferred, the call ended): a
 * hold in course is counted. Idempotent. The agent whose phone had it (0:
 * none), told now when tell. */
static int64_t bridge_forget(struct call *c, bool tell)
{
	struct voice *v = c->v;
	if (c->held) {
		c->held_ms += (int64_t)(tmr_jiffies() - c->held_since);
		c->held = false;
	}
	if (c->contact_id == 0)
		return 0;
	int64_t agent = 0;
	pthread_mutex_lock(&v->lock);
	struct bridge *b = NULL;
	HASH_FIND(hh, v->bridges, &c->contact_id, sizeof(c->contact_id), b);
	if (b) {
		agent = b->agent_id;
		HASH_DEL(v->bridges, b);
		free(b);
	}
	pthread_mutex_unlock(&v->lock);
	if (v->call_changed && agent && tell)
		v->call_changed(v->call_changed_arg, c->tenant_id, c->contact_id, agent, NULL);
	return agent;
}

/* A step of a call recorded (take_done): told to agent's screens (0: the
 * call's agent, whoever it is) as the call is now; ringing: the step was a
 * phone ringing, told as ringing even if answered since (the answer is told
 * after its own step). Nothing when the call has another agent or is gone
 * (its end is told after its own step too). */
static void tell_recorded(struct voice *v, int64_t tenant_id, int64_t contact_id, int64_t agent_id, bool ringing)
{
	struct voice_call call;
	if (v->call_changed == NULL || voice_call_state(v, tenant_id, contact_id, &call) < 0 ||
	    (agent_id && call.agent_id != agent_id))
		return;
	if (ringing)
		call = (struct voice_call){.agent_id = call.agent_id, .ringing = true, .since_ms = call.since_ms};
	v->call_changed(v->call_changed_arg, tenant_id, contact_id, call.agent_id, &call);
}

/* A call's end recorded: its agent (0: none) told it is over, unless its
 * phone has the contact's call again already. */
static void tell_over(struct voice *v, int64_t tenant_id, int64_t contact_id, int64_t agent_id)
{
	struct voice_call call;
	if (v->call_changed && agent_id && contact_id &&
	    (voice_call_state(v, tenant_id, contact_id, &call) < 0 || call.agent_id != agent_id))
		v->call_changed(v->call_changed_arg, tenant_id, contact_id, agent_id, NULL);
}

static void bridges_free(struct voice *v)
{
	struct bridge *b, *tmp;
	HASH_ITER(hh, v->bridges, b, tmp) {
		HASH_DEL(v->bridges, b);
		free(b);
	}
}

/* A committed routing event that takes a bridged call from its agent (a
 * transfer, an escalation, a move) marks its bridge (lock held). */
static bool follow_bridge(struct voice *v, const struct hub_event *ev)
{
	struct bridge *b = NULL;
	HASH_FIND(hh, v->bridges, &ev->contact_id, sizeof(ev->contact_id), b);
	const char *type = b ? memmem(ev->frame, ev->len, "event: ", 7) : NULL;
	if (type == NULL || b->tenant_id != ev->tenant_id)
		return false;
	type += 7;
	size_t len = (size_t)(ev->frame + ev->len - type);
	static const char *const moves[] = {"transferred", "escalated", "moved"};
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		size_t n = strlen(moves[i]);
		if (len > n && memcmp(type, moves[i], n) == 0 && type[n] == '\n') {
			snprintf(b->moved, sizeof(b->moved), "%s", moves[i]);
			return true;
		}
	}
	return false;
}

/* The call brought in line with its bridge as others asked: the agent's
 * leg hung up after a transfer (the caller back to the music, waiting for
 * the next offer, which reconcile rings), or the hold applied. */
static void control_apply(struct call *c)
{
	struct voice *v = c->v;
	if (!c->bridged || c->agent == NULL || c->contact_id == 0 || c->state != CALL_QUEUED)
		return;
	bool found = false, held = false;
	char moved[16] = "";
	pthread_mutex_lock(&v->lock);
	struct bridge *b = NULL;
	HASH_FIND(hh, v->bridges, &c->contact_id, sizeof(c->contact_id), b);
	if (b) {
		found = true;
		held = b->held;
		snprintf(moved, sizeof(moved), "%s", b->moved);
	}
	pthread_mutex_unlock(&v->lock);
	if (!found)
		return;
	if (moved[0]) {
		atomic_fetch_add(&v->n_moved, 1);
		submit_agent(c, VOICE_JOB_MOVED, c->agent->user_id, moved);
		leg_drop(c, true); /* a BYE to the phone; the music to the caller */
		return;
	}
	if (held == c->held)
		return;
	if (held) { /* the music to the caller, nothing relayed (on_rtp, on_agent_rtp) */
		c->held = true;
		c->held_since = tmr_jiffies();
		c->moh = true;
		media_start(c);
	} else {
		c->held_ms += (int64_t)(tmr_jiffies() - c->held_since);
		c->held = false;
		media_stop(c);
		c->moh = false;
	}
}

/* --- callbacks placing their calls: when an agent accepts a callback's
 * contact (the router's committed "accepted" of a phone contact with no
 * call here), the agent's registered phone rings; answered, guichet calls
 * the customer through the trunk (--sip-trunk); the customer's answer
 * bridges them, or its refusal is the callback's outcome (calls.c) --- */

#define DIAL_RING_MS 45000   /* the customer's phone rings this long before no_answer */
#define MAX_DIALS 1000

struct dial_req {
	int64_t contact_id, tenant_id, agent_id;
	struct dial_req *next;
};

/* A phone contact accepted (lock held): perhaps a callback to dial. */
static bool follow_dial(struct voice *v, const struct hub_event *ev)
{
	if (ev->agent_id == 0 || v->n_dials >= MAX_DIALS) /* a tenant may have a trunk of its own */
		return false;
	const char *type = memmem(ev->frame, ev->len, "event: accepted\n", 16);
	struct offer *o = NULL;
	if (type != NULL)
		HASH_FIND(hh, v->offers, &ev->contact_id, sizeof(ev->contact_id), o);
	struct dial_req *d = o ? calloc(1, sizeof(*d)) : NULL; /* a phone contact's offer */
	if (d == NULL)
		return false;
	*d = (struct dial_req){.contact_id = ev->contact_id, .tenant_id = ev->tenant_id, .agent_id = ev->agent_id,
			       .next = v->dials};
	v->dials = d;
	v->n_dials++;
	return true;
}

/* The trunk's URI for the number ({number} replaced): GC_EINVAL when it does not fit. */
static int trunk_uri(const char *tmpl, const char *number, char *ret, size_t len)
{
	const char *at = strstr(tmpl, "{number}");
	if (at == NULL)
		return GC_EINVAL;
	int n = snprintf(ret, len, "%.*s%s%s", (int)(at - tmpl), tmpl, number, at + 8);
	return n < 0 || (size_t)n >= len ? GC_EINVAL : GC_OK;
}

/* Why a callback's call got no SIP answer: the attempt's note, inside
 * "Callback attempt %d: %s%s%s" (the pages translate it as a nested note). */
#define DIAL_NOT_RESOLVED SYSTEM_NOTE("guichet could not call: the trunk's host name does not resolve")
#define DIAL_NOT_SENT SYSTEM_NOTE("guichet could not call: the call could not be sent to the trunk")

/* The host the customer's call goes to, for the log (the number stays out of it). */
static const char *dial_host(const struct call *c)
{
	const char *at = strchr(c->dial_uri, '@');
	return at ? at + 1 : "";
}

static void submit_dialed_note(struct call *c, const char *outcome, int status, const char *note)
{
	struct voice_job *job = calloc(1, sizeof(*job));
	if (job == NULL) {
		log_error("cannot record a call's step", "error", "out of memory");
		return;
	}
	*job = (struct voice_job){.kind = VOICE_JOB_DIALED, .ticket = c->ticket, .call_id = c->id,
				  .agent_id = c->agent ? c->agent->user_id : 0, .sip_status = status, .note = note};
	snprintf(job->reason, sizeof(job->reason), "%s", outcome);
	voice_calls_submit(c->v->calls, job);
}

static void submit_dialed(struct call *c, const char *outcome, int status)
{
	submit_dialed_note(c, outcome, status, NULL);
}

/* The customer's answer (its 200's SDP): the codec offered, an address. */
static int dial_answer(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	if (c->state == CALL_ENDED || msg->mb == NULL || sdp_decode(c->sdp, msg->mb, false) != 0)
		return EPROTO;
	const struct sdp_format *audio = sdp_media_rformat(c->media, NULL);
	if (audio == NULL || audio->pt != c->pt || sdp_media_rport(c->media) == 0)
		return EPROTO;
	c->remote = *sdp_media_raddr(c->media);
	c->dial_media = true;
	return 0;
}

/* The customer answered: reached, and bridged to the agent's phone. */
static void dial_estab(const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	if (c->state == CALL_ENDED || c->bridged || c->agent == NULL)
		return;
	tmr_cancel(&c->tick);
	if (!c->dial_media) { /* nothing to relay to: as if unanswered */
		submit_dialed(c, "no_answer", 200);
		call_end(c, "guichet");
		return;
	}
	c->bridged = true;
	c->bridged_at = tmr_jiffies();
	bridge_note(c, c->agent->user_id, false, false); /* told once "reached" is recorded */
	atomic_fetch_add(&c->v->n_bridged, 1);
	submit_dialed(c, "reached", 200);
}

/* The customer's call over: hung up once bridged, or refused (its status the outcome). */
static void dial_close(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	if (c->state == CALL_ENDED)
		return;
	if (c->bridged) {
		call_end(c, "customer");
		return;
	}
	int sc = msg ? msg->scode : 0;
	const char *outcome = sc == 486 || sc == 600 || sc == 603 ? "busy"
			      : sc == 404 || sc == 410 || sc == 484 || sc == 604 ? "wrong_number" : "no_answer";
	/* no answer at all: libre found no NAPTR, SRV nor A record for the trunk's host (RFC 3263) */
	bool unresolved = msg == NULL && err == EDESTADDRREQ;
	submit_dialed_note(c, outcome, sc, unresolved ? DIAL_NOT_RESOLVED : NULL);
	if (unresolved)
		log_error("cannot call a callback's customer", "host", dial_host(c), "error",
			  "the host name does not resolve");
	call_end(c, unresolved ? "guichet" : "customer");
}

static void dial_timeout(void *arg)
{
	struct call *c = arg;
	submit_dialed(c, "no_answer", 0);
	call_end(c, "guichet"); /* a CANCEL */
}

/* The customer's INVITE could not even be sent (no DNS client, a transport missing). */
static void dial_not_sent(void *arg)
{
	struct call *c = arg;
	submit_dialed_note(c, "no_answer", 0, DIAL_NOT_SENT);
	call_end(c, "guichet");
}

/* The agent's phone did not answer a callback in time: the agent keeps it. */
static void dial_agent_timeout(void *arg)
{
	struct call *c = arg;
	leg_unanswered(c, "expired", true); /* a CANCEL */
	call_end(c, "unanswered");
}

/* The trunk's challenge (401/407) to the customer's INVITE: its
 * credentials, copied for libre, which frees them; none: EAUTH, and the
 * refusal is the outcome (no_answer). libre asks once per realm, so a
 * wrong password ends in the provider's refusal, not in a loop. */
static int dial_auth(char **username, char **password, const char *realm, void *arg)
{
	struct call *c = arg;
	if (c->dial_user == NULL || c->dial_pass == NULL)
		return EAUTH;
	int err = str_dup(username, c->dial_user);
	if (err == 0)
		err = str_dup(password, c->dial_pass);
	return err;
}

static void dial_forget_credentials(struct call *c)
{
	if (c->dial_pass)
		sodium_memzero(c->dial_pass, strlen(c->dial_pass));
	free(c->dial_pass);
	free(c->dial_user);
	c->dial_pass = c->dial_user = NULL;
}

/* The agent's phone answered a callback: the customer is called. Inside
 * the leg's handler: on failure the call ends after this turn. */
static void dial_customer(struct call *c, struct leg *leg)
{
	struct voice *v = c->v;
	leg->answered = true;
	struct mbuf *desc = NULL;
	int err = sdp_encode(&desc, c->sdp, true);
	if (err == 0)
		err = sipsess_connect(&c->sess, v->sock, c->dial_uri, "guichet", v->from_uri, "guichet", NULL, 0,
				      "application/sdp", desc, dial_auth, c, false, NULL, dial_answer, NULL, dial_estab,
				      NULL, NULL, dial_close, c, "Allow: INVITE, ACK, BYE, CANCEL\r\n");
	mem_deref(desc);
	if (err) {
		log_error("cannot call a callback's customer", "host", dial_host(c), "error", strerror(err));
		tmr_start(&c->tick, 0, dial_not_sent, c);
		return;
	}
	tmr_start(&c->tick, DIAL_RING_MS, dial_timeout, c);
}

/* The trunk the tenant's callbacks are dialled through, into tmpl: its own
 * (store_voice_trunk_dial) with its credentials into c when it has some,
 * else the installation's; false when neither, or when its password
 * cannot be opened (logged: the agent dials by hand). */
static bool dial_trunk(struct voice *v, struct call *c, char *tmpl, size_t len)
{
	struct store_scope scope = ops_channel_scope(c->tenant_id, "voice");
	json_t *row = NULL;
	unsigned char *sealed = NULL;
	size_t sealed_len = 0;
	bool own = store_voice_trunk_dial(v->store, &scope, &row, &sealed, &sealed_len) == GC_OK;
	const char *uri = own ? json_string_value(json_object_get(row, "uri")) : NULL;
	const char *user = own ? json_string_value(json_object_get(row, "username")) : NULL;
	snprintf(tmpl, len, "%s", uri ? uri : v->trunk);
	bool ok = tmpl[0] != '\0';
	if (user && sealed) {
		char why[256] = "";
		ok = v->secrets && secrets_unseal(v->secrets, sealed, sealed_len, &c->dial_pass, why, sizeof(why)) == GC_OK &&
		     (c->dial_user = strdup(user)) != NULL;
		if (!ok)
			log_error("cannot open a trunk's password", "error", why[0] ? why : "out of memory");
	}
	free(sealed);
	json_decref(row);
	return ok;
}

/* The accepted contact, when it is a callback with a number and its agent
 * a registered phone: a call of its own, the agent's phone rung first. */
static void dial_start(struct voice *v, const struct dial_req *d)
{
	for (struct call *c = v->list; c; c = c->next)
		if (c->contact_id == d->contact_id && c->tenant_id == d->tenant_id)
			return; /* a call in, accepted */
	const struct registrar_binding *b = registrar_find(v->registrar, d->tenant_id, d->agent_id);
	struct store_scope scope = ops_channel_scope(d->tenant_id, "voice");
	json_t *row = NULL;
	char tmpl[sizeof(v->trunk)];
	if (b == NULL || store_callback_of_contact(v->store, &scope, d->contact_id, &row) < 0)
		return; /* no phone, or no callback: the agent dials by hand */
	const char *phone = json_string_value(json_object_get(row, "phone"));
	struct call *c = calloc(1, sizeof(*c));
	struct voice_ticket *t = calloc(1, sizeof(*t));
	if (c)
		*c = (struct call){.v = v, .id = ++v->next_id, .te_pt = -1, .pt = 8, .ticket = t, .state = CALL_QUEUED,
				   .contact_id = d->contact_id, .tenant_id = d->tenant_id, .dial = true};
	if (c == NULL || t == NULL || phone == NULL || strlen(phone) >= sizeof(c->caller) ||
	    !dial_trunk(v, c, tmpl, sizeof(tmpl))) {
		if (c)
			dial_forget_credentials(c);
		free(c);
		free(t);
		json_decref(row);
		return; /* no trunk: the agent dials by hand */
	}
	*t = (struct voice_ticket){.tenant_id = d->tenant_id, .contact_id = d->contact_id, .answered_at = gc_now_ms(),
				   .callback_id = json_integer_value(json_object_get(row, "id"))};
	snprintf(t->number, sizeof(t->number), "callback");
	snprintf(t->caller, sizeof(t->caller), "%s", phone);
	snprintf(c->caller, sizeof(c->caller), "%s", phone);
	json_decref(row);
	tmr_init(&c->tick);
	tmr_init(&c->linger);
	atomic_fetch_add(&v->n_active, 1);
	c->next = v->list;
	v->list = c;
	int err = trunk_uri(tmpl, c->caller, c->dial_uri, sizeof(c->dial_uri));
	if (err == 0)
		err = rtp_open(v, &c->rtp, &c->rtp_in, on_rtp, c);
	if (err == 0)
		err = sdp_session_alloc(&c->sdp, &v->media_ip);
	if (err == 0)
		err = sdp_media_add(&c->media, c->sdp, sdp_media_audio, sa_port(rtp_local(c->rtp)), sdp_proto_rtpavp);
	if (err == 0)
		err = add_format(c->media, c->pt);
	if (err || leg_ring(c, b) < 0) {
		char masked[64]; /* the log is no place for a customer's number */
		gc_text_mask(c->caller, masked, sizeof(masked));
		log_error("cannot dial a callback", "phone", masked);
		call_free(c); /* nothing recorded: the agent dials by hand */
		return;
	}
	atomic_fetch_add(&v->n_calls, 1);
	tmr_start(&c->tick, DIAL_RING_MS, dial_agent_timeout, c);
}

static void dial_pending(struct voice *v)
{
	pthread_mutex_lock(&v->lock);
	struct dial_req *d = v->dials;
	v->dials = NULL;
	v->n_dials = 0;
	pthread_mutex_unlock(&v->lock);
	while (d) {
		struct dial_req *next = d->next;
		dial_start(v, d);
		free(d);
		d = next;
	}
}

/* The contact's call is to be brought in line at the next MQ_ROUTING (lock held). */
static void touch(struct voice *v, int64_t contact_id)
{
	for (size_t i = 0; i < v->n_touched; i++)
		if (v->touched[i] == contact_id)
			return;
	if (v->n_touched < MAX_TOUCHED)
		v->touched[v->n_touched++] = contact_id;
	else
		v->touched_all = true;
}

/* The router's observer (router_add_observer), on the writer's thread. */
static void on_routing(void *arg, const struct hub_event *events, size_t n)
{
	struct voice *v = arg;
	bool changed = false;
	pthread_mutex_lock(&v->lock);
	v->round++; /* one commit's offers are one round */
	for (size_t i = 0; i < n; i++) {
		const struct hub_event *ev = &events[i];
		if (ev->contact_id == 0 || ev->frame == NULL)
			continue;
		bool bridge = follow_bridge(v, ev), dial = follow_dial(v, ev), offer = follow(v, ev);
		if (bridge || offer)
			touch(v, ev->contact_id);
		changed = changed || bridge || dial || offer;
	}
	pthread_mutex_unlock(&v->lock);
	if (changed)
		mqueue_push(v->mq, MQ_ROUTING, NULL);
}

/* --- waiting in a queue: announcements and virtual hold (announce.h, wait_ops.h) --- */

/* before (the incident; NULL or "": none) then text, after what plays now. */
static void say_before(struct call *c, const char *before, const char *text)
{
	char both[VOICE_JOB_TEXT_MAX + VOICE_MENU_MAX_PROMPT + 2];
	if (before && *before) {
		snprintf(both, sizeof(both), "%s%s%s", before, text ? " " : "", text ? text : "");
		text = both;
	}
	if (text)
		say(c, text, true);
}

/* The key that asks for a callback, '\0' when none is offered (an anonymous caller cannot be called back). */
static char hold_key(const struct call *c)
{
	return c->caller[0] && !c->hold_asked ? c->waiting.callback_key : '\0';
}

static void on_announce(void *arg)
{
	struct call *c = arg;
	if (c->state != CALL_QUEUED)
		return;
	if (c->agent == NULL) /* not while an agent's phone rings or talks */
		submit(c, VOICE_JOB_ANNOUNCE, hold_key(c), 0, NULL);
	tmr_start(&c->announce, (uint64_t)c->waiting.every_s * 1000, on_announce, c);
}

static int recording_prompt(struct call *c, int64_t id, struct prompt **ret);

/* The queue's own waiting settings, when it has some, win over the
 * number's, and its own music over the installation's (read on this
 * thread's store connection as the number was, here and not in the media
 * tick: the recording's samples come from the prompts' cache, or the store
 * the first time, and the call holds them while it waits). */
static void wait_settings(struct call *c, int64_t queue_id)
{
	struct store_scope scope = ops_channel_scope(c->tenant_id, "voice");
	json_t *row = NULL;
	if (queue_id <= 0 || store_voice_queue_get(c->v->store, &scope, queue_id, &row) < 0)
		return;
	json_t *waiting = json_object_get(row, "waiting");
	if (json_is_object(waiting))
		voice_waiting_read(waiting, &c->waiting);
	int64_t music = json_integer_value(json_object_get(row, "music"));
	struct prompt *p = NULL;
	if (music > 0 && recording_prompt(c, music, &p) == GC_OK) { /* gone meanwhile: the installation's */
		prompt_release(c->music);
		c->music = p;
		c->moh_pos = 0;
	}
	json_decref(row);
}

/* The call enters a queue: announcements every every_s, the first after first_s. */
static void wait_begin(struct call *c, int64_t queue_id)
{
	wait_settings(c, queue_id);
	if (c->waiting.every_s > 0)
		tmr_start(&c->announce, (uint64_t)c->waiting.first_s * 1000, on_announce, c);
}

/* A key while waiting: the callback's asks for one (once), keeping the call's place. */
static void wait_key(struct call *c, char key)
{
	if (key != hold_key(c) || key == '\0' || c->agent)
		return;
	c->hold_asked = true;
	submit(c, VOICE_JOB_CALLBACK, key, 0, NULL);
}

/* An announcement's or a callback's result: said; the callback's
 * confirmation, then guichet hangs up (the contact handed to the callback). */
static void wait_done(struct call *c, const struct voice_job *job)
{
	if (c->state != CALL_QUEUED)
		return;
	if (job->kind == VOICE_JOB_CALLBACK && job->rc < 0) {
		c->hold_asked = false; /* not taken (offered meanwhile, or refused): the caller waits on */
		return;
	}
	if (job->kind == VOICE_JOB_CALLBACK) {
		tmr_cancel(&c->announce);
		c->state = CALL_CLOSED; /* after_prompts hangs up once the confirmation is said */
		c->moh = false;
		say(c, job->text, false);
		if (c->playing == NULL)
			c->quiet_since = tmr_jiffies();
		return;
	}
	if (job->rc == GC_OK && job->text[0] && c->agent == NULL)
		say(c, job->text, false); /* the music resumes after it */
}

/* --- calls --- */

static void call_free(struct call *c)
{
	struct voice *v = c->v;
	for (struct call **at = &v->list; *at; at = &(*at)->next)
		if (*at == c) {
			*at = c->next;
			break;
		}
	tmr_cancel(&c->tick);
	media_stop(c);
	tmr_cancel(&c->linger);
	tmr_cancel(&c->announce);
	leg_drop(c, true);
	ring_drop_all(c, NULL, true);
	bridge_forget(c, true);
	if (c->contact_id)
		forget_offer(v, c->contact_id);
	mem_deref(c->sess); /* a BYE when still established */
	mem_deref(c->telev);
	rtp_close(&c->rtp, &c->rtp_in);
	mem_deref(c->sdp);
	prompt_release(c->playing);
	prompt_release(c->next_prompt);
	prompt_release(c->music);
	dial_forget_credentials(c);
	record_clear(c);
	json_decref(c->menu);
	if (c->ticket)
		free(c->ticket); /* never handed to a job */
	atomic_fetch_sub(&v->n_active, 1);
	free(c);
}

static void linger_done(void *arg)
{
	call_free(arg);
}

/* The call's end: its END job, then it goes (after this turn of the loop:
 * libre may still be inside the session's handler). */
static void call_end_talked(struct call *c, const char *by, int64_t talk_ms)
{
	if (c->state == CALL_ENDED)
		return;
	c->state = CALL_ENDED;
	tmr_cancel(&c->tick);
	media_stop(c);
	tmr_cancel(&c->announce);
	record_end(c);
	if (c->bridged && c->agent)
		talk_ms = (int64_t)(tmr_jiffies() - c->bridged_at);
	int64_t agent = bridge_forget(c, false); /* told once the end is recorded; the hold's time counted */
	/* not inside the leg's handlers (on_agent_close takes its leg first) */
	ring_drop_all(c, "caller_hung_up", true); /* a ring-all offer's other phones: CANCEL */
	if (c->agent && !c->agent->answered)
		leg_unanswered(c, "caller_hung_up", true); /* a CANCEL */
	leg_drop(c, true);                             /* answered: a BYE */
	submit_end(c, by, talk_ms, agent);
	c->ticket = NULL; /* the END job owns it */
	tmr_start(&c->linger, 0, linger_done, c);
}

static void call_end(struct call *c, const char *by)
{
	call_end_talked(c, by, 0);
}

static void on_close(int err, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	/* the session is over: freeing it sends nothing more */
	call_end(c, err == ECONNRESET || err == 0 ? "caller" : "network");
}

static void on_estab(const struct sip_msg *msg, void *arg)
{
}

/* The decoded offer's media into c: false when it has no G.711 in common. */
static bool take_media(struct call *c)
{
	const struct sdp_format *audio = sdp_media_rformat(c->media, NULL);
	if (audio == NULL || sdp_media_rport(c->media) == 0 || (audio->pt != 0 && audio->pt != 8))
		return false;
	c->pt = audio->pt;
	const struct sdp_format *te = sdp_media_rformat(c->media, telev_rtpfmt);
	c->te_pt = te ? te->pt : -1;
	c->remote = *sdp_media_raddr(c->media);
	return true;
}

/* A re-INVITE's offer: the media may move (an address, a codec). */
static int on_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct call *c = arg;
	int err = sdp_decode(c->sdp, msg->mb, true);
	if (err)
		return err;
	return take_media(c) ? sdp_encode(descp, c->sdp, false) : EPROTO;
}

static int on_answer(const struct sip_msg *msg, void *arg)
{
	return 0;
}

/* --- a tenant's own recordings of its prompts (menu.h's "recording") --- */

/* The tenant's recording id as a prompt: from the cache, keyed by its id
 * and its time of creation (an id SQLite hands out again after a delete is
 * another recording), else read from the store on this thread's connection. */
static int recording_prompt(struct call *c, int64_t id, struct prompt **ret)
{
	struct voice *v = c->v;
	struct store_scope scope = ops_channel_scope(c->tenant_id, "voice");
	json_t *row = NULL;
	int rc = store_voice_prompt_get(v->store, &scope, id, &row);
	char key[96];
	if (rc == GC_OK)
		snprintf(key, sizeof(key), "rec:%lld:%lld:%s", (long long)c->tenant_id, (long long)id,
			 json_string_value(json_object_get(row, "created_at")));
	json_decref(row);
	if (rc < 0 || prompt_cache_find(v->prompts, key, ret) == GC_OK)
		return rc;
	int16_t *samples = NULL;
	size_t n = 0;
	if ((rc = store_voice_prompt_audio(v->store, &scope, id, &samples, &n)) < 0)
		return rc;
	if ((rc = prompt_from_samples(samples, n, ret)) < 0) {
		free(samples);
		return rc;
	}
	prompt_cache_add(v->prompts, key, *ret);
	return GC_OK;
}

/* What a menu (or its "closed") plays: the recording it names, else (none,
 * or gone) its text spoken; NULL when neither can be. */
static struct prompt *menu_audio(struct call *c, const json_t *menu)
{
	struct prompt *p = NULL;
	int64_t id = voice_menu_recording(menu);
	if (id > 0 && recording_prompt(c, id, &p) == GC_OK)
		return p;
	const char *text = voice_menu_prompt(menu);
	return text && prompt_get(c->v->prompts, text, c->lang, &p) == GC_OK ? p : NULL;
}

/* A menu's prompt, now. */
static void say_menu(struct call *c, const json_t *menu)
{
	struct prompt *p = menu_audio(c, menu);
	if (p)
		play(c, p);
}

/* before (the incident's text; NULL or "": none) then the menu's recording, after what plays now. */
static void say_recorded(struct call *c, const char *before, const json_t *menu)
{
	struct prompt *p = menu_audio(c, menu), *b = NULL, *both = NULL;
	if (p && before && *before && prompt_get(c->v->prompts, before, c->lang, &b) == GC_OK &&
	    prompt_join(b, p, &both) == GC_OK) {
		prompt_release(p);
		p = both;
	}
	prompt_release(b);
	if (p == NULL)
		return;
	if (c->playing) {
		prompt_release(c->next_prompt);
		c->next_prompt = p;
	} else {
		play(c, p);
	}
}

/* The menu's first step, once the answer is recorded (the greeting plays
 * from the start): the current incident when one affects the caller, then
 * the menu, the closed message, or the queue. */
static void call_begin(struct call *c, const char *incident)
{
	const json_t *what = NULL, *closed = c->menu ? json_object_get(c->menu, "closed") : NULL;
	if (c->closed && (voice_menu_prompt(closed) || voice_menu_recording(closed) > 0)) {
		c->state = CALL_CLOSED;
		what = closed;
	} else if (c->menu) {
		c->state = CALL_MENU;
		c->at = c->menu;
		what = c->menu;
	} else {
		c->state = CALL_QUEUED;
		c->moh = true;
		wait_begin(c, c->ticket->queue_id);
	}
	if (what && voice_menu_recording(what) > 0)
		say_recorded(c, incident, what);
	else
		say_before(c, incident, what ? voice_menu_prompt(what) : NULL);
	if (c->state == CALL_QUEUED)
		record_queued(c, c->ticket->queue_id); /* its consent notice after the rest */
	if (c->playing == NULL)
		c->quiet_since = tmr_jiffies();
}

/* The offer's media into c (the answer's SDP in ret_desc): 488 when nothing fits. */
static int negotiate(struct voice *v, struct call *c, const struct sip_msg *msg, struct mbuf **ret_desc)
{
	int err = rtp_open(v, &c->rtp, &c->rtp_in, on_rtp, c);
	if (err == 0)
		err = sdp_session_alloc(&c->sdp, &v->media_ip);
	if (err == 0)
		err = sdp_media_add(&c->media, c->sdp, sdp_media_audio, sa_port(rtp_local(c->rtp)), sdp_proto_rtpavp);
	if (err == 0)
		err = sdp_format_add(NULL, c->media, false, "0", "PCMU", 8000, 1, NULL, NULL, NULL, false, NULL);
	if (err == 0)
		err = sdp_format_add(NULL, c->media, false, "8", "PCMA", 8000, 1, NULL, NULL, NULL, false, NULL);
	if (err == 0)
		err = sdp_format_add(NULL, c->media, false, "101", telev_rtpfmt, 8000, 1, NULL, NULL, NULL, false,
				     "0-15");
	if (err)
		return 500;
	if (msg->mb == NULL || mbuf_get_left(msg->mb) == 0 || sdp_decode(c->sdp, msg->mb, true) != 0)
		return 488; /* no offer, or one that is not SDP: counted as malformed */
	if (!take_media(c))
		return NO_CODEC;
	if (telev_alloc(&c->telev, PTIME_MS) != 0 || sdp_encode(ret_desc, c->sdp, false) != 0)
		return 500;
	return 0;
}

/* The number the INVITE is for, as stored (ops_phone_key), and the tenant
 * it must be one of (*ret_tenant; 0: any).
 *
 * Over a tenant's registration to its provider (the Request-URI's user is
 * the registration's contact, "trunk-t12": trunkreg.h), the provider keeps
 * the contact in the Request-URI and puts the number dialled (the DID) in
 * the To header: the number is the To's user, read in that tenant's
 * country (so a national form is found too), and it must be one of that
 * tenant's numbers, or the call is refused as an unknown number (404): a
 * tenant's trunk never reaches another tenant's number.
 *
 * Otherwise the number is the Request-URI's user, as a trunk pointed at
 * --sip-listen (or a provider that rewrites the Request-URI to the DID)
 * sends it; its tenant is not known yet, so no country: E.164
 * ("+33123456789") and international digits ("33123456789", their digits
 * key) are found; a national form ("0123456789") only matches a number kept
 * so before E.164. */
static int called_number(struct voice *v, const struct sip_msg *msg, char *ret, size_t len, int64_t *ret_tenant)
{
	char user[64], country[3] = "";
	if (msg->uri.user.l == 0 || msg->uri.user.l >= sizeof(user))
		return GC_EINVAL;
	pl_strcpy(&msg->uri.user, user, sizeof(user));
	int64_t tenant = trunkreg_tenant_of(v->trunkreg, user);
	*ret_tenant = tenant;
	if (tenant == 0)
		return ops_phone_key(user, NULL, true, ret, len);
	struct ops_error err = {0};
	if (msg->to.uri.user.l == 0 || msg->to.uri.user.l >= sizeof(user))
		return GC_EINVAL;
	pl_strcpy(&msg->to.uri.user, user, sizeof(user));
	if (ops_tenant_country(v->store, tenant, country, &err) < 0)
		country[0] = '\0'; /* a calendar that cannot be read: international forms only */
	return ops_phone_key(user, country, true, ret, len);
}

/* The caller's number (the From's user) as ops_phone_key keeps it, read in
 * the tenant's country, leniently (a caller ID libphonenumber cannot read
 * keeps its digits); "" for an anonymous caller or one with no number. */
static void caller_number(struct voice *v, const struct sip_msg *msg, int64_t tenant_id, char *ret, size_t len)
{
	char from[64] = "", country[3] = "";
	struct ops_error err = {0};
	if (msg->from.uri.user.l < sizeof(from))
		pl_strcpy(&msg->from.uri.user, from, sizeof(from));
	if (ops_tenant_country(v->store, tenant_id, country, &err) < 0)
		country[0] = '\0'; /* a calendar that cannot be read: international forms only */
	if (ops_phone_key(from, country, true, ret, len) < 0)
		ret[0] = '\0';
}

/* Whether the tenant is open now (its business calendar; open when it cannot be read). */
static bool open_now(struct voice *v, int64_t tenant_id)
{
	struct calendar cal;
	struct ops_error err = {0};
	bool open = true;
	/* calendar_is_open writes a bool */
	if (ops_calendar_load(v->store, tenant_id, &cal, &err) == GC_OK && calendar_is_open(&cal, gc_now_ms(), &open) < 0)
		open = true;
	return open;
}

/* The number's greeting, now: its recording when it names one that can be
 * played (the prompts' cache, else the store, as a menu's), else its text
 * spoken. */
static void greet(struct call *c, const json_t *number)
{
	int64_t id = json_integer_value(json_object_get(number, "greeting_recording"));
	struct prompt *p = NULL;
	if (id > 0 && recording_prompt(c, id, &p) == GC_OK) {
		play(c, p);
		return;
	}
	const char *greeting = json_string_value(json_object_get(number, "greeting"));
	if (greeting && *greeting)
		say(c, greeting, false);
}

/* A new call for the number row: answered, or refused with its status. */
static int call_accept(struct voice *v, const struct sip_msg *msg, json_t *number)
{
	struct call *c = calloc(1, sizeof(*c));
	struct voice_ticket *t = calloc(1, sizeof(*t));
	if (c == NULL || t == NULL) {
		free(c);
		free(t);
		return 503;
	}
	*c = (struct call){.v = v, .id = ++v->next_id, .te_pt = -1, .ticket = t};
	tmr_init(&c->tick);
	tmr_init(&c->linger);
	atomic_fetch_add(&v->n_active, 1);
	json_t *menu = json_object_get(number, "menu");
	c->menu = json_is_object(menu) ? json_incref(menu) : NULL;
	snprintf(c->lang, sizeof(c->lang), "%s", json_string_value(json_object_get(number, "lang")));
	snprintf(t->lang, sizeof(t->lang), "%s", c->lang);
	voice_waiting_read(json_object_get(number, "waiting"), &c->waiting);
	tmr_init(&c->announce);
	t->tenant_id = json_integer_value(json_object_get(number, "tenant_id"));
	t->number_id = json_integer_value(json_object_get(number, "id"));
	t->queue_id = c->menu ? 0 : json_integer_value(json_object_get(number, "queue_id"));
	snprintf(t->number, sizeof(t->number), "%s", json_string_value(json_object_get(number, "number")));
	caller_number(v, msg, t->tenant_id, t->caller, sizeof(t->caller));
	c->tenant_id = t->tenant_id;
	snprintf(c->caller, sizeof(c->caller), "%s", t->caller);
	c->closed = c->menu && !open_now(v, t->tenant_id);
	struct mbuf *desc = NULL;
	int status = negotiate(v, c, msg, &desc);
	if (status == 0 && sipsess_accept(&c->sess, v->sock, msg, 200, "OK", "guichet", "application/sdp", desc,
					  NULL, NULL, false, on_offer, on_answer, on_estab, NULL, NULL, on_close, c,
					  "Allow: INVITE, ACK, BYE, CANCEL\r\n") != 0)
		status = 500;
	mem_deref(desc);
	if (status != 0) {
		call_free(c);
		return status;
	}
	c->next = v->list;
	v->list = c;
	atomic_fetch_add(&v->n_calls, 1);
	t->answered_at = gc_now_ms();
	submit(c, VOICE_JOB_ANSWER, 0, 0, NULL);
	greet(c, number); /* the rest once the answer is recorded (call_begin) */
	media_start(c);
	return 0;
}

static void on_invite(const struct sip_msg *msg, void *arg)
{
	struct voice *v = arg;
	char number[40];
	json_t *row = NULL;
	int status = 0;
	int64_t tenant = 0;
	if (v->stopping)
		status = 503;
	else if (atomic_load(&v->n_active) >= MAX_CALLS)
		status = 486;
	else if (called_number(v, msg, number, sizeof(number), &tenant) < 0 ||
		 store_voice_number_find(v->store, number, &row) < 0 ||
		 (tenant && json_integer_value(json_object_get(row, "tenant_id")) != tenant))
		status = 404; /* another tenant's number, over this tenant's trunk: as unknown */
	else
		status = call_accept(v, msg, row);
	json_decref(row);
	if (status == 404)
		atomic_fetch_add(&v->n_unknown, 1);
	else if (status == 488)
		atomic_fetch_add(&v->n_malformed, 1);
	if (status == NO_CODEC)
		status = 488;
	if (status)
		sip_treply(NULL, v->sip, msg, (uint16_t)status, status == 404 ? "Not Found" : status == 488 ?
			   "Not Acceptable Here" : status == 486 ? "Busy Here" : status == 503 ? "Service Unavailable"
			   : "Server Internal Error");
}

/* --- the loop's messages --- */

static void take_done(struct voice *v)
{
	pthread_mutex_lock(&v->lock);
	struct voice_job *stack = v->done, *job = NULL;
	v->done = NULL;
	pthread_mutex_unlock(&v->lock);
	while (stack) { /* pushed newest first: applied in the order they finished */
		struct voice_job *next = stack->next;
		stack->next = job;
		job = stack;
		stack = next;
	}
	while (job) {
		struct voice_job *next = job->next;
		struct call *c = v->list;
		while (c && c->id != job->call_id)
			c = c->next;
		if (c && job->kind == VOICE_JOB_ANSWER) {
			c->contact_id = job->contact_id;
			if (job->rc < 0) {
				call_end(c, "guichet"); /* not recorded: not kept either */
			} else if (c->state == CALL_GREETING) {
				call_begin(c, job->text);
				reconcile(c); /* offered as it was made (a number with no menu) */
			}
		} else if (c && (job->kind == VOICE_JOB_ANNOUNCE || job->kind == VOICE_JOB_CALLBACK)) {
			wait_done(c, job);
		} else if (c && job->kind == VOICE_JOB_ACCEPT && job->rc < 0 && c->agent &&
			   c->agent->user_id == job->agent_id) {
			leg_drop(c, true); /* the offer was gone: a BYE, and the caller waits again */
		}
		if (job->ticket && (job->kind == VOICE_JOB_RING || job->kind == VOICE_JOB_ACCEPT ||
				    (job->kind == VOICE_JOB_DIALED && strcmp(job->reason, "reached") == 0)))
			tell_recorded(v, job->ticket->tenant_id, job->ticket->contact_id, job->agent_id,
				      job->kind == VOICE_JOB_RING);
		else if (job->ticket && job->kind == VOICE_JOB_END)
			tell_over(v, job->ticket->tenant_id, job->ticket->contact_id, job->agent_id);
		voice_job_free(job);
		job = next;
	}
}

static void on_done(struct voice_job *job, void *arg)
{
	struct voice *v = arg;
	pthread_mutex_lock(&v->lock);
	job->next = v->done;
	v->done = job;
	pthread_mutex_unlock(&v->lock);
	mqueue_push(v->mq, MQ_DONE, NULL);
}

/* The calls of the contacts touched since the last time brought in line
 * with their offers and bridges (control_apply, reconcile). */
static void routing_apply(struct voice *v)
{
	int64_t touched[MAX_TOUCHED];
	pthread_mutex_lock(&v->lock);
	size_t n = v->n_touched;
	bool all = v->touched_all;
	memcpy(touched, v->touched, n * sizeof(*touched));
	v->n_touched = 0;
	v->touched_all = false;
	pthread_mutex_unlock(&v->lock);
	for (struct call *c = v->list, *next; c; c = next) {
		next = c->next;
		bool hit = all;
		for (size_t i = 0; i < n && !hit && c->contact_id; i++)
			hit = touched[i] == c->contact_id;
		if (!hit)
			continue;
		control_apply(c);
		reconcile(c);
	}
}

/* Every trunk's registration ended (unregistered, or its registrar silent too long): the loop ends. */
static void trunks_unregistered(void *arg)
{
	(void)arg;
	re_cancel();
}

static void on_message(int id, void *data, void *arg)
{
	struct voice *v = arg;
	if (id == MQ_DONE) {
		take_done(v);
		return;
	}
	if (id == MQ_ROUTING) {
		routing_apply(v);
		if (!v->stopping) /* no new call while the trunks unregister */
			dial_pending(v);
		return;
	}
	if (v->stopping)
		return;
	v->stopping = true;
	while (v->list) {
		struct call *c = v->list;
		call_end(c, "shutdown");
		call_free(c);
	}
	trunkreg_stop(v->trunkreg, trunks_unregistered, v); /* the loop runs on until they are answered */
}

/* --- recordings (recorder.h) --- */

static const char *notice_text(const char *lang)
{
	return strcmp(lang, "fr") == 0 ? "Cet appel est susceptible d'être enregistré, pour la qualité de notre service."
				       : "This call may be recorded for quality and training.";
}

/* The call entered queue_id: a recorded queue's consent notice is said
 * now (after what plays), and no agent is rung before it has been. */
static void record_queued(struct call *c, int64_t queue_id)
{
	bool on = false;
	if (c->v->recorder == NULL || queue_id <= 0 || c->rec_on ||
	    store_recording_queue_on(c->v->store, c->tenant_id, queue_id, &on) < 0 || !on)
		return;
	c->rec_on = true;
	c->rec_queue = queue_id;
	const char *text = notice_text(c->lang);
	if (c->playing == NULL) { /* a menu's prompt queued behind one cut short by the key stays unsaid */
		prompt_release(c->next_prompt);
		c->next_prompt = NULL;
	}
	say(c, text, c->playing != NULL);
	/* a reference of our own: the notice is known by its address until said */
	if (prompt_get(c->v->prompts, text, c->lang, &c->rec_notice) < 0)
		c->rec_notice = NULL;
	if (c->rec_notice == NULL || (c->playing != c->rec_notice && c->next_prompt != c->rec_notice))
		record_notice_check(c); /* it could not be said: nothing to wait for */
}

static bool record_notice_done(const struct call *c)
{
	return !c->rec_on || c->rec_notice_said;
}

/* Once the notice has been said: the timeline told, and the agent rung. */
static void record_notice_check(struct call *c)
{
	if (!c->rec_on || c->rec_notice_said || (c->rec_notice && (c->playing == c->rec_notice ||
								   c->next_prompt == c->rec_notice)))
		return;
	c->rec_notice_said = true;
	bool said = c->rec_notice != NULL;
	prompt_release(c->rec_notice);
	c->rec_notice = NULL;
	struct voice_job *job = calloc(1, sizeof(*job));
	if (job) {
		*job = (struct voice_job){.kind = VOICE_JOB_NOTICE, .ticket = c->ticket, .call_id = c->id};
		snprintf(job->reason, sizeof(job->reason), "%s", said ? c->lang : "unsaid");
		voice_calls_submit(c->v->calls, job);
	}
	reconcile(c);
}

static void record_begin(struct call *c, int64_t agent_id)
{
	if (!c->rec_on || c->rec || c->v->recorder == NULL)
		return;
	struct recorder_info who = {.tenant_id = c->tenant_id, .contact_id = c->contact_id, .queue_id = c->rec_queue,
				    .agent_id = agent_id};
	c->rec = recording_open(c->v->recorder, &who, tmr_jiffies());
	if (c->rec == NULL)
		log_error("cannot record a call", "error", "out of memory");
}

static void record_put(struct call *c, int side, const struct rtp_header *hdr, struct mbuf *mb)
{
	if (c->rec && (int)hdr->pt == c->pt)
		recording_put(c->rec, side, hdr->ts, tmr_jiffies(), mbuf_buf(mb), mbuf_get_left(mb), c->pt);
}

static void record_end(struct call *c)
{
	recording_close(c->rec, tmr_jiffies());
	c->rec = NULL;
}

static void record_clear(struct call *c)
{
	record_end(c);
	prompt_release(c->rec_notice);
	c->rec_notice = NULL;
}

/* A file whole (the recorder's thread): its row and event, on the writer. */
static void on_recorded(const struct recorder_info *info, void *arg)
{
	struct voice *v = arg;
	char contact[24];
	snprintf(contact, sizeof(contact), "%lld", (long long)info->contact_id);
	if (info->rc < 0) {
		log_error("cannot write a call's recording", "contact", contact, "error", gc_error_name(info->rc));
		return;
	}
	struct voice_job *job = calloc(1, sizeof(*job));
	struct voice_ticket *t = calloc(1, sizeof(*t));
	if (job == NULL || t == NULL) {
		free(job);
		free(t);
		log_error("cannot record a call's recording", "contact", contact, "error", "out of memory");
		return;
	}
	*t = (struct voice_ticket){.tenant_id = info->tenant_id, .contact_id = info->contact_id};
	*job = (struct voice_job){.kind = VOICE_JOB_RECORDED, .ticket = t, .recording = *info};
	voice_calls_submit(v->calls, job);
}

/* The music on hold, whole. */
static int load_moh(struct voice *v)
{
	return v->moh_file[0] ? prompt_load_wav(v->moh_file, MOH_MAX_SAMPLES, &v->moh) : GC_OK;
}

/* The SIP socket's receive buffer: the kernel's default (208 KiB, a
 * hundred-odd datagrams) overflowed at 100 calls a second whenever the
 * loop paused (2,363 datagrams dropped in 5 s of whole calls: phones' 180s
 * lost, INVITEs retransmitted, which the bench's phones end the call on).
 * libre 1.1 keeps its SIP socket to itself, so it is found among the
 * process's descriptors by its address; the kernel caps the size at
 * net.core.rmem_max. */
#define SIP_RCVBUF (4 << 20)
static void sip_buffer(const struct sa *laddr)
{
	struct rlimit rl;
	int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 131072 ? (int)rl.rlim_cur : 131072;
	for (int fd = 0; fd < max; fd++) {
		int type = 0, size = SIP_RCVBUF;
		socklen_t type_len = sizeof(type);
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		struct sa a;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &type_len) < 0 || type != SOCK_DGRAM ||
		    getsockname(fd, (struct sockaddr *)&ss, &len) < 0 || sa_set_sa(&a, (struct sockaddr *)&ss) != 0 ||
		    !sa_cmp(&a, laddr, SA_ALL))
			continue;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
			log_error("cannot enlarge the SIP socket's receive buffer", "error", strerror(errno));
		return;
	}
}

/* The DNS client through which libre's SIP stack finds a trunk's or a
 * registrar's host named by a name (RFC 3263: NAPTR, SRV, then A records;
 * an address needs none): the servers given (--dns-server), else the
 * system's (resolv.conf, through libre's dns_srv_get). With none found the
 * client is made all the same: a name then fails to resolve, visibly, and
 * addresses work as before. */
static void dns_open(struct voice *v)
{
	struct sa srv[VOICE_MAX_DNS_SERVERS];
	uint32_t n = 0;
	for (size_t i = 0; i < v->n_dns; i++)
		if (sa_set_str(&srv[n], v->dns[i].addr, (uint16_t)v->dns[i].port) == 0)
			n++;
	char domain[64] = "";
	if (v->n_dns == 0) {
		n = VOICE_MAX_DNS_SERVERS;
		if (dns_srv_get(domain, sizeof(domain), srv, &n) != 0)
			n = 0;
	}
	if (n == 0)
		log_error("no DNS server: trunks and registrars named by a host name will not resolve",
			  "hint", "give --dns-server ADDR:PORT");
	for (uint32_t i = 0; i < n; i++) {
		char text[64];
		re_snprintf(text, sizeof(text), "%J", &srv[i]);
		log_info("resolving SIP host names", "dns_server", text);
	}
	if (dnsc_alloc(&v->dnsc, NULL, srv, n) != 0) /* its sockets (IPv4 and IPv6) cannot be opened */
		log_error("cannot make the DNS client: trunks and registrars named by a host name will not resolve");
}

/* The loop's objects; on failure what was made is freed by loop_clear. */
static int loop_open(struct voice *v)
{
	struct sa laddr;
	if (sa_set_str(&laddr, v->host, (uint16_t)v->port) != 0)
		return GC_EINVAL;
	v->media_ip = laddr;
	sa_set_port(&v->media_ip, 0);
	if (re_snprintf(v->from_uri, sizeof(v->from_uri), "sip:guichet@%J", &laddr) < 0)
		return GC_EINVAL;
	/* what a crash cut is over before any new call comes */
	int rc = voice_calls_recover(v->writer);
	if (rc < 0)
		log_error("cannot record the calls the last stop cut", "error", gc_error_name(rc));
	if ((rc = store_open(v->db_path, STORE_READ_ONLY, &v->store)) < 0)
		return rc;
	if ((rc = load_moh(v)) < 0)
		return rc;
	if ((rc = prompt_cache_new(&v->prompts)) < 0)
		return rc;
	if ((rc = media_in_new(&v->media_in)) < 0)
		return rc;
	v->clock_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (v->clock_fd < 0 || fd_listen(v->clock_fd, FD_READ, on_clock_fd, v) != 0)
		return GC_EIO;
	dns_open(v);
	if (mqueue_alloc(&v->mq, on_message, v) != 0 ||
	    sip_alloc(&v->sip, v->dnsc, SIP_HASH_SIZE, SIP_HASH_SIZE, 32, "guichet", NULL, NULL) != 0)
		return GC_ENOMEM;
	if (sip_transp_add(v->sip, SIP_TRANSP_UDP, &laddr) != 0 || sip_transp_add(v->sip, SIP_TRANSP_TCP, &laddr) != 0)
		return GC_EIO;
	sip_buffer(&laddr);
	if (sipsess_listen(&v->sock, v->sip, SIP_HASH_SIZE, on_invite, v) != 0)
		return GC_ENOMEM;
	if ((rc = registrar_new(v->sip, v->store, &v->phones, &v->registrar)) < 0)
		return rc;
	if ((rc = trunkreg_new(v->sip, v->store, v->secrets, &v->trunks, &v->trunkreg)) < 0)
		return rc;
	if ((rc = voice_calls_start(v->writer, on_done, v, &v->calls)) < 0)
		return rc;
	return v->rec_dir[0] ? recorder_start(v->rec_dir, on_recorded, v, &v->recorder) : GC_OK;
}

static void loop_clear(struct voice *v)
{
	if (v->clock_fd >= 0) {
		fd_close(v->clock_fd);
		close(v->clock_fd);
		v->clock_fd = -1;
	}
	recorder_stop(v->recorder); /* the last files whole, their rows handed to the calls' thread */
	v->recorder = NULL;
	voice_calls_stop(v->calls); /* every step recorded before the daemon goes on stopping */
	v->calls = NULL;
	take_done(v);
	registrar_free(v->registrar);
	v->registrar = NULL;
	trunkreg_close(v->trunkreg); /* freed once the thread is gone (voice_stop), as the API reads it */
	v->sock = mem_deref(v->sock);
	if (v->sip)
		sip_close(v->sip, true);
	v->sip = mem_deref(v->sip);
	v->dnsc = mem_deref(v->dnsc); /* after the SIP stack, whose requests held its queries */
	v->mq = mem_deref(v->mq);
	media_in_free(v->media_in); /* every call's socket gone with its call */
	v->media_in = NULL;
	prompt_cache_free(v->prompts);
	v->prompts = NULL;
	store_free(v->store);
	v->store = NULL;
}

static void tell_ready(struct voice *v, int state)
{
	pthread_mutex_lock(&v->lock);
	v->ready = state;
	pthread_cond_signal(&v->ready_cond);
	pthread_mutex_unlock(&v->lock);
}

/* libre 1.1's loop watches descriptors by their number, up to 1024 unless
 * told otherwise before its first one: each call holds an RTP socket (two
 * bridged), and the daemon's other threads hold numbers too, so past about
 * 500 calls every new call was refused (500) and no phone could ring. The
 * loop follows the process's own limit (raised at start, server.c), up to
 * 131,072 (a few megabytes of handlers). */
static int loop_size(void)
{
	struct rlimit rl;
	rlim_t n = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY ? rl.rlim_cur : 131072;
	return fd_setsize((int)(n < 1024 ? 1024 : n > 131072 ? 131072 : n));
}

/* The loop keeps 20 ms of media for hundreds of calls and reads their SIP:
 * it asks the scheduler for a larger share than the daemon's other threads,
 * as media servers do (Asterisk's -p, FreeSWITCH's -rp). Under the bench, on
 * two cores shared with SIPp's hundreds of threads, it waited on the run
 * queue twice as long as it ran and its SIP socket fell seconds behind.
 * Without the privilege (CAP_SYS_NICE, or systemd's LimitNICE=) the thread
 * keeps the process's priority. */
static void loop_priority(void)
{
	if (setpriority(PRIO_PROCESS, (id_t)gettid(), LOOP_NICE) != 0)
		log_info("the telephony thread keeps the process's priority", "error", strerror(errno));
}

static void *voice_main(void *arg)
{
	struct voice *v = arg;
	loop_priority();
	if (re_thread_init() != 0) {
		tell_ready(v, GC_ENOMEM);
		return NULL;
	}
	if (loop_size() != 0) {
		re_thread_close();
		tell_ready(v, GC_ENOMEM);
		return NULL;
	}
	int rc = loop_open(v);
	if (rc < 0) {
		loop_clear(v);
		re_thread_close();
		tell_ready(v, rc);
		return NULL;
	}
	tell_ready(v, 1);
	re_main(NULL);
	loop_clear(v);
	re_thread_close();
	return NULL;
}

int voice_start(const struct voice_deps *deps, struct voice **ret)
{
	struct voice *v = calloc(1, sizeof(*v));
	if (v == NULL)
		return GC_ENOMEM;
	snprintf(v->db_path, sizeof(v->db_path), "%s", deps->db);
	snprintf(v->host, sizeof(v->host), "%s", deps->host);
	snprintf(v->moh_file, sizeof(v->moh_file), "%s", deps->moh_file ? deps->moh_file : "");
	snprintf(v->trunk, sizeof(v->trunk), "%s", deps->trunk ? deps->trunk : "");
	snprintf(v->rec_dir, sizeof(v->rec_dir), "%s", deps->recordings_dir ? deps->recordings_dir : "");
	v->port = deps->port;
	v->writer = deps->writer;
	v->call_changed = deps->call_changed;
	v->call_changed_arg = deps->call_changed_arg;
	v->secrets = deps->secrets;
	for (size_t i = 0; i < deps->n_dns_servers && i < VOICE_MAX_DNS_SERVERS; i++)
		v->dns[v->n_dns++] = deps->dns_servers[i];
	v->clock_fd = -1;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->ready_cond, NULL);
	if (libre_init() != 0) {
		free(v);
		return GC_ENOMEM;
	}
	if (pthread_create(&v->thread, NULL, voice_main, v) != 0) {
		libre_close();
		free(v);
		return GC_ENOMEM;
	}
	pthread_mutex_lock(&v->lock);
	while (v->ready == 0)
		pthread_cond_wait(&v->ready_cond, &v->lock);
	int state = v->ready;
	pthread_mutex_unlock(&v->lock);
	if (state < 0) {
		pthread_join(v->thread, NULL);
		libre_close();
		trunkreg_free(v->trunkreg);
		prompt_release(v->moh);
		free(v);
		return state;
	}
	v->router = v->writer ? writer_router(v->writer) : NULL;
	if (v->router && router_add_observer(v->router, on_routing, v) < 0)
		log_error("cannot follow the offers: agents' phones will not ring", "error", "too many observers");
	*ret = v;
	return GC_OK;
}

void voice_stop(struct voice *v)
{
	if (v == NULL)
		return;
	if (v->router)
		router_remove_observer(v->router, on_routing, v);
	mqueue_push(v->mq, MQ_STOP, NULL);
	pthread_join(v->thread, NULL);
	libre_close();
	struct offer *o, *tmp;
	HASH_ITER(hh, v->offers, o, tmp) {
		HASH_DEL(v->offers, o);
		free(o);
	}
	bridges_free(v);
	trunkreg_free(v->trunkreg);
	for (struct dial_req *d = v->dials, *next; d; d = next) {
		next = d->next;
		free(d);
	}
	pthread_cond_destroy(&v->ready_cond);
	pthread_mutex_destroy(&v->lock);
	prompt_release(v->moh);
	free(v);
}

void voice_stats(const struct voice *v, struct voice_stats *ret)
{
	*ret = (struct voice_stats){0};
	if (v == NULL)
		return;
	ret->calls = atomic_load(&v->n_calls);
	ret->unknown = atomic_load(&v->n_unknown);
	ret->malformed = atomic_load(&v->n_malformed);
	ret->rtp_sent = atomic_load(&v->n_rtp_sent);
	ret->rtp_received = atomic_load(&v->n_rtp_received);
	ret->keys = atomic_load(&v->n_keys);
	ret->rings = atomic_load(&v->n_rings);
	ret->bridged = atomic_load(&v->n_bridged);
	ret->unanswered = atomic_load(&v->n_unanswered);
	ret->rtp_to_agent = atomic_load(&v->n_to_agent);
	ret->rtp_to_caller = atomic_load(&v->n_to_caller);
	ret->rtp_dropped = atomic_load(&v->n_rtp_dropped);
	ret->moved = atomic_load(&v->n_moved);
	ret->active = atomic_load(&v->n_active);
	ret->phones_registered = atomic_load(&v->phones.registered);
	ret->phones_challenged = atomic_load(&v->phones.challenged);
	ret->phones_denied = atomic_load(&v->phones.denied);
	ret->phones_throttled = atomic_load(&v->phones.throttled);
	ret->phones_bound = atomic_load(&v->phones.bindings);
	ret->trunks_registering = atomic_load(&v->trunks.registering);
	ret->trunks_registered = atomic_load(&v->trunks.registered);
	ret->trunks_failing = atomic_load(&v->trunks.failing);
	ret->trunk_failures = atomic_load(&v->trunks.failures);
}

void voice_trunk_state(struct voice *v, int64_t tenant_id, struct voice_trunk_state *ret)
{
	trunkreg_state(v ? v->trunkreg : NULL, tenant_id, ret);
}

int voice_call_state(struct voice *v, int64_t tenant_id, int64_t contact_id, struct voice_call *ret)
{
	if (v == NULL)
		return GC_ENOTFOUND;
	pthread_mutex_lock(&v->lock);
	struct bridge *b = NULL;
	HASH_FIND(hh, v->bridges, &contact_id, sizeof(contact_id), b);
	int rc = b && b->tenant_id == tenant_id && b->moved[0] == '\0' ? GC_OK : GC_ENOTFOUND;
	if (rc == GC_OK)
		*ret = (struct voice_call){.agent_id = b->agent_id, .ringing = b->ringing, .held = b->held,
					   .since_ms = b->since, .held_since_ms = b->held ? b->held_at : 0};
	pthread_mutex_unlock(&v->lock);
	return rc;
}

int voice_call_hold(struct voice *v, int64_t tenant_id, int64_t contact_id, bool hold, int64_t *ret_held_ms)
{
	if (v == NULL)
		return GC_ENOTFOUND;
	pthread_mutex_lock(&v->lock);
	struct bridge *b = NULL;
	HASH_FIND(hh, v->bridges, &contact_id, sizeof(contact_id), b);
	int rc = b && b->tenant_id == tenant_id && b->moved[0] == '\0' && !b->ringing ? GC_OK : GC_ENOTFOUND;
	if (rc == GC_OK && b->held == hold)
		rc = GC_ESTATE;
	if (rc == GC_OK) {
		int64_t now = gc_now_ms();
		if (!hold && ret_held_ms)
			*ret_held_ms = now - b->held_at;
		b->held = hold;
		b->held_at = now;
		touch(v, contact_id);
	}
	pthread_mutex_unlock(&v->lock);
	if (rc == GC_OK)
		mqueue_push(v->mq, MQ_ROUTING, NULL);
	return rc;
}

void voice_call_tell(struct voice *v, int64_t tenant_id, int64_t contact_id)
{
	if (v)
		tell_recorded(v, tenant_id, contact_id, 0, false);
}
