/* libFuzzer target: request decoding, JSON bytes to domain structs. Every
 * decoder runs on every input; none may crash, leak or read out of bounds,
 * and a decoder that succeeds must produce values within their limits. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "guichet/calendar.h"
#include "guichet/decode.h"
#include "guichet/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A calendar decoded has open time, sorted disjoint intervals and sorted
 * distinct holidays, and its canonical form decodes to the same calendar. */
static void check_calendar(const json_t *obj)
{
	static struct calendar c, again;
	struct decode_error err;
	if (calendar_decode(obj, &c, &err) != 0)
		return;
	int open = c.always_open;
	for (int d = 0; d < 7; d++) {
		assert(c.n_intervals[d] <= CALENDAR_MAX_INTERVALS);
		for (int i = 0; i < c.n_intervals[d]; i++) {
			const struct calendar_interval *x = &c.hours[d][i];
			assert(x->from >= 0 && x->from < x->to && x->to <= 1440);
			assert(i == 0 || c.hours[d][i - 1].to <= x->from);
			open = 1;
		}
	}
	assert(open);
	assert(c.n_holidays <= CALENDAR_MAX_HOLIDAYS);
	for (uint32_t i = 1; i < c.n_holidays; i++)
		assert(c.holidays[i - 1] < c.holidays[i]);
	json_t *canonical = calendar_json(&c);
	assert(calendar_decode(canonical, &again, &err) == 0);
	assert(memcmp(&c, &again, sizeof(c)) == 0);
	json_decref(canonical);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *obj = NULL;
	struct decode_error err;
	if (decode_body((const char *)data, size, &obj, &err) != 0) {
		assert(err.code == GC_EINVAL || err.code == GC_ETOOBIG);
		return 0;
	}
	assert(decode_depth_ok((const char *)data, size, DECODE_MAX_DEPTH));
	union decode_input in;
	if (attr_policy_input_decode(obj, &in.attr_policy, &err) == 0) {
		assert(in.attr_policy.n_changes <= DECODE_MAX_POLICY_CHANGES);
		for (size_t i = 0; i < in.attr_policy.n_changes; i++)
			assert(customer_attr_key_valid(in.attr_policy.changes[i].key));
	}
	login_input_decode(obj, &in.login, &err);
	for (int patch = 0; patch < 2; patch++) {
		if (contact_input_decode(obj, patch, &in.contact, &err) == 0) {
			assert(in.contact.n_tags <= DECODE_MAX_TAGS);
			assert(in.contact.priority >= 0 && in.contact.priority <= 9);
			assert(!in.contact.subject || strlen(in.contact.subject) <= 500);
		}
		if (customer_input_decode(obj, patch, &in.customer, &err) == 0) {
			assert(in.customer.n_attrs <= DECODE_MAX_ATTRS);
			for (size_t i = 0; i < in.customer.n_attrs; i++) {
				assert(customer_attr_key_valid(in.customer.attrs[i].key));
				assert(!in.customer.attrs[i].value ||
				       strlen(in.customer.attrs[i].value) <= DECODE_MAX_ATTR_VALUE);
			}
		}
	}
	state_input_decode(obj, &in.state, &err);
	message_input_decode(obj, false, &in.message, &err);
	message_input_decode(obj, true, &in.message, &err);
	user_input_decode(obj, &in.user, &err);
	tenant_input_decode(obj, &in.named, &err);
	organisation_input_decode(obj, &in.named, &err);
	token_input_decode(obj, &in.token, &err);
	membership_input_decode(obj, &in.membership, &err);
	role_input_decode(obj, &in.role, &err);
	password_input_decode(obj, &in.password, &err);
	name_input_decode(obj, &in.password, &err);
	if (queue_input_decode(obj, &in.queue, &err) == 0) {
		/* what the store keeps must decode to the same configuration */
		json_t *again = queue_input_json(&in.queue);
		json_object_set_new(again, "name", json_string(in.queue.name));
		struct queue_input q2;
		assert(queue_input_decode(again, &q2, &err) == 0);
		assert(q2.strategy == in.queue.strategy && q2.has_hours == in.queue.has_hours &&
		       memcmp(q2.hours, in.queue.hours, sizeof(q2.hours)) == 0 && q2.max_wait_s == in.queue.max_wait_s &&
		       q2.first_response_s == in.queue.first_response_s);
		json_decref(again);
	}
	if (agent_profile_decode(obj, &in.agent, &err) == 0) {
		assert(in.agent.n_skills <= DECODE_MAX_AGENT_SKILLS && in.agent.max_total >= 1);
		json_t *again = agent_profile_json(&in.agent);
		struct agent_profile_input a2;
		assert(agent_profile_decode(again, &a2, &err) == 0);
		assert(a2.n_skills == in.agent.n_skills && memcmp(a2.capacity, in.agent.capacity, sizeof(a2.capacity)) == 0);
		json_decref(again);
	}
	presence_input_decode(obj, &in.presence, &err);
	for (int action = ROUTING_ENQUEUE; action <= ROUTING_WRAPUP; action++)
		if (routing_input_decode(obj, (enum routing_action)action, &in.routing, &err) == 0)
			assert(in.routing.priority >= -1 && in.routing.priority <= 9);
	struct wfm_input wfm;
	for (int q = 0; q < 3; q++)
		if (wfm_input_decode(obj, (enum wfm_question)q, &wfm, &err) == 0)
			assert(wfm.calls > 0 && wfm.interval > 0 && wfm.aht > 0);
	check_calendar(obj);
	json_decref(obj);
	return 0;
}
