/*
 * vsi_io: an AVIOContext over a VSILFILE, so that libavformat reads and
 * writes through GDAL's virtual file systems (/vsimem/, /vsicurl/,
 * /vsizip/, ...) like any other path.
 */
#ifndef XAV_VSI_IO_H
#define XAV_VSI_IO_H

#include <libavformat/avio.h>

/* Opens path for reading or (write != 0) writing. Reports failure through
 * CPLError, with the file and the reason, and returns NULL. */
AVIOContext *xav_vsi_io_open(const char *path, int write);
/* Whether a write through pb failed (a full disk): if so, reports it once,
 * naming the file and the reason, and returns 1; else returns 0. FFmpeg's
 * own message for it would name neither. */
int xav_vsi_io_write_failed(AVIOContext *pb);
/* Flushes a written file and puts it on the disk (xav_file_sync).
 * Returns 0, or -1 with the failure reported as by xav_vsi_io_write_failed.
 */
int xav_vsi_io_sync(AVIOContext *pb);
/* Flushes, closes the file and frees the context; sets *pb to NULL.
 * Returns 0, or -1 if the file could not be written completely (reported,
 * once, as by xav_vsi_io_write_failed) or closed. */
int xav_vsi_io_close(AVIOContext **pb);

#endif /* XAV_VSI_IO_H */
