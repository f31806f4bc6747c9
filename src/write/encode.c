/* encode: see encode.h. */
#include "encode.h"

#include <limits.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/intreadwrite.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>

#include "checksum.h"
#include "cpl_conv.h"
#include "cpl_error.h"
#include "options.h"
#include "sidecar.h"
#include "vsi_io.h"
#include "xavideo.h"

typedef struct {
    AVCodecContext *ctx;
    AVStream *st;
    AVFrame *frame;
    int width, height; /* of the data; the coded frame may be larger */
    int64_t next_pts;
    int64_t last_dts; /* of the last packet out, if has_dts */
    int has_dts;
    int flushed;
    AVCodecContext *dec; /* lossy streams: decodes what was just coded */
    AVFrame *frame_out;  /* the decoder's output */
    AVFrame **decoded;   /* what it decoded, not taken yet: a FIFO */
    int head, waiting, capacity;
    /* frame checksums (checksum.h): each frame's CRC, by time step, known
     * when it is put (exact streams) or decoded (lossy ones); packets wait,
     * in order, until their frame's is known */
    int checksums;
    uint32_t *crc;
    uint8_t *crc_known;
    int crc_size;
    AVPacket **held;
    int held_count, held_size;
} encoder;

struct xav_writer {
    AVFormatContext *oc;
    AVPacket *pkt;
    int first, nstreams; /* the streams of d it writes */
    encoder *enc;
};

const char *xav_codec_library(void)
{
    return LIBAVCODEC_IDENT;
}

static int av_fail(const char *what, int err)
{
    char msg[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, msg, sizeof(msg));
    CPLError(CE_Failure, CPLE_AppDefined, "XAVIDEO: %s: %s.", what, msg);
    return -1;
}

/* A muxer's failure: where writing the file failed (a full disk), that
 * failure, with the file's name; else FFmpeg's reason. */
static int mux_fail(xav_writer *w, const char *what, int err)
{
    return xav_vsi_io_write_failed(w->oc->pb) ? -1 : av_fail(what, err);
}

/* Rate-distortion optimized quantization at its fullest (slow's level):
 * on UWND, 9 % fewer bits at equal PSNR for about 20 % more encode time
 * (doc/defaults.md). */
#define XAV_X265_RD "rdoq-level=2"

/* x265: closed GOPs of fixed length so a reader can seek to any keyframe;
 * tune=psnr because our users measure error, not looks; no SEI with
 * x265's settings (2.3 KB a stream a file, on a 10-band subset more than
 * the data). Exact streams (masks, corrections) use its lossless mode. Constant
 * QP 0 goes past CRF 0 (60.6 against 55.5 dB on UWND); this x265 refuses
 * negative QPs. */
static int configure_x265(AVCodecContext *ctx, const xav_stream *s)
{
    char params[256];
    snprintf(params, sizeof(params),
             "keyint=%d:min-keyint=%d:scenecut=0:open-gop=0:info=0:"
             "log-level=error%s",
             s->gop, s->gop,
             s->lossless  ? ":lossless=1"
             : s->qp >= 0 ? CPLSPrintf(":qp=%d:%s", s->qp, XAV_X265_RD)
                          : ":" XAV_X265_RD);
    if (s->channels == XAV_MAX_CHANNELS)
        ctx->colorspace = AVCOL_SPC_RGB; /* identity matrix, no YUV */
    ctx->gop_size = s->gop;
    if (av_opt_set(ctx->priv_data, "preset", s->preset, 0) < 0 ||
        av_opt_set(ctx->priv_data, "tune", "psnr", 0) < 0 ||
        (s->qp < 0 && !s->lossless &&
         av_opt_set_double(ctx->priv_data, "crf", s->crf, 0) < 0) ||
        av_opt_set(ctx->priv_data, "x265-params", params, 0) < 0)
        return -1;
    return 0;
}

/* libaom speed (cpu-used) for each preset, slowest first. */
static int av1_cpu_used(const char *preset)
{
    static const int cpu_used[] = {0, 1, 2, 3, 4, 5, 5, 6, 7, 8};
    const int speed = xav_preset_speed(preset);
    return speed < 0 ? cpu_used[4] : cpu_used[speed];
}

/* AV1 (libaom): constant quality, keyframes every GOP frames exactly (AV1
 * key frames reset every reference, so GOPs are closed). No temporal
 * filtering of keyframes and alt-refs: it denoises the source with its
 * neighbours, which suits film, not measurements (UWND, CRF 5: worst band
 * 42.8 dB with it, 52.2 without, for the same bits). */
