/* The RTP sockets' reading (media_in.h), out of libre's loop.
 *
 * libre 1.1's loop takes every ready descriptor in one turn, one datagram
 * each, then its timers: with a thousand RTP sockets ready, a turn grew to
 * tens of milliseconds when the thread was short of CPU, and the SIP
 * socket, one datagram a turn, fell seconds behind (its queue held 3 to
 * 6 MB under the bench) while the media kept time. Here the RTP sockets
 * leave that loop (udp_thread_detach, libre's own) for an epoll set whose
 * descriptor is the loop's: a turn reads at most TURN_SOCKETS of them,
 * each drained of up to TURN_DATAGRAMS with one recvmmsg, and the rest
 * wait for the next turn (level-triggered), after the SIP socket's.
 *
 * Invariant: a socket removed while a turn runs (a handler ending its
 * call) is only marked; its memory goes at the turn's end, so the turn's
 * events never point to freed memory. */
#include "channel/voice/media_in.h"
#include "guichet/error.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <re_types.h>
#include <re_sa.h>
#include <re_mbuf.h>
#include <re_main.h>
#include <re_udp.h>
#include <re_rtp.h>

#define TURN_SOCKETS 16
#define TURN_DATAGRAMS 8
#define DATAGRAM_MAX 1500

struct media_in_sock {
	struct media_in *in;
	int fd;
	media_in_h *h;
	void *arg;
	bool removed;
	struct media_in_sock *next_removed;
};

struct media_in {
	int epfd;
	bool in_turn;
	struct media_in_sock *removed; /* during the turn: freed at its end */
	uint64_t n_read, n_full_turns;
	uint8_t buf[TURN_DATAGRAMS][DATAGRAM_MAX];
};

/* One datagram to its handler as libre's rtp_sock would hand it: header decoded, version 2. */
static void deliver(struct media_in_sock *s, uint8_t *buf, size_t len, const struct sockaddr *from)
{
	struct mbuf mb = {.buf = buf, .size = DATAGRAM_MAX, .pos = 0, .end = len};
	struct rtp_header hdr;
	struct sa src;
	memset(&hdr, 0, sizeof(hdr));
	if (sa_set_sa(&src, from) != 0 || rtp_hdr_decode(&hdr, &mb) != 0 || hdr.ver != RTP_VERSION)
		return;
	s->h(&src, &hdr, &mb, s->arg);
}

/* Up to TURN_DATAGRAMS of s's datagrams, in one system call. */
static void drain(struct media_in *in, struct media_in_sock *s)
{
	struct mmsghdr msgs[TURN_DATAGRAMS];
	struct iovec iov[TURN_DATAGRAMS];
	struct sockaddr_storage from[TURN_DATAGRAMS];
	for (int i = 0; i < TURN_DATAGRAMS; i++) {
		iov[i] = (struct iovec){.iov_base = in->buf[i], .iov_len = DATAGRAM_MAX};
		msgs[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &from[i], .msg_namelen = sizeof(from[i]),
						       .msg_iov = &iov[i], .msg_iovlen = 1}};
	}
	int n = recvmmsg(s->fd, msgs, TURN_DATAGRAMS, MSG_DONTWAIT, NULL);
	for (int i = 0; i < n && !s->removed; i++) {
		in->n_read++;
		if (!(msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) /* larger than any RTP we take: dropped */
			deliver(s, in->buf[i], msgs[i].msg_len, (const struct sockaddr *)&from[i]);
	}
}

/* libre's loop: the set is ready. */
static void on_ready(int flags, void *arg)
{
	struct media_in *in = arg;
	struct epoll_event ev[TURN_SOCKETS];
	int n = epoll_wait(in->epfd, ev, TURN_SOCKETS, 0);
	if (n == TURN_SOCKETS)
		in->n_full_turns++;
	in->in_turn = true;
	for (int i = 0; i < n; i++) {
		struct media_in_sock *s = ev[i].data.ptr;
		if (!s->removed)
			drain(in, s);
	}
	in->in_turn = false;
	while (in->removed) {
		struct media_in_sock *s = in->removed;
		in->removed = s->next_removed;
		free(s);
	}
}

int media_in_new(struct media_in **ret)
{
	struct media_in *in = calloc(1, sizeof(*in));
	if (in == NULL)
		return GC_ENOMEM;
	in->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (in->epfd < 0) {
		free(in);
		return GC_EIO;
	}
	if (fd_listen(in->epfd, FD_READ, on_ready, in) != 0) {
		close(in->epfd);
		free(in);
		return GC_EIO;
	}
	*ret = in;
	return GC_OK;
}

void media_in_free(struct media_in *in)
{
	if (in == NULL)
		return;
	fd_close(in->epfd);
	close(in->epfd);
	free(in);
}

int media_in_add(struct media_in *in, struct rtp_sock *rs, int af, media_in_h *h, void *arg,
		 struct media_in_sock **ret)
{
	struct udp_sock *us = rtp_sock(rs);
	int fd = udp_sock_fd(us, af);
	if (fd < 0)
		return GC_EINVAL;
	struct media_in_sock *s = calloc(1, sizeof(*s));
	if (s == NULL)
		return GC_ENOMEM;
	*s = (struct media_in_sock){.in = in, .fd = fd, .h = h, .arg = arg};
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
	if (epoll_ctl(in->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		free(s);
		return GC_EIO;
	}
	udp_thread_detach(us); /* libre's loop no longer reads it */
	*ret = s;
	return GC_OK;
}

void media_in_remove(struct media_in_sock *s)
{
	if (s == NULL)
		return;
	struct media_in *in = s->in;
	epoll_ctl(in->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	if (!in->in_turn) {
		free(s);
		return;
	}
	s->removed = true;
	s->next_removed = in->removed;
	in->removed = s;
}

void media_in_stats(const struct media_in *in, uint64_t *ret_read, uint64_t *ret_full_turns)
{
	*ret_read = in ? in->n_read : 0;
	*ret_full_turns = in ? in->n_full_turns : 0;
}
