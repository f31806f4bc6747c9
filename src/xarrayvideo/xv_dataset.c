/*
 * xv_dataset: the xav_xv_* API of xavideo.h, a folder of xarrayvideo read
 * as GDAL bands: variable after variable, each at its rule's time steps.
 * A band's values are what xarrayvideo's own video2xarray returns: the
 * frame decoded and converted as the ffmpeg program converts it (convert.h),
 * its codes scaled back in float32 in video2xarray's order of operations,
 * and PCA undone, in float32.
 */
#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

#include "convert.h"
#include "model.h"
#include "timeaxis.h"
#include "xavideo.h"
#include "xv_folder.h"

struct xav_xv {
    xv_folder *f;
    xav_converter ***conv; /* per rule, per video */
    int nbands;
    int *first_band; /* per variable */
    char **descriptions;
    char ***band_md;
    char **files;
    uint64_t decoded;
};

/* The band's variable and time step. */
static void split(const xav_xv *xv, int band, int *var, int *t)
{
    int v = xv->f->nvars - 1;
    while (v > 0 && xv->first_band[v] > band)
        v--;
    *var = v;
    *t = band - xv->first_band[v];
}

static void describe_band(xav_xv *xv, int b)
{
    const xv_folder *f = xv->f;
    int v, t;
    const xv_rule *rule;
    char iso[64] = "";
    char **md;
    split(xv, b, &v, &t);
    rule = &f->rules[f->vars[v].rule];
    md = CSLDuplicate(f->vars[v].attrs);
    md = CSLSetNameValue(md, "NETCDF_VARNAME", f->vars[v].name);
    if (rule->times != NULL) {
        md = CSLSetNameValue(md, CPLSPrintf("NETCDF_DIM_%s", rule->dims[0]),
                             CPLSPrintf("%.17g", rule->times[t]));
        if (xav_time_to_iso(rule->times[t], rule->time_units,
                            rule->time_calendar, iso, sizeof(iso)) != 0)
            CPLsnprintf(iso, sizeof(iso), "%.17g", rule->times[t]);
    } else
        CPLsnprintf(iso, sizeof(iso), "%d", t);
    xv->descriptions[b] = CPLStrdup(CPLSPrintf("%s %s", f->vars[v].name, iso));
    xv->band_md[b] = md;
}

static int make_converters(xav_xv *xv)
{
    const xv_folder *f = xv->f;
    int r, k;
    xv->conv = (xav_converter ***)CPLCalloc(f->nrules, sizeof(void *));
    for (r = 0; r < f->nrules; r++) {
        xv->conv[r] =
            (xav_converter **)CPLCalloc(f->rules[r].nvideos, sizeof(void *));
        for (k = 0; k < f->rules[r].nvideos; k++)
            if ((xv->conv[r][k] = xav_converter_new(
                     f->rules[r].videos[k].out_pix_fmt)) == NULL)
                return -1;
    }
    return 0;
}

int xav_xv_identify(const char *path)
{
    return xv_folder_identify(path);
}

xav_xv *xav_xv_open(const char *folder)
{
    xav_xv *xv = (xav_xv *)CPLCalloc(1, sizeof(xav_xv));
    int v, b, r, k;
    if ((xv->f = xv_folder_open(folder)) == NULL || make_converters(xv) != 0) {
        xav_xv_close(xv);
        return NULL;
    }
    xv->first_band = (int *)CPLMalloc((xv->f->nvars + 1) * sizeof(int));
    for (v = 0; v < xv->f->nvars; v++) {
        xv->first_band[v] = xv->nbands;
        xv->nbands += xv->f->rules[xv->f->vars[v].rule].frames;
        if (xv->nbands > XAV_MAX_BANDS) {
            CPLError(CE_Failure, CPLE_NotSupported,
                     "XAVIDEO: %s has more than %d bands (variables x time "
                     "steps).",
                     folder, XAV_MAX_BANDS);
            xv->nbands = 0;
            xav_xv_close(xv);
            return NULL;
        }
    }
    xv->descriptions = (char **)CPLCalloc(xv->nbands + 1, sizeof(char *));
    xv->band_md = (char ***)CPLCalloc(xv->nbands + 1, sizeof(char **));
    for (b = 0; b < xv->nbands; b++)
        describe_band(xv, b);
    xv->files = CSLAddString(NULL, CPLFormFilename(folder, "x.nc", NULL));
    for (r = 0; r < xv->f->nrules; r++)
        for (k = 0; k < xv->f->rules[r].nvideos; k++)
            xv->files = CSLAddString(xv->files, xv->f->rules[r].videos[k].path);
    return xv;
}

