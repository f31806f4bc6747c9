/* decode: see decode.h. */
#include "decode.h"

#include <stdio.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/crc.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/pixdesc.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "checksum.h"
#include "sidecar.h"
#include "vsi_io.h"
#include "xavideo.h"

#define XAV_PENDING_CHECKSUMS 64

struct xav_stream_reader {
    AVFormatContext *fmt;
    AVIOContext *pb; /* ours: avformat_open_input drops fmt on failure */
    AVCodecContext *ctx;
    AVPacket *pkt;
    AVFrame *frame;
    int index;
    AVRational frame_tb; /* one tick per time step */
    int gop;
    int64_t start;  /* pts of frame 0, in the stream's time base */
    int checksums;  /* every packet carries its frame's CRC-32 */
    char *embedded; /* the file's embedded description, once read */
    int embedded_read, embedded_damaged;
    /* the checksums of the packets fed and not yet seen decoded, by time
     * step: far more slots than a decoder holds frames back */
    int pending_t[XAV_PENDING_CHECKSUMS];
    uint32_t pending_crc[XAV_PENDING_CHECKSUMS];
    int current;  /* time step held in frame, or -1 */
    int expected; /* time step the next decoded frame must have, or -1 */
    int draining;
    char *path;
};

static void *av_fail(const xav_stream_reader *r, const char *what, int err)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, msg, sizeof(msg));
    CPLError(CE_Failure, CPLE_AppDefined, "XAVIDEO: %s %s: %s.", what, r->path,
             msg);
    return NULL;
}

static int open_decoder(xav_stream_reader *r, int threads)
{
    AVStream *st = r->fmt->streams[r->index];
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    int err;
    if (codec == NULL) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: no decoder for stream %d of %s.", r->index, r->path);
        return -1;
    }
    r->ctx = avcodec_alloc_context3(codec);
    if (r->ctx == NULL)
        return -1;
    if ((err = avcodec_parameters_to_context(r->ctx, st->codecpar)) < 0) {
        av_fail(r, "reading codec parameters of", err);
        return -1;
    }
    r->ctx->thread_count = threads;
    /* an error in the bitstream fails the decode instead of being hidden */
    r->ctx->err_recognition = AV_EF_CRCCHECK | AV_EF_EXPLODE;
    r->ctx->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    if ((err = avcodec_open2(r->ctx, codec, NULL)) < 0) {
        av_fail(r, "opening the decoder of", err);
        return -1;
    }
    return 0;
}

/* The muxer shifts every timestamp by the largest codec delay (x265's
 * B-frames) so that none is negative. Frame 0 is the first packet of a
 * closed-GOP stream, so its pts is the shift. */
static int find_start(xav_stream_reader *r)
{
    for (;;) {
        int err = av_read_frame(r->fmt, r->pkt);
        if (err < 0) {
            av_fail(r, "no frame in stream of", err);
            return -1;
        }
        if (r->pkt->stream_index == r->index) {
            r->start = r->pkt->pts == AV_NOPTS_VALUE ? 0 : r->pkt->pts;
            av_packet_unref(r->pkt);
            return 0;
        }
        av_packet_unref(r->pkt);
    }
}

/* An EBML element's size: a variable-length integer of 1 to 8 bytes at
 * h[*i] (its length marked by its leading 1 bit); *unknown when every
 * value bit is 1. Returns -1 if it does not fit in n bytes. */
static int ebml_size(const uint8_t *h, int n, int *i, uint64_t *size,
                     int *unknown)
{
    int len = 1, k;
    uint64_t v, all;
    if (*i >= n || h[*i] == 0)
        return -1;
    while (!(h[*i] & (0x80 >> (len - 1))))
        len++;
    if (*i + len > n)
        return -1;
    v = h[*i] & (0xFF >> len);
    for (k = 1; k < len; k++)
        v = (v << 8) | h[*i + k];
    all = (1ull << (7 * len)) - 1;
    *unknown = v == all;
    *size = v;
    *i += len;
    return 0;
}

/* A Matroska file says how long its segment is: a file shorter than that
 * lost its end (a copy cut short, a disk that filled). Returns 0, or -1
 * with a CPLError that says so. */
