/*
 * dataset: Identify, Open and band reads (the xav_dataset part of
 * xavideo.h). Everything the reader presents comes from the description;
 * the video only gives pixels.
 */
#include <ctype.h>
#include <math.h>
#include <string.h>

#include <libavutil/pixdesc.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "avlog.h"
#include "decode.h"
#include "framecache.h"
#include "layout.h"
#include "model.h"
#include "names.h"
#include "options.h"
#include "quantize.h"
#include "rat.h"
#include "sidecar.h"
#include "xavideo.h"

/* How far into a Matroska file Identify looks for the embedded tag. */
#define XAV_IDENTIFY_SCAN_BYTES 65536

struct xav_dataset {
    xav_desc *d;
    char **files;                /* sidecar (if any), then videos */
    char **stream_paths;         /* per stream */
    xav_stream_reader **readers; /* per stream, opened on first use */
    char **metadata;             /* default domain, with derived time items */
    char **xav_metadata;         /* "XAVIDEO" domain */
    char **descriptions;         /* per band */
    char ***band_md;             /* per band, default domain */
    char ***band_xav_md;         /* per band, "XAVIDEO" domain */
    GDALRasterAttributeTableH *rats; /* per variable, or NULL */
    xav_frame_cache *cache;
    AVFrame **held; /* per stream: the frame last handed out, by reference */
    int *held_time; /* its time step, or -1 */
    double *row;    /* one row of doubles */
    uint64_t decoded;
    int threads;
    /* the embedded description last checked against, and its video: parsed
     * once per file, not once per stream (only a tile 0 file has one) */
    xav_desc *embedded;
    char *embedded_path;
};

/* ---- Identify ---------------------------------------------------------- */

/* Skips JSON white space from h[*i]. */
static void skip_space(const unsigned char *h, int n, int *i)
{
    while (*i < n &&
           (h[*i] == ' ' || h[*i] == '\n' || h[*i] == '\r' || h[*i] == '\t'))
        (*i)++;
}

/* Consumes token at h[*i] (after white space) if it is there. */
static int expect(const unsigned char *h, int n, int *i, const char *token)
{
    size_t k = strlen(token);
    skip_space(h, n, i);
    if (*i + (int)k > n || memcmp(h + *i, token, k) != 0)
        return 0;
    *i += (int)k;
    return 1;
}

/* A sidecar starts with {"format": "xavideo" (the writer puts it first). */
static int is_sidecar_header(const unsigned char *h, int n)
{
    int i = 0;
    return expect(h, n, &i, "{") && expect(h, n, &i, "\"format\"") &&
           expect(h, n, &i, ":") && expect(h, n, &i, "\"xavideo\"");
}

static int is_matroska_header(const unsigned char *h, int n)
{
    static const unsigned char ebml[4] = {0x1A, 0x45, 0xDF, 0xA3};
    int i;
    if (n < 64 || memcmp(h, ebml, 4) != 0)
        return 0;
    for (i = 4; i + 8 <= 64; i++)
        if (memcmp(h + i, "matroska", 8) == 0)
            return 1;
    return 0;
}

static int has_embedded_tag(const char *filename)
{
    VSILFILE *fp = VSIFOpenL(filename, "rb");
    char *buf;
    size_t n, k, len = strlen(XAV_EMBEDDED_TAG);
    int found = 0;
    if (fp == NULL)
        return 0;
    buf = (char *)CPLMalloc(XAV_IDENTIFY_SCAN_BYTES);
    n = VSIFReadL(buf, 1, XAV_IDENTIFY_SCAN_BYTES, fp);
    VSIFCloseL(fp);
    for (k = 0; k + len <= n && !found; k++)
        found = memcmp(buf + k, XAV_EMBEDDED_TAG, len) == 0;
    CPLFree(buf);
    return found;
}

int xav_identify(const char *filename, const unsigned char *header,
                 int header_bytes)
{
    VSIStatBufL st;
    char *sidecar;
    int found;
    if (header == NULL || header_bytes <= 0)
        return 0;
    if (is_sidecar_header(header, header_bytes))
        return 1;
    if (!is_matroska_header(header, header_bytes))
        return 0;
    sidecar = xav_name_sidecar(filename);
    found = VSIStatExL(sidecar, &st, VSI_STAT_EXISTS_FLAG) == 0;
    CPLFree(sidecar);
    return found || has_embedded_tag(filename);
}

/* ---- Open -------------------------------------------------------------- */

/* Loads the description: from the sidecar if there is one (it wins), else
 * from the tag embedded in the video. *sidecar is set to the sidecar's
 * path, or NULL. */
