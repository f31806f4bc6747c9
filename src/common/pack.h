/*
 * pack: bytes as JSON text can carry them (deflated, then base64), and a
 * value table (sorted 64-bit keys, model.h's XAV_QUANT_TABLE) as such
 * bytes: the differences of successive keys, as LEB128 varints, which
 * deflate shrinks to little for a lattice's values.
 */
#ifndef XAV_PACK_H
#define XAV_PACK_H

#include <stddef.h>
#include <stdint.h>

/* CPLMalloc'ed text; NULL if deflate fails. */
char *xav_pack_bytes(const void *data, size_t n);
/* The bytes back, at most max of them (a bound on what a forged text can
 * make us allocate), NUL-terminated, *n of them; NULL if the text does not
 * unpack. VSIMalloc'ed: VSIFree. */
void *xav_unpack_bytes(const char *text, size_t max, size_t *n);

/* n keys, ascending. */
char *xav_table_pack(const uint64_t *keys, int n);
/* Exactly n keys, strictly ascending, or NULL (CPLMalloc'ed). */
uint64_t *xav_table_unpack(const char *text, int n);

#endif /* XAV_PACK_H */
