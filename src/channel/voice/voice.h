/* The telephony thread: SIP over UDP and TCP (libre), calls' media (RTP
 * with librem's G.711, RFC 4733 keypad events), in one thread with its own
 * re main loop. It answers a call to one of the tenants' numbers (store
 * voice_numbers): the greeting and the voice menu are spoken (prompt.h),
 * the keys walk the menu (menu.h), a leaf puts the caller in its queue
 * with music on hold; the store hears of each step through calls.h, off
 * this thread. A call to an unknown number gets 404. What is not SIP
 * libre drops itself as it reads it (libre 1.1 logs it on stderr and offers
 * no hook to count it); an INVITE whose offer is missing or not SDP gets
 * 488 and is counted as malformed, one with no codec in common 488 too.
 *
 * A call's life (struct call in voice.c):
 *
 *   INVITE --accept (200 + SDP)--> GREETING --prompt ends--> MENU or QUEUED
 *   MENU --key to a nested menu--> MENU;  MENU --key to a queue--> QUEUED
 *   MENU, outside business hours --closed prompt ends--> hung up by guichet
 *   any --BYE from the caller--> ended (waiting in a queue: an abandonment)
 *   any --guichetd stops, or the network fails--> ended (BYE sent; waiting: an abandonment too)
 *
 * Waiting in a queue, the call follows its contact's offers (the router's
 * committed events, router_add_observer): offered to an agent whose phone
 * is registered (registrar.h), the agent's leg rings it (INVITE, the
 * caller's codec alone); the offer gone (expired, withdrawn, rejected) or
 * the caller gone, CANCEL; answered, the offer is accepted (calls.h) and
 * the legs bridged: RTP relayed as it comes, both ways, the music stopped.
 * Either side's BYE ends both legs and the call; the agent then wraps up.
 *
 * A tenant's trunk may ask guichet to register to its provider
 * (trunkreg.h): the thread keeps those registrations, and an INVITE to a
 * registration's contact is a call to one of that tenant's numbers (the
 * To's), or a 404. Stopping, it unregisters them before its loop ends.
 * A trunk or a registrar named by a host name is found by libre's DNS
 * client as RFC 3263 says (NAPTR, SRV, A), asking the servers of
 * voice_deps.dns_servers, else the system's (resolv.conf).
 *
 * Other threads talk to it only through its mqueue (voice_stop, and the
 * calls' results) and read its counters (voice_stats). */
#ifndef GUICHET_CHANNEL_VOICE_VOICE_H
#define GUICHET_CHANNEL_VOICE_VOICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct writer;
struct secrets;
struct voice;
struct voice_call;

/* Told of each change of a contact's call with an agent's phone as the
 * API shows it (voice_call_state): it rings, is bridged, held, resumed;
 * call NULL: it is over for agent_id (hung up, unanswered, transferred,
 * or another phone of a ring-all answered). A change that a step on the
 * contact's timeline records (rung, bridged, reached, held, resumed, ended)
 * is told once that step is committed. Called on the telephony thread, or
 * the API's for a hold, no lock held; it must not block. */
typedef void (*voice_call_changed_fn)(void *arg, int64_t tenant_id, int64_t contact_id, int64_t agent_id,
				      const struct voice_call *call);

#define VOICE_MAX_DNS_SERVERS 8

/* A DNS server the SIP stack asks for trunks' and registrars' host names. */
struct voice_dns_server {
	char addr[46];             /* an IPv4 or IPv6 address */
	int port;
};

struct voice_deps {
	const char *db;            /* the database, read on this thread (numbers, calendars) */
	struct writer *writer;     /* where calls' steps are written (calls.h) */
	const char *host;          /* SIP's address (UDP and TCP) */
	int port;
	const char *moh_file;      /* music on hold, a WAV file, 8 kHz mono 16-bit; "" or NULL: silence */
	const char *trunk;         /* callbacks' calls to customers: a SIP URI template ({number}); "" or NULL: none */
	const char *recordings_dir; /* where calls are recorded (recorder.h); "" or NULL: never */
	voice_call_changed_fn call_changed; /* NULL: no one is told */
	void *call_changed_arg;
	struct secrets *secrets;   /* opens a tenant's trunk's sealed password (secrets.h) */
	/* where host names are resolved (RFC 3263, by libre); none: the system's resolv.conf */
	const struct voice_dns_server *dns_servers;
	size_t n_dns_servers;
};

/* Starts the thread, listening: GC_EIO when the address cannot be bound,
 * GC_EINVAL for a music file that cannot be read. */
