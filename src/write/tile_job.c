/* tile_job: see tile_job.h. */
#include "tile_job.h"

#include "cpl_conv.h"
#include "cpl_error.h"

#include "encode.h"
#include "layout.h"
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

/* Codes of channel c of data stream st, from the window. Returns 0, or -1
 * with a CPLError for a value its table lacks (the source changed since the
 * scan, or an appended part's value). */
static int fill_plane(const xav_desc *d, xav_window *win, const xav_stream *st,
                      int c)
{
    const xav_variable *var = &d->vars[st->var[c]];
    const size_t n = xav_window_pixels(win);
    if (var->quant == XAV_QUANT_BITS)
        xav_bits_encode_row(var->type, win->raw[st->var[c]], n, st->word[c],
                            win->planes[c]);
    else if (var->quant != XAV_QUANT_TABLE)
        xav_quant_encode_row(var, st->bits, win->values[st->var[c]], n,
                             win->planes[c]);
    else if (xav_table_encode_row(var, win->raw[st->var[c]], n,
                                  win->planes[c]) != 0) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: %s has a value that its table of %d values, made "
                 "by the scan of the source, lacks: the source changed "
                 "while it was copied.",
                 var->name, var->table_size);
        return -1;
    }
    return 0;
}

/* Codes of every channel of data stream st, from the window: each its
 * variable's, or, for mixed variables, a transform of all of them. */
static int fill_planes(const xav_desc *d, xav_window *win, const xav_stream *st)
{
    const double *values[XAV_MAX_CHANNELS];
    int c;
    if (d->vars[st->var[0]].quant != XAV_QUANT_MIXED) {
        for (c = 0; c < st->channels; c++)
            if (fill_plane(d, win, st, c) != 0)
                return -1;
        return 0;
    }
    for (c = 0; c < XAV_MAX_CHANNELS; c++)
        values[c] = win->values[st->var[c]];
    xav_mix_encode_rows(d, st, values, xav_window_pixels(win), win->planes);
    return 0;
}

/* Puts the corrections of data stream s's frame, just verified, into the
 * correction streams of its variables: each channel's plane where its
 * variable is. */
static int put_corrections(const xav_tile_job *job, xav_writer *w,
                           const xav_verifier *vf, int s)
{
    const xav_desc *d = job->cs->d;
    const xav_stream *data = &d->streams[s];
    int c, k, cs, cc;
    for (c = 0; c < data->channels; c++) {
        const uint16_t *planes[XAV_MAX_CHANNELS] = {NULL};
        if (xav_layout_find(d, data->var[c], 0, XAV_ROLE_CORRECTION, job->tile,
                            0, &cs, &cc) != 0 ||
            cc != 0)
            continue; /* none, or put with its stream's first channel */
        for (k = 0; k < d->streams[cs].channels; k++)
            planes[k] = xav_verifier_corrections(
                vf, xav_stream_channel_of(data, d->streams[cs].var[k]));
        if (xav_writer_put(w, cs, planes) != 0)
            return -1;
    }
    return 0;
}

/* Verifies the frames of lossy stream s the writer decoded since last
 * time, and puts their corrections. */
static int verify_decoded(const xav_tile_job *job, xav_writer *w,
                          xav_verifier *vf, int s)
{
    xav_frame *f;
    int t, rc = 0;
    while (rc == 0 && xav_writer_take_decoded(w, s, &t, &f)) {
        rc = xav_verifier_check(vf, s, t, f);
        xav_frame_unref(&f);
        if (rc == 0)
            rc = put_corrections(job, w, vf, s);
    }
    return rc;
}

/* The tile's mask streams at this time step: each channel's plane from
 * its variable's mask codes in the window. */
static int put_masks(const xav_tile_job *job, xav_writer *w, xav_window *win)
{
    const xav_desc *d = job->cs->d;
    const size_t n = xav_window_pixels(win);
    int s, c;
    size_t i;
    for (s = job->first; s < job->first + job->count; s++) {
        const xav_stream *st = &d->streams[s];
        if (st->role != XAV_ROLE_MASK)
            continue;
        for (c = 0; c < st->channels; c++)
            for (i = 0; i < n; i++)
                win->planes[c][i] = xav_mask_stored(win->mask[st->var[c]][i]);
        if (xav_writer_put(w, s, (const uint16_t *const *)win->planes) != 0)
            return -1;
    }
    return 0;
}

