/*
 * GDAL driver XAVIDEO: the dataset Create returns. It keeps whatever is
 * written to it (pixels in a buffer dataset, everything else in itself)
 * and encodes it with xav_create_copy when it is flushed or closed.
 */
#ifndef XAVIDEOWRITER_H
#define XAVIDEOWRITER_H

#include <memory>
#include <string>

#include "gdal_priv.h"

/* Blocks of the bands being written: tiles of the default TILE_SIZE, so
 * that the encode's windows read whole blocks. */
constexpr int kXAVIDEOWriterBlockSize = 512;
/* The buffer of a raster too large for memory: NAME.mkv + this. */
constexpr const char *kXAVIDEOWriterBufferSuffix = ".xavbuffer.tif";

/* The writing dataset over `buffer` (its size and bands are the dataset's),
 * which it owns; `bufferFile` is the buffer's file, deleted when the
 * writer closes ("" for MEM). Never nullptr. */
GDALDataset *XAVIDEOWriterNew(const char *filename, CSLConstList options,
                              std::unique_ptr<GDALDataset> buffer,
                              const std::string &bufferFile);

#endif /* XAVIDEOWRITER_H */
