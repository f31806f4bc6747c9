/* append: see append.h. */
#include "append.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_vsi.h"

#include "layout.h"
#include "names.h"
#include "sidecar.h"
#include "timeaxis.h"
#include "xavideo.h"

struct xav_append {
    char *sidecar;    /* the dataset's */
    char *part_video; /* where the part's tile 0 goes */
    GByte *json;      /* the sidecar as read: is it still that at the end? */
    vsi_l_offset json_size;
    xav_desc *d;
};

static int refuse(const char *why)
{
    CPLError(CE_Failure, CPLE_AppDefined, "XAVIDEO: cannot append: %s.", why);
    return -1;
}

static int read_sidecar(const char *path, GByte **json, vsi_l_offset *size)
{
    *json = NULL;
    *size = 0;
    return VSIIngestFile(NULL, path, json, size, XAV_MAX_SIDECAR_BYTES) ? 0
                                                                        : -1;
}

/* Version 1 codes masks otherwise than the part would. */
static int check_dataset(const xav_desc *d)
{
    if (d->time_values == NULL)
        return refuse("the dataset has no time axis to extend");
    if (d->schema_version < 2)
        return refuse("the dataset was written by a driver of schema "
                      "version 1; encode it again first");
    return 0;
}

xav_append *xav_append_open(const char *filename)
{
    xav_append *a = (xav_append *)CPLCalloc(1, sizeof(xav_append));
    char *video = xav_name_video(filename);
    a->sidecar = xav_name_sidecar(video);
    if (read_sidecar(a->sidecar, &a->json, &a->json_size) != 0) {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "XAVIDEO: APPEND_SUBDATASET=YES: there is no dataset %s to "
                 "append to (its sidecar %s cannot be read).",
                 filename, a->sidecar);
        a->d = NULL;
    } else if ((a->d = xav_sidecar_from_json((const char *)a->json,
                                             (size_t)a->json_size,
                                             a->sidecar)) != NULL &&
               check_dataset(a->d) == 0) {
        a->part_video = xav_name_part_video(video, a->d->ntimes);
    }
    CPLFree(video);
    if (a->part_video == NULL) {
        xav_append_close(a);
        return NULL;
    }
    return a;
}

void xav_append_close(xav_append *a)
{
    if (a == NULL)
        return;
    CPLFree(a->sidecar);
    CPLFree(a->part_video);
    VSIFree(a->json);
    xav_desc_free(a->d);
    CPLFree(a);
}

const char *xav_append_part_video(const xav_append *a)
{
    return a->part_video;
}

const char *xav_append_sidecar(const xav_append *a)
{
    return a->sidecar;
}

/* The stream whose coding the part repeats: the first lossy data stream
 * of variables not mixed (whose CRF is the user's: decorrelate.h), else
 * the first lossy one, else the first data stream. */
static const xav_stream *model_stream(const xav_desc *d)
{
    int s;
    for (s = 0; s < d->nstreams; s++)
        if (xav_stream_is_lossy(&d->streams[s]) &&
            d->vars[d->streams[s].var[0]].quant != XAV_QUANT_MIXED)
            return &d->streams[s];
    for (s = 0; s < d->nstreams; s++)
        if (xav_stream_is_lossy(&d->streams[s]))
            return &d->streams[s];
    return &d->streams[0];
}

const xav_desc *xav_append_dataset(const xav_append *a)
{
    return a->d;
}

static char **set_default(char **opts, const char *key, const char *value)
{
    return CSLFetchNameValue(opts, key) ? opts
                                        : CSLSetNameValue(opts, key, value);
}

char **xav_append_options(const xav_append *a, CSLConstList user)
{
    const xav_desc *d = a->d;
    const xav_stream *st = model_stream(d);
    char **opts = CSLDuplicate((char **)user);
    int v, lossless = 1;
    for (v = 0; v < d->nvars; v++)
        lossless &= d->vars[v].lossless;
    opts = set_default(opts, "TILE_SIZE", CPLSPrintf("%d", d->tile_width));
    opts = set_default(opts, "LOSSLESS", lossless ? "YES" : "NO");
    opts = set_default(opts, "GOP", CPLSPrintf("%d", st->gop));
    if (st->codec != XAV_CODEC_FFV1 && !lossless) {
        opts = set_default(opts, "CODEC", xav_codec_name(st->codec));
        opts = set_default(opts, "PRESET", st->preset);
        if (st->qp >= 0)
            opts = set_default(opts, "QP", CPLSPrintf("%d", st->qp));
        else
            opts = set_default(opts, "CRF", CPLSPrintf("%d", st->crf));
    }
    return opts;
}

