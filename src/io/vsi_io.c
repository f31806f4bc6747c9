/* vsi_io: see vsi_io.h. */
#include "vsi_io.h"

#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "cpl_error.h"
#include "cpl_vsi.h"

/* 64 KiB: a random read over /vsicurl/ fetches little beyond the packets
 * it needs. */
#define XAV_IO_BUFFER_SIZE (64 * 1024)

static int read_packet(void *opaque, uint8_t *buf, int size)
{
    size_t n = VSIFReadL(buf, 1, (size_t)size, (VSILFILE *)opaque);
    return n == 0 ? AVERROR_EOF : (int)n;
}

static int write_packet(void *opaque, uint8_t *buf, int size)
{
    size_t n = VSIFWriteL(buf, 1, (size_t)size, (VSILFILE *)opaque);
    return n == (size_t)size ? size : AVERROR(EIO);
}

static int64_t seek(void *opaque, int64_t offset, int whence)
{
    VSILFILE *fp = (VSILFILE *)opaque;
    if (whence & AVSEEK_SIZE) {
        vsi_l_offset here = VSIFTellL(fp), size;
        if (VSIFSeekL(fp, 0, SEEK_END) != 0)
            return AVERROR(EIO);
        size = VSIFTellL(fp);
        VSIFSeekL(fp, here, SEEK_SET);
        return (int64_t)size;
    }
    whence &= ~AVSEEK_FORCE;
    if (whence == SEEK_CUR) {
        offset += (int64_t)VSIFTellL(fp);
        whence = SEEK_SET;
    }
    if (offset < 0 && whence == SEEK_SET)
        return AVERROR(EINVAL);
    if (VSIFSeekL(fp, (vsi_l_offset)offset, whence) != 0)
        return AVERROR(EIO);
    return (int64_t)VSIFTellL(fp);
}

AVIOContext *xav_vsi_io_open(const char *path, int write)
{
    VSILFILE *fp = VSIFOpenL(path, write ? "wb" : "rb");
    unsigned char *buffer;
    AVIOContext *pb;
    if (fp == NULL) {
        CPLError(CE_Failure, CPLE_OpenFailed, "XAVIDEO: cannot %s %s.",
                 write ? "create" : "open", path);
        return NULL;
    }
    buffer = (unsigned char *)av_malloc(XAV_IO_BUFFER_SIZE);
    pb = buffer ? avio_alloc_context(buffer, XAV_IO_BUFFER_SIZE, write, fp,
                                     write ? NULL : read_packet,
                                     write ? write_packet : NULL, seek)
                : NULL;
    if (pb == NULL) {
        av_free(buffer);
        VSIFCloseL(fp);
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "XAVIDEO: out of memory opening %s.", path);
        return NULL;
    }
    return pb;
}

int xav_vsi_io_close(AVIOContext **pb)
{
    int rc = 0;
    VSILFILE *fp;
    if (pb == NULL || *pb == NULL)
        return 0;
    fp = (VSILFILE *)(*pb)->opaque;
    if ((*pb)->write_flag) {
        avio_flush(*pb);
        rc = (*pb)->error < 0 ? -1 : 0;
    }
    if (VSIFCloseL(fp) != 0)
        rc = -1;
    av_freep(&(*pb)->buffer);
    avio_context_free(pb);
    return rc;
}
