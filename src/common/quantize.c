/* quantize: see quantize.h. */
#include "quantize.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"

int xav_bits_words(GDALDataType type)
{
    return GDALGetDataTypeSizeBytes(type);
}

static int type_bits(GDALDataType type)
{
    return GDALGetDataTypeSizeBytes(type) == 1 ? 8 : 16;
}

int xav_quant_plan(xav_variable *v, int bits)
{
    double maxcode = (double)((1 << bits) - 1);
    double range = v->valid_max - v->valid_min;
    int is_int = !GDALDataTypeIsFloating(v->type);
    v->words = 1;
    v->q_offset = 0;
    v->q_scale = 1;
    if (v->lossless && GDALGetDataTypeSizeBytes(v->type) > 2) {
        v->quant = XAV_QUANT_BITS;
        v->words = xav_bits_words(v->type);
        return 8;
    }
    if (v->lossless) { /* 8/16-bit integers: shift signed ones to [0, 2^n) */
        v->quant = XAV_QUANT_INTEGER;
        v->q_offset = GDALDataTypeIsSigned(v->type)
                          ? -(double)(1 << (type_bits(v->type) - 1))
                          : 0;
        return type_bits(v->type);
    }
    if (!(range > 0)) { /* one valid value, or none: nothing to code */
        v->quant = XAV_QUANT_CONSTANT;
        v->q_offset = range == 0 ? v->valid_min : 0;
        return 8;
    }
    if (is_int && 2 * range > maxcode && range <= maxcode) {
        v->quant = XAV_QUANT_INTEGER;
        /* keep codes equal to values where they fit: easier to inspect */
        v->q_offset =
            v->valid_min >= 0 && v->valid_max <= maxcode ? 0 : v->valid_min;
        return bits;
    }
    /* Narrower integers are stretched over every code like floats: the
     * codec errs by about as many codes on every band, so a band of 80
     * values coded as is (Landsat 8's cirrus, 12 bits) came back at 19 dB
     * where its siblings had 52 (doc/rd/README.md). */
    v->quant = XAV_QUANT_LINEAR;
    v->q_offset = v->valid_min;
    v->q_scale = range / maxcode;
    return bits;
}

double xav_quant_step12(const xav_variable *v)
{
    return ldexp(v->q_scale, v->bits - 12);
}

void xav_quant_encode_row(const xav_variable *v, int bits, const double *values,
                          size_t n, uint16_t *codes)
{
    const double maxcode = (double)((1 << bits) - 1);
    const double inv = 1.0 / v->q_scale, off = v->q_offset;
    size_t i;
    if (v->quant == XAV_QUANT_CONSTANT) {
        memset(codes, 0, n * sizeof(*codes));
        return;
    }
    /* a lattice's codes are its integers k: rounding finds them exactly */
    for (i = 0; i < n; i++) {
        double c = floor((values[i] - off) * inv + 0.5);
        codes[i] = (uint16_t)(c < 0 ? 0 : c > maxcode ? maxcode : c);
    }
}

void xav_quant_decode_row(const xav_variable *v, const void *codes,
                          int bytes_per_code, size_t n, double *values)
{
    const double scale = v->q_scale, off = v->q_offset;
    size_t i;
    if (v->quant == XAV_QUANT_CONSTANT) {
        for (i = 0; i < n; i++)
            values[i] = off;
        return;
    }
    if (bytes_per_code == 1) {
        const uint8_t *c = (const uint8_t *)codes;
        for (i = 0; i < n; i++)
            values[i] = off + scale * c[i];
    } else {
        const uint16_t *c = (const uint16_t *)codes;
        for (i = 0; i < n; i++)
            values[i] = off + scale * c[i];
    }
}

uint16_t xav_mask_stored(uint8_t code)
{
    return (uint16_t)((code + 1) & 0xFF);
}

void xav_mask_from_stored(const uint8_t *stored, size_t n, int schema_version,
                          uint8_t *codes)
{
    size_t i;
    if (schema_version < 2) {
        memcpy(codes, stored, n);
        return;
    }
    for (i = 0; i < n; i++)
        codes[i] = (uint8_t)(stored[i] - 1);
}