int voice_start(const struct voice_deps *deps, struct voice **ret);
/* Ends every call (recorded as ended by a shutdown), stops and frees. NULL is fine. */
void voice_stop(struct voice *v);

/* Calls seen and controlled from the API (handlers_call.c), from any thread. */

/* A contact's call with an agent's phone, as the API shows it. */
struct voice_call {
	int64_t agent_id;          /* whose phone rings, or answered */
	bool ringing;              /* not bridged yet: the agent's phone rings (a callback's: or then the customer's) */
	bool held;                 /* bridged, and on hold */
	int64_t since_ms;          /* when it began ringing, or was bridged (gc_now_ms) */
	int64_t held_since_ms;     /* held: when this hold was asked */
};
/* The call of the tenant's contact that rings an agent's phone or is
 * bridged to it: GC_OK with it; GC_ENOTFOUND when the contact has none
 * here (v NULL: none), or its agent's leg is being hung up by a transfer,
 * an escalation or a move. */
int voice_call_state(struct voice *v, int64_t tenant_id, int64_t contact_id, struct voice_call *ret);
/* Puts the bridged call on hold (the caller hears the music, nothing is
 * relayed either way) or takes it off (the legs bridged again), applied
 * by the telephony thread at once: GC_ENOTFOUND with no bridged call
 * (ringing is not bridged yet),
 * GC_ESTATE when it is already so. Resuming, *ret_held_ms (when not NULL)
 * is how long this hold lasted. No one is told (voice_call_tell, below,
 * does it once the caller has recorded the change). A transfer or an escalation of the
 * contact (the router's "transferred", "escalated" events) hangs up the
 * agent's leg and puts the caller back to the music, waiting for the
 * offer that follows. */
int voice_call_hold(struct voice *v, int64_t tenant_id, int64_t contact_id, bool hold, int64_t *ret_held_ms);

/* Tells the call's change (deps' call_changed) as it is now: the API's,
 * after a hold or a resume is on the contact's timeline, so that a screen
 * told of it reads a timeline that has it. Nothing if the call is over. */
void voice_call_tell(struct voice *v, int64_t tenant_id, int64_t contact_id);

/* A tenant's trunk's registration to its provider (trunkreg.h), as the
 * API shows it. */
enum voice_trunk_reg {
	VOICE_TRUNK_OFF,           /* not asked (or no SIP stack: guichetd without --sip-listen) */
	VOICE_TRUNK_REGISTERING,   /* asked, no final answer yet */
	VOICE_TRUNK_REGISTERED,    /* the registrar's 2xx, renewed before it expires */
	VOICE_TRUNK_FAILING,       /* the last attempt failed: tried again later */
};
struct voice_trunk_state {
	enum voice_trunk_reg state;
	int sip_status;            /* the last final answer's status (0: none, or no answer) */
	int64_t at_ms;             /* when the state was last set (gc_now_ms) */
	uint32_t expires_s;        /* registered: what the registrar granted */
	char error[80];            /* failing without an answer: why ("timed out") */
};
/* The tenant's trunk's registration: OFF when it has none (v NULL too). Any thread. */
void voice_trunk_state(struct voice *v, int64_t tenant_id, struct voice_trunk_state *ret);

struct voice_stats {
	uint64_t calls;            /* answered */
	uint64_t unknown;          /* refused: no such number (404) */
	uint64_t malformed;        /* INVITEs refused: no offer, or one that is not SDP (488) */
	uint64_t rtp_sent, rtp_received;
	uint64_t keys;             /* keypad events taken */
	/* agents' phones rung for offers, answered (bridged), stopped ringing unanswered */
	uint64_t rings, bridged, unanswered;
	uint64_t rtp_to_agent, rtp_to_caller; /* packets relayed by bridges, each way */
	uint64_t rtp_dropped;      /* from an address or of a payload type not negotiated */
	uint64_t moved;            /* bridged calls transferred (or escalated): the agent's leg hung up */
	int64_t active;            /* calls now */
	/* agents' phones (registrar.h): REGISTERs answered 200, 401, 403, 503 (throttled) */
	uint64_t phones_registered, phones_challenged, phones_denied, phones_throttled;
	int64_t phones_bound;      /* bindings now */
	/* tenants' trunks' registrations (trunkreg.h): now in each state, and failures */
	int64_t trunks_registering, trunks_registered, trunks_failing;
	uint64_t trunk_failures;
};
/* Any thread. NULL: all zero. */
void voice_stats(const struct voice *v, struct voice_stats *ret);

#endif
