/* decorrelate: see decorrelate.h. */
#include "decorrelate.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "layout.h"
#include "quantize.h"
#include "window.h"

/* Time steps the covariance is sampled at, spread over the axis: the
 * bands' relation changes slowly, and a sample costs a read of the source
 * at each. */
#define XAV_MIX_SAMPLE_TIMES 4

/* Least coding gain, in bits per pixel of each variable, of the principal
 * components over the variables themselves (half the log2 of the ratio of
 * the product of their variances to that of the components'), for the
 * transform to be taken (doc/defaults.md). */
#define XAV_MIX_MIN_GAIN 0.25

typedef struct {
    int s;    /* tile 0's stream */
    double n; /* pixels valid in all three */
    double sum[3], prod[3][3];
} candidate;

/* Whether tile 0's data stream st could carry mixed variables: three lossy
 * variables, each coded on one linear scale (not exact codes, not bytes of
 * values), by x265, whose CRF scale the shift is measured in (AV1's is
 * not: the shift took Landsat 8's AV1 streams from CRF 5 to 0, 53 to 78
 * dB, for 1.5 times the bits). */
static int qualifies(const xav_desc *d, const xav_stream *st)
{
    int c;
    if (st->role != XAV_ROLE_DATA || st->channels != XAV_MAX_CHANNELS ||
        st->lossless || st->tile != 0 || st->codec != XAV_CODEC_X265)
        return 0;
    for (c = 0; c < st->channels; c++) {
        const xav_variable *v = &d->vars[st->var[c]];
        if ((v->quant != XAV_QUANT_LINEAR && v->quant != XAV_QUANT_INTEGER) ||
            v->words != 1 || !(v->valid_max > v->valid_min))
            return 0;
    }
    return 1;
}

/* Adds the window's pixels that are valid in all of cand's variables, each
 * normalized by its valid range. */
static void accumulate(candidate *cand, const xav_desc *d,
                       const xav_window *win)
{
    const xav_stream *st = &d->streams[cand->s];
    const size_t n = xav_window_pixels(win);
    double lo[3], inv[3], u[3];
    size_t i;
    int a, b;
    for (a = 0; a < 3; a++) {
        const xav_variable *v = &d->vars[st->var[a]];
        lo[a] = v->valid_min;
        inv[a] = 1.0 / (v->valid_max - v->valid_min);
    }
    for (i = 0; i < n; i++) {
        for (a = 0; a < 3; a++) {
            if (win->mask[st->var[a]][i] != XAV_MASK_VALID)
                break;
            u[a] = (win->values[st->var[a]][i] - lo[a]) * inv[a];
        }
        if (a < 3)
            continue;
        cand->n++;
        for (a = 0; a < 3; a++) {
            cand->sum[a] += u[a];
            for (b = 0; b < 3; b++)
                cand->prod[a][b] += u[a] * u[b];
        }
    }
}

/* Reads the candidates' variables at a few time steps, in every tile
 * that has a valid pixel, and accumulates them. */
static int sample(xav_copy *cs, candidate *cands, int ncands)
{
    const xav_desc *d = cs->d;
    const int ntimes = MIN(d->ntimes, XAV_MIX_SAMPLE_TIMES);
    xav_window win;
    int i, k, j, c, rc = xav_window_alloc(d, &win);
    for (i = 0; i < ntimes && rc == 0; i++) {
        const int t = (int)(((double)i + 0.5) * d->ntimes / ntimes);
        for (k = 0; k < xav_desc_tile_count(d) && rc == 0; k++) {
            if (cs->tile_valid != NULL && !cs->tile_valid[k])
                continue;
            xav_window_set_tile(d, &win, k);
            for (j = 0; j < ncands && rc == 0; j++) {
                const xav_stream *st = &d->streams[cands[j].s];
                for (c = 0; c < st->channels && rc == 0; c++)
                    rc = xav_window_read(cs, &win, st->var[c], t) < 0 ? -1 : 0;
                if (rc == 0)
                    accumulate(&cands[j], d, &win);
            }
        }
    }
    xav_window_free(d, &win);
    return rc;
}

/* a = vec * diag(val) * vec', a symmetric: Jacobi rotations, each of which
 * zeroes one off-diagonal element; vec's columns are the eigenvectors. */