static xav_desc *load_description(const char *filename, char **sidecar,
                                  char **video)
{
    VSIStatBufL st;
    char *json;
    xav_desc *d;
    *sidecar = NULL;
    *video = NULL;
    if (xav_name_is_sidecar(filename)) {
        *sidecar = CPLStrdup(filename);
        return xav_sidecar_read(filename);
    }
    *video = CPLStrdup(filename);
    *sidecar = xav_name_sidecar(filename);
    if (VSIStatExL(*sidecar, &st, VSI_STAT_EXISTS_FLAG) == 0)
        return xav_sidecar_read(*sidecar);
    CPLFree(*sidecar);
    *sidecar = NULL;
    if ((json = xav_read_embedded_json(filename)) == NULL)
        return NULL;
    d = xav_sidecar_from_json(json, strlen(json), filename);
    CPLFree(json);
    return d;
}

/* Why a stream's file name may not be followed (NULL if it may): a
 * sidecar names files next to it or below its folder, so that opening a
 * file never reads another one elsewhere (a local sidecar pointing at
 * /vsicurl/, /etc/...) unless ALLOW_EXTERNAL_REFERENCES=YES. */
static const char *reference_problem(const char *f)
{
    const char *c = f;
    if (!CPLIsFilenameRelative(f) || *f == '\\' || *f == '/' ||
        (isalpha((unsigned char)f[0]) && f[1] == ':'))
        return "an absolute path, another VSI prefix or a drive";
    while (*c != '\0') {
        size_t n = strcspn(c, "/\\");
        if (n == 2 && c[0] == '.' && c[1] == '.')
            return "a '..' component";
        c += n + (c[n] != '\0');
    }
    return NULL;
}

/* Stream files are named relative to the sidecar's folder: "" is the
 * file of the stream's tile, named from the dataset's video by rule
 * (names.h), anything else a reference that must stay in that folder. */
static int resolve_files(xav_dataset *ds, const char *sidecar,
                         const char *video, int allow_external)
{
    const xav_desc *d = ds->d;
    const char *origin = sidecar ? sidecar : video;
    char *dir = CPLStrdup(CPLGetPath(origin));
    char *own = xav_name_video(CPLGetFilename(origin));
    int s, rc = 0;
    VSIStatBufL st;
    ds->stream_paths = (char **)CPLCalloc(d->nstreams + 1, sizeof(char *));
    if (sidecar != NULL)
        ds->files = CSLAddString(ds->files, sidecar);
    for (s = 0; s < d->nstreams && rc == 0; s++) {
        const char *f = d->streams[s].file, *problem;
        char *file = xav_layout_stream_file(d, s, own), *path;
        problem = *f == '\0' ? NULL : reference_problem(f);
        if (problem != NULL && !allow_external) {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "XAVIDEO: %s refers to the video '%s', %s outside its "
                     "folder; refused (open option "
                     "ALLOW_EXTERNAL_REFERENCES=YES follows it).",
                     origin, f, problem);
            CPLFree(file);
            rc = -1;
            break;
        }
        path = CPLStrdup(CPLIsFilenameRelative(file)
                             ? CPLFormFilename(dir, file, NULL)
                             : file);
        CPLFree(file);
        ds->stream_paths[s] = path;
        if ((s > 0 && strcmp(path, ds->stream_paths[s - 1]) == 0) ||
            CSLFindString(ds->files, path) >= 0)
            continue;
        /* the first tile's file only: a remote dataset of many tiles would
         * pay a request per tile; the others are checked when read */
        if (d->streams[s].tile == 0 &&
            VSIStatExL(path, &st, VSI_STAT_EXISTS_FLAG) != 0) {
            CPLError(CE_Failure, CPLE_OpenFailed,
                     "XAVIDEO: the video %s named by %s is missing.", path,
                     origin);
            rc = -1;
        }
        ds->files = CSLAddString(ds->files, path);
    }
    CPLFree(own);
    CPLFree(dir);
    return rc;
}

/* Each stream's pixel format is one FFmpeg knows, with a plane per channel
 * and samples wide enough for the stream's bits. The reader takes masks and
 * the words of XAV_QUANT_BITS as bytes and corrections as 16-bit samples,
 * so those streams must have such samples (frames are checked against the
 * format when decoded). */
static int check_pixel_formats(const xav_desc *d)
{
    int s;
    for (s = 0; s < d->nstreams; s++) {
        const xav_stream *st = &d->streams[s];
        const enum AVPixelFormat pf = av_get_pix_fmt(st->pix_fmt);
        const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(pf);
        const int depth = desc ? desc->comp[0].depth : 0;
        const int bytes = st->role == XAV_ROLE_MASK ||
                                  (st->role == XAV_ROLE_DATA &&
                                   d->vars[st->var[0]].quant == XAV_QUANT_BITS)
                              ? 1
                          : st->role == XAV_ROLE_CORRECTION ? 2
                                                            : 0;
        if (desc == NULL || av_pix_fmt_count_planes(pf) < st->channels ||
            depth < st->bits || depth > 16 ||
            (bytes != 0 && bytes != (depth > 8 ? 2 : 1))) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: inconsistent sidecar: stream %d has pixel "
                     "format '%s', which does not hold its %d channels of %d "
                     "bits.",
                     s, st->pix_fmt, st->channels, st->bits);
            return -1;
        }
    }
    return 0;
}

