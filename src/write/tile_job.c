/* tile_job: see tile_job.h. */
#include "tile_job.h"

#include "cpl_conv.h"
#include "cpl_error.h"

#include "encode.h"
#include "quantize.h"

/* Records the tile's progress; returns -1 if the copy is to stop. */
static int job_progress(const xav_tile_job *job, double fraction)
{
    const xav_job_status *st = &job->status;
    int stop;
    CPLAcquireMutex(st->lock, 1000.0);
    *st->done = fraction;
    stop = *st->stop;
    CPLReleaseMutex(st->lock);
    return stop ? -1 : 0;
}

static void fill_plane(const xav_desc *d, xav_window *win, const xav_stream *st,
                       int c)
{
    const xav_variable *var = &d->vars[st->var[c]];
    const size_t n = xav_window_pixels(win);
    size_t i;
    if (st->role == XAV_ROLE_MASK) {
        for (i = 0; i < n; i++)
            win->planes[c][i] = win->mask[st->var[c]][i];
    } else if (var->quant == XAV_QUANT_BITS) {
        xav_bits_encode_row(var->type, win->raw[st->var[c]], n, st->word[c],
                            win->planes[c]);
    } else {
        xav_quant_encode_row(var, st->bits, win->values[st->var[c]], n,
                             win->planes[c]);
    }
}

/* Reads the job's tile of every variable at time t, hands the lossy ones to
 * the verifier, fills their invalid pixels and codes the tile's streams. */
static int encode_frame(const xav_tile_job *job, xav_window *win, xav_writer *w,
                        xav_verifier *vf, int t)
{
    const xav_copy *cs = job->cs;
    const xav_desc *d = cs->d;
    int v, s, c;
    size_t i;
    for (v = 0; v < d->nvars; v++) {
        if (xav_window_read(cs, win, v, t) < 0)
            return -1;
        if (!d->vars[v].lossless)
            xav_verifier_push(vf, v, t, win->values[v], win->mask[v]);
        if (d->vars[v].has_mask) {
            for (i = 0; i < xav_window_pixels(win); i++)
                win->valid[i] = win->mask[v][i] == XAV_MASK_VALID;
            xav_fill_invalid(win->values[v], win->valid, win->w, win->h);
        }
    }
    for (s = job->first; s < job->first + job->count; s++) {
        const xav_stream *st = &d->streams[s];
        if (st->role == XAV_ROLE_CORRECTION)
            continue; /* the verifier writes them */
        for (c = 0; c < st->channels; c++)
            fill_plane(d, win, st, c);
        if (xav_writer_put(w, s, (const uint16_t *const *)win->planes) != 0)
            return -1;
    }
    return 0;
}

xav_verifier *xav_tile_encode(const xav_tile_job *job, xav_window *win,
                              const char *path, int ntimes, double from,
                              double to)
{
    const xav_copy *cs = job->cs;
    xav_verifier *vf = xav_verifier_new(cs->d, job->tile);
    xav_writer *w = xav_writer_open(path, cs->d, job->first, job->count,
                                    job->tile == 0 ? cs->embedded_json : NULL,
                                    xav_verifier_on_decoded, vf);
    int t, rc = w == NULL ? -1 : 0;
    if (w != NULL)
        xav_verifier_set_writer(vf, w);
    for (t = 0; t < ntimes && rc == 0; t++) {
        rc = encode_frame(job, win, w, vf, t);
        if (rc == 0)
            rc = job_progress(job, from + (to - from) * (t + 1) / ntimes);
    }
    if (rc == 0)
        rc = xav_writer_finish(w);
    else
        xav_writer_free(w);
    if (rc == 0)
        rc = xav_verifier_check(vf);
    if (rc != 0) {
        xav_verifier_free(vf);
        return NULL;
    }
    return vf;
}
