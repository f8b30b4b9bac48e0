/* What the two knowledge benchmarks share: the clock, a seeded xorshift
 * (the same figures from run to run), percentiles, reading a whole file. */
#ifndef GUICHET_BENCH_KB_H
#define GUICHET_BENCH_KB_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline uint64_t xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The p-th percentile of v (sorted in place). */
static inline double percentile(double *v, size_t n, double p)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(size_t)fmin(n - 1, floor(p * n))];
}

/* The file's bytes, NUL-terminated, their count in *len; NULL when it cannot be read. */
static inline char *read_file(const char *path, size_t *len)
{
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *data = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (data == NULL || fread(data, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(data);
		return NULL;
	}
	fclose(f);
	data[n] = '\0';
	*len = (size_t)n;
	return data;
}

#endif