/* Whether a data stream's error is measured on the codes it was given:
 * exact codes that still are not the values (a lattice's). */
static int measured_from_codes(const xav_desc *d, const xav_stream *st)
{
    const xav_variable *v = &d->vars[st->var[0]];
    return st->role == XAV_ROLE_DATA && xav_variable_codes_exact(v) &&
           !xav_variable_is_exact(v);
}

/* Reads the job's tile of every variable at time t, hands the lossy ones
 * to the verifier, fills their invalid pixels, puts their masks and
 * codes the tile's data streams (corrections follow from verification). */
static int encode_frame(const xav_tile_job *job, xav_window *win, xav_writer *w,
                        xav_verifier *vf, int t)
{
    const xav_copy *cs = job->cs;
    const xav_desc *d = cs->d;
    int v, s;
    size_t i;
    for (v = 0; v < d->nvars; v++) {
        if (xav_window_read(cs, win, v, t) < 0)
            return -1;
        if (!xav_variable_is_exact(&d->vars[v]))
            xav_verifier_push(vf, v, t, win->values[v], win->mask[v]);
        /* a lossless variable's mask only marks pixels, whose values stay */
        if (d->vars[v].has_mask && !d->vars[v].lossless) {
            for (i = 0; i < xav_window_pixels(win); i++)
                win->valid[i] = win->mask[v][i] == XAV_MASK_VALID;
            xav_fill_invalid(win->values[v], win->valid, win->w, win->h);
        }
    }
    if (put_masks(job, w, win) != 0)
        return -1;
    for (s = job->first; s < job->first + job->count; s++) {
        const xav_stream *st = &d->streams[s];
        if (st->role != XAV_ROLE_DATA)
            continue;
        if (fill_planes(d, win, st) != 0 ||
            xav_writer_put(w, s, (const uint16_t *const *)win->planes) != 0 ||
            (xav_stream_is_lossy(st) && verify_decoded(job, w, vf, s) != 0) ||
            (measured_from_codes(d, st) &&
             xav_verifier_check_codes(
                 vf, s, t, (const uint16_t *const *)win->planes) != 0))
            return -1;
    }
    return 0;
}

/* Ends the lossy streams, verifying their last frames, then the file.
 * Frees w. */
static int finish(const xav_tile_job *job, xav_writer *w, xav_verifier *vf)
{
    int s;
    for (s = job->first; s < job->first + job->count; s++)
        if (xav_stream_is_lossy(&job->cs->d->streams[s]) &&
            (xav_writer_flush(w, s) != 0 ||
             verify_decoded(job, w, vf, s) != 0)) {
            xav_writer_free(w);
            return -1;
        }
    return xav_writer_finish(w);
}

xav_verifier *xav_tile_encode(const xav_tile_job *job, xav_window *win,
                              const char *path, int ntimes, double from,
                              double to)
{
    const xav_copy *cs = job->cs;
    xav_verifier *vf = xav_verifier_new(cs->d, job->tile);
    xav_writer *w = xav_writer_open(path, cs->d, job->first, job->count,
                                    job->tile == 0 ? cs->embedded_json : NULL);
    int t, rc = w == NULL ? -1 : 0;
    for (t = 0; t < ntimes && rc == 0; t++) {
        rc = encode_frame(job, win, w, vf, t);
        if (rc == 0)
            rc = job_progress(job, from + (to - from) * (t + 1) / ntimes);
    }
    if (rc == 0) {
        rc = finish(job, w, vf);
        w = NULL; /* freed by xav_writer_finish, whatever it returned */
    }
    xav_writer_free(w);
    if (rc == 0)
        rc = xav_verifier_result(vf);
    if (rc != 0) {
        xav_verifier_free(vf);
        return NULL;
    }
    return vf;
}