static int same_dims(const xav_desc *a, const xav_desc *b)
{
    int i, j;
    if (a->ndims != b->ndims)
        return 0;
    for (i = 0; i < a->ndims; i++) {
        const xav_dim *x = &a->dims[i], *y = &b->dims[i];
        if (!xav_same_text(x->name, y->name) || x->size != y->size)
            return 0;
        for (j = 0; j < x->size; j++)
            if (x->values[j] != y->values[j])
                return 0;
    }
    return 1;
}

/* Variable v of both: the same name, type, nodata and place along the
 * extra dimensions. */
static int check_variable(const xav_desc *d, const xav_desc *p, int v)
{
    const xav_variable *a = &d->vars[v], *b = &p->vars[v];
    int i;
    if (!xav_same_text(a->name, b->name))
        return refuse(CPLSPrintf("variable %d is %s in the dataset and %s "
                                 "in the source",
                                 v + 1, a->name, b->name));
    if (a->type != b->type || a->signed_byte != b->signed_byte)
        return refuse(CPLSPrintf("%s is %s%s in the dataset and %s%s in the "
                                 "source",
                                 a->name, a->signed_byte ? "signed " : "",
                                 GDALGetDataTypeName(a->type),
                                 b->signed_byte ? "signed " : "",
                                 GDALGetDataTypeName(b->type)));
    if (a->has_nodata != b->has_nodata ||
        !xav_same_number(a->nodata, b->nodata))
        return refuse(CPLSPrintf("%s has another nodata value", a->name));
    if (!xav_same_text(a->array, b->array))
        return refuse(CPLSPrintf("%s is a slice of another array", a->name));
    for (i = 0; a->coords != NULL && i < d->ndims; i++)
        if (a->coords[i] != b->coords[i])
            return refuse(CPLSPrintf("%s is another slice", a->name));
    if (a->lossless != b->lossless)
        return refuse(CPLSPrintf("%s is %s in the dataset; give LOSSLESS=%s",
                                 a->name, a->lossless ? "lossless" : "lossy",
                                 a->lossless ? "YES" : "NO"));
    return 0;
}

static int check_grid(const xav_desc *d, const xav_desc *p)
{
    int i;
    if (p->width != d->width || p->height != d->height)
        return refuse(CPLSPrintf("the source is %dx%d pixels, the dataset "
                                 "%dx%d",
                                 p->width, p->height, d->width, d->height));
    if (p->tile_width != d->tile_width || p->tile_height != d->tile_height)
        return refuse(CPLSPrintf("the dataset's tiles are %d pixels; give "
                                 "that TILE_SIZE or none",
                                 d->tile_width));
    if (p->has_geotransform != d->has_geotransform)
        return refuse("one of the source and the dataset has a geotransform, "
                      "the other not");
    for (i = 0; i < 6 && d->has_geotransform; i++)
        if (fabs(p->geotransform[i] - d->geotransform[i]) >
            1e-9 * MAX(1, fabs(d->geotransform[i])))
            return refuse("the source has another geotransform");
    if (!xav_same_text(p->crs_wkt, d->crs_wkt))
        return refuse("the source has another CRS");
    return 0;
}

/* A time axis without a calendar is in the standard one (CF's default). */
static const char *calendar_of(const xav_desc *d)
{
    return d->time_calendar != NULL ? d->time_calendar : "standard";
}