static int configure_av1(AVCodecContext *ctx, const xav_stream *s)
{
    if (s->channels == XAV_MAX_CHANNELS)
        ctx->colorspace = AVCOL_SPC_RGB; /* identity matrix, no YUV */
    ctx->gop_size = s->gop;
    ctx->keyint_min = s->gop;
    ctx->bit_rate = 0;
    ctx->thread_count = 0;
    if (av_opt_set_int(ctx->priv_data, "crf", s->crf, 0) < 0 ||
        av_opt_set_int(ctx->priv_data, "cpu-used", av1_cpu_used(s->preset), 0) <
            0 ||
        av_opt_set_int(ctx->priv_data, "row-mt", 1, 0) < 0 ||
        av_opt_set_int(ctx->priv_data, "arnr-strength", 0, 0) < 0 ||
        av_opt_set(ctx->priv_data, "aom-params", "enable-keyframe-filtering=0",
                   0) < 0)
        return -1;
    return 0;
}

/* Every FFV1 slice restarts the coder's adaptation, which small frames
 * cannot afford (Landsat 8, 41 x 41: 14.5 -> 12.8 bpppb with one slice):
 * small frames get the fewest slices FFV1 takes (one up to 352 x 288, four
 * above), large ones the slices that let decoding use every core. */
#define XAV_FFV1_FEW_SLICES_PIXELS (512 * 512)

static int ffv1_slices(int width, int height)
{
    if (width <= 352 && height <= 288)
        return 1;
    return (double)width * height < XAV_FFV1_FEW_SLICES_PIXELS ? 4 : 0;
}

/* FFV1 version 3: per-slice CRCs detect corruption. Range coder with the
 * small context model, and the GOP kept between keyframes so the coder's
 * adapted state carries over: both measured best on our cubes
 * (doc/defaults.md). */
static int configure_ffv1(AVCodecContext *ctx, const xav_stream *s)
{
    ctx->level = 3;
    ctx->gop_size = s->gop;
    ctx->thread_count = 0;
    ctx->slices = ffv1_slices(ctx->width, ctx->height);
    if (av_opt_set_int(ctx->priv_data, "slicecrc", 1, 0) < 0 ||
        av_opt_set_int(ctx->priv_data, "coder", 1, 0) < 0 ||
        av_opt_set_int(ctx->priv_data, "context", 0, 0) < 0)
        return -1;
    return 0;
}

/* A decoder of the encoder's own output, with its parameters. */
static int open_verifier(encoder *e)
{
    const AVCodec *codec = avcodec_find_decoder(e->ctx->codec_id);
    AVCodecParameters *par = avcodec_parameters_alloc();
    int err = AVERROR(ENOMEM);
    e->dec = codec ? avcodec_alloc_context3(codec) : NULL;
    e->frame_out = av_frame_alloc();
    if (par != NULL && e->dec != NULL && e->frame_out != NULL &&
        (err = avcodec_parameters_from_context(par, e->ctx)) >= 0 &&
        (err = avcodec_parameters_to_context(e->dec, par)) >= 0) {
        e->dec->time_base = e->ctx->time_base;
        e->dec->pkt_timebase = e->ctx->time_base;
        err = avcodec_open2(e->dec, codec, NULL);
    }
    avcodec_parameters_free(&par);
    return err < 0 ? av_fail("opening the verifying decoder", err) : 0;
}

