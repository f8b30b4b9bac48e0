/* guichetd's settings: defaults, then the config file, then environment
 * variables, then the command line, each overriding the one before. */
#ifndef GUICHET_DAEMON_CONFIG_H
#define GUICHET_DAEMON_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

struct config {
	char db[1024];
	char host[256];
	int port;
	int threads;
	char log[1024];           /* "" for stderr */
	int64_t session_ttl;      /* seconds */
	bool access_log;
	int max_failed_logins;    /* per account and address before delays start */
	char thesaurus_dir[1024]; /* MyThes files seeding searches' synonyms; "" for none */
	int public_per_minute;    /* self-service requests per address and minute */
};

/* Fills config from argv, the environment and the config file. Returns 0,
 * 1 when --help or --version was answered, or negative after printing the
 * offending argument or line to stderr. */
int config_load(struct config *config, int argc, char **argv);

#endif
