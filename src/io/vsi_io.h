/*
 * vsi_io: an AVIOContext over a VSILFILE, so that libavformat reads and
 * writes through GDAL's virtual file systems (/vsimem/, /vsicurl/,
 * /vsizip/, ...) like any other path.
 */
#ifndef XAV_VSI_IO_H
#define XAV_VSI_IO_H

#include <libavformat/avio.h>

/* Opens path for reading or (write != 0) writing. Reports failure through
 * CPLError and returns NULL. */
AVIOContext *xav_vsi_io_open(const char *path, int write);
/* Flushes, closes the file and frees the context; sets *pb to NULL.
 * Returns 0, or -1 if the file could not be written completely. */
int xav_vsi_io_close(AVIOContext **pb);

#endif /* XAV_VSI_IO_H */