static int open_encoder(xav_writer *w, encoder *e, const xav_desc *d,
                        const xav_stream *s)
{
    static const char *const names[] = {"libx265", "ffv1", "libaom-av1"};
    int x0, y0; /* the tile's place: only its size matters here */
    const char *name = names[s->codec];
    const AVCodec *codec = avcodec_find_encoder_by_name(name);
    char identity[64];
    int err;
    if (codec == NULL) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: this FFmpeg has no %s encoder.", name);
        return -1;
    }
    e->ctx = avcodec_alloc_context3(codec);
    e->frame = av_frame_alloc();
    if (e->ctx == NULL || e->frame == NULL)
        return av_fail("allocating an encoder", AVERROR(ENOMEM));
    xav_desc_tile_rect(d, s->tile, &x0, &y0, &e->width, &e->height);
    e->checksums = s->checksums;
    e->ctx->width = xav_coded_size(e->width);
    e->ctx->height = xav_coded_size(e->height);
    e->ctx->pix_fmt = av_get_pix_fmt(s->pix_fmt);
    e->ctx->time_base = (AVRational){d->fps_den, d->fps_num};
    e->ctx->framerate = (AVRational){d->fps_num, d->fps_den};
    if (w->oc->oformat->flags & AVFMT_GLOBALHEADER)
        e->ctx->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((s->codec == XAV_CODEC_X265  ? configure_x265(e->ctx, s)
         : s->codec == XAV_CODEC_AV1 ? configure_av1(e->ctx, s)
                                     : configure_ffv1(e->ctx, s)) != 0) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: cannot set the options of %s.", name);
        return -1;
    }
    if ((err = avcodec_open2(e->ctx, codec, NULL)) < 0)
        return av_fail(CPLSPrintf("opening %s for %s", name, s->pix_fmt), err);
    e->st = avformat_new_stream(w->oc, NULL);
    if (e->st == NULL)
        return av_fail("adding a stream", AVERROR(ENOMEM));
    e->st->time_base = e->ctx->time_base;
    xav_stream_identity(s, identity, sizeof(identity));
    if (av_dict_set(&e->st->metadata, XAV_STREAM_TAG, identity, 0) < 0)
        return av_fail("tagging a stream", AVERROR(ENOMEM));
    if ((err = avcodec_parameters_from_context(e->st->codecpar, e->ctx)) < 0)
        return av_fail("copying codec parameters", err);
    if (!s->lossless && open_verifier(e) != 0)
        return -1;
    e->frame->format = e->ctx->pix_fmt;
    e->frame->width = e->ctx->width; /* coded size: padded */
    e->frame->height = e->ctx->height;
    if ((err = av_frame_get_buffer(e->frame, 0)) < 0)
        return av_fail("allocating a frame", err);
    /* codecs read rows past the width, up to their SIMD alignment */
    for (int i = 0; i < AV_NUM_DATA_POINTERS && e->frame->buf[i]; i++)
        memset(e->frame->buf[i]->data, 0, e->frame->buf[i]->size);
    return 0;
}

xav_writer *xav_writer_open(const char *path, const xav_desc *d, int first,
                            int count, const char *embedded_json)
{
    xav_writer *w = (xav_writer *)CPLCalloc(1, sizeof(*w));
    int s, err;
    if ((w->pkt = av_packet_alloc()) == NULL) {
        av_fail("allocating a packet", AVERROR(ENOMEM));
        goto fail;
    }
    if ((err = avformat_alloc_output_context2(&w->oc, NULL, "matroska", NULL)) <
        0) {
        av_fail("creating the Matroska muxer", err);
        goto fail;
    }
    w->first = first;
    w->nstreams = count;
    w->enc = (encoder *)CPLCalloc(count, sizeof(encoder));
    for (s = 0; s < count; s++)
        if (open_encoder(w, &w->enc[s], d, &d->streams[first + s]) != 0)
            goto fail;
    if ((w->oc->pb = xav_vsi_io_open(path, 1)) == NULL)
        goto fail;
    /* no random segment id: the same input gives the same file */
    w->oc->flags |= AVFMT_FLAG_BITEXACT;
    if (embedded_json != NULL) {
        char crc[9];
        xav_description_crc(embedded_json, crc);
        char *packed = xav_sidecar_pack(embedded_json);
        if (packed == NULL) {
            av_fail("packing the embedded description", AVERROR(ENOMEM));
            goto fail;
        }
        av_dict_set(&w->oc->metadata, XAV_EMBEDDED_PACKED_TAG, packed, 0);
        CPLFree(packed);
        av_dict_set(&w->oc->metadata, XAV_EMBEDDED_CRC_TAG, crc, 0);
    }
    if ((err = avformat_write_header(w->oc, NULL)) < 0) {
        mux_fail(w, "writing the Matroska header", err);
        goto fail;
    }
    return w;
fail:
    xav_writer_free(w);
    return NULL;
}

/* Notes the checksum of frame t. */
static int remember_crc(encoder *e, int64_t t, const AVFrame *f)
{
    if (t < 0 || t > INT_MAX / 2)
        return av_fail("checking a frame", AVERROR(EINVAL));
    if (t >= e->crc_size) {
        const int size = (int)(2 * t + 16);
        e->crc = (uint32_t *)CPLRealloc(e->crc, size * sizeof(uint32_t));
        e->crc_known = (uint8_t *)CPLRealloc(e->crc_known, size);
        memset(e->crc_known + e->crc_size, 0, size - e->crc_size);
        e->crc_size = size;
    }
    e->crc[t] = xav_frame_crc((const xav_frame *)f);
    e->crc_known[t] = 1;
    return 0;
}

