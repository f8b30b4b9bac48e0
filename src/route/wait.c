/* Expected waits (guichet/wait.h): a queue's handle times over a window of
 * its last contacts, and the wait of a contact from its place and the
 * queue's slots. */
#include "guichet/wait.h"

#define WAIT_CAP_MS 1000000000000000LL

void route_handle_window_add(struct route_handle_window *w, int64_t handle_ms)
{
	if (handle_ms < 0)
		handle_ms = 0;
	if (w->n == ROUTE_WAIT_WINDOW)
		w->sum -= w->samples[w->head];
	else
		w->n++;
	w->samples[w->head] = handle_ms;
	w->sum += handle_ms;
	w->head = (w->head + 1) % ROUTE_WAIT_WINDOW;
}

void route_handle_window_add_older(struct route_handle_window *w, int64_t handle_ms)
{
	if (w->n == ROUTE_WAIT_WINDOW)
		return;
	if (handle_ms < 0)
		handle_ms = 0;
	/* the oldest sample sits n slots behind head: this one goes just before it */
	uint32_t at = (w->head + 2 * ROUTE_WAIT_WINDOW - w->n - 1) % ROUTE_WAIT_WINDOW;
	w->samples[at] = handle_ms;
	w->sum += handle_ms;
	w->n++;
}

int64_t route_handle_window_mean(const struct route_handle_window *w)
{
	return w->n >= ROUTE_WAIT_MIN_SAMPLES ? w->sum / (int64_t)w->n : 0;
}

int64_t route_wait_expected_ms(const struct route_wait_load *l)
{
	if (l->slots == 0)
		return -1;
	if (l->ahead < l->free || l->hold_ms <= 0)
		return 0;
	/* in double: a long backlog times a long hold stays in range */
	double ms = ((double)l->ahead - (double)l->free + 1.0) * (double)l->hold_ms / (double)l->slots;
	return ms > (double)WAIT_CAP_MS ? WAIT_CAP_MS : (int64_t)ms;
}