/* ---- what the dataset presents ----------------------------------------- */

static const char *number_text(double v)
{
    return CPLSPrintf("%.17g", v);
}

/* "{v0,v1,...}": the time values as netCDF lists them, built in linear time
 * (a sidecar may hold a million of them). */
static char *time_values_text(const xav_desc *d)
{
    size_t cap = 64 + (size_t)d->ntimes * 26, len = 1; /* 26 > ",%.17g" */
    char *text = (char *)CPLMalloc(cap);
    int t;
    text[0] = '{';
    for (t = 0; t < d->ntimes; t++)
        len += (size_t)snprintf(text + len, cap - len, "%s%.17g", t ? "," : "",
                                d->time_values[t]);
    text[len++] = '}';
    text[len] = '\0';
    return text;
}

/* netCDF-style time items, so that gdal_translate -of netCDF keeps a real
 * time dimension; the source's own items win where it had them. */
static void derive_dataset_metadata(xav_dataset *ds)
{
    const xav_desc *d = ds->d;
    const char *name = d->time_name ? d->time_name : "time";
    char *values;
    ds->metadata = CSLDuplicate(d->metadata);
    if (d->time_values == NULL)
        return;
    values = time_values_text(d);
    if (CSLFetchNameValue(ds->metadata, "NETCDF_DIM_EXTRA") == NULL) {
        ds->metadata = CSLSetNameValue(ds->metadata, "NETCDF_DIM_EXTRA",
                                       CPLSPrintf("{%s}", name));
        ds->metadata =
            CSLSetNameValue(ds->metadata, CPLSPrintf("NETCDF_DIM_%s_DEF", name),
                            CPLSPrintf("{%d,6}", d->ntimes));
        ds->metadata = CSLSetNameValue(
            ds->metadata, CPLSPrintf("NETCDF_DIM_%s_VALUES", name), values);
        if (d->time_units != NULL)
            ds->metadata = CSLSetNameValue(
                ds->metadata, CPLSPrintf("%s#units", name), d->time_units);
        if (d->time_calendar != NULL)
            ds->metadata =
                CSLSetNameValue(ds->metadata, CPLSPrintf("%s#calendar", name),
                                d->time_calendar);
    }
    CPLFree(values);
    ds->xav_metadata =
        CSLSetNameValue(NULL, "VARIABLES", CPLSPrintf("%d", d->nvars));
    ds->xav_metadata =
        CSLSetNameValue(ds->xav_metadata, "TIMES", CPLSPrintf("%d", d->ntimes));
}

static void derive_band(xav_dataset *ds, int b)
{
    const xav_desc *d = ds->d;
    const xav_variable *var;
    char **md, **x = NULL;
    int v, t, s = -1, c = 0;
    xav_desc_band_split(d, b, &v, &t);
    var = &d->vars[v];
    md = CSLDuplicate(var->metadata);
    if (d->band_metadata != NULL)
        md = CSLMerge(md, d->band_metadata[b]);
    if (d->time_values != NULL) {
        const char *key = CPLSPrintf("NETCDF_DIM_%s", d->time_name);
        if (CSLFetchNameValue(md, key) == NULL)
            md = CSLSetNameValue(md, key, number_text(d->time_values[t]));
        if (CSLFetchNameValue(md, "NETCDF_VARNAME") == NULL)
            md = CSLSetNameValue(md, "NETCDF_VARNAME", var->name);
    }
    if (d->psnr != NULL) {
        /* what the coding cost, so that gdalinfo says it */
        md = CSLSetNameValue(
            md, "XAVIDEO_PSNR_DB",
            isinf(d->psnr[b]) ? "inf" : CPLSPrintf("%.2f", d->psnr[b]));
        md = CSLSetNameValue(md, "XAVIDEO_MAX_ABS_ERROR",
                             CPLSPrintf("%.9g", d->max_abs_error[b]));
    }
    if (var->max_error > 0)
        md = CSLSetNameValue(md, "XAVIDEO_MAX_ERROR_BOUND",
                             CPLSPrintf("%.9g", var->max_error));
    ds->band_md[b] = md;
    xav_layout_find(d, v, 0, XAV_ROLE_DATA, 0, &s, &c);
    x = CSLSetNameValue(x, "VARIABLE", var->name);
    x = CSLSetNameValue(x, "TIME_INDEX", CPLSPrintf("%d", t));
    if (d->time_iso != NULL)
        x = CSLSetNameValue(x, "TIME", d->time_iso[t]);
    else if (d->time_values != NULL)
        x = CSLSetNameValue(x, "TIME", number_text(d->time_values[t]));
    if (var->description != NULL && strcmp(var->description, var->name) != 0)
        x = CSLSetNameValue(x, "SOURCE_DESCRIPTION", var->description);
    x = CSLSetNameValue(x, "STREAM", CPLSPrintf("%d", s));
    x = CSLSetNameValue(x, "CHANNEL", CPLSPrintf("%d", c));
    x = CSLSetNameValue(x, "LOSSLESS", d->streams[s].lossless ? "YES" : "NO");
    ds->band_xav_md[b] = x;
    if (d->time_iso != NULL)
        ds->descriptions[b] =
            CPLStrdup(CPLSPrintf("%s %.10s", var->name, d->time_iso[t]));
    else if (d->time_values != NULL)
        ds->descriptions[b] = CPLStrdup(
            CPLSPrintf("%s %s", var->name, number_text(d->time_values[t])));
    else
        ds->descriptions[b] = CPLStrdup(var->name);
}

