/*
 * decode: frame-accurate access to one stream of a Matroska file read
 * through VSI. Frame t is found by its timestamp: reading forward decodes
 * each frame once; a jump backwards or past the next keyframe seeks through
 * the container's index to the keyframe at or before t and decodes forward
 * from there, so a random read costs at most one GOP.
 */
#ifndef XAV_DECODE_H
#define XAV_DECODE_H

#include <stdint.h>

#include "frame.h"

typedef struct xav_stream_reader xav_stream_reader;

/* Opens stream index of path. fps_num/fps_den: the description's time base.
 * gop: keyframe interval (bounds forward decoding). threads: 0 = auto.
 * checksums: every packet must carry its CRC-32 (checksum.h), checked
 * before it is decoded. A file shorter than its container says is refused
 * as truncated. Returns NULL with a CPLError. */
xav_stream_reader *xav_stream_reader_open(const char *path, int index,
                                          int fps_num, int fps_den, int gop,
                                          int threads, int checksums);
/* Frame t, owned by the reader and valid until the next call; NULL with a
 * CPLError if it cannot be decoded. Adds the frames it decodes to
 * *decoded. */
const xav_frame *xav_stream_reader_frame(xav_stream_reader *r, int t,
                                         uint64_t *decoded);
void xav_stream_reader_close(xav_stream_reader *r);
/* The description embedded in the reader's file (owned by r), or NULL:
 * none, or (*damaged set, with a CPLError) one that fails its CRC. And the
 * number of streams the container has. */
const char *xav_stream_reader_embedded_json(xav_stream_reader *r, int *damaged);
int xav_stream_reader_stream_count(const xav_stream_reader *r);
/* The frames' size, as the container says. */
void xav_stream_reader_size(const xav_stream_reader *r, int *width,
                            int *height);
/* A tag of the reader's stream, or of its file (global), owned by r; or
 * NULL. */
const char *xav_stream_reader_tag(const xav_stream_reader *r, const char *key,
                                  int global);

/* The sidecar embedded in the video's global tags (CPLMalloc'ed), or NULL
 * (with a CPLError) if the file cannot be read or carries none. */
char *xav_read_embedded_json(const char *path);
#endif /* XAV_DECODE_H */
