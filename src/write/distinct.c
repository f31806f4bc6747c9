/* distinct: see distinct.h. */
#include "distinct.h"

#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"

#include "quantize.h"

void xav_distinct_init(xav_distinct *s)
{
    memset(s, 0, sizeof(*s));
}

void xav_distinct_free(xav_distinct *s)
{
    CPLFree(s->slots);
    CPLFree(s->used);
    s->slots = NULL;
    s->used = NULL;
    s->count = s->capacity = 0;
}

static size_t slot_of(uint64_t key, size_t capacity)
{
    key *= 0x9E3779B97F4A7C15ull; /* Fibonacci hashing */
    return (size_t)(key >> 32) & (capacity - 1);
}

static void put(xav_distinct *s, uint64_t key)
{
    size_t i = slot_of(key, s->capacity);
    for (; s->used[i]; i = (i + 1) & (s->capacity - 1))
        if (s->slots[i] == key)
            return;
    s->used[i] = 1;
    s->slots[i] = key;
    s->count++;
}

/* Twice the room (at least twice the keys: probes stay short). */
static void grow(xav_distinct *s)
{
    uint64_t *old = s->slots;
    uint8_t *old_used = s->used;
    const size_t old_capacity = s->capacity;
    size_t i;
    s->capacity = old_capacity ? 2 * old_capacity : 1024;
    s->slots = (uint64_t *)CPLMalloc(s->capacity * sizeof(uint64_t));
    s->used = (uint8_t *)CPLCalloc(s->capacity, 1);
    s->count = 0;
    for (i = 0; i < old_capacity; i++)
        if (old_used[i])
            put(s, old[i]);
    CPLFree(old);
    CPLFree(old_used);
}

void xav_distinct_add(xav_distinct *s, uint64_t key)
{
    if (s->full)
        return;
    if (2 * (s->count + 1) > s->capacity)
        grow(s);
    put(s, key);
    if (s->count > XAV_TABLE_MAX) {
        xav_distinct_free(s);
        s->full = 1;
    }
}

void xav_distinct_add_values(xav_distinct *s, GDALDataType type,
                             const void *raw, size_t n)
{
    size_t i;
    for (i = 0; i < n && !s->full; i++)
        xav_distinct_add(s, xav_key_of(type, raw, i));
}

static int ascending(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

uint64_t *xav_distinct_sorted(const xav_distinct *s, size_t *n)
{
    uint64_t *keys;
    size_t i, k = 0;
    *n = 0;
    if (s->full)
        return NULL;
    keys = (uint64_t *)CPLMalloc((s->count + 1) * sizeof(uint64_t));
    for (i = 0; i < s->capacity; i++)
        if (s->used[i])
            keys[k++] = s->slots[i];
    qsort(keys, k, sizeof(uint64_t), ascending);
    *n = k;
    return keys;
}
