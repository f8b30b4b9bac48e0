/* The RTP sockets' reading, out of libre's loop (media_in.c): every call's
 * RTP socket (libre's rtp_sock, which still sends) is read from one epoll
 * set of guichet's own, itself one descriptor in libre's loop, a bounded
 * number of sockets a turn, each drained with recvmmsg. Runs on the
 * telephony thread only. */
#ifndef GUICHET_CHANNEL_VOICE_MEDIA_IN_H
#define GUICHET_CHANNEL_VOICE_MEDIA_IN_H

#include <stdint.h>

/* libre's (its headers have no include guards: the includer brings them) */
struct sa;
struct mbuf;
struct rtp_sock;
struct rtp_header;

struct media_in;
struct media_in_sock;

/* A packet read, as libre's rtp_recv_h has it. */
typedef void(media_in_h)(const struct sa *src, const struct rtp_header *hdr, struct mbuf *mb, void *arg);

/* The set, listened to by the calling thread's libre loop (re_thread_init done). */
int media_in_new(struct media_in **ret);

/* Stops listening and frees the set; its sockets must have been removed. NULL: nothing. */
void media_in_free(struct media_in *in);

/* rs's datagrams are read here from now on, not by libre's loop: each
 * valid RTP packet (version 2) goes to h as rtp_listen's handler would
 * have had it (af: the socket's address family). */
int media_in_add(struct media_in *in, struct rtp_sock *rs, int af, media_in_h *h, void *arg,
		 struct media_in_sock **ret);

/* Stops reading s; called before its rtp_sock is freed, from anywhere
 * (a handler included: s is then freed once its turn is over). NULL: nothing. */
void media_in_remove(struct media_in_sock *s);

/* Datagrams read, and turns that found more sockets ready than one turn takes. */
void media_in_stats(const struct media_in *in, uint64_t *ret_read, uint64_t *ret_full_turns);

#endif