xav_dataset *xav_open(const char *filename, CSLConstList open_options)
{
    xav_dataset *ds;
    char *sidecar = NULL, *video = NULL;
    xav_desc *d;
    xav_open_options oo;
    int b, nbands;
    xav_route_ffmpeg_log();
    if (xav_parse_open_options(open_options, &oo) != 0)
        return NULL;
    d = load_description(filename, &sidecar, &video);
    if (d != NULL && check_pixel_formats(d) != 0) {
        xav_desc_free(d);
        d = NULL;
    }
    if (d == NULL) {
        CPLFree(sidecar);
        CPLFree(video);
        return NULL;
    }
    ds = (xav_dataset *)CPLCalloc(1, sizeof(*ds));
    ds->d = d;
    ds->threads = oo.threads;
    ds->cache = xav_frame_cache_new((size_t)oo.cache_mib * 1024 * 1024);
    if (resolve_files(ds, sidecar, video, oo.allow_external) != 0) {
        CPLFree(sidecar);
        CPLFree(video);
        xav_close(ds);
        return NULL;
    }
    CPLFree(sidecar);
    CPLFree(video);
    nbands = xav_desc_band_count(d);
    ds->readers =
        (xav_stream_reader **)CPLCalloc(d->nstreams, sizeof(*ds->readers));
    ds->held = (AVFrame **)CPLCalloc(d->nstreams, sizeof(AVFrame *));
    ds->held_time = (int *)CPLMalloc(d->nstreams * sizeof(int));
    for (b = 0; b < d->nstreams; b++) {
        ds->held[b] = av_frame_alloc();
        ds->held_time[b] = -1;
    }
    ds->descriptions = (char **)CPLCalloc(nbands + 1, sizeof(char *));
    ds->band_md = (char ***)CPLCalloc(nbands, sizeof(char **));
    ds->band_xav_md = (char ***)CPLCalloc(nbands, sizeof(char **));
    ds->row = (double *)CPLMalloc(sizeof(double) * d->width);
    ds->rats =
        (GDALRasterAttributeTableH *)CPLCalloc(d->nvars, sizeof(*ds->rats));
    for (b = 0; b < d->nvars; b++)
        if (d->vars[b].rat_json != NULL &&
            (ds->rats[b] = xav_rat_from_json(d->vars[b].rat_json)) == NULL) {
            xav_close(ds);
            return NULL;
        }
    derive_dataset_metadata(ds);
    for (b = 0; b < nbands; b++)
        derive_band(ds, b);
    return ds;
}

void xav_close(xav_dataset *ds)
{
    int s, b;
    if (ds == NULL)
        return;
    for (s = 0; ds->readers != NULL && s < ds->d->nstreams; s++)
        xav_stream_reader_close(ds->readers[s]);
    for (s = 0; ds->held != NULL && s < ds->d->nstreams; s++)
        av_frame_free(&ds->held[s]);
    CPLFree(ds->held);
    CPLFree(ds->held_time);
    xav_frame_cache_free(ds->cache);
    for (b = 0; ds->band_md != NULL && b < xav_desc_band_count(ds->d); b++) {
        CSLDestroy(ds->band_md[b]);
        CSLDestroy(ds->band_xav_md[b]);
    }
    for (b = 0; ds->rats != NULL && b < ds->d->nvars; b++)
        if (ds->rats[b] != NULL)
            GDALDestroyRasterAttributeTable(ds->rats[b]);
    CPLFree(ds->rats);
    CPLFree(ds->band_md);
    CPLFree(ds->band_xav_md);
    CPLFree(ds->readers);
    CSLDestroy(ds->descriptions);
    CSLDestroy(ds->stream_paths);
    CSLDestroy(ds->files);
    CSLDestroy(ds->metadata);
    CSLDestroy(ds->xav_metadata);
    CPLFree(ds->row);
    xav_desc_free(ds->d);
    xav_desc_free(ds->embedded);
    CPLFree(ds->embedded_path);
    CPLFree(ds);
}