static int check_complete(const char *path)
{
    static const uint8_t ebml[4] = {0x1A, 0x45, 0xDF, 0xA3};
    static const uint8_t segment[4] = {0x18, 0x53, 0x80, 0x67};
    uint8_t h[64];
    uint64_t size, end;
    int n, i = 4, unknown;
    vsi_l_offset length;
    VSILFILE *fp = VSIFOpenL(path, "rb");
    if (fp == NULL)
        return 0; /* opening the video says why */
    n = (int)VSIFReadL(h, 1, sizeof(h), fp);
    VSIFSeekL(fp, 0, SEEK_END);
    length = VSIFTellL(fp);
    VSIFCloseL(fp);
    if (n < 8 || memcmp(h, ebml, 4) != 0 ||
        ebml_size(h, n, &i, &size, &unknown) != 0 || unknown ||
        (i += (int)size) + 4 > n || memcmp(h + i, segment, 4) != 0)
        return 0; /* not ours to judge: the demuxer reports it */
    i += 4;
    if (ebml_size(h, n, &i, &size, &unknown) != 0 || unknown)
        return 0;
    end = (uint64_t)i + size;
    if ((uint64_t)length >= end)
        return 0;
    CPLError(CE_Failure, CPLE_FileIO,
             "XAVIDEO: %s is truncated: it has %llu of its %llu bytes.", path,
             (unsigned long long)length, (unsigned long long)end);
    return -1;
}

xav_stream_reader *xav_stream_reader_open(const char *path, int index,
                                          int fps_num, int fps_den, int gop,
                                          int threads, int checksums)
{
    xav_stream_reader *r = (xav_stream_reader *)CPLCalloc(1, sizeof(*r));
    int err;
    r->path = CPLStrdup(path);
    r->index = index;
    r->checksums = checksums;
    for (err = 0; err < XAV_PENDING_CHECKSUMS; err++)
        r->pending_t[err] = -1;
    if (check_complete(path) != 0)
        goto fail;
    r->frame_tb = (AVRational){fps_den, fps_num};
    r->gop = gop > 0 ? gop : 1;
    r->current = -1;
    r->expected = -1;
    r->fmt = avformat_alloc_context();
    r->pkt = av_packet_alloc();
    r->frame = av_frame_alloc();
    if (r->fmt == NULL || r->pkt == NULL || r->frame == NULL)
        goto fail;
    if ((r->fmt->pb = r->pb = xav_vsi_io_open(path, 0)) == NULL)
        goto fail;
    r->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    if ((err = avformat_open_input(&r->fmt, NULL, NULL, NULL)) < 0) {
        av_fail(r, "cannot read the video", err);
        goto fail;
    }
    if (index < 0 || (unsigned)index >= r->fmt->nb_streams ||
        r->fmt->streams[index]->codecpar->codec_type != AVMEDIA_TYPE_VIDEO) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: %s has no video stream %d (truncated or not the "
                 "video of this sidecar?).",
                 path, index);
        goto fail;
    }
    /* the demuxer skips other streams' blocks instead of reading them */
    for (unsigned i = 0; i < r->fmt->nb_streams; i++)
        r->fmt->streams[i]->discard =
            (int)i == index ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
    if (open_decoder(r, threads) != 0 || find_start(r) != 0)
        goto fail;
    return r;
fail:
    xav_stream_reader_close(r);
    return NULL;
}

void xav_stream_reader_close(xav_stream_reader *r)
{
    if (r == NULL)
        return;
    avcodec_free_context(&r->ctx);
    av_frame_free(&r->frame);
    av_packet_free(&r->pkt);
    avformat_close_input(&r->fmt);
    xav_vsi_io_close(&r->pb);
    CPLFree(r->path);
    CPLFree(r->embedded);
    CPLFree(r);
}

/* The embedded description of a container (CPLMalloc'ed), or NULL: none,
 * or one that does not unpack or fails its CRC (*damaged set, with a
 * CPLError). Videos of schema 1 carry it as text, some without a CRC. */
static char *embedded_description(const AVDictionary *md, const char *path,
                                  int *damaged)
{
    const AVDictionaryEntry *packed =
        av_dict_get(md, XAV_EMBEDDED_PACKED_TAG, NULL, 0);
    const AVDictionaryEntry *plain = av_dict_get(md, XAV_EMBEDDED_TAG, NULL, 0);
    const AVDictionaryEntry *crc =
        av_dict_get(md, XAV_EMBEDDED_CRC_TAG, NULL, 0);
    char hex[9], *json;
    *damaged = 0;
    if (packed != NULL)
        json = xav_sidecar_unpack(packed->value, path);
    else
        json = plain != NULL ? CPLStrdup(plain->value) : NULL;
    if (json == NULL) {
        *damaged = packed != NULL;
        return NULL;
    }
    if (crc == NULL && packed == NULL)
        return json;
    xav_description_crc(json, hex);
    if (crc != NULL && strcmp(hex, crc->value) == 0)
        return json;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: the description embedded in %s is corrupt (CRC %s, "
             "expected %s).",
             path, hex, crc != NULL ? crc->value : "none");
    CPLFree(json);
    *damaged = 1;
    return NULL;
}

