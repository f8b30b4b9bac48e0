/* Growing arrays (guichet/array.h). */
#include "guichet/array.h"
#include "guichet/error.h"

#include <stdlib.h>
#include <string.h>

int gc_grow_slow(void **items, uint32_t *cap, size_t size, uint32_t need)
{
	uint32_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *p = realloc(*items, (size_t)n * size);
	if (p == NULL)
		return GC_ENOMEM;
	memset((char *)p + (size_t)*cap * size, 0, (size_t)(n - *cap) * size);
	*items = p;
	*cap = n;
	return GC_OK;
}