/* ---- accessors --------------------------------------------------------- */

int xav_width(const xav_dataset *ds)
{
    return ds->d->width;
}
int xav_height(const xav_dataset *ds)
{
    return ds->d->height;
}
int xav_band_count(const xav_dataset *ds)
{
    return xav_desc_band_count(ds->d);
}
int xav_variable_count(const xav_dataset *ds)
{
    return ds->d->nvars;
}
int xav_time_count(const xav_dataset *ds)
{
    return ds->d->ntimes;
}

int xav_geotransform(const xav_dataset *ds, double gt[6])
{
    if (!ds->d->has_geotransform)
        return 0;
    memcpy(gt, ds->d->geotransform, 6 * sizeof(double));
    return 1;
}

const char *xav_crs_wkt(const xav_dataset *ds)
{
    return ds->d->crs_wkt;
}
int xav_gcp_count(const xav_dataset *ds)
{
    return ds->d->gcp_count;
}
const GDAL_GCP *xav_gcps(const xav_dataset *ds)
{
    return ds->d->gcps;
}

CSLConstList xav_metadata(const xav_dataset *ds, const char *domain)
{
    if (domain == NULL || *domain == '\0')
        return ds->metadata;
    return EQUAL(domain, XAV_DRIVER_NAME) ? ds->xav_metadata : NULL;
}

CSLConstList xav_file_list(const xav_dataset *ds)
{
    return ds->files;
}

static const xav_variable *band_var(const xav_dataset *ds, int band)
{
    int v, t;
    xav_desc_band_split(ds->d, band, &v, &t);
    return &ds->d->vars[v];
}

GDALDataType xav_band_type(const xav_dataset *ds, int band)
{
    return band_var(ds, band)->type;
}

int xav_band_nodata(const xav_dataset *ds, int band, double *value)
{
    const xav_variable *v = band_var(ds, band);
    *value = v->nodata;
    return v->has_nodata;
}

const char *xav_band_description(const xav_dataset *ds, int band)
{
    return ds->descriptions[band];
}

const char *xav_band_units(const xav_dataset *ds, int band)
{
    return band_var(ds, band)->units;
}

CSLConstList xav_band_metadata(const xav_dataset *ds, int band,
                               const char *domain)
{
    if (domain == NULL || *domain == '\0')
        return ds->band_md[band];
    return EQUAL(domain, XAV_DRIVER_NAME) ? ds->band_xav_md[band] : NULL;
}

GDALColorInterp xav_band_color_interp(const xav_dataset *ds, int band)
{
    return band_var(ds, band)->color_interp;
}

const short *xav_band_color_table(const xav_dataset *ds, int band, int *count)
{
    const xav_variable *v = band_var(ds, band);
    *count = v->color_count;
    return v->color_count > 0 ? v->colors : NULL;
}

CSLConstList xav_band_category_names(const xav_dataset *ds, int band)
{
    return band_var(ds, band)->categories;
}

GDALRasterAttributeTableH xav_band_rat(const xav_dataset *ds, int band)
{
    int v, t;
    xav_desc_band_split(ds->d, band, &v, &t);
    return ds->rats[v];
}

int xav_band_offset_scale(const xav_dataset *ds, int band, double *offset,
                          double *scale)
{
    const xav_variable *v = band_var(ds, band);
    *offset = v->gdal_offset;
    *scale = v->gdal_scale;
    return v->has_offset_scale;
}

uint64_t xav_decoded_frame_count(const xav_dataset *ds)
{
    return ds->decoded;
}

uint64_t xav_cache_bytes(const xav_dataset *ds)
{
    return xav_frame_cache_bytes(ds->cache);
}

int xav_band_siblings(const xav_dataset *ds, int band, int *siblings,
                      int max_siblings)
{
    const xav_desc *d = ds->d;
    int v, t, u, s, c, n = 0;
    xav_desc_band_split(d, band, &v, &t);
    for (u = 0; u < d->nvars && n < max_siblings; u++) {
        int shares = u == v;
        for (s = 0; s < d->nstreams && !shares; s++) {
            int has_u = 0, has_v = 0;
            if (d->streams[s].role != XAV_ROLE_DATA)
                continue;
            for (c = 0; c < d->streams[s].channels; c++) {
                has_u |= d->streams[s].var[c] == u;
                has_v |= d->streams[s].var[c] == v;
            }
            shares = has_u && has_v;
        }
        if (shares)
            siblings[n++] = xav_desc_band_index(d, u, t);
    }
    return n;
}

/* ---- variables x time ------------------------------------------------- */