static void eigen(double a[3][3], double vec[3][3], double val[3])
{
    int sweep, p, q, r, k;
    memset(vec, 0, 9 * sizeof(double));
    for (k = 0; k < 3; k++)
        vec[k][k] = 1;
    for (sweep = 0; sweep < 50; sweep++) {
        double off = fabs(a[0][1]) + fabs(a[0][2]) + fabs(a[1][2]);
        if (off <= 1e-15 * (fabs(a[0][0]) + fabs(a[1][1]) + fabs(a[2][2])))
            break;
        for (p = 0; p < 2; p++)
            for (q = p + 1; q < 3; q++) {
                double theta, t, c, s, j[3][3] = {{0}}, tmp[3][3];
                if (a[p][q] == 0)
                    continue;
                theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                t = (theta >= 0 ? 1 : -1) /
                    (fabs(theta) + sqrt(theta * theta + 1));
                c = 1 / sqrt(t * t + 1);
                s = t * c;
                for (k = 0; k < 3; k++)
                    j[k][k] = 1;
                j[p][p] = j[q][q] = c;
                j[p][q] = s;
                j[q][p] = -s;
                /* a = j' a j, vec = vec j */
                for (r = 0; r < 3; r++)
                    for (k = 0; k < 3; k++)
                        tmp[r][k] = a[r][0] * j[0][k] + a[r][1] * j[1][k] +
                                    a[r][2] * j[2][k];
                for (r = 0; r < 3; r++)
                    for (k = 0; k < 3; k++)
                        a[r][k] = j[0][r] * tmp[0][k] + j[1][r] * tmp[1][k] +
                                  j[2][r] * tmp[2][k];
                for (r = 0; r < 3; r++) {
                    double row[3];
                    for (k = 0; k < 3; k++)
                        row[k] = vec[r][0] * j[0][k] + vec[r][1] * j[1][k] +
                                 vec[r][2] * j[2][k];
                    memcpy(vec[r], row, sizeof(row));
                }
            }
    }
    for (k = 0; k < 3; k++)
        val[k] = a[k][k];
}

/* The principal components of cand's covariance, largest first, each
 * pointing where the variables grow (vec's columns); and their coding
 * gain (XAV_MIX_MIN_GAIN), or 0 where a variable did not vary. */
static double components(const candidate *cand, double vec[3][3])
{
    double cov[3][3], val[3], diag = 1, prod = 1;
    int a, b, k, order[3] = {0, 1, 2};
    double sorted[3][3];
    if (cand->n < 2)
        return 0;
    for (a = 0; a < 3; a++)
        for (b = 0; b < 3; b++)
            cov[a][b] = cand->prod[a][b] / cand->n -
                        cand->sum[a] / cand->n * cand->sum[b] / cand->n;
    for (a = 0; a < 3; a++)
        diag *= cov[a][a];
    if (!(diag > 0))
        return 0;
    eigen(cov, vec, val);
    for (a = 0; a < 3; a++) /* three elements: a bubble sort */
        for (b = 0; b < 2 - a; b++)
            if (val[order[b]] < val[order[b + 1]]) {
                k = order[b];
                order[b] = order[b + 1];
                order[b + 1] = k;
            }
    for (k = 0; k < 3; k++) {
        double sum = 0;
        for (a = 0; a < 3; a++)
            sum += vec[a][order[k]];
        for (a = 0; a < 3; a++)
            sorted[a][k] = sum < 0 ? -vec[a][order[k]] : vec[a][order[k]];
        prod *= MAX(val[order[k]], diag * 1e-12);
    }
    memcpy(vec, sorted, sizeof(sorted));
    return 0.5 * log2(diag / prod) / 3;
}

/* Codes mixed variables in stream st as the dataset's mix in bits, at
 * crf and qp (-1: none). */
static void set_mixed_coding(xav_stream *st, int bits, int crf, int qp)
{
    st->bits = bits;
    CPLFree(st->pix_fmt);
    st->pix_fmt = CPLStrdup(xav_layout_pix_fmt(st->codec, st->channels, bits));
    st->crf = crf;
    st->qp = qp;
}

/* Whether two streams carry the same variables, in the same channels. */
static int same_variables(const xav_stream *a, const xav_stream *b)
{
    return a->channels == b->channels &&
           memcmp(a->var, b->var, a->channels * sizeof(int)) == 0;
}

/* x to digits significant digits: what the sidecar holds of a weight
 * takes fewer characters (it prints the shortest text that reads back
 * exactly), and the encoder codes with what the reader will use. */
static double rounded(double x, int digits)
{
    return CPLAtof(CPLSPrintf("%.*g", digits, x));
}

/* How many CRF (or QP) the step of components costs against the
 * variables' own steps (normalized, per code of 12 bits): 6 per doubling. */