const char *xav_stream_reader_embedded_json(xav_stream_reader *r, int *damaged)
{
    if (!r->embedded_read) {
        r->embedded = embedded_description(r->fmt->metadata, r->path,
                                           &r->embedded_damaged);
        r->embedded_read = 1;
    }
    *damaged = r->embedded_damaged;
    return r->embedded;
}

const char *xav_stream_reader_tag(const xav_stream_reader *r, const char *key,
                                  int global)
{
    const AVDictionaryEntry *tag = av_dict_get(
        global ? r->fmt->metadata : r->fmt->streams[r->index]->metadata, key,
        NULL, 0);
    return tag != NULL ? tag->value : NULL;
}

void xav_stream_reader_size(const xav_stream_reader *r, int *width, int *height)
{
    *width = r->fmt->streams[r->index]->codecpar->width;
    *height = r->fmt->streams[r->index]->codecpar->height;
}

int xav_stream_reader_stream_count(const xav_stream_reader *r)
{
    return (int)r->fmt->nb_streams;
}

static int seek_to(xav_stream_reader *r, int t)
{
    AVStream *st = r->fmt->streams[r->index];
    int64_t ts = r->start + av_rescale_q(t, r->frame_tb, st->time_base);
    int err = av_seek_frame(r->fmt, r->index, ts, AVSEEK_FLAG_BACKWARD);
    if (err < 0) {
        av_fail(r, "cannot seek in", err);
        return -1;
    }
    avcodec_flush_buffers(r->ctx);
    r->draining = 0;
    r->current = -1;
    r->expected = -1;
    return 0;
}

/* FFV1 level 3 written with slicecrc=1 ends every slice with its size (24
 * bits), an error byte and a CRC-32 that brings the slice's CRC to 0.
 * FFmpeg's decoder hides a slice that fails it (it copies the previous
 * frame's pixels and reports success), so packets are checked here: the
 * slices, walked back from the end, must tile the packet exactly and each
 * pass its CRC. */
#define XAV_FFV1_TRAILER 8

static int ffv1_packet_intact(const AVPacket *pkt)
{
    const AVCRC *table = av_crc_get_table(AV_CRC_32_IEEE);
    size_t left = (size_t)pkt->size;
    while (left > 0) {
        size_t v;
        if (left < XAV_FFV1_TRAILER)
            return 0;
        v = AV_RB24(pkt->data + left - XAV_FFV1_TRAILER) + XAV_FFV1_TRAILER;
        if (v > left || av_crc(table, 0, pkt->data + left - v, v) != 0)
            return 0;
        left -= v;
    }
    return pkt->size > 0;
}

static int corrupt(const xav_stream_reader *r, const char *what)
{
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: stream %d of %s is corrupt: %s.", r->index, r->path,
             what);
    return -1;
}

/* The time step of a packet, for messages. */
static int packet_time(const xav_stream_reader *r, const AVPacket *pkt)
{
    if (pkt->pts == AV_NOPTS_VALUE)
        return -1;
    return (int)av_rescale_q(pkt->pts - r->start,
                             r->fmt->streams[r->index]->time_base, r->frame_tb);
}

/* What is wrong with a packet before it is decoded, or NULL: a missing
 * checksum where the stream has them (kept for its frame), a failed FFV1
 * slice CRC. */
static const char *packet_damage(xav_stream_reader *r, const AVPacket *pkt)
{
    if (r->checksums) {
        size_t n = 0;
        const uint8_t *side = av_packet_get_side_data(
            pkt, AV_PKT_DATA_MATROSKA_BLOCKADDITIONAL, &n);
        const int t = packet_time(r, pkt), slot = t % XAV_PENDING_CHECKSUMS;
        uint32_t crc;
        if (t < 0 || xav_packet_crc_read(side, n, &crc) != 0)
            return "has lost its checksum";
        r->pending_t[slot] = t;
        r->pending_crc[slot] = crc;
    }
    /* level 3 (the one with extradata, which ours are): level 1, as the
     * ffmpeg program writes by default (xarrayvideo's), has no slice CRC */
    if (r->ctx->codec_id == AV_CODEC_ID_FFV1 && r->ctx->extradata_size > 0 &&
        !ffv1_packet_intact(pkt))
        return "fails its CRC check";
    return NULL;
}

