/*
 * distinct: the distinct 64-bit keys of a stream of values, up to
 * XAV_TABLE_MAX of them, as the scan finds them; more than that and the set
 * gives up and keeps nothing (no table, no lattice, is coded then). Keys
 * are values' order-preserving bits (quantize.h), so that sorting keys
 * sorts values and every bit pattern (-0, NaN payloads) stays its own.
 * One set per variable, filled by one thread.
 */
#ifndef XAV_DISTINCT_H
#define XAV_DISTINCT_H

#include <stddef.h>
#include <stdint.h>

#include "gdal.h"

typedef struct {
    uint64_t *slots; /* open addressing */
    uint8_t *used;
    size_t count, capacity;
    int full; /* gave up: more than XAV_TABLE_MAX keys */
} xav_distinct;

void xav_distinct_init(xav_distinct *s);
void xav_distinct_free(xav_distinct *s);
/* Adds a key (nothing once full). */
void xav_distinct_add(xav_distinct *s, uint64_t key);
/* Adds the keys of n raw values of type (quantize.h's xav_key_of). */
void xav_distinct_add_values(xav_distinct *s, GDALDataType type,
                             const void *raw, size_t n);
/* The keys, ascending (CPLMalloc'ed, *n of them); NULL once full. */
uint64_t *xav_distinct_sorted(const xav_distinct *s, size_t *n);

#endif /* XAV_DISTINCT_H */
