/* tile_pool: see tile_pool.h. */
#include "tile_pool.h"

#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_multiproc.h"
#include "cpl_string.h"

#include "layout.h"
#include "metrics.h"
#include "target.h"
#include "tile_job.h"
#include "window.h"

typedef struct {
    xav_copy *cs;
    CPLMutex *lock;      /* guards everything below */
    int next_tile;       /* the next tile to take */
    int running;         /* workers that have not returned */
    double *done;        /* per tile: fraction encoded */
    xav_error_sum *sums; /* per band, over the tiles finished */
    int stop;            /* a tile failed or the user interrupted */
    int interrupted;
    CPLErrorNum error_no; /* the first failure */
    char *error;
    char **warnings;
} encode_pool;

/* The tile's real encode; with TARGET_PSNR, after the CRF search, and again
 * with lower CRFs where a band of the whole cube fell short of what the
 * probe promised. Adds the tile's error sums to the pool's. */
static int encode_tile_job(encode_pool *p, const xav_tile_job *job,
                           xav_window *win)
{
    const xav_copy *cs = p->cs;
    const int target = cs->opt.target_psnr > 0;
    double from = target ? 0.3 : 0, to;
    xav_verifier *vf = NULL;
    int b, more;
    xav_window_set_tile(cs->d, win, job->tile);
    if (target && xav_target_search(job, win, from) != 0)
        return -1;
    for (;;) {
        to = target ? from + (1 - from) * 0.8 : 1;
        vf = xav_tile_encode(job, win, cs->tile_temps[job->tile], cs->d->ntimes,
                             from, to);
        if (vf == NULL)
            return -1;
        if (!target ||
            (more = xav_target_lower_missed(job, xav_verifier_sums(vf))) == 0)
            break;
        xav_verifier_free(vf);
        if (more < 0)
            return -1;
        from = to;
    }
    CPLAcquireMutex(p->lock, 1000.0);
    for (b = 0; b < xav_desc_band_count(cs->d); b++)
        xav_error_sum_add(&p->sums[b], &xav_verifier_sums(vf)[b]);
    p->done[job->tile] = 1;
    CPLReleaseMutex(p->lock);
    xav_verifier_free(vf);
    return 0;
}

/* ---- the worker pool --------------------------------------------------- */

/* A worker's error handler: keeps the first failure and the warnings for
 * the calling thread, and stops the other workers at a failure. */
static void CPL_STDCALL pool_error(CPLErr cls, CPLErrorNum no, const char *msg)
{
    encode_pool *p = (encode_pool *)CPLGetErrorHandlerUserData();
    if (cls == CE_Debug) {
        CPLDefaultErrorHandler(cls, no, msg);
        return;
    }
    CPLAcquireMutex(p->lock, 1000.0);
    if (cls == CE_Warning) {
        p->warnings = CSLAddString(p->warnings, msg);
    } else if (p->error == NULL) {
        p->error = CPLStrdup(msg);
        p->error_no = no;
        p->stop = 1;
    }
    CPLReleaseMutex(p->lock);
}

/* The next tile to encode, or -1 when there is none or the copy stops. */
static int take_tile(encode_pool *p)
{
    int k;
    CPLAcquireMutex(p->lock, 1000.0);
    k = p->stop || p->next_tile >= xav_desc_tile_count(p->cs->d)
            ? -1
            : p->next_tile++;
    CPLReleaseMutex(p->lock);
    return k;
}

static void encode_worker(void *arg)
{
    encode_pool *p = (encode_pool *)arg;
    const xav_desc *d = p->cs->d;
    xav_window win;
    int k;
    CPLPushErrorHandlerEx(pool_error, p);
    if (xav_window_alloc(d, &win) == 0) {
        while ((k = take_tile(p)) >= 0) {
            xav_tile_job job = {
                p->cs, k, 0, 0, {p->lock, &p->done[k], &p->stop}};
            xav_layout_tile_streams(d, k, &job.first, &job.count);
            if (job.count == 0) { /* left out: no valid pixel */
                CPLAcquireMutex(p->lock, 1000.0);
                p->done[k] = 1;
                CPLReleaseMutex(p->lock);
                continue;
            }
            if (encode_tile_job(p, &job, &win) != 0) {
                CPLAcquireMutex(p->lock, 1000.0);
                p->stop = 1;
                CPLReleaseMutex(p->lock);
                break;
            }
        }
        xav_window_free(d, &win);
    }
    CPLPopErrorHandler();
    CPLAcquireMutex(p->lock, 1000.0);
    p->running--;
    CPLReleaseMutex(p->lock);
}

/* Progress from..1 while the workers run; tells them to stop if the user
 * interrupts. Returns when every worker has returned. */
static void watch_pool(encode_pool *p, double from, GDALProgressFunc pfn,
                       void *pdata)
{
    const int ntiles = xav_desc_tile_count(p->cs->d);
    for (;;) {
        double sum = 0;
        int k, running;
        CPLAcquireMutex(p->lock, 1000.0);
        for (k = 0; k < ntiles; k++)
            sum += p->done[k];
        running = p->running;
        CPLReleaseMutex(p->lock);
        if (!pfn(from + (0.999 - from) * sum / ntiles, NULL, pdata)) {
            CPLAcquireMutex(p->lock, 1000.0);
            p->stop = p->interrupted = 1;
            CPLReleaseMutex(p->lock);
        }
        if (running == 0)
            return;
        CPLSleep(0.05);
    }
}

int xav_encode_tiles(xav_copy *cs, double from, GDALProgressFunc pfn,
                     void *pdata)
{
    xav_desc *d = cs->d;
    const int ntiles = xav_desc_tile_count(d);
    const int nthreads = MAX(1, MIN(cs->opt.threads, ntiles));
    CPLJoinableThread **threads =
        (CPLJoinableThread **)CPLCalloc(nthreads, sizeof(*threads));
    encode_pool p;
    int i, rc;
    char **w;
    memset(&p, 0, sizeof(p));
    p.cs = cs;
    p.lock = CPLCreateMutex(); /* created held */
    p.done = (double *)CPLCalloc(ntiles, sizeof(double));
    p.sums = (xav_error_sum *)CPLCalloc(xav_desc_band_count(d),
                                        sizeof(xav_error_sum));
    for (i = 0; i < nthreads; i++)
        if ((threads[i] = CPLCreateJoinableThread(encode_worker, &p)) != NULL)
            p.running++;
    CPLReleaseMutex(p.lock);
    watch_pool(&p, from, pfn, pdata);
    for (i = 0; i < nthreads; i++)
        if (threads[i] != NULL)
            CPLJoinThread(threads[i]);
    for (w = p.warnings; w != NULL && *w != NULL; w++)
        CPLError(CE_Warning, CPLE_AppDefined, "%s", *w);
    rc = p.stop || p.next_tile < ntiles ? -1 : 0;
    if (p.interrupted)
        xav_copy_interrupted();
    else if (p.error != NULL)
        CPLError(CE_Failure, p.error_no, "%s", p.error);
    else if (rc != 0)
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: cannot start the encoding threads.");
    if (rc == 0)
        xav_set_quality(d, p.sums);
    CPLDestroyMutex(p.lock);
    CPLFree(threads);
    CPLFree(p.done);
    CPLFree(p.sums);
    CPLFree(p.error);
    CSLDestroy(p.warnings);
    return rc;
}