static int check_time(const xav_desc *d, const xav_desc *p)
{
    const double last = d->time_values[d->ntimes - 1];
    if (p->time_values == NULL)
        return refuse("the source has no time axis (give TIME_VALUES and "
                      "TIME_UNITS)");
    if (!xav_same_text(p->time_units, d->time_units) ||
        (xav_time_units_are_time(d->time_units) &&
         !xav_same_text(calendar_of(p), calendar_of(d))))
        return refuse(CPLSPrintf(
            "the source's times are in %s (%s), the "
            "dataset's in %s (%s)",
            p->time_units ? p->time_units : "no units", calendar_of(p),
            d->time_units ? d->time_units : "no units", calendar_of(d)));
    if (!(p->time_values[0] > last))
        return refuse(CPLSPrintf("the source's first time (%.17g) is not "
                                 "after the dataset's last (%.17g)",
                                 p->time_values[0], last));
    return 0;
}

int xav_append_check(const xav_append *a, const xav_desc *p)
{
    const xav_desc *d = a->d;
    int v;
    if (check_grid(d, p) != 0)
        return -1;
    if (p->nvars != d->nvars || p->order != d->order)
        return refuse(CPLSPrintf("the source has %d variables, the dataset "
                                 "%d (or in another band order)",
                                 p->nvars, d->nvars));
    for (v = 0; v < d->nvars; v++)
        if (check_variable(d, p, v) != 0)
            return -1;
    if (!same_dims(d, p))
        return refuse("the source has other extra dimensions or "
                      "coordinates along them");
    return check_time(d, p);
}

/* Whether value is one of var's exceptional values. */
static int is_exception(const xav_variable *var, double value)
{
    int k;
    for (k = 0; k < var->nexceptions; k++)
        if (var->exceptions[k] == value)
            return 1;
    return 0;
}

/* Distance of value from the nearest point of var's lattice. */
static double off_lattice(const xav_variable *var, double value)
{
    const double k = (value - var->q_offset) / var->q_scale;
    return fabs(k - floor(k + 0.5)) * var->q_scale;
}

/* Whether every value of table p is in table d (both ascending). */
static int table_holds(const xav_variable *d, const xav_variable *p)
{
    int i = 0, k;
    for (k = 0; k < p->table_size; k++) {
        while (i < d->table_size && d->table[i] < p->table[k])
            i++;
        if (i == d->table_size || d->table[i] != p->table[k])
            return 0;
    }
    return 1;
}

/* Whether the part's values (p, and l what the scan found of them) fit
 * the codes of the dataset's d. */
static int values_fit(const xav_variable *d, const xav_variable *p,
                      const xav_lattice *l)
{
    int k;
    if (p->quant == XAV_QUANT_CONSTANT && d->quant != XAV_QUANT_CONSTANT)
        return p->q_offset >= d->valid_min && p->q_offset <= d->valid_max &&
               (d->quant != XAV_QUANT_LATTICE ||
                off_lattice(d, p->q_offset) < d->max_error);
    switch (d->quant) {
    case XAV_QUANT_CONSTANT:
        return p->quant == XAV_QUANT_CONSTANT && p->q_offset == d->q_offset;
    case XAV_QUANT_LATTICE:
        if (l == NULL || l->state != 1 ||
            fabs(l->step - d->q_scale) > 1e-9 * d->q_scale ||
            off_lattice(d, l->offset) + l->noise >= d->max_error)
            return 0;
        break;
    case XAV_QUANT_LINEAR:
    case XAV_QUANT_MIXED: /* its codes hold every value of the range */
        break;
    case XAV_QUANT_TABLE: /* the part's values must all be in the table */
        return p->quant == XAV_QUANT_TABLE && p->type == d->type &&
               table_holds(d, p);
    case XAV_QUANT_BITS: /* a part of few values is coded as bits too */
        return p->type == d->type &&
               (p->quant == XAV_QUANT_BITS || p->quant == XAV_QUANT_TABLE);
    default: /* lossless: codes of the type, whatever the values */
        return xav_variable_coded_alike(d, p);
    }
    for (k = 0; k < p->nexceptions; k++)
        if (!is_exception(d, p->exceptions[k]) &&
            !(p->exceptions[k] >= d->valid_min &&
              p->exceptions[k] <= d->valid_max))
            return 0;
    return p->valid_min >= d->valid_min && p->valid_max <= d->valid_max;
}