const char *xav_variable_name(const xav_dataset *ds, int var)
{
    return ds->d->vars[var].name;
}

CSLConstList xav_variable_metadata(const xav_dataset *ds, int var)
{
    return ds->d->vars[var].metadata;
}

int xav_band_of(const xav_dataset *ds, int var, int time)
{
    if (var < 0 || var >= ds->d->nvars || time < 0 || time >= ds->d->ntimes) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: no variable %d at time step %d.", var, time);
        return -1;
    }
    return xav_desc_band_index(ds->d, var, time);
}

const double *xav_time_values(const xav_dataset *ds)
{
    return ds->d->time_values;
}
const char *xav_time_name(const xav_dataset *ds)
{
    return ds->d->time_name;
}
const char *xav_time_units(const xav_dataset *ds)
{
    return ds->d->time_units;
}
const char *xav_time_calendar(const xav_dataset *ds)
{
    return ds->d->time_calendar;
}

char **xav_state_metadata(const xav_dataset *ds)
{
    char **md = CSLDuplicate(ds->xav_metadata);
    md = CSLSetNameValue(md, "DECODED_FRAMES",
                         CPLSPrintf(CPL_FRMT_GUIB, (GUIntBig)ds->decoded));
    return CSLSetNameValue(
        md, "CACHE_BYTES",
        CPLSPrintf(CPL_FRMT_GUIB, (GUIntBig)xav_frame_cache_bytes(ds->cache)));
}

/* ---- reading pixels ---------------------------------------------------- */

/* A decoded frame must be what the description says: its tile's window
 * padded to the codecs' minimum, in the stream's pixel format (so it has the
 * channels and the bytes per code the reader takes from it). A damaged
 * container can say otherwise, and the codec would decode garbage to fit. */
static int check_frame(const xav_dataset *ds, int s, const AVFrame *f)
{
    const xav_desc *d = ds->d;
    const xav_stream *st = &d->streams[s];
    int x0, y0, w, h;
    xav_desc_tile_rect(d, st->tile, &x0, &y0, &w, &h);
    if (f->width == xav_coded_size(w) && f->height == xav_coded_size(h) &&
        f->format == av_get_pix_fmt(st->pix_fmt) &&
        av_pix_fmt_count_planes((enum AVPixelFormat)f->format) >= st->channels)
        return 0;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: stream %d of %s has %dx%d %s frames; the sidecar says "
             "%dx%d %s with %d channels (corrupt video, or not the video of "
             "this sidecar).",
             s, ds->stream_paths[s], f->width, f->height,
             av_get_pix_fmt_name((enum AVPixelFormat)f->format)
                 ? av_get_pix_fmt_name((enum AVPixelFormat)f->format)
                 : "unknown",
             xav_coded_size(w), xav_coded_size(h), st->pix_fmt, st->channels);
    return -1;
}

/* Whether two descriptions of a stream agree on what its frames hold. The
 * tile is left out: an assembled sidecar numbers the tiles of its pieces
 * anew. */
static int same_stream(const xav_stream *a, const xav_stream *b)
{
    int c, same = a->index == b->index && a->role == b->role &&
                  a->codec == b->codec && a->channels == b->channels &&
                  !strcmp(a->pix_fmt, b->pix_fmt);
    for (c = 0; same && c < a->channels; c++)
        same = a->var[c] == b->var[c] && a->word[c] == b->word[c];
    return same;
}

/* Whether two descriptions turn the codes of st's channels into the same
 * values: a sidecar edited (or damaged) there would read other values from
 * the same frames. */
static int same_coding(const xav_desc *a, const xav_desc *b,
                       const xav_stream *st)
{
    int c, same = 1;
    for (c = 0; same && c < st->channels; c++) {
        const int v = st->var[c];
        const xav_variable *x, *y;
        if (v >= a->nvars)
            return 0;
        x = &a->vars[v];
        y = &b->vars[v];
        same = x->type == y->type && x->quant == y->quant &&
               x->words == y->words && x->q_offset == y->q_offset &&
               x->q_scale == y->q_scale;
    }
    return same;
}

/* The video's own embedded description must say of stream s what ours
 * says, and count the streams the container has: a sidecar naming the
 * wrong stream index, or a damaged track list that renumbers the streams,
 * would otherwise hand out another variable's pixels as data. A video
 * without a readable embedded description is taken on the sidecar's
 * word. */
static const xav_desc *embedded_desc(xav_dataset *ds, int s, const char *json)
{
    const char *path = ds->stream_paths[s];
    if (ds->embedded_path != NULL && strcmp(ds->embedded_path, path) == 0)
        return ds->embedded;
    xav_desc_free(ds->embedded);
    CPLFree(ds->embedded_path);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    ds->embedded = xav_sidecar_from_json(json, strlen(json), path);
    CPLPopErrorHandler();
    ds->embedded_path = CPLStrdup(path);
    return ds->embedded;
}

