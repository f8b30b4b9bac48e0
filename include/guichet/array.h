/* Growing arrays: the one helper the pure libraries and the daemon share
 * for arrays indexed by dense ids. */
#ifndef GUICHET_ARRAY_H
#define GUICHET_ARRAY_H

#include <stddef.h>
#include <stdint.h>

int gc_grow_slow(void **items, uint32_t *cap, size_t size, uint32_t need);

/* Makes *items (of *cap elements of size bytes) hold at least need
 * elements, doubling from 64; new elements are zeroed. GC_ENOMEM leaves
 * *items and *cap as they were. Inline for the common case: room enough. */
static inline int gc_grow(void **items, uint32_t *cap, size_t size, uint32_t need)
{
	return need <= *cap ? 0 : gc_grow_slow(items, cap, size, need);
}

#endif
