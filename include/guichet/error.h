/* guichet error codes: one convention for every module.
 *
 * A function that can fail returns int: 0 on success, one of the negative
 * codes below otherwise. The daemon maps each code to one HTTP status and one
 * stable error code string in its JSON error bodies (src/daemon/http.c). */
#ifndef GUICHET_ERROR_H
#define GUICHET_ERROR_H

enum gc_error {
	GC_OK = 0,
	GC_ENOMEM = -1,     /* out of memory */
	GC_EINVAL = -2,     /* malformed or invalid input */
	GC_ENOTFOUND = -3,  /* no such thing in this tenant */
	GC_ECONFLICT = -4,  /* unique key taken, or stale version */
	GC_EFORBIDDEN = -5, /* the role does not allow it */
	GC_ESTATE = -6,     /* transition not allowed from the current state */
	GC_ESTORE = -7,     /* the database failed */
	GC_ETOOBIG = -8,    /* over a documented limit */
	GC_EAUTH = -9,      /* bad credentials or token */
	GC_ESCHEMA = -10,   /* database written by a newer guichet */
	GC_EIO = -11,       /* file or network error */
	GC_EBUSY = -12,     /* too many attempts: try later */
	GC_EMOVED = -13,    /* another node routes this tenant now: try again */
};

/* Short stable name of an error code ("not_found"), for logs and JSON. */
const char *gc_error_name(int code);

#endif
