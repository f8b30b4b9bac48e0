/* The role table: permissions and customer-data visibility per role. */
#include "guichet/role.h"
#include "guichet/error.h"

#include <string.h>

struct role_row {
	const char *name;
	unsigned perms;
	enum sensitivity sees;
};

#define CONTACT_WORK (PERM_CONTACTS_READ | PERM_CONTACTS_WRITE | PERM_CUSTOMERS_READ | \
		      PERM_ROUTING_READ | PERM_ROUTING_WORK | PERM_KB_READ)
#define KB_AUTHOR (PERM_KB_READ | PERM_KB_WRITE)
#define SUPERVISION (PERM_ROUTING_MANAGE | PERM_ROUTING_SUPERVISE)

static const struct role_row roles[ROLE_N] = {
	[ROLE_TENANT_ADMIN] = {"tenant_admin",
			       PERM_USERS_READ | PERM_USERS_MANAGE | CONTACT_WORK |
				       PERM_CUSTOMERS_WRITE | PERM_CUSTOMERS_IMPORT |
				       PERM_AUDIT_READ | PERM_TOKENS_MANAGE | PERM_WFM | SUPERVISION |
				       KB_AUTHOR | PERM_KB_REVIEW | PERM_CHANNELS_MANAGE | PERM_RECORDINGS_LISTEN,
			       SENS_CONFIDENTIAL},
	[ROLE_SUPERVISOR] = {"supervisor", PERM_USERS_READ | CONTACT_WORK | PERM_CUSTOMERS_WRITE | PERM_WFM |
					     SUPERVISION | PERM_RECORDINGS_LISTEN,
			     SENS_PERSONAL},
	[ROLE_AGENT] = {"agent", CONTACT_WORK | PERM_CUSTOMERS_WRITE, SENS_PERSONAL},
	[ROLE_EXPERT] = {"expert", CONTACT_WORK | PERM_CUSTOMERS_WRITE | KB_AUTHOR, SENS_PERSONAL},
	[ROLE_AUTHOR] = {"author", PERM_CONTACTS_READ | KB_AUTHOR, SENS_NONE},
	[ROLE_REVIEWER] = {"reviewer", PERM_CONTACTS_READ | KB_AUTHOR | PERM_KB_REVIEW, SENS_NONE},
	[ROLE_PLANNER] = {"planner", PERM_CONTACTS_READ | PERM_USERS_READ | PERM_WFM | PERM_ROUTING_READ,
			  SENS_NONE},
	[ROLE_OUTSOURCED_AGENT] = {"outsourced_agent", CONTACT_WORK, SENS_BASIC},
};

static const char *const sensitivity_names[] = {"basic", "personal", "confidential"};

const char *role_name(enum role role)
{
	return (unsigned)role < ROLE_N ? roles[role].name : NULL;
}

int role_parse(const char *text, enum role *ret_role)
{
	for (int i = 0; i < ROLE_N; i++) {
		if (strcmp(text, roles[i].name) == 0) {
			*ret_role = (enum role)i;
			return GC_OK;
		}
	}
	return GC_EINVAL;
}

unsigned role_permissions(enum role role)
{
	return (unsigned)role < ROLE_N ? roles[role].perms : 0;
}

bool role_can(enum role role, enum permission perm)
{
	return (role_permissions(role) & perm) == (unsigned)perm;
}

enum sensitivity role_visibility(enum role role)
{
	return (unsigned)role < ROLE_N ? roles[role].sees : SENS_NONE;
}

const char *sensitivity_name(enum sensitivity sens)
{
	return sens >= SENS_BASIC && sens <= SENS_CONFIDENTIAL ? sensitivity_names[sens] : NULL;
}

int sensitivity_parse(const char *text, enum sensitivity *ret_sens)
{
	for (int i = SENS_BASIC; i <= SENS_CONFIDENTIAL; i++) {
		if (strcmp(text, sensitivity_names[i]) == 0) {
			*ret_sens = (enum sensitivity)i;
			return GC_OK;
		}
	}
	return GC_EINVAL;
}
