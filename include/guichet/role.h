/* Roles, what each may do, and which customer data each may see.
 *
 * A role decides what a user may do (permissions) and how much of a customer
 * record they see (the highest sensitivity class). The tenant decides what a
 * user may see at all: that is the store's job (src/store). Platform
 * administration is a flag on the user, not a tenant role. */
#ifndef GUICHET_ROLE_H
#define GUICHET_ROLE_H

#include <stdbool.h>

enum role {
	ROLE_TENANT_ADMIN,
	ROLE_SUPERVISOR,
	ROLE_AGENT,
	ROLE_EXPERT,
	ROLE_AUTHOR,
	ROLE_REVIEWER,
	ROLE_PLANNER,
	ROLE_OUTSOURCED_AGENT,
	ROLE_N
};

/* Customer attribute sensitivity, ordered: a role that sees a class sees the
 * classes before it too. */
enum sensitivity {
	SENS_NONE = -1, /* sees no customer data at all */
	SENS_BASIC = 0,
	SENS_PERSONAL = 1,
	SENS_CONFIDENTIAL = 2,
};

enum permission {
	PERM_USERS_READ = 1u << 0,
	PERM_USERS_MANAGE = 1u << 1,
	PERM_CUSTOMERS_READ = 1u << 2,
	PERM_CUSTOMERS_WRITE = 1u << 3,
	PERM_CUSTOMERS_IMPORT = 1u << 4,
	PERM_CONTACTS_READ = 1u << 5,
	PERM_CONTACTS_WRITE = 1u << 6,
	PERM_AUDIT_READ = 1u << 7,
	PERM_TOKENS_MANAGE = 1u << 8,
	PERM_WFM = 1u << 9,           /* staffing, forecasts, simulation */
	PERM_ROUTING_READ = 1u << 10, /* queues, skills, agents' profiles and live figures */
	PERM_ROUTING_MANAGE = 1u << 11, /* create and change queues, skills, agents' profiles */
	PERM_ROUTING_WORK = 1u << 12, /* take contacts: presence, accept, reject, wrap-up, escalate, transfer */
	PERM_ROUTING_SUPERVISE = 1u << 13, /* force an agent's state, move contacts, the tenant's live stream */
	PERM_KB_READ = 1u << 14,      /* search, diagnose, flag, train: published knowledge */
	PERM_KB_WRITE = 1u << 15,     /* write drafts, import, learn, the tenant's thesaurus, gap reports */
	PERM_KB_REVIEW = 1u << 16,    /* approve, publish, archive, the tenant's review settings */
	PERM_CHANNELS_MANAGE = 1u << 17, /* the tenant's channels: mailboxes and their credentials */
	PERM_RECORDINGS_LISTEN = 1u << 18, /* calls' recordings: list and listen */
};

const char *role_name(enum role role);
int role_parse(const char *text, enum role *ret_role);
/* The permission bits of a role. */
unsigned role_permissions(enum role role);
bool role_can(enum role role, enum permission perm);
/* The most sensitive customer data the role may see. */
enum sensitivity role_visibility(enum role role);

const char *sensitivity_name(enum sensitivity sens);
int sensitivity_parse(const char *text, enum sensitivity *ret_sens);

#endif
