/* A tenant's categorisation rules: what a contact is about (its reason),
 * from its sender, subject and body words, decided when it arrives. A rule
 * may also send the contact to another queue (a level-2 one for what the
 * first level cannot answer) and name the canned reply that answers it (an
 * article's reply, offered to the agent to send in one action). Pure: no I/O.
 *
 * A rule, as the API takes and shows it:
 *   {"name": "refund late", "reason": "refund", "level": 1,
 *    "from": ["@shop.example", "alice@example.org"],   any of them
 *    "subject": ["refund", "remboursement"],            any of these words
 *    "body": ["not received", "pas reçu"],              any of these phrases
 *    "queue_id": 7,                                     optional
 *    "reply": {"article": "refund-delay", "name": "confirm"},   optional, level 1 only
 *    "position": 10}                                    lower first (default 100)
 * Each condition given must hold; at least one is needed. Words and phrases
 * match whole words, whatever their case and accents ("Remboursé" matches
 * "rembourse"). The first matching rule by position (then age) wins. */
#ifndef GUICHET_RULES_H
#define GUICHET_RULES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guichet/decode.h"

#define RULES_MAX_TERMS 50     /* entries of from, subject or body */
#define RULES_MAX_TERM 200     /* bytes of one entry */
#define RULES_BODY_SCAN 65536  /* bytes of a body read for words: the start is what a customer wrote */

/* Checks a rule as given and returns its stored form (a new reference, the
 * defaults filled, the words kept as given); errors name the field. */
int rule_decode(const json_t *obj, json_t **ret_canonical, struct decode_error *err);

/* What arrived: any may be NULL. */
struct rule_subject {
	const char *from;    /* the sender's address */
	const char *subject;
	const char *body;
};

/* The first rule of rules (stored forms, in the order to try) that matches
 * what arrived: its index, or -1 when none does. */
int rules_match(const json_t *rules, const struct rule_subject *in);

/* text in the form words are compared in: case folded, accents stripped,
 * every run of other characters than letters and digits one space, with a
 * space before and after (" pas recu "); at most max_in bytes of text are
 * read. malloc'd; NULL when out of memory. */
char *rules_fold(const char *text, size_t max_in);

#endif
