/* Small text checks shared by every layer: bounded integer parsing (instead of
 * atoi), and the shapes of identifiers people type (emails, phone numbers). */
#ifndef GUICHET_TEXT_H
#define GUICHET_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses a whole decimal string within [min, max]; GC_EINVAL otherwise. */
int gc_parse_i64(const char *text, int64_t min, int64_t max, int64_t *ret_value);

/* Parses a whole decimal number (no NaN or infinity) within [min, max],
 * min itself excluded when min_excluded; GC_EINVAL otherwise. */
int gc_parse_number(const char *text, double min, bool min_excluded, double max, double *ret_value);

/* An address of the form local@domain.tld, at most 254 bytes, no spaces. */
bool gc_text_is_email(const char *text);

/* A phone number: optional '+', then digits with optional spaces, dots,
 * dashes and parentheses; 3 to 20 digits. */
bool gc_text_is_phone(const char *text);

/* A phone number or address masked for those who may not see personal
 * data: its first character and last two kept, one '*' for each between
 * ("+*********39"), characters being UTF-8's, into out (at most len - 1
 * bytes; what does not fit is left out, never a character cut). */
void gc_text_mask(const char *text, char *out, size_t len);

/* True when text has no ASCII control characters (tabs and newlines are
 * allowed when multiline is true). */
bool gc_text_is_clean(const char *text, bool multiline);

/* Another's text (a mail system's bounce, an SMS provider's refusal) with
 * every email address and phone number in it masked as gc_text_mask masks
 * them ("550 <l************rg>: user unknown", "The 'To' number
 * +*********78 is not valid"): such words go into notes that whoever
 * reads the contact reads, an outsourced agent too. A phone number is a
 * '+' and at least 6 digits, spaces, dots and dashes between, or 9 digits
 * in a row. Into out, at most len - 1 bytes, never a character cut. */
void gc_text_mask_in(const char *text, char *out, size_t len);

/* What a libcsv error (csv_error()) means to the person who wrote the file:
 * "a quoted field is not closed..." rather than libcsv's own wording. */
const char *gc_csv_problem(int csv_error);

#endif
