/* The fixture of the tests of the core operations and of what calls them
 * (test-ops, test-email-ingest): a fresh store on the run's engine with two
 * tenants, A and B, each a channel's scope, and the core operations with a
 * routing engine on that store. */
#ifndef GUICHET_TEST_OPSFIXTURE_H
#define GUICHET_TEST_OPSFIXTURE_H

#include "daemon/hub.h"
#include "daemon/ops.h"
#include "teststore.h"

struct ops_fixture {
	struct test_store ts;
	struct store *s;
	struct hub *hub;
	struct ops o;
	struct store_scope a, b;
};

/* cmocka setup and teardown: *state is the fixture. */
int ops_fixture_setup(void **state);
int ops_fixture_teardown(void **state);

#endif