int xav_correction_zero(int bits)
{
    return 1 << (bits - 1);
}

/* The largest and smallest values of a type, as doubles. */
static void type_limits(GDALDataType type, double *lo, double *hi)
{
    switch (type) {
    case GDT_Byte:
        *lo = 0, *hi = 255;
        break;
    case GDT_UInt16:
        *lo = 0, *hi = 65535;
        break;
    case GDT_Int16:
        *lo = -32768, *hi = 32767;
        break;
    case GDT_UInt32:
        *lo = 0, *hi = 4294967295.0;
        break;
    case GDT_Int32:
        *lo = -2147483648.0, *hi = 2147483647.0;
        break;
    default: /* floats; 64-bit integers are coded losslessly */
        *lo = -HUGE_VAL, *hi = HUGE_VAL;
    }
}

/* The type's value next to x (up or down): +-1 for integers, one ulp of
 * the type for floats. */
static double neighbour(GDALDataType type, double x, int up)
{
    if (type == GDT_Float32)
        return nextafterf((float)x, up ? HUGE_VALF : -HUGE_VALF);
    if (GDALDataTypeIsFloating(type))
        return nextafter(x, up ? HUGE_VAL : -HUGE_VAL);
    return up ? x + 1 : x - 1;
}

/* nodata's neighbour in the type that a valid pixel reads as: above it,
 * or below when nodata is the type's top (or when below is asked). */
static double beside_nodata(const xav_variable *v, int below)
{
    double lo, hi;
    type_limits(v->type, &lo, &hi);
    return neighbour(v->type, v->nodata, !below && v->nodata < hi);
}

/* x as the type holds it (values are integers wherever the type is an
 * integer one: codes, offsets and steps are). */
static double to_type(GDALDataType type, double x)
{
    double lo, hi;
    if (type == GDT_Float32)
        return (double)(float)x;
    type_limits(type, &lo, &hi);
    return x < lo ? lo : x > hi ? hi : x;
}

/* Corrections of valid pixels, on values the type holds. */
static void apply_corrections(const xav_variable *v, const xav_row_in *in,
                              size_t n, double *typed)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const int code = in->corrections[i];
        if (code == in->correction_zero ||
            (in->mask != NULL && in->mask[i] != XAV_MASK_VALID))
            continue;
        typed[i] =
            code == XAV_CORRECTION_BELOW && v->has_nodata
                ? beside_nodata(v, 1)
                : to_type(v->type, typed[i] + (code - in->correction_zero) *
                                                  v->corr_step);
    }
}

/* A valid pixel never reads as nodata. */
static void keep_off_nodata(const xav_variable *v, const uint8_t *mask,
                            size_t n, double *typed)
{
    const double nodata = to_type(v->type, v->nodata);
    size_t i;
    for (i = 0; i < n; i++)
        if (typed[i] == nodata && (mask == NULL || mask[i] == XAV_MASK_VALID))
            typed[i] = beside_nodata(v, 0);
}

double xav_mask_nodata_value(const xav_variable *v)
{
    return v->has_nodata ? v->nodata : NAN;
}

int xav_mask_code_empty(const xav_variable *v, uint8_t code)
{
    return code == XAV_MASK_NODATA || (code == XAV_MASK_NAN && !v->has_nodata);
}

/* Invalid pixels and exceptional values come back as exactly what they
 * were. */
static void apply_mask(const xav_variable *var, const uint8_t *mask,
                       double *row, size_t n)
{
    const double nodata = xav_mask_nodata_value(var);
    size_t x;
    for (x = 0; x < n; x++) {
        const int m = mask[x];
        if (m == XAV_MASK_VALID)
            continue;
        if (m == XAV_MASK_NAN)
            row[x] = NAN;
        else if (m == XAV_MASK_POSINF)
            row[x] = INFINITY;
        else if (m == XAV_MASK_NEGINF)
            row[x] = -INFINITY;
        else if (m >= XAV_MASK_EXCEPTION &&
                 m < XAV_MASK_EXCEPTION + var->nexceptions)
            row[x] = var->exceptions[m - XAV_MASK_EXCEPTION];
        else
            row[x] = nodata;
    }
}