static int step_shift(const xav_desc *d, const xav_stream *st, double step,
                      int bits)
{
    double own = 0;
    int a;
    for (a = 0; a < 3; a++) {
        const xav_variable *v = &d->vars[st->var[a]];
        own += xav_quant_step12(v) / (v->valid_max - v->valid_min) / 3;
    }
    return (int)floor(6 * log2(ldexp(step, bits - 12) / own) + 0.5);
}

/* Makes the variables of tile 0's stream s the components vec of their
 * normalized values, and codes every stream of them accordingly; unless
 * the quality asked is finer than the components' step can reach (a CRF
 * or QP below the shift): then it returns 0 and changes nothing. */
static int mix(xav_copy *cs, int s, double vec[3][3])
{
    xav_desc *d = cs->d;
    const xav_stream st = d->streams[s];
    const int bits = cs->opt.bits ? cs->opt.bits : 12;
    double lo[3], step, widest = 0;
    int a, k, shift;
    /* every valid value's components: the image of the unit cube */
    for (k = 0; k < 3; k++) {
        double width = 0;
        lo[k] = 0;
        for (a = 0; a < 3; a++) {
            lo[k] += MIN(0, vec[a][k]);
            width += fabs(vec[a][k]);
        }
        widest = MAX(widest, width);
    }
    step = widest / ((1 << bits) - 1);
    shift = step_shift(d, &st, step, bits);
    if ((st.qp >= 0 ? st.qp : st.crf) < shift)
        return 0;
    for (a = 0; a < 3; a++) {
        xav_variable *v = &d->vars[st.var[a]];
        const double range = v->valid_max - v->valid_min;
        v->quant = XAV_QUANT_MIXED;
        v->q_offset = v->valid_min;
        for (k = 0; k < 3; k++) {
            v->q_offset += range * vec[a][k] * lo[k];
            v->mix_vars[k] = st.var[k];
            v->mix[k] = rounded(range * vec[a][k] * step, 7);
        }
        v->q_offset = rounded(v->q_offset, 10);
        v->q_scale = rounded(range * step, 7);
        v->bits = bits;
    }
    for (k = 0; k < d->nstreams; k++)
        if (d->streams[k].role == XAV_ROLE_DATA &&
            same_variables(&d->streams[k], &st))
            set_mixed_coding(&d->streams[k], bits, st.crf - shift,
                             st.qp >= 0 ? st.qp - shift : -1);
    return 1;
}

/* An appended part: the streams of the variables the dataset mixed are
 * coded as the dataset's of tile 0, which must carry the same variables. */
static int impose(xav_copy *cs)
{
    xav_desc *d = cs->d;
    const xav_desc *whole = xav_append_dataset(cs->append);
    int s, ws, wc;
    for (s = 0; s < d->nstreams; s++) {
        xav_stream *st = &d->streams[s];
        const xav_stream *model;
        if (st->role != XAV_ROLE_DATA ||
            d->vars[st->var[0]].quant != XAV_QUANT_MIXED)
            continue;
        if (xav_layout_find(whole, st->var[0], 0, XAV_ROLE_DATA, 0, 0, &ws,
                            &wc) != 0 ||
            !same_variables(&whole->streams[ws], st)) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: the part would code %s in other streams than "
                     "the dataset, whose variables are mixed.",
                     d->vars[st->var[0]].name);
            return -1;
        }
        model = &whole->streams[ws];
        set_mixed_coding(st, model->bits, model->crf, model->qp);
    }
    return 0;
}

int xav_plan_decorrelation(xav_copy *cs)
{
    xav_desc *d = cs->d;
    candidate *cands;
    int s, n = 0, rc;
    if (cs->append != NULL)
        return impose(cs);
    if (!cs->opt.decorrelate)
        return 0;
    cands = (candidate *)CPLCalloc(d->nstreams, sizeof(candidate));
    for (s = 0; s < d->nstreams; s++)
        if (qualifies(d, &d->streams[s]))
            cands[n++].s = s;
    rc = n > 0 ? sample(cs, cands, n) : 0;
    for (s = 0; s < n && rc == 0; s++) {
        double vec[3][3];
        const double gain = components(&cands[s], vec);
        const int mixed = gain >= XAV_MIX_MIN_GAIN && mix(cs, cands[s].s, vec);
        CPLDebug("XAVIDEO", "principal components of stream %d: %.3f bits, %s",
                 cands[s].s, gain, mixed ? "taken" : "not taken");
    }
    CPLFree(cands);
    return rc;
}