void xav_xv_close(xav_xv *xv)
{
    int r, k;
    if (xv == NULL)
        return;
    for (r = 0; xv->conv != NULL && r < xv->f->nrules; r++) {
        for (k = 0; xv->conv[r] != NULL && k < xv->f->rules[r].nvideos; k++)
            xav_converter_free(xv->conv[r][k]);
        CPLFree(xv->conv[r]);
    }
    CPLFree(xv->conv);
    for (k = 0; xv->band_md != NULL && k < xv->nbands; k++)
        CSLDestroy(xv->band_md[k]);
    CPLFree(xv->band_md);
    CSLDestroy(xv->descriptions);
    CSLDestroy(xv->files);
    CPLFree(xv->first_band);
    xv_folder_close(xv->f);
    CPLFree(xv);
}

int xav_xv_width(const xav_xv *xv)
{
    return xv->f->width;
}

int xav_xv_height(const xav_xv *xv)
{
    return xv->f->height;
}

int xav_xv_band_count(const xav_xv *xv)
{
    return xv->nbands;
}

GDALDataType xav_xv_band_type(const xav_xv *xv, int band)
{
    int v, t;
    split(xv, band, &v, &t);
    return xv_folder_type(xv->f, v);
}

const char *xav_xv_band_description(const xav_xv *xv, int band)
{
    return xv->descriptions[band];
}

CSLConstList xav_xv_band_metadata(const xav_xv *xv, int band)
{
    return xv->band_md[band];
}

CSLConstList xav_xv_metadata(const xav_xv *xv)
{
    return xv->f->metadata;
}

CSLConstList xav_xv_file_list(const xav_xv *xv)
{
    return xv->files;
}

int xav_xv_geotransform(const xav_xv *xv, double *gt)
{
    if (!xv->f->has_geotransform)
        return -1;
    memcpy(gt, xv->f->geotransform, 6 * sizeof(double));
    return 0;
}

const char *xav_xv_crs_wkt(const xav_xv *xv)
{
    return xv->f->crs_wkt;
}

uint64_t xav_xv_decoded_frames(const xav_xv *xv)
{
    return xv->decoded;
}

/* One channel's plane at time t, as xarrayvideo decodes it. */
typedef struct {
    const uint8_t *data;
    int linesize;
    int wide; /* 16-bit codes */
} plane;

/* Whether a converted frame is what the folder says: the raster's size
 * (transposed or not), three planes, codes of the rule's bits. */
static int frame_fits(const xv_folder *f, const xv_rule *rule,
                      const xv_video *video, const xav_frame *frame)
{
    const int fw = f->transposed ? f->height : f->width;
    const int fh = f->transposed ? f->width : f->height;
    if (xav_frame_width(frame) == fw && xav_frame_height(frame) == fh &&
        xav_frame_plane_count(frame) >= 3 &&
        xav_frame_code_bytes(frame) == (rule->bits > 8 ? 2 : 1))
        return 1;
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: %s has %dx%d %s frames; its tag and the folder say "
             "%dx%d, three planes of %d bits.",
             video->path, xav_frame_width(frame), xav_frame_height(frame),
             xav_frame_format(frame), fw, fh, rule->bits);
    return 0;
}

