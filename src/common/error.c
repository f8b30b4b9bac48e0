/* Names of the error codes of include/guichet/error.h. */
#include "guichet/error.h"

const char *gc_error_name(int code)
{
	switch (code) {
	case GC_OK: return "ok";
	case GC_ENOMEM: return "out_of_memory";
	case GC_EINVAL: return "invalid";
	case GC_ENOTFOUND: return "not_found";
	case GC_ECONFLICT: return "conflict";
	case GC_EFORBIDDEN: return "forbidden";
	case GC_ESTATE: return "invalid_transition";
	case GC_ESTORE: return "storage_error";
	case GC_ETOOBIG: return "too_large";
	case GC_EAUTH: return "unauthorized";
	case GC_ESCHEMA: return "schema_too_new";
	case GC_EIO: return "io_error";
	case GC_EBUSY: return "too_many_requests";
	case GC_EMOVED: return "routing_moved";
	}
	return "unknown_error";
}
