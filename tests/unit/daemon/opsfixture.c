/* The core operations' test fixture (opsfixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "opsfixture.h"
#include "daemon/router.h"
#include "guichet/error.h"

int ops_fixture_setup(void **state)
{
	struct ops_fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(test_store_open(&f->ts, &f->s), GC_OK);
	int64_t ta, tb;
	assert_int_equal(store_tenant_create(f->s, "A", NULL, &ta), GC_OK);
	assert_int_equal(store_tenant_create(f->s, "B", NULL, &tb), GC_OK);
	f->a = ops_channel_scope(ta, "email");
	f->b = ops_channel_scope(tb, "email");
	f->hub = hub_new();
	struct router *rt = NULL;
	assert_int_equal(router_new(f->s, f->hub, NULL, &rt), GC_OK);
	f->o = (struct ops){.db = f->s, .router = rt};
	*state = f;
	return 0;
}

int ops_fixture_teardown(void **state)
{
	struct ops_fixture *f = *state;
	router_free(f->o.router);
	hub_free(f->hub);
	store_free(f->s);
	test_store_clear(&f->ts);
	free(f);
	return 0;
}
