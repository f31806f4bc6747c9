/* target: see target.h. */
#include "target.h"

#include <math.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_vsi.h"

#include "plan.h"

/* Time steps the CRF search encodes: enough GOPs to see temporal
 * prediction at work, few enough to cost a fraction of the real encode. */
#define XAV_TARGET_PROBE_TIMES 32
/* Binary search steps: CRF 0-51 (x265) or 0-63 (AV1) in six. */
#define XAV_TARGET_RUNS 6

/* The lowest PSNR among stream s's bands of the first ntimes steps. */
static double worst_psnr(const xav_desc *d, int s, int ntimes,
                         const xav_error_sum *sums)
{
    const xav_stream *st = &d->streams[s];
    double worst = INFINITY;
    int c, t;
    for (c = 0; c < st->channels; c++)
        for (t = 0; t < ntimes; t++) {
            const int b = xav_desc_band_index(d, st->var[c], t);
            worst = MIN(worst, xav_band_psnr(d, b, &sums[b]));
        }
    return worst;
}

/* With a residual layer (plan.h) the target holds at any rung: the codec
 * codes at its best, where the corrections are fewest. */
static void code_at_best(const xav_tile_job *job)
{
    int s;
    for (s = job->first; s < job->first + job->count; s++) {
        xav_stream *st = &job->cs->d->streams[s];
        if (!xav_stream_is_lossy(st))
            continue;
        st->crf = 0;
        st->qp = st->codec == XAV_CODEC_X265 ? 0 : -1;
    }
}

/* The largest CRF of each lossy stream whose worst band reaches the target
 * on the first time steps: a binary search of every stream at once, one
 * probe encode (to /vsimem/) per step. */
static int search_crf(const xav_tile_job *job, xav_window *win, double share)
{
    xav_copy *cs = job->cs;
    xav_desc *d = cs->d;
    const int ntimes = MIN(d->ntimes, XAV_TARGET_PROBE_TIMES);
    char *probe = CPLStrdup(
        CPLSPrintf("/vsimem/xavideo_probe_%p_%d.mkv", (void *)job, job->tile));
    int *lo = (int *)CPLCalloc(job->count, sizeof(int));
    int *hi = (int *)CPLCalloc(job->count, sizeof(int));
    int i, run, rc = 0;
    for (i = 0; i < job->count; i++) {
        const xav_stream *st = &d->streams[job->first + i];
        hi[i] = xav_stream_is_lossy(st) ? XAV_CRF_MAX(st->codec) : 0;
    }
    for (run = 0; rc == 0; run++) {
        const int r = MIN(run, XAV_TARGET_RUNS - 1);
        xav_verifier *vf;
        int busy = 0;
        for (i = 0; i < job->count; i++)
            if (lo[i] < hi[i]) {
                d->streams[job->first + i].crf = (lo[i] + hi[i] + 1) / 2;
                busy = 1;
            }
        if (!busy)
            break;
        vf = xav_tile_encode(job, win, probe, ntimes,
                             share * r / XAV_TARGET_RUNS,
                             share * (r + 1) / XAV_TARGET_RUNS);
        VSIUnlink(probe);
        rc = vf == NULL ? -1 : 0;
        for (i = 0; i < job->count && rc == 0; i++) {
            const int s = job->first + i;
            if (lo[i] >= hi[i])
                continue;
            if (worst_psnr(d, s, ntimes, xav_verifier_sums(vf)) >=
                cs->opt.target_psnr)
                lo[i] = d->streams[s].crf;
            else
                hi[i] = d->streams[s].crf - 1;
        }
        xav_verifier_free(vf);
    }
    for (i = 0; i < job->count; i++)
        if (xav_stream_is_lossy(&d->streams[job->first + i]))
            d->streams[job->first + i].crf = lo[i];
    CPLFree(lo);
    CPLFree(hi);
    CPLFree(probe);
    return rc;
}

int xav_target_search(const xav_tile_job *job, xav_window *win, double share)
{
    if (xav_plan_residual(&job->cs->opt)) {
        code_at_best(job);
        return 0;
    }
    return search_crf(job, win, share);
}

/* One rung down the codec's quality ladder: CRF, then (x265) constant
 * QP 0, which goes past CRF 0 (60.6 against 55.5 dB on UWND). Returns -1
 * at the codec's best. */
static int lower(xav_stream *st)
{
    if (st->qp < 0 && st->crf > 0) {
        st->crf = MAX(0, st->crf - 2);
        return 0;
    }
    if (st->codec == XAV_CODEC_X265 && st->qp != 0) {
        st->qp = 0;
        return 0;
    }
    return -1;
}

int xav_target_lower_missed(const xav_tile_job *job, const xav_error_sum *sums)
{
    xav_copy *cs = job->cs;
    xav_desc *d = cs->d;
    int s, lowered = 0;
    for (s = job->first; s < job->first + job->count; s++) {
        xav_stream *st = &d->streams[s];
        double worst;
        if (!xav_stream_is_lossy(st) ||
            (worst = worst_psnr(d, s, d->ntimes, sums)) >= cs->opt.target_psnr)
            continue;
        if (lower(st) != 0) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: TARGET_PSNR=%g is out of reach of %s at %d "
                     "bits (a band of stream %d gets %.2f dB at %s, its "
                     "best); use MAX_ERROR or LOSSLESS=YES.",
                     cs->opt.target_psnr, xav_codec_name(st->codec), st->bits,
                     s, worst, st->codec == XAV_CODEC_X265 ? "QP 0" : "CRF 0");
            return -1;
        }
        lowered = 1;
    }
    return lowered;
}
