/*
 * sidecar: the JSON description of a dataset (doc/sidecar.md) <-> xav_desc.
 * Parsing checks types and the schema version and then runs
 * xav_desc_validate(), so a description that parses is safe to use.
 */
#ifndef XAV_SIDECAR_H
#define XAV_SIDECAR_H

#include <stddef.h>

#include "model.h"

/* Serializes d as compact JSON (pretty-print it with jq to read it). The
 * copy embedded in a video (embedded = 1) leaves out what readers derive
 * or never need from it (PROJJSON: the WKT2 is there). Returns a
 * CPLMalloc'ed string (CPLFree it). */
char *xav_sidecar_to_json(const xav_desc *d, int embedded);

/* The embedded copy as it travels in a video's tag (text): deflated, then
 * base64. And back: NULL with a CPLError naming source if it does not
 * unpack. CPLMalloc'ed. */
char *xav_sidecar_pack(const char *json);
char *xav_sidecar_unpack(const char *packed, const char *source);

/* Parses a sidecar; reports what is wrong through CPLError (naming source)
 * and returns NULL. */
xav_desc *xav_sidecar_from_json(const char *json, size_t len,
                                const char *source);

/* A deep copy of d, through its JSON (one way to copy: the sidecar's), or
 * NULL with a CPLError if d is not valid. */
xav_desc *xav_sidecar_copy(const xav_desc *d);

/* Sidecars larger than this are refused rather than loaded. */
#define XAV_MAX_SIDECAR_BYTES (256 * 1024 * 1024)

/* Reads and parses a sidecar file through VSI. */
xav_desc *xav_sidecar_read(const char *path);
/* Writes the JSON of d to path through VSI. Returns 0 on success. */
int xav_sidecar_write(const xav_desc *d, const char *path);

#endif /* XAV_SIDECAR_H */