/* Whether frame t, just decoded, is the frame its packet's checksum says. */
static int frame_intact(const xav_stream_reader *r, int t)
{
    const int slot = t % XAV_PENDING_CHECKSUMS;
    return !r->checksums ||
           (t >= 0 && r->pending_t[slot] == t &&
            r->pending_crc[slot] == xav_frame_crc((const xav_frame *)r->frame));
}

/* Feeds the decoder one packet of our stream (or the flush signal at the
 * end of the file). */
static int feed(xav_stream_reader *r)
{
    for (;;) {
        int err = av_read_frame(r->fmt, r->pkt);
        if (err == AVERROR_EOF) {
            r->draining = 1;
            return avcodec_send_packet(r->ctx, NULL) < 0 ? -1 : 0;
        }
        if (err < 0) {
            av_fail(r, "cannot read a packet of", err);
            return -1;
        }
        if (r->pkt->stream_index == r->index) {
            const char *damage = packet_damage(r, r->pkt);
            if (damage != NULL) {
                const int t = packet_time(r, r->pkt);
                av_packet_unref(r->pkt);
                return corrupt(r, CPLSPrintf("frame %d %s", t, damage));
            }
            err = avcodec_send_packet(r->ctx, r->pkt);
            av_packet_unref(r->pkt);
            if (err < 0) {
                av_fail(r, "corrupt packet in", err);
                return -1;
            }
            return 0;
        }
        av_packet_unref(r->pkt);
    }
}

/* Decodes forward until frame t. Returns 0, or -1 with a CPLError. */
static int decode_until(xav_stream_reader *r, int t, uint64_t *decoded)
{
    AVStream *st = r->fmt->streams[r->index];
    for (;;) {
        int err = avcodec_receive_frame(r->ctx, r->frame);
        if (err == 0) {
            int64_t pts = r->frame->best_effort_timestamp;
            (*decoded)++;
            if (r->frame->decode_error_flags != 0 ||
                (r->frame->flags & AV_FRAME_FLAG_CORRUPT))
                return corrupt(r, "the decoder flags a frame as damaged");
            r->current =
                (int)av_rescale_q(pts - r->start, st->time_base, r->frame_tb);
            /* frames come out one time step after the other: anything else
             * is a damaged timestamp, and would hand out the wrong frame */
            if (r->expected >= 0 && r->current != r->expected)
                return corrupt(r, "frame timestamps out of sequence");
            if (!frame_intact(r, r->current))
                return corrupt(
                    r, CPLSPrintf("frame %d fails its checksum", r->current));
            r->expected = r->current + 1;
            if (r->current == t)
                return 0;
            if (r->current > t)
                break;
        } else if (err == AVERROR(EAGAIN) && !r->draining) {
            if (feed(r) != 0)
                return -1;
        } else if (err != AVERROR_EOF && err != AVERROR(EAGAIN)) {
            av_fail(r, "cannot decode a frame of", err);
            return -1;
        } else {
            break;
        }
    }
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: frame %d of stream %d is missing from %s (truncated "
             "video?).",
             t, r->index, r->path);
    return -1;
}

const xav_frame *xav_stream_reader_frame(xav_stream_reader *r, int t,
                                         uint64_t *decoded)
{
    if (r->current == t)
        return (const xav_frame *)r->frame;
    if (r->current < 0 || t < r->current || t - r->current > r->gop) {
        if (seek_to(r, t) != 0)
            return NULL;
    }
    if (decode_until(r, t, decoded) != 0) {
        /* the decoder's state is unknown: the next read seeks afresh */
        r->current = -1;
        return NULL;
    }
    return (const xav_frame *)r->frame;
}

char *xav_read_embedded_json(const char *path)
{
    AVFormatContext *fmt = avformat_alloc_context();
    AVIOContext *pb = xav_vsi_io_open(path, 0);
    char *json = NULL;
    int err, damaged;
    if (fmt == NULL || pb == NULL) {
        avformat_free_context(fmt);
        xav_vsi_io_close(&pb);
        return NULL;
    }
    fmt->pb = pb;
    fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    if ((err = avformat_open_input(&fmt, NULL, NULL, NULL)) < 0) {
        char msg[AV_ERROR_MAX_STRING_SIZE];
        av_strerror(err, msg, sizeof(msg));
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "XAVIDEO: cannot read the video %s: %s.", path, msg);
        xav_vsi_io_close(&pb);
        return NULL;
    }
    json = embedded_description(fmt->metadata, path, &damaged);
    if (json == NULL && !damaged)
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "XAVIDEO: %s has no sidecar next to it and no embedded "
                 "description.",
                 path);
    avformat_close_input(&fmt);
    xav_vsi_io_close(&pb);
    return json;
}
