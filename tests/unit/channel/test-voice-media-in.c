/* The RTP sockets read out of libre's loop (src/channel/voice/media_in.c):
 * packets sent to an rtp_sock in the set reach the set's handler decoded as
 * libre's would have them (payload type, sequence, timestamp, payload), and
 * never libre's own handler; a datagram that is not RTP version 2 does not;
 * more sockets and packets than one turn takes all arrive over several
 * turns; a socket that another's handler removes in the same turn is not
 * read (run under ASan, a read after its free would show). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "channel/voice/media_in.h"
#include "guichet/error.h"

#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <re.h>

#define N_SOCKS 40   /* more than one turn's sockets */
#define N_EACH 10    /* more than one turn's datagrams a socket */

struct got {
	int n, want;
	uint8_t pt;
	uint16_t seq;
	uint32_t ts;
	uint8_t payload[4];
	struct media_in_sock **remove; /* removed by this socket's first packet */
};

static int libre_calls;

static void on_libre(const struct sa *src, const struct rtp_header *hdr, struct mbuf *mb, void *arg)
{
	libre_calls++;
}

static void on_packet(const struct sa *src, const struct rtp_header *hdr, struct mbuf *mb, void *arg)
{
	struct got *g = arg;
	g->n++;
	g->pt = (uint8_t)hdr->pt;
	g->seq = hdr->seq;
	g->ts = hdr->ts;
	assert_true(mbuf_get_left(mb) >= sizeof(g->payload));
	memcpy(g->payload, mbuf_buf(mb), sizeof(g->payload));
	if (g->remove && *g->remove) {
		media_in_remove(*g->remove);
		*g->remove = NULL;
	}
	if (g->want && g->n >= g->want)
		re_cancel();
}

static void on_timeout(void *arg)
{
	re_cancel();
}

/* The loop for at most ms (a handler may stop it sooner). */
static void run_loop(int ms)
{
	struct tmr t;
	tmr_init(&t);
	tmr_start(&t, (uint64_t)ms, on_timeout, NULL);
	re_main(NULL);
	tmr_cancel(&t);
}

static void send_rtp(int fd, const struct rtp_sock *rs, uint8_t version, uint16_t seq)
{
	uint8_t b[12 + 4] = {(uint8_t)(version << 6), 8, (uint8_t)(seq >> 8), (uint8_t)seq, 0, 0, 0x01, 0x40,
			     0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4};
	const struct sa *to = rtp_local(rs);
	assert_int_equal(sendto(fd, b, sizeof(b), 0, &to->u.sa, to->len), (ssize_t)sizeof(b));
}

struct fixture {
	struct media_in *in;
	int tx;
	struct sa ip;
};

static int setup(void **state)
{
	static struct fixture f;
	f = (struct fixture){0};
	assert_int_equal(media_in_new(&f.in), GC_OK);
	f.tx = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(f.tx >= 0);
	assert_int_equal(sa_set_str(&f.ip, "127.0.0.1", 0), 0);
	libre_calls = 0;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	media_in_free(f->in);
	close(f->tx);
	return 0;
}

static void open_sock(struct fixture *f, struct rtp_sock **rs, struct got *g, struct media_in_sock **s)
{
	assert_int_equal(rtp_listen(rs, IPPROTO_UDP, &f->ip, 20000, 40000, false, on_libre, NULL, g), 0);
	assert_int_equal(media_in_add(f->in, *rs, AF_INET, on_packet, g, s), GC_OK);
}

static void packets_reach_the_handler_decoded(void **state)
{
	struct fixture *f = *state;
	struct got g = {.want = 3};
	struct rtp_sock *rs = NULL;
	struct media_in_sock *s = NULL;
	open_sock(f, &rs, &g, &s);
	send_rtp(f->tx, rs, 0, 1); /* not RTP version 2: dropped */
	for (uint16_t seq = 7; seq < 10; seq++)
		send_rtp(f->tx, rs, 2, seq);
	run_loop(2000);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.pt, 8);
	assert_int_equal(g.seq, 9);
	assert_int_equal(g.ts, 320);
	assert_memory_equal(g.payload, ((uint8_t[]){1, 2, 3, 4}), 4);
	assert_int_equal(libre_calls, 0);
	media_in_remove(s);
	mem_deref(rs);
}

static void more_than_a_turn_arrives_over_several(void **state)
{
	struct fixture *f = *state;
	struct got g = {.want = N_SOCKS * N_EACH};
	struct rtp_sock *rs[N_SOCKS] = {0};
	struct media_in_sock *s[N_SOCKS] = {0};
	for (int i = 0; i < N_SOCKS; i++)
		open_sock(f, &rs[i], &g, &s[i]);
	for (int k = 0; k < N_EACH; k++)
		for (int i = 0; i < N_SOCKS; i++)
			send_rtp(f->tx, rs[i], 2, (uint16_t)k);
	run_loop(5000);
	assert_int_equal(g.n, N_SOCKS * N_EACH);
	assert_int_equal(libre_calls, 0);
	uint64_t n_read = 0, full = 0;
	media_in_stats(f->in, &n_read, &full);
	assert_int_equal(n_read, N_SOCKS * N_EACH);
	assert_true(full >= 1); /* more sockets ready than one turn takes */
	for (int i = 0; i < N_SOCKS; i++) {
		media_in_remove(s[i]);
		mem_deref(rs[i]);
	}
}

static void a_socket_removed_in_the_turn_is_not_read(void **state)
{
	struct fixture *f = *state;
	struct media_in_sock *a = NULL, *b = NULL;
	struct got ga = {.remove = &b}, gb = {.remove = &a}; /* whichever is read first removes the other */
	struct rtp_sock *ra = NULL, *rb = NULL;
	open_sock(f, &ra, &ga, &a);
	open_sock(f, &rb, &gb, &b);
	send_rtp(f->tx, ra, 2, 1);
	send_rtp(f->tx, rb, 2, 1);
	usleep(20000); /* both ready before the turn */
	run_loop(200);
	assert_int_equal(ga.n + gb.n, 1);
	media_in_remove(a); /* the survivor (NULL: already removed) */
	media_in_remove(b);
	mem_deref(ra);
	mem_deref(rb);
}

int main(void)
{
	if (libre_init() != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(packets_reach_the_handler_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(more_than_a_turn_arrives_over_several, setup, teardown),
		cmocka_unit_test_setup_teardown(a_socket_removed_in_the_turn_is_not_read, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	libre_close();
	return rc;
}