/* Keeps a decoded frame for the caller to take. */
static int keep_decoded(encoder *e)
{
    AVFrame *f;
    if (e->waiting == e->capacity) {
        AVFrame **grown = (AVFrame **)VSI_MALLOC2_VERBOSE(2 * e->capacity + 8,
                                                          sizeof(AVFrame *));
        int i;
        if (grown == NULL)
            return -1;
        for (i = 0; i < e->waiting; i++)
            grown[i] = e->decoded[(e->head + i) % e->capacity];
        CPLFree(e->decoded);
        e->decoded = grown;
        e->head = 0;
        e->capacity = 2 * e->capacity + 8;
    }
    if (e->checksums && remember_crc(e, e->frame_out->pts, e->frame_out) != 0)
        return -1;
    if ((f = av_frame_alloc()) == NULL)
        return av_fail("keeping a decoded frame", AVERROR(ENOMEM));
    av_frame_move_ref(f, e->frame_out);
    e->decoded[(e->head + e->waiting++) % e->capacity] = f;
    return 0;
}

/* Decodes pkt (NULL to flush) and keeps every frame that comes out. */
static int decode_coded(encoder *e, const AVPacket *pkt)
{
    int err = avcodec_send_packet(e->dec, pkt);
    if (err < 0)
        return av_fail("decoding what was encoded", err);
    for (;;) {
        err = avcodec_receive_frame(e->dec, e->frame_out);
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
            return 0;
        if (err < 0)
            return av_fail("decoding what was encoded", err);
        if (keep_decoded(e) != 0)
            return -1;
    }
}

int xav_writer_take_decoded(xav_writer *w, int s, int *t, xav_frame **frame)
{
    encoder *e = &w->enc[s - w->first];
    AVFrame *f;
    if (e->waiting == 0)
        return 0;
    f = e->decoded[e->head];
    e->head = (e->head + 1) % e->capacity;
    e->waiting--;
    *t = (int)f->pts;
    *frame = (xav_frame *)f;
    return 1;
}

/* libx265 sometimes leaves dts unset, or above pts, for a stream of one
 * frame (it depends on thread timing): a packet is never decoded after it
 * is shown, and decode times only grow. */
static void fix_dts(encoder *e, AVPacket *p)
{
    if (p->dts == AV_NOPTS_VALUE || p->dts > p->pts)
        p->dts = p->pts;
    if (e->has_dts && p->dts <= e->last_dts)
        p->dts = e->last_dts + 1;
    e->last_dts = p->dts;
    e->has_dts = 1;
}

/* Muxes a packet, with its frame's checksum where the stream has them. */
static int mux(xav_writer *w, encoder *e, AVPacket *pkt)
{
    int err;
    if (e->checksums) {
        uint8_t *side = av_packet_new_side_data(
            pkt, AV_PKT_DATA_MATROSKA_BLOCKADDITIONAL, XAV_PACKET_CRC_BYTES);
        if (side == NULL)
            return av_fail("adding a frame's checksum", AVERROR(ENOMEM));
        xav_packet_crc_write(side, e->crc[pkt->pts]);
    }
    fix_dts(e, pkt);
    av_packet_rescale_ts(pkt, e->ctx->time_base, e->st->time_base);
    pkt->stream_index = e->st->index;
    if ((err = av_interleaved_write_frame(w->oc, pkt)) < 0)
        return mux_fail(w, "writing a packet", err);
    return 0;
}

/* Muxes the packets held, in order, as far as their checksums are known. */
static int release(xav_writer *w, encoder *e)
{
    int n = 0, rc = 0;
    while (rc == 0 && n < e->held_count) {
        AVPacket *p = e->held[n];
        if (p->pts < 0 || p->pts >= e->crc_size || !e->crc_known[p->pts])
            break;
        rc = mux(w, e, p);
        av_packet_free(&e->held[n++]);
    }
    memmove(e->held, e->held + n, (e->held_count - n) * sizeof(AVPacket *));
    e->held_count -= n;
    return rc;
}

/* Keeps pkt (its reference moved) until its frame's checksum is known. */
static int hold(encoder *e, AVPacket *pkt)
{
    AVPacket *p = av_packet_alloc();
    if (p == NULL)
        return av_fail("keeping a packet", AVERROR(ENOMEM));
    if (e->held_count == e->held_size) {
        e->held_size = 2 * e->held_size + 8;
        e->held =
            (AVPacket **)CPLRealloc(e->held, e->held_size * sizeof(AVPacket *));
    }
    av_packet_move_ref(p, pkt);
    e->held[e->held_count++] = p;
    return 0;
}

/* Sends frame (NULL to flush) and muxes every packet that comes out,
 * decoding those of a lossy stream. */
