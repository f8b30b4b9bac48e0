/* guichetd: reads its settings, opens the store, serves until told to stop. */
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/server.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	static struct config config;
	int rc = config_load(&config, argc, argv);
	if (rc != 0)
		return rc > 0 ? EXIT_SUCCESS : 2;
	if (config.log[0] && log_open(config.log) < 0) {
		fprintf(stderr, "guichetd: cannot open log file %s\n", config.log);
		return EXIT_FAILURE;
	}
	struct server srv;
	if (server_start(&srv, &config) < 0) {
		fprintf(stderr, "guichetd: cannot start (see the log above)\n");
		return EXIT_FAILURE;
	}
	server_run(&srv);
	log_close();
	return EXIT_SUCCESS;
}