static void take_quantization(xav_variable *p, const xav_variable *d)
{
    p->quant = d->quant;
    p->q_offset = d->q_offset;
    p->q_scale = d->q_scale;
    p->words = d->words;
    p->bits = d->bits;
    p->valid_min = d->valid_min;
    p->valid_max = d->valid_max;
    p->max_error = d->max_error;
    p->corr_step = d->corr_step;
    p->nexceptions = d->nexceptions;
    memcpy(p->exceptions, d->exceptions, sizeof(d->exceptions));
    memcpy(p->mix_vars, d->mix_vars, sizeof(d->mix_vars));
    memcpy(p->mix, d->mix, sizeof(d->mix));
    CPLFree(p->table);
    p->table = NULL;
    p->table_size = d->table_size;
    if (d->table_size > 0) {
        p->table = (uint64_t *)CPLMalloc(d->table_size * sizeof(uint64_t));
        memcpy(p->table, d->table, d->table_size * sizeof(uint64_t));
    }
}

int xav_append_impose(const xav_append *a, xav_desc *part,
                      const xav_lattice *lattice)
{
    int v;
    for (v = 0; v < part->nvars; v++) {
        const xav_variable *d = &a->d->vars[v];
        xav_variable *p = &part->vars[v];
        const int fits = values_fit(d, p, lattice ? &lattice[v] : NULL);
        if (!fits && d->quant == XAV_QUANT_TABLE)
            return refuse(CPLSPrintf(
                "the values of %s are not all among the %d of the dataset's "
                "value table, which its first encode fixed; encode the whole "
                "again",
                p->name, d->table_size));
        if (!fits)
            return refuse(CPLSPrintf(
                "the values of %s (%.9g to %.9g%s) do not fit the dataset's "
                "quantization (%s, %.9g to %.9g): a dataset that grows needs "
                "a VALID_RANGE that holds what comes, given when it is first "
                "encoded; else encode the whole again",
                p->name, p->valid_min, p->valid_max,
                p->nexceptions ? ", with exceptional values" : "",
                xav_quant_name(d->quant), d->valid_min, d->valid_max));
        take_quantization(p, d);
    }
    return 0;
}

/* The whole's streams: each tile's, then the part's of that tile, which
 * hold the time steps after the dataset's. */
static void merge_streams(xav_desc *w, const xav_desc *d, const xav_desc *p)
{
    const int ntiles = xav_desc_tile_count(d);
    int k, s, n = 0, first, count;
    w->streams = (xav_stream *)CPLCalloc(d->nstreams + p->nstreams + 1,
                                         sizeof(xav_stream));
    for (k = 0; k < ntiles; k++) {
        xav_layout_tile_streams(d, k, &first, &count);
        for (s = first; s < first + count; s++)
            xav_stream_copy(&w->streams[n++], &d->streams[s]);
        xav_layout_tile_streams(p, k, &first, &count);
        for (s = first; s < first + count; s++) {
            xav_stream_copy(&w->streams[n], &p->streams[s]);
            w->streams[n].first_time = d->ntimes;
            w->streams[n++].frames = p->ntimes;
        }
    }
    w->nstreams = n;
}

/* A tile the part leaves out has no streams for its time steps. */
static void merge_empty_tiles(xav_desc *w, const xav_desc *p)
{
    int k;
    for (k = 0; k < xav_desc_tile_count(p); k++)
        if (xav_desc_tile_is_empty(p, k))
            xav_desc_mark_empty(w, k);
}

static void merge_time(xav_desc *w, const xav_desc *d, const xav_desc *p)
{
    int t;
    w->ntimes = d->ntimes + p->ntimes;
    w->time_values =
        (double *)CPLRealloc(w->time_values, w->ntimes * sizeof(double));
    memcpy(w->time_values + d->ntimes, p->time_values,
           p->ntimes * sizeof(double));
    if (w->time_iso != NULL && p->time_iso != NULL)
        for (t = 0; t < p->ntimes; t++)
            w->time_iso = CSLAddString(w->time_iso, p->time_iso[t]);
    else {
        CSLDestroy(w->time_iso);
        w->time_iso = NULL;
    }
}

/* Band b of the whole as a band of the dataset (*from = d) or the part. */
static int source_band(const xav_desc *w, const xav_desc *d, const xav_desc *p,
                       int b, const xav_desc **from)
{
    int v, t;
    xav_desc_band_split(w, b, &v, &t);
    *from = t < d->ntimes ? d : p;
    return t < d->ntimes ? xav_desc_band_index(d, v, t)
                         : xav_desc_band_index(p, v, t - d->ntimes);
}