static int channel_plane(xav_xv *xv, int r, int c, int t, plane *p)
{
    const xv_rule *rule = &xv->f->rules[r];
    const xv_video *video = &rule->videos[c / 3];
    const xav_frame *frame =
        xav_stream_reader_frame(video->reader, t, &xv->decoded);
    if (frame == NULL ||
        (frame = xav_converter_run(xv->conv[r][c / 3], frame)) == NULL ||
        !frame_fits(xv->f, rule, video, frame))
        return -1;
    p->data = xav_frame_plane(frame, video->plane_of[c % 3], &p->linesize);
    p->wide = xav_frame_code_bytes(frame) == 2;
    return 0;
}

static unsigned code_at(const plane *p, int fx, int fy)
{
    const uint8_t *row = p->data + (size_t)fy * p->linesize;
    return p->wide ? ((const uint16_t *)row)[fx] : row[fx];
}

/* video2xarray's denormalize, in float32 as numpy computes it:
 * code / (2^bits - 1) * (max - min) + min. */
static float scaled(const xv_rule *rule, int c, unsigned code)
{
    const float top = (float)((1 << rule->bits) - 1);
    const float span = (float)(rule->range[c][1] - rule->range[c][0]);
    const float low = (float)rule->range[c][0];
    float v = (float)code / top;
    v = v * span;
    return v + low;
}

/* Pixel (fx, fy) of the frame goes to the raster's (x, y). */
static size_t raster_index(const xv_folder *f, int fx, int fy)
{
    return f->transposed ? (size_t)fx * f->width + fy
                         : (size_t)fy * f->width + fx;
}

static int read_channel(xav_xv *xv, int r, int c, int t, GDALDataType type,
                        void *out)
{
    const xv_folder *f = xv->f;
    const xv_rule *rule = &f->rules[r];
    const int fw = f->transposed ? f->height : f->width;
    const int fh = f->transposed ? f->width : f->height;
    plane p;
    int fx, fy;
    if (channel_plane(xv, r, c, t, &p) != 0)
        return -1;
    for (fy = 0; fy < fh; fy++)
        for (fx = 0; fx < fw; fx++) {
            const unsigned code = code_at(&p, fx, fy);
            const size_t i = raster_index(f, fx, fy);
            if (type == GDT_Float32)
                ((float *)out)[i] = scaled(rule, c, code);
            else if (type == GDT_UInt16)
                ((uint16_t *)out)[i] = (uint16_t)code;
            else
                ((uint8_t *)out)[i] = (uint8_t)code;
        }
    return 0;
}

/* PCA undone for band b of rule r: mean + components . matrix, summed in
 * float32 like numpy's float32 dot. */
static int read_pca_band(xav_xv *xv, int r, int b, int t, float *out)
{
    const xv_rule *rule = &xv->f->rules[r];
    const size_t n = (size_t)xv->f->width * xv->f->height;
    float *comp = (float *)VSI_MALLOC2_VERBOSE(n, sizeof(float));
    size_t i;
    int k, rc = comp != NULL ? 0 : -1;
    for (i = 0; i < n && rc == 0; i++)
        out[i] = 0;
    for (k = 0; k < rule->nchannels && rc == 0; k++) {
        const float m = rule->pca_matrix[(size_t)k * rule->pca_bands + b];
        rc = read_channel(xv, r, k, t, GDT_Float32, comp);
        for (i = 0; i < n && rc == 0; i++)
            out[i] += comp[i] * m;
    }
    for (i = 0; i < n && rc == 0; i++)
        out[i] += rule->pca_mean[b];
    VSIFree(comp);
    return rc;
}

int xav_xv_read_band(xav_xv *xv, int band, void *buffer)
{
    int v, t;
    const xv_variable *var;
    if (band < 0 || band >= xv->nbands) {
        CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: no band %d.", band);
        return -1;
    }
    split(xv, band, &v, &t);
    var = &xv->f->vars[v];
    if (xv->f->rules[var->rule].pca_bands > 0)
        return read_pca_band(xv, var->rule, var->index, t, (float *)buffer);
    return read_channel(xv, var->rule, var->index, t, xv_folder_type(xv->f, v),
                        buffer);
}