static int encode_and_mux(xav_writer *w, int s, AVFrame *frame)
{
    encoder *e = &w->enc[s];
    AVPacket *pkt = w->pkt;
    int err = avcodec_send_frame(e->ctx, frame);
    if (err < 0)
        return av_fail("sending a frame to the encoder", err);
    for (;;) {
        err = avcodec_receive_packet(e->ctx, pkt);
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
            break;
        if (err < 0)
            return av_fail("encoding", err);
        err = e->dec != NULL ? decode_coded(e, pkt) : 0;
        if (err != 0 || (err = hold(e, pkt)) != 0 ||
            (err = release(w, e)) != 0) {
            av_packet_unref(pkt);
            return -1;
        }
    }
    if (frame != NULL)
        return 0;
    /* the end: the decoder gives its last frames, every packet goes out */
    if (e->dec != NULL && decode_coded(e, NULL) != 0)
        return -1;
    if (release(w, e) != 0)
        return -1;
    if (e->held_count > 0)
        return av_fail("checking the frames of a stream", AVERROR_BUG);
    return 0;
}

/* Plane c of f from width x height codes; a coded frame larger than the
 * data repeats the last column and row, which costs next to nothing and
 * leaves the data untouched (readers take the top-left corner). */
static void fill_plane(AVFrame *f, int c, const uint16_t *codes, int width,
                       int height)
{
    const int bytes = xav_frame_code_bytes((const xav_frame *)f);
    int x, y;
    for (y = 0; y < f->height; y++) {
        const uint16_t *src =
            codes + (size_t)(y < height ? y : height - 1) * width;
        uint8_t *row = f->data[c] + (size_t)y * f->linesize[c];
        for (x = 0; x < f->width; x++) {
            const uint16_t v = src[x < width ? x : width - 1];
            if (bytes == 2)
                ((uint16_t *)row)[x] = v;
            else
                row[x] = (uint8_t)v;
        }
    }
}

int xav_writer_put(xav_writer *w, int s, const uint16_t *const *planes)
{
    encoder *e = &w->enc[s - w->first];
    const int nplanes = av_pix_fmt_count_planes(e->ctx->pix_fmt);
    int c, err;
    if ((err = av_frame_make_writable(e->frame)) < 0)
        return av_fail("preparing a frame", err);
    for (c = 0; c < nplanes; c++)
        fill_plane(e->frame, c, planes[c], e->width, e->height);
    e->frame->pts = e->next_pts++;
    /* an exact stream decodes to what it is given */
    if (e->checksums && e->dec == NULL &&
        remember_crc(e, e->frame->pts, e->frame) != 0)
        return -1;
    return encode_and_mux(w, s - w->first, e->frame);
}

int xav_writer_flush(xav_writer *w, int s)
{
    encoder *e = &w->enc[s - w->first];
    if (e->flushed)
        return 0;
    e->flushed = 1;
    return encode_and_mux(w, s - w->first, NULL);
}

int xav_writer_finish(xav_writer *w)
{
    int s, rc = 0, err;
    for (s = 0; s < w->nstreams && rc == 0; s++)
        rc = xav_writer_flush(w, w->first + s);
    if (rc == 0 && (err = av_write_trailer(w->oc)) < 0)
        rc = mux_fail(w, "writing the Matroska index", err);
    if (rc == 0 && xav_vsi_io_sync(w->oc->pb) != 0)
        rc = -1;
    if (xav_vsi_io_close(&w->oc->pb) != 0)
        rc = -1;
    xav_writer_free(w);
    return rc;
}

void xav_writer_free(xav_writer *w)
{
    int s;
    if (w == NULL)
        return;
    for (s = 0; w->enc != NULL && s < w->nstreams; s++) {
        encoder *e = &w->enc[s];
        avcodec_free_context(&e->ctx);
        av_frame_free(&e->frame);
        avcodec_free_context(&e->dec);
        av_frame_free(&e->frame_out);
        for (; e->waiting > 0; e->waiting--) {
            av_frame_free(&e->decoded[e->head]);
            e->head = (e->head + 1) % e->capacity;
        }
        CPLFree(e->decoded);
        while (e->held_count > 0)
            av_packet_free(&e->held[--e->held_count]);
        CPLFree(e->held);
        CPLFree(e->crc);
        CPLFree(e->crc_known);
    }
    CPLFree(w->enc);
    av_packet_free(&w->pkt);
    if (w->oc != NULL) {
        xav_vsi_io_close(&w->oc->pb);
        avformat_free_context(w->oc);
    }
    CPLFree(w);
}