/* The part's metadata of band b that the dataset's variable v does not
 * already say: its variable's, then its own, where they differ (the time
 * of its first band, which the part's variable carries, among them). */
static char **part_band_metadata(const xav_desc *d, const xav_desc *p, int v,
                                 int b)
{
    char **all = CSLDuplicate(p->vars[v].metadata), **md = NULL;
    int i;
    if (p->band_metadata != NULL)
        all = CSLMerge(all, p->band_metadata[b]);
    for (i = 0; all != NULL && all[i] != NULL; i++) {
        char *key = NULL;
        const char *value = CPLParseNameValue(all[i], &key);
        const char *had =
            key ? CSLFetchNameValue(d->vars[v].metadata, key) : NULL;
        if (key != NULL && (had == NULL || strcmp(had, value) != 0))
            md = CSLSetNameValue(md, key, value);
        CPLFree(key);
    }
    CSLDestroy(all);
    return md;
}

/* Per-band facts of the whole: measures and metadata, from the band's
 * own dataset (NaN where it measured nothing). */
static void merge_bands(xav_desc *w, const xav_desc *d, const xav_desc *p)
{
    const int n = xav_desc_band_count(w);
    double *psnr = NULL, *err = NULL;
    char ***md = (char ***)CPLCalloc(n + 1, sizeof(char **));
    int b;
    if (d->psnr != NULL || p->psnr != NULL) {
        psnr = (double *)CPLMalloc(n * sizeof(double));
        err = (double *)CPLMalloc(n * sizeof(double));
    }
    for (b = 0; b < n; b++) {
        const xav_desc *from;
        const int i = source_band(w, d, p, b, &from);
        int v, t;
        xav_desc_band_split(w, b, &v, &t);
        if (psnr != NULL) {
            psnr[b] = from->psnr ? from->psnr[i] : NAN;
            err[b] = from->max_abs_error ? from->max_abs_error[i] : NAN;
        }
        md[b] =
            from == d
                ? (d->band_metadata ? CSLDuplicate(d->band_metadata[i]) : NULL)
                : part_band_metadata(d, p, v, i);
    }
    for (b = 0; w->band_metadata != NULL && b < xav_desc_band_count(d); b++)
        CSLDestroy(w->band_metadata[b]);
    CPLFree(w->band_metadata);
    CPLFree(w->psnr);
    CPLFree(w->max_abs_error);
    w->band_metadata = md;
    w->psnr = psnr;
    w->max_abs_error = err;
}

static int sidecar_unchanged(const xav_append *a)
{
    GByte *now;
    vsi_l_offset size;
    int same;
    if (read_sidecar(a->sidecar, &now, &size) != 0)
        return refuse(CPLSPrintf("%s is gone", a->sidecar));
    same = size == a->json_size && memcmp(now, a->json, (size_t)size) == 0;
    VSIFree(now);
    return same ? 0
                : refuse(CPLSPrintf("%s changed while the part was encoded "
                                    "(another append?); the part is removed",
                                    a->sidecar));
}

xav_desc *xav_append_merge(const xav_append *a, const xav_desc *p)
{
    const xav_desc *d = a->d;
    xav_desc *w;
    const char *appends;
    int v;
    if (sidecar_unchanged(a) != 0 || (w = xav_sidecar_copy(d)) == NULL)
        return NULL;
    xav_desc_free_streams(w);
    merge_streams(w, d, p);
    merge_empty_tiles(w, p);
    merge_time(w, d, p);
    merge_bands(w, d, p);
    for (v = 0; v < w->nvars; v++)
        xav_variable_join_masks(&w->vars[v], &p->vars[v]);
    w->schema_version = XAV_SCHEMA_VERSION;
    appends = CSLFetchNameValueDef(w->encoder, "appends", "0");
    w->encoder = CSLSetNameValue(w->encoder, "appends",
                                 CPLSPrintf("%d", atoi(appends) + 1));
    if (xav_desc_validate(w) != 0) {
        xav_desc_free(w);
        return NULL;
    }
    return w;
}
