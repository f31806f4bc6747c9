/* vsi_io: see vsi_io.h. */
#include "vsi_io.h"

#include <errno.h>

#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_vsi.h"

#include "file_io.h"

/* 64 KiB: a random read over /vsicurl/ fetches little beyond the packets
 * it needs. */
#define XAV_IO_BUFFER_SIZE (64 * 1024)

/* An AVIOContext's opaque: the file, its name for messages, and its first
 * failure, kept because FFmpeg passes on only an error code, not where. */
typedef struct {
    VSILFILE *fp;
    char *path;
    int failed;   /* a write, a seek or the close failed */
    int errnum;   /* errno then (0: the file system gave none) */
    int reported; /* through CPLError, once */
} vsi_file;

/* Keeps the first failure; returns it as an FFmpeg error code. */
static int io_failed(vsi_file *f, int errnum)
{
    if (!f->failed) {
        f->failed = 1;
        f->errnum = errnum;
    }
    return AVERROR(errnum != 0 ? errnum : EIO);
}

static int read_packet(void *opaque, uint8_t *buf, int size)
{
    size_t n = VSIFReadL(buf, 1, (size_t)size, ((vsi_file *)opaque)->fp);
    return n == 0 ? AVERROR_EOF : (int)n;
}

static int write_packet(void *opaque, uint8_t *buf, int size)
{
    vsi_file *f = (vsi_file *)opaque;
    errno = 0;
    if (VSIFWriteL(buf, 1, (size_t)size, f->fp) == (size_t)size)
        return size;
    return io_failed(f, errno);
}

/* A seek flushes what stdio buffered: on a full disk, it fails as a write
 * does. */
static int64_t seek_to(vsi_file *f, vsi_l_offset offset, int whence)
{
    errno = 0;
    if (VSIFSeekL(f->fp, offset, whence) != 0)
        return io_failed(f, errno);
    return (int64_t)VSIFTellL(f->fp);
}

static int64_t seek(void *opaque, int64_t offset, int whence)
{
    vsi_file *f = (vsi_file *)opaque;
    if (whence & AVSEEK_SIZE) {
        vsi_l_offset here = VSIFTellL(f->fp);
        int64_t size = seek_to(f, 0, SEEK_END);
        if (size >= 0)
            seek_to(f, here, SEEK_SET);
        return size;
    }
    whence &= ~AVSEEK_FORCE;
    if (whence == SEEK_CUR) {
        offset += (int64_t)VSIFTellL(f->fp);
        whence = SEEK_SET;
    }
    if (offset < 0 && whence == SEEK_SET)
        return AVERROR(EINVAL);
    return seek_to(f, (vsi_l_offset)offset, whence);
}

AVIOContext *xav_vsi_io_open(const char *path, int write)
{
    vsi_file *f = (vsi_file *)CPLCalloc(1, sizeof(*f));
    unsigned char *buffer = NULL;
    AVIOContext *pb = NULL;
    errno = 0;
    if ((f->fp = VSIFOpenL(path, write ? "wb" : "rb")) == NULL) {
        xav_file_error(write ? "create" : "open", path, errno);
        CPLFree(f);
        return NULL;
    }
    f->path = CPLStrdup(path);
    buffer = (unsigned char *)av_malloc(XAV_IO_BUFFER_SIZE);
    pb = buffer ? avio_alloc_context(buffer, XAV_IO_BUFFER_SIZE, write, f,
                                     write ? NULL : read_packet,
                                     write ? write_packet : NULL, seek)
                : NULL;
    if (pb == NULL) {
        av_free(buffer);
        VSIFCloseL(f->fp);
        CPLFree(f->path);
        CPLFree(f);
        CPLError(CE_Failure, CPLE_OutOfMemory,
                 "XAVIDEO: out of memory opening %s.", path);
    }
    return pb;
}

int xav_vsi_io_write_failed(AVIOContext *pb)
{
    vsi_file *f = (vsi_file *)pb->opaque;
    if (!f->failed)
        return 0;
    if (!f->reported)
        xav_file_error("write", f->path, f->errnum);
    f->reported = 1;
    return 1;
}

int xav_vsi_io_sync(AVIOContext *pb)
{
    vsi_file *f = (vsi_file *)pb->opaque;
    avio_flush(pb); /* a failure is kept by write_packet */
    errno = 0;
    if (!f->failed && xav_file_sync(f->fp) != 0)
        io_failed(f, errno);
    return xav_vsi_io_write_failed(pb) ? -1 : 0;
}

int xav_vsi_io_close(AVIOContext **pb)
{
    vsi_file *f;
    int rc;
    if (pb == NULL || *pb == NULL)
        return 0;
    f = (vsi_file *)(*pb)->opaque;
    if ((*pb)->write_flag)
        avio_flush(*pb); /* a failure is kept by write_packet */
    errno = 0;
    if (VSIFCloseL(f->fp) != 0)
        io_failed(f, errno);
    if ((*pb)->write_flag)
        xav_vsi_io_write_failed(*pb); /* reports, once */
    rc = f->failed ? -1 : 0;
    av_freep(&(*pb)->buffer);
    avio_context_free(pb);
    CPLFree(f->path);
    CPLFree(f);
    return rc;
}
