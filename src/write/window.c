/* window: see window.h. */
#include "window.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_vsi.h"

#include "describe.h"
#include "quantize.h"

static size_t block_pixels(const xav_desc *d)
{
    return (size_t)xav_desc_block_width(d) * xav_desc_block_height(d);
}

void xav_window_free(const xav_desc *d, xav_window *win)
{
    int v, c;
    for (v = 0; win->values != NULL && v < d->nvars; v++) {
        VSIFree(win->values[v]);
        VSIFree(win->raw[v]);
        VSIFree(win->mask[v]);
    }
    for (c = 0; c < XAV_MAX_CHANNELS; c++)
        VSIFree(win->planes[c]);
    CPLFree(win->values);
    CPLFree(win->raw);
    CPLFree(win->mask);
    VSIFree(win->valid);
    memset(win, 0, sizeof(*win));
}

int xav_window_alloc(const xav_desc *d, xav_window *win)
{
    const size_t n = block_pixels(d);
    int v, c, ok = 1;
    memset(win, 0, sizeof(*win));
    win->values = (double **)CPLCalloc(d->nvars, sizeof(double *));
    win->raw = (void **)CPLCalloc(d->nvars, sizeof(void *));
    win->mask = (uint8_t **)CPLCalloc(d->nvars, sizeof(uint8_t *));
    for (v = 0; v < d->nvars && ok; v++) {
        win->values[v] = (double *)VSI_MALLOC2_VERBOSE(n, sizeof(double));
        win->mask[v] = (uint8_t *)VSI_MALLOC_VERBOSE(n);
        if (xav_quant_raw(&d->vars[v]))
            ok = (win->raw[v] = VSI_MALLOC2_VERBOSE(
                      n, GDALGetDataTypeSizeBytes(d->vars[v].type))) != NULL;
        ok &= win->values[v] != NULL && win->mask[v] != NULL;
    }
    for (c = 0; c < XAV_MAX_CHANNELS && ok; c++)
        ok = (win->planes[c] =
                  (uint16_t *)VSI_MALLOC2_VERBOSE(n, sizeof(uint16_t))) != NULL;
    ok = ok && (win->valid = (uint8_t *)VSI_MALLOC_VERBOSE(n)) != NULL;
    if (!ok)
        xav_window_free(d, win);
    return ok ? 0 : -1;
}

void xav_window_set_tile(const xav_desc *d, xav_window *win, int k)
{
    xav_desc_tile_rect(d, k, &win->x, &win->y, &win->w, &win->h);
}

size_t xav_window_pixels(const xav_window *win)
{
    return (size_t)win->w * win->h;
}

static int read_band(const xav_window *win, GDALRasterBandH band, void *buf,
                     GDALDataType type)
{
    return GDALRasterIO(band, GF_Read, win->x, win->y, win->w, win->h, buf,
                        win->w, win->h, type, 0, 0) == CE_None
               ? 0
               : -1;
}

/* The mask code of a valid value: an exceptional value's own, or VALID. */
static uint8_t valid_code(const xav_variable *var, double x)
{
    int k;
    for (k = 0; k < var->nexceptions; k++)
        if (x == var->exceptions[k])
            return (uint8_t)(XAV_MASK_EXCEPTION + k);
    return XAV_MASK_VALID;
}

/* Mask codes of one lossy frame: invalid pixels are what the source's mask
 * says (nodata, alpha, per-dataset mask) plus non-finite values, which no
 * lossy code can carry; and the variable's exceptional values, kept
 * exactly. A pixel outside the mask is XAV_MASK_NODATA even when it is
 * NaN: a mask band of its own gives it back as masked. Returns the count
 * of pixels not VALID, or -1. */
static long read_validity(xav_window *win, const xav_variable *var,
                          GDALRasterBandH band, int v)
{
    const size_t n = xav_window_pixels(win);
    const double *x = win->values[v];
    uint8_t *m = win->mask[v];
    long invalid = 0;
    size_t i;
    if (GDALGetMaskFlags(band) & GMF_ALL_VALID) {
        memset(m, XAV_MASK_VALID, n);
    } else if (read_band(win, GDALGetMaskBand(band), m, GDT_Byte) != 0) {
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (m[i] == 0)
            m[i] = XAV_MASK_NODATA;
        else if (isnan(x[i]))
            m[i] = XAV_MASK_NAN;
        else if (isinf(x[i]))
            m[i] = x[i] > 0 ? XAV_MASK_POSINF : XAV_MASK_NEGINF;
        else
            m[i] = valid_code(var, x[i]);
        invalid += m[i] != XAV_MASK_VALID;
    }
    return invalid;
}

/* Mask codes of one lossless frame whose source has a mask band of its
 * own: the values are exact whatever the mask says; it only marks the
 * pixels outside it. Returns their count, or -1. */
static long read_mask_band(xav_window *win, GDALRasterBandH band, int v)
{
    const size_t n = xav_window_pixels(win);
    uint8_t *m = win->mask[v];
    long outside = 0;
    size_t i;
    if (read_band(win, GDALGetMaskBand(band), m, GDT_Byte) != 0)
        return -1;
    for (i = 0; i < n; i++) {
        m[i] = m[i] == 0 ? XAV_MASK_NODATA : XAV_MASK_VALID;
        outside += m[i] == XAV_MASK_NODATA;
    }
    return outside;
}

/* A frame whose band declares another nodata than its variable
 * (describe.c): its nodata pixels take the variable's, which lossy ones
 * read back as anyway (xav_mask_nodata_value), so that lossless ones and a
 * table of values (scan.c) have it too. */
static void take_variable_nodata(xav_window *win, const xav_variable *var,
                                 GDALRasterBandH band, int v)
{
    const size_t n = xav_window_pixels(win);
    const int size = GDALGetDataTypeSizeBytes(var->type);
    GByte own[8], ours[8];
    GByte *raw = (GByte *)win->raw[v];
    int has = 0;
    const double nodata = xav_source_nodata(band, &has);
    size_t i;
    if (!has || !var->has_nodata || xav_same_number(nodata, var->nodata))
        return;
    if (!xav_quant_raw(var)) {
        for (i = 0; i < n; i++)
            if (xav_same_number(win->values[v][i], nodata))
                win->values[v][i] = var->nodata;
        return;
    }
    xav_values_to_type(&nodata, 0, var->type, own, 1);
    xav_values_to_type(&var->nodata, 0, var->type, ours, 1);
    for (i = 0; i < n; i++)
        if (memcmp(raw + i * size, own, size) == 0)
            memcpy(raw + i * size, ours, size);
}

long xav_window_read(const xav_copy *cs, xav_window *win, int v, int t)
{
    const xav_variable *var = &cs->d->vars[v];
    GDALRasterBandH band =
        GDALGetRasterBand(cs->src, xav_desc_band_index(cs->d, v, t) + 1);
    long rc;
    CPLAcquireMutex(cs->src_lock, 1000.0);
    if (xav_quant_raw(var))
        rc = read_band(win, band, win->raw[v], var->type);
    else
        rc = read_band(win, band, win->values[v], GDT_Float64);
    if (rc == 0)
        take_variable_nodata(win, var, band, v);
    if (rc == 0 && !var->lossless)
        rc = read_validity(win, var, band, v);
    else if (rc == 0 && var->mask_band != XAV_MASK_BAND_NONE)
        rc = read_mask_band(win, band, v);
    CPLReleaseMutex(cs->src_lock);
    return rc;
}
