/* Telephone numbers in E.164 ("+33612345678"), so that one customer is one
 * number whatever way it was written: "06 12 34 56 78" typed in France,
 * "0033 6 12 34 56 78", "+33 6 12-34-56-78", a trunk's caller ID or an SMS
 * provider's sender.
 *
 * The rules of every country's numbering plan (prefixes, lengths, the
 * international call prefix, national prefixes) are Google's
 * libphonenumber's, whose metadata follows the plans' changes; none is
 * written here. A number is accepted when libphonenumber finds it possible
 * (its length fits its country's plan, and it is a whole number, not one
 * dialable only within its area), not only when it is valid (in a range
 * its metadata says is assigned): a real number from a range allocated
 * after the installed metadata was made must not be refused, while a digit
 * too many or too few still is.
 *
 * A C API over the C++ library (src/common/phone.cc): no exception crosses
 * it, and every function is safe from any thread (libphonenumber's
 * PhoneNumberUtil is a singleton made once under pthread_once, whose
 * methods are const and whose regular-expression cache takes a lock). */
#ifndef GUICHET_PHONE_H
#define GUICHET_PHONE_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PHONE_E164_LEN 17 /* "+", at most 15 digits (E.164), NUL; one to spare */
#define PHONE_MAX_INPUT 250 /* the longest text looked at (libphonenumber's own limit) */

/* The number typed, read in region when it has no international prefix
 * (an ISO 3166 alpha-2 code such as "FR" that phone_region_known accepts;
 * NULL or "" for none: then only a number written with "+" or in
 * RFC 3966's tel: form is read), into ret as "+" and its E.164 digits.
 * Separators (spaces, dots, dashes, parentheses) and a region's
 * international prefix ("00" in France) are understood; an extension is
 * dropped. The result reads back as itself (phone_e164 of it, with no
 * region, is it): a form libphonenumber would read back otherwise is
 * refused. GC_EINVAL when it is not a possible number, when region is not
 * one libphonenumber knows, or when typed is NULL or longer than
 * PHONE_MAX_INPUT; GC_ETOOBIG when len is under PHONE_E164_LEN. */
int phone_e164(const char *typed, const char *region, char *ret, size_t len);

/* Whether region is a region code libphonenumber has a numbering plan for:
 * two upper-case ASCII letters ("FR", "GB"); "UK" and lower case are not. */
bool phone_region_known(const char *region);

#ifdef __cplusplus
}
#endif

#endif