static int check_embedded(xav_dataset *ds, int s)
{
    const xav_stream_reader *r = ds->readers[s];
    int damaged;
    const char *json = xav_stream_reader_embedded_json(r, &damaged);
    const xav_stream *st = &ds->d->streams[s];
    const xav_desc *e;
    int k, found = 0, count = 0;
    if (json == NULL)
        return damaged ? -1 : 0;
    if ((e = embedded_desc(ds, s, json)) == NULL)
        return 0;
    for (k = 0; k < e->nstreams; k++) {
        /* in this file: tile 0's own file */
        const int here = *e->streams[k].file == '\0' && e->streams[k].tile == 0;
        count += here;
        found = found || (here && same_stream(&e->streams[k], st) &&
                          same_coding(e, ds->d, st));
    }
    if (count != xav_stream_reader_stream_count(r)) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: %s is corrupt: its track list has %d streams, its "
                 "embedded description %d.",
                 ds->stream_paths[s], xav_stream_reader_stream_count(r), count);
        return -1;
    }
    if (found)
        return 0;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: the sidecar's stream %d (index %d, %s, %d channels) "
             "is not what %s says its stream %d holds: the sidecar does not "
             "match the video.",
             s, st->index, st->pix_fmt, st->channels, ds->stream_paths[s],
             st->index);
    return -1;
}

/* The writer tags each stream with what it holds (XAV_STREAM_TAG): a
 * sidecar that names another stream, in any file (tiles' files embed no
 * description), is found out here. Videos written before the tag existed
 * have none. */
static int check_stream_tag(const xav_dataset *ds, int s)
{
    const xav_stream *st = &ds->d->streams[s];
    const char *tag = xav_stream_reader_tag(ds->readers[s], XAV_STREAM_TAG);
    char want[64];
    xav_stream_identity(st, want, sizeof(want));
    if (tag == NULL || strcmp(tag, want) == 0)
        return 0;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: the sidecar's stream %d is index %d of %s, which holds "
             "'%s', not '%s': the sidecar does not match the video.",
             s, st->index, ds->stream_paths[s], tag, want);
    return -1;
}

/* Frame t of stream s, decoded and checked against the description. */
static const AVFrame *decode_frame(xav_dataset *ds, int s, int t)
{
    const xav_desc *d = ds->d;
    const xav_stream *st = &d->streams[s];
    const AVFrame *f;
    if (ds->readers[s] == NULL) {
        ds->readers[s] =
            xav_stream_reader_open(ds->stream_paths[s], st->index, d->fps_num,
                                   d->fps_den, st->gop, ds->threads);
        if (ds->readers[s] == NULL)
            return NULL;
        if (check_stream_tag(ds, s) != 0 || check_embedded(ds, s) != 0) {
            xav_stream_reader_close(ds->readers[s]);
            ds->readers[s] = NULL;
            return NULL;
        }
    }
    f = xav_stream_reader_frame(ds->readers[s], t, &ds->decoded);
    return f != NULL && check_frame(ds, s, f) == 0 ? f : NULL;
}

/* Frame t of stream s, from the cache or decoded. The pointer stays valid
 * until the next request for stream s: the dataset holds a reference, so a
 * cache eviction cannot pull it away mid-read. */
static const AVFrame *stream_frame(xav_dataset *ds, int s, int t)
{
    const AVFrame *f;
    if (ds->held_time[s] == t)
        return ds->held[s];
    if ((f = xav_frame_cache_get(ds->cache, s, t)) == NULL) {
        if ((f = decode_frame(ds, s, t)) == NULL)
            return NULL;
        xav_frame_cache_put(ds->cache, s, t, f);
    }
    av_frame_unref(ds->held[s]);
    ds->held_time[s] = -1;
    if (av_frame_ref(ds->held[s], f) < 0) {
        CPLError(CE_Failure, CPLE_OutOfMemory, "XAVIDEO: out of memory.");
        return NULL;
    }
    ds->held_time[s] = t;
    return ds->held[s];
}

/* Plane of (variable, word), or of its mask or corrections, in tile at
 * time t. */
static const uint8_t *channel_plane(xav_dataset *ds, int v, int word,
                                    xav_stream_role role, int tile, int t,
                                    int *linesize, int *bytes)
{
    const AVFrame *f;
    int s, c;
    if (xav_layout_find(ds->d, v, word, role, tile, &s, &c) != 0)
        return NULL;
    if ((f = stream_frame(ds, s, t)) == NULL)
        return NULL;
    *linesize = f->linesize[c];
    *bytes = xav_frame_code_bytes(f);
    return f->data[c];
}