static double code_at(const void *codes, int bytes_per_code, size_t i)
{
    return bytes_per_code == 1 ? ((const uint8_t *)codes)[i]
                               : ((const uint16_t *)codes)[i];
}

/* XAV_QUANT_MIXED: codes of every variable of the mix -> values. */
static void mix_decode_row(const xav_variable *v, const void *const *codes,
                           int bytes_per_code, size_t n, double *values)
{
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        double x = v->q_offset;
        for (k = 0; k < XAV_MAX_CHANNELS; k++)
            x += v->mix[k] * code_at(codes[k], bytes_per_code, i);
        values[i] = x;
    }
}

/* The matrix m of a mixed stream: value of channel r = offset[r] + sum over
 * c of m[r][c] * code of channel c. Returns its determinant. */
static double mix_matrix(const xav_desc *d, const xav_stream *st,
                         double m[3][3], double offset[3])
{
    int r, k;
    memset(m, 0, 9 * sizeof(double));
    for (r = 0; r < 3; r++) {
        const xav_variable *v = &d->vars[st->var[r]];
        offset[r] = v->q_offset;
        for (k = 0; k < XAV_MAX_CHANNELS; k++)
            m[r][xav_stream_channel_of(st, v->mix_vars[k])] += v->mix[k];
    }
    return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
           m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
           m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

void xav_mix_encode_rows(const xav_desc *d, const xav_stream *st,
                         const double *const *values, size_t n,
                         uint16_t *const *codes)
{
    const double maxcode = (double)((1 << st->bits) - 1);
    double m[3][3], inv[3][3], off[3];
    const double det = mix_matrix(d, st, m, off);
    size_t i;
    int r, c;
    for (r = 0; r < 3; r++) /* the adjugate over the determinant */
        for (c = 0; c < 3; c++)
            inv[c][r] =
                (m[(r + 1) % 3][(c + 1) % 3] * m[(r + 2) % 3][(c + 2) % 3] -
                 m[(r + 1) % 3][(c + 2) % 3] * m[(r + 2) % 3][(c + 1) % 3]) /
                det;
    for (i = 0; i < n; i++)
        for (r = 0; r < 3; r++) {
            double x = 0;
            for (c = 0; c < 3; c++)
                x += inv[r][c] * (values[c][i] - off[c]);
            x = floor(x + 0.5);
            codes[r][i] = (uint16_t)(x < 0 ? 0 : x > maxcode ? maxcode : x);
        }
}

void xav_values_to_type(const double *x, size_t stride, GDALDataType type,
                        void *out, size_t n)
{
    size_t i;
    if (type == GDT_Int64) {
        int64_t *o = (int64_t *)out;
        for (i = 0; i < n; i++) {
            const double v = floor(x[i * stride] + 0.5);
            o[i] = !(v < 9223372036854775807.0)    ? INT64_MAX
                   : !(v > -9223372036854775808.0) ? INT64_MIN
                                                   : (int64_t)v;
        }
    } else if (type == GDT_UInt64) {
        uint64_t *o = (uint64_t *)out;
        for (i = 0; i < n; i++) {
            const double v = floor(x[i * stride] + 0.5);
            o[i] = !(v < 18446744073709551615.0) ? UINT64_MAX
                   : !(v > 0)                    ? 0
                                                 : (uint64_t)v;
        }
    } else
        GDALCopyWords64(x, GDT_Float64, (int)(stride * sizeof(double)), out,
                        type, GDALGetDataTypeSizeBytes(type), (GPtrDiff_t)n);
}

void xav_reconstruct_row(const xav_variable *v, const xav_row_in *in, size_t n,
                         double *scratch, void *out)
{
    const int size = GDALGetDataTypeSizeBytes(v->type);
    /* lossless variables keep their nodata pixels as they are */
    const int off_nodata = !v->lossless && v->has_nodata && !isnan(v->nodata);
    if (v->quant == XAV_QUANT_MIXED)
        mix_decode_row(v, in->mixed, in->bytes_per_code, n, scratch);
    else
        xav_quant_decode_row(v, in->codes, in->bytes_per_code, n, scratch);
    if (in->mask != NULL)
        apply_mask(v, in->mask, scratch, n);
    xav_values_to_type(scratch, 1, v->type, out, n);
    if (in->corrections == NULL && !off_nodata)
        return;
    /* from here on, on values as the type holds them */
    GDALCopyWords64(out, v->type, size, scratch, GDT_Float64, 8, (GPtrDiff_t)n);
    if (in->corrections != NULL)
        apply_corrections(v, in, n, scratch);
    if (off_nodata)
        keep_off_nodata(v, in->mask, n, scratch);
    xav_values_to_type(scratch, 1, v->type, out, n);
}

/* Order-preserving maps of a value's bits to unsigned integers. */
static uint64_t to_ordered(GDALDataType type, uint64_t u)
{
    switch (type) {
    case GDT_Float32:
        return (u & 0x80000000u) ? (~u & 0xffffffffu) : (u | 0x80000000u);
    case GDT_Float64:
        return (u >> 63) ? ~u : (u | (1ull << 63));
    case GDT_Int32:
        return u ^ 0x80000000u;
    case GDT_Int64:
        return u ^ (1ull << 63);
    default:
        return u;
    }
}

static uint64_t from_ordered(GDALDataType type, uint64_t u)
{
    switch (type) {
    case GDT_Float32:
        return (u & 0x80000000u) ? (u & 0x7fffffffu) : (~u & 0xffffffffu);
    case GDT_Float64:
        return (u >> 63) ? (u & ~(1ull << 63)) : ~u;
    default: /* the integer maps are their own inverse */
        return to_ordered(type, u);
    }
}

static uint64_t load_raw(const void *raw, size_t i, int size)
{
    if (size == 4) {
        uint32_t u;
        memcpy(&u, (const uint8_t *)raw + i * 4, 4);
        return u;
    } else {
        uint64_t u;
        memcpy(&u, (const uint8_t *)raw + i * 8, 8);
        return u;
    }
}

static void store_raw(uint64_t u, void *raw, size_t i, int size)
{
    if (size == 4) {
        const uint32_t u32 = (uint32_t)u;
        memcpy((uint8_t *)raw + i * 4, &u32, 4);
    } else {
        memcpy((uint8_t *)raw + i * 8, &u, 8);
    }
}

uint64_t xav_key_of(GDALDataType type, const void *raw, size_t i)
{
    return to_ordered(type, load_raw(raw, i, GDALGetDataTypeSizeBytes(type)));
}

void xav_key_store(GDALDataType type, uint64_t key, void *raw, size_t i)
{
    store_raw(from_ordered(type, key), raw, i, GDALGetDataTypeSizeBytes(type));
}

int xav_quant_raw(const xav_variable *v)
{
    return v->lossless && GDALGetDataTypeSizeBytes(v->type) > 2;
}

int xav_table_encode_row(const xav_variable *v, const void *raw, size_t n,
                         uint16_t *codes)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const uint64_t key = xav_key_of(v->type, raw, i);
        int lo = 0, hi = v->table_size - 1;
        while (lo < hi) { /* the first entry >= key */
            const int mid = lo + (hi - lo) / 2;
            if (v->table[mid] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (v->table[lo] != key)
            return -1;
        codes[i] = (uint16_t)lo;
    }
    return 0;
}

int xav_table_decode_row(const xav_variable *v, const void *codes,
                         int bytes_per_code, size_t n, void *raw)
{
    size_t i;
    for (i = 0; i < n; i++) {
        const int k = bytes_per_code == 1 ? ((const uint8_t *)codes)[i]
                                          : ((const uint16_t *)codes)[i];
        if (k >= v->table_size)
            return -1;
        xav_key_store(v->type, v->table[k], raw, i);
    }
    return 0;
}

void xav_bits_encode_row(GDALDataType type, const void *raw, size_t n, int word,
                         uint16_t *codes)
{
    const int size = GDALGetDataTypeSizeBytes(type);
    const int shift = (size - 1 - word) * 8;
    size_t i;
    for (i = 0; i < n; i++)
        codes[i] =
            (uint16_t)((to_ordered(type, load_raw(raw, i, size)) >> shift) &
                       0xff);
}

void xav_bits_decode_row(GDALDataType type, const uint8_t *const *words,
                         size_t n, void *raw)
{
    const int size = GDALGetDataTypeSizeBytes(type), nwords = size;
    size_t i;
    int w;
    for (i = 0; i < n; i++) {
        uint64_t u = 0;
        for (w = 0; w < nwords; w++)
            u = (u << 8) | words[w][i];
        store_raw(from_ordered(type, u), raw, i, size);
    }
}

/* ---- smooth fill ------------------------------------------------------- */

typedef struct {
    int w, h;
    double *v;   /* mean of the valid pixels below */
    double *wgt; /* > 0 where any valid pixel is below */
} level;

/* Coarser level: weighted 2x2 means. */
static void pyramid_down(const level *fine, level *coarse)
{
    int x, y, dx, dy;
    coarse->w = (fine->w + 1) / 2;
    coarse->h = (fine->h + 1) / 2;
    coarse->v =
        (double *)CPLCalloc((size_t)coarse->w * coarse->h, sizeof(double));
    coarse->wgt =
        (double *)CPLCalloc((size_t)coarse->w * coarse->h, sizeof(double));
    for (y = 0; y < coarse->h; y++)
        for (x = 0; x < coarse->w; x++) {
            double sw = 0, sv = 0;
            for (dy = 0; dy < 2; dy++)
                for (dx = 0; dx < 2; dx++) {
                    int fx = 2 * x + dx, fy = 2 * y + dy;
                    size_t k = (size_t)fy * fine->w + fx;
                    if (fx < fine->w && fy < fine->h && fine->wgt[k] > 0) {
                        sw += fine->wgt[k];
                        sv += fine->wgt[k] * fine->v[k];
                    }
                }
            coarse->wgt[(size_t)y * coarse->w + x] = sw;
            coarse->v[(size_t)y * coarse->w + x] = sw > 0 ? sv / sw : 0;
        }
}

/* Fills the empty pixels of fine by bilinear interpolation of the (full)
 * coarse level. */
static void pyramid_up(const level *coarse, level *fine)
{
    int x, y;
    for (y = 0; y < fine->h; y++) {
        double cy = (y + 0.5) / 2 - 0.5;
        int y0 = (int)floor(cy), y1;
        double ty = cy - y0;
        y0 = y0 < 0 ? 0 : y0;
        y1 = y0 + 1 < coarse->h ? y0 + 1 : y0;
        for (x = 0; x < fine->w; x++) {
            size_t k = (size_t)y * fine->w + x;
            double cx = (x + 0.5) / 2 - 0.5, tx;
            int x0 = (int)floor(cx), x1;
            const double *c = coarse->v;
            if (fine->wgt[k] > 0)
                continue;
            tx = cx - x0;
            x0 = x0 < 0 ? 0 : x0;
            x1 = x0 + 1 < coarse->w ? x0 + 1 : x0;
            fine->v[k] = (1 - ty) * ((1 - tx) * c[(size_t)y0 * coarse->w + x0] +
                                     tx * c[(size_t)y0 * coarse->w + x1]) +
                         ty * ((1 - tx) * c[(size_t)y1 * coarse->w + x0] +
                               tx * c[(size_t)y1 * coarse->w + x1]);
        }
    }
}

void xav_fill_invalid(double *values, const uint8_t *valid, int width,
                      int height)
{
    level levels[64];
    int n = 1, i;
    size_t k, count = (size_t)width * height;
    levels[0].w = width;
    levels[0].h = height;
    levels[0].v = values;
    levels[0].wgt = (double *)CPLMalloc(count * sizeof(double));
    for (k = 0; k < count; k++) {
        levels[0].wgt[k] = valid[k] ? 1 : 0;
        if (!valid[k])
            values[k] = 0;
    }
    while (levels[n - 1].w > 1 || levels[n - 1].h > 1) {
        pyramid_down(&levels[n - 1], &levels[n]);
        n++;
    }
    /* the 1x1 top is the mean of every valid pixel (0 if none) */
    for (i = n - 2; i >= 0; i--)
        pyramid_up(&levels[i + 1], &levels[i]);
    for (i = 0; i < n; i++) {
        CPLFree(levels[i].wgt);
        if (i > 0)
            CPLFree(levels[i].v);
    }
}