static int has_channel(const xav_desc *d, int v, xav_stream_role role, int tile)
{
    int s, c;
    return xav_layout_find(d, v, 0, role, tile, &s, &c) == 0;
}

/* Where a tile's pixels go: rows of w pixels, stride bytes apart. */
typedef struct {
    GByte *out;
    size_t stride;
    int w, h;
} destination;

static int read_bits(xav_dataset *ds, const xav_variable *var, int v, int tile,
                     int t, const destination *to)
{
    const uint8_t *rows[XAV_MAX_WORDS];
    const uint8_t *planes[XAV_MAX_WORDS];
    int linesize[XAV_MAX_WORDS], bytes, w, y;
    for (w = 0; w < var->words; w++)
        if ((planes[w] = channel_plane(ds, v, w, XAV_ROLE_DATA, tile, t,
                                       &linesize[w], &bytes)) == NULL)
            return -1;
    for (y = 0; y < to->h; y++) {
        for (w = 0; w < var->words; w++)
            rows[w] = planes[w] + (size_t)y * linesize[w];
        xav_bits_decode_row(var->type, rows, to->w,
                            to->out + (size_t)y * to->stride);
    }
    return 0;
}

static int read_codes(xav_dataset *ds, const xav_variable *var, int v, int tile,
                      int t, const destination *to)
{
    const uint8_t *plane, *mask = NULL, *corr = NULL;
    int linesize, bytes, mask_linesize = 0, corr_linesize = 0, unused, y;
    if ((plane = channel_plane(ds, v, 0, XAV_ROLE_DATA, tile, t, &linesize,
                               &bytes)) == NULL)
        return -1;
    if (has_channel(ds->d, v, XAV_ROLE_MASK, tile) &&
        (mask = channel_plane(ds, v, 0, XAV_ROLE_MASK, tile, t, &mask_linesize,
                              &unused)) == NULL)
        return -1;
    if (var->max_error > 0 &&
        (corr = channel_plane(ds, v, 0, XAV_ROLE_CORRECTION, tile, t,
                              &corr_linesize, &unused)) == NULL)
        return -1;
    for (y = 0; y < to->h; y++)
        xav_reconstruct_row(
            var, plane + (size_t)y * linesize, bytes,
            corr ? (const uint16_t *)(corr + (size_t)y * corr_linesize) : NULL,
            mask ? mask + (size_t)y * mask_linesize : NULL, to->w, ds->row,
            to->out + (size_t)y * to->stride);
    return 0;
}

/* Tile of band into to. */
static int read_tile(xav_dataset *ds, int band, int tile, const destination *to)
{
    int v, t;
    const xav_variable *var;
    if (band < 0 || band >= xav_desc_band_count(ds->d) || tile < 0 ||
        tile >= xav_desc_tile_count(ds->d)) {
        CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: no band %d tile %d.",
                 band, tile);
        return -1;
    }
    xav_desc_band_split(ds->d, band, &v, &t);
    var = &ds->d->vars[v];
    return var->quant == XAV_QUANT_BITS ? read_bits(ds, var, v, tile, t, to)
                                        : read_codes(ds, var, v, tile, t, to);
}

int xav_read_block(xav_dataset *ds, int band, int bx, int by, void *buffer)
{
    const xav_desc *d = ds->d;
    const int size = GDALGetDataTypeSizeBytes(xav_band_type(ds, band));
    destination to;
    int x, y;
    if (bx < 0 || by < 0 || bx >= xav_desc_tiles_x(d) ||
        by >= xav_desc_tiles_y(d)) {
        CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: no block %d,%d.", bx,
                 by);
        return -1;
    }
    xav_desc_tile_rect(d, by * xav_desc_tiles_x(d) + bx, &x, &y, &to.w, &to.h);
    to.out = (GByte *)buffer;
    to.stride = (size_t)xav_desc_block_width(d) * size;
    return read_tile(ds, band, by * xav_desc_tiles_x(d) + bx, &to);
}

int xav_read_band(xav_dataset *ds, int band, void *buffer)
{
    const xav_desc *d = ds->d;
    int k, x, y, size;
    if (band < 0 || band >= xav_desc_band_count(d)) {
        CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: no band %d.", band);
        return -1;
    }
    size = GDALGetDataTypeSizeBytes(xav_band_type(ds, band));
    for (k = 0; k < xav_desc_tile_count(d); k++) {
        destination to;
        xav_desc_tile_rect(d, k, &x, &y, &to.w, &to.h);
        to.stride = (size_t)d->width * size;
        to.out = (GByte *)buffer + (size_t)y * to.stride + (size_t)x * size;
        if (read_tile(ds, band, k, &to) != 0)
            return -1;
    }
    return 0;
}

void xav_block_size(const xav_dataset *ds, int *width, int *height)
{
    *width = xav_desc_block_width(ds->d);
    *height = xav_desc_block_height(ds->d);
}
