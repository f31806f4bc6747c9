/* plan: see plan.h. */
#include "plan.h"

#include <float.h>
#include <math.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "decorrelate.h"
#include "layout.h"
#include "metrics.h"
#include "quantize.h"

int xav_check_tile_size(int size)
{
    if (size <= XAV_MAX_FRAME_SIZE)
        return 0;
    CPLError(CE_Failure, CPLE_IllegalArg,
             "XAVIDEO: TILE_SIZE=%d is larger than the codecs take (%d).", size,
             XAV_MAX_FRAME_SIZE);
    return -1;
}

int xav_plan_tiles(xav_copy *cs)
{
    xav_desc *d = cs->d;
    int size = cs->opt.tile_size;
    if (xav_check_tile_size(size) != 0)
        return -1;
    if (size == 0 &&
        (d->width > XAV_MAX_FRAME_SIZE || d->height > XAV_MAX_FRAME_SIZE)) {
        size = XAV_DEFAULT_TILE_SIZE;
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: %dx%d pixels do not fit one frame (at most %d); "
                 "tiled at TILE_SIZE=%d.",
                 d->width, d->height, XAV_MAX_FRAME_SIZE, size);
    }
    d->tile_width = d->tile_height = size;
    return 0;
}

static int plan_max_error(xav_variable *var, double e)
{
    const double max_abs = MAX(fabs(var->valid_min), fabs(var->valid_max));
    var->max_error = e;
    var->corr_step = xav_correction_step(var->type, e, max_abs);
    if (var->corr_step > 0)
        return 0;
    CPLError(CE_Failure, CPLE_IllegalArg,
             "XAVIDEO: MAX_ERROR=%g is finer than %s can hold for %s, whose "
             "values reach %g; use LOSSLESS=YES.",
             e, GDALGetDataTypeName(var->type), var->name, max_abs);
    return -1;
}

/* The bound every lossy variable gets unless MAX_ERROR says: 64 codes of
 * its 12-bit quantization (a 64th of its valid range; 4 codes at 8 bits),
 * at the default quality. On the real cubes, x265 at CRF 4 leaves 0.01 to
 * 0.1 % of pixels beyond it (doc/quality.md), so well-behaved data pays
 * next to nothing for the guarantee. It follows the quality asked: the
 * quantizer's step doubles every 6 CRF or QP, and TARGET_PSNR sets the
 * error's RMS (6 RMS at the default quality). Never finer than the type
 * holds. */
#define XAV_BOUND_CODES 64.0
#define XAV_BOUND_RMS 6.0

static double default_bound(const xav_variable *var,
                            const xav_create_options *o)
{
    const double range = var->valid_max - var->valid_min;
    const double max_abs = MAX(fabs(var->valid_min), fabs(var->valid_max));
    const double rounding =
        max_abs * (var->type == GDT_Float32 ? FLT_EPSILON : DBL_EPSILON);
    double e;
    if (xav_plan_residual(o)) {
        /* every error within the RMS the target allows: the target holds */
        e = range * pow(10, -o->target_psnr / 20);
        if (!GDALDataTypeIsFloating(var->type) && e < 1)
            return 0.5; /* corrections of one unit: exact */
    } else if (o->target_psnr > 0)
        e = XAV_BOUND_RMS * range * pow(10, -o->target_psnr / 20);
    else
        e = XAV_BOUND_CODES * xav_quant_step12(var) *
            pow(2, ((o->qp >= 0 ? o->qp : o->crf) - XAV_DEFAULT_CRF) / 6.0);
    if (!GDALDataTypeIsFloating(var->type))
        return MAX(1, floor(e));
    return MAX(e, 8 * rounding);
}

/* A lattice's codes, coded exactly, meet a bound e that its rounding noise
 * (and the type's, reading) stays within, in 16 bits at most. Measured on
 * NDFD MaxT (doc/defaults.md): 1.78 bpppb coded exactly, against lossy
 * codes and their corrections 2.16 at half a step and 1.44 at 1.5 steps:
 * exact below one step. */
#define XAV_LATTICE_BELOW_STEPS 1.0

static int lattice_meets(const xav_variable *var, const xav_lattice *l,
                         double e)
{
    const double max_abs = MAX(fabs(var->valid_min), fabs(var->valid_max));
    const double ulp =
        max_abs * (var->type == GDT_Float32 ? FLT_EPSILON : DBL_EPSILON);
    return l->state == 1 && l->noise + ulp < e &&
           e < XAV_LATTICE_BELOW_STEPS * l->step &&
           (var->valid_max - var->valid_min) / l->step < 65535;
}

/* The lattice's integers as codes, from the lattice point at or below the
 * smallest valid value. */
static void plan_lattice(xav_variable *var, const xav_lattice *l, double e)
{
    const double first =
        l->offset +
        floor((var->valid_min - l->offset) / l->step + 0.5) * l->step;
    var->quant = XAV_QUANT_LATTICE;
    var->q_offset = first;
    var->q_scale = l->step;
    var->bits = 16;
    var->max_error = e;
    var->corr_step = 0;
}

/* A table pays where values repeat: each entry costs about a pixel's
 * bytes, so one per 16 pixels of the variable at most. Lossless GRIB
 * fields hold far fewer (NDFD MaxT: 150 values, nodata included, in 3
 * million pixels). */
#define XAV_TABLE_PIXELS_PER_VALUE 16

/* Codes of a lossless variable that the scan found few values of: their
 * places in the table of them all, in 8 bits where 256 places are enough. */
static void plan_table(xav_variable *var, const xav_distinct *values,
                       double pixels)
{
    size_t n;
    uint64_t *keys;
    if (var->quant != XAV_QUANT_BITS || values->full || values->count == 0 ||
        (double)values->count * XAV_TABLE_PIXELS_PER_VALUE > pixels ||
        (keys = xav_distinct_sorted(values, &n)) == NULL)
        return;
    var->quant = XAV_QUANT_TABLE;
    CPLFree(var->table);
    var->table = keys;
    var->table_size = (int)n;
    var->words = 1;
    var->bits = n <= 256 ? 8 : 16;
}

/* A bound below two steps of a lattice is met best by the table of the
 * values, which gives them all back bit for bit, invalid pixels included
 * (no mask). NDFD MaxT (step 0.1): the table 1.13 bpppb; at 0.0145, its
 * lattice's codes 1.78; lossy with corrections 1.38 at 0.145, 1.19 at 0.2,
 * 1.06 at 0.25. Returns 0 if it planned one. */
#define XAV_TABLE_BELOW_STEPS 2.0

/* var coded exactly instead: every pixel given back, invalid ones too (no
 * mask stream, but for pixels outside a mask band of the source's own). */
static xav_variable exact_copy(const xav_variable *var)
{
    xav_variable lossless = *var;
    lossless.lossless = 1;
    lossless.bits = xav_quant_plan(&lossless, 8);
    lossless.table = NULL;
    lossless.has_mask = var->has_mask && var->mask_band != XAV_MASK_BAND_NONE;
    lossless.nexceptions = 0;
    lossless.max_error = lossless.corr_step = 0;
    return lossless;
}

static int plan_exact_table(xav_variable *var, const xav_distinct *values,
                            double pixels)
{
    xav_variable lossless = exact_copy(var);
    plan_table(&lossless, values, pixels);
    if (lossless.quant != XAV_QUANT_TABLE)
        return -1;
    *var = lossless;
    return 0;
}

/* Integers of fewer levels than this, at a bound below two of them (the
 * default bound for fewer than 128: 64 of 4095 codes stretched over the
 * range), are coded exactly: the stretched lossy codes spend bits on a
 * precision the values do not have. Measured, whole files, lossy default
 * against exact: monthly winds in whole m/s (Int16, 31 levels, 132
 * months) 410 KB against 278; an ice concentration (Int16 percent, 100
 * levels) 10.6 KB against 7.7; its error field (74 levels) 13.7 against
 * 11.4; Landsat 8's cirrus band (81 levels) 8.8 against 8.2. With 310
 * levels (the winds in tenths), a bound of one level costs 437 KB lossy
 * and 710 exact: wide integers stay lossy. */
#define XAV_EXACT_INTEGER_LEVELS 128

/* 64-bit integers beyond 2^53 are not all doubles, which lossy coding
 * reads them as: a value rounded on the way in would be off by up to half
 * a double's step unseen by the bound's check (Int64 near 2^60: 128 at a
 * bound of 1). They are coded exactly, from their bits. */
static int beyond_doubles(const xav_variable *var)
{
    const double exact = 9007199254740992.0; /* 2^53 */
    int k;
    if (var->type != GDT_Int64 && var->type != GDT_UInt64)
        return 0;
    if (fabs(var->valid_min) > exact || fabs(var->valid_max) > exact)
        return 1;
    for (k = 0; k < var->nexceptions; k++)
        if (fabs(var->exceptions[k]) > exact)
            return 1;
    return 0;
}

static int narrow_integers(const xav_variable *var, double e)
{
    return !GDALDataTypeIsFloating(var->type) && e < XAV_TABLE_BELOW_STEPS &&
           var->valid_max - var->valid_min < XAV_EXACT_INTEGER_LEVELS;
}

/* A bound whose corrections cannot reach this many codes of the lossy
 * quantization (16-bit corrections: 32767 steps of 2e+1 for integers, 2e
 * for floats) is met by coding exactly: x265 at the default quality is off
 * by up to 113 to 121 codes on the real cubes (doc/quality.md), which no
 * correction could then undo, and the copy would fail after encoding it
 * all. Measured on 24 months of UWND stretched over Int32 ranges at
 * MAX_ERROR=1 (2026-12): coverage of 64 codes or less failed (1 pixel at
 * 64, 141 at 32, 222384 at 1), 128 and more passed; twice the largest
 * error seen leaves a margin. Exact costs about 2 bits a pixel more than
 * lossy there (18.7 against 16.6 at 256 codes, 16.6 against 14.3 at 1024),
 * at bounds of a millionth of the range. */
#define XAV_COVER_CODES 256.0

static int corrections_fall_short(const xav_variable *var, double e)
{
    const double max_abs = MAX(fabs(var->valid_min), fabs(var->valid_max));
    const double step = xav_correction_step(var->type, e, max_abs);
    return step > 0 && var->q_scale > 0 &&
           (xav_correction_zero(16) - 1) * step <
               XAV_COVER_CODES * var->q_scale;
}

int xav_plan_residual(const xav_create_options *o)
{
    return o->target_psnr >= XAV_RESIDUAL_DB;
}

/* MAX_ERROR=e without CRF, QP or TARGET_PSNR: the bound says what quality
 * is wanted, so a coarse one raises x265's CRF past the default, to
 * XAV_BOUND_CRF_AT_ONE_CODE for a bound of one 12-bit code of the
 * stream's finest variable and 6 more per doubling (the quantizer's step
 * doubles every 6); the corrections take the tail of the codec's error.
 * Measured on five cubes (doc/defaults.md): SAfrica at 3.35, 1.97 bpppb at
 * the default CRF, 0.83 at this one (24); below the default, fine bounds
 * cost more on SST (up to 8 %) than they save on UWND (3 %), so the
 * default is the floor. */
#define XAV_BOUND_CRF_AT_ONE_CODE (-18.0)

static void plan_bound_quality(xav_copy *cs)
{
    xav_desc *d = cs->d;
    int s, c;
    if (!(cs->opt.max_error > 0) || cs->opt.crf_given || cs->opt.qp >= 0 ||
        cs->opt.target_psnr > 0)
        return;
    for (s = 0; s < d->nstreams; s++) {
        xav_stream *st = &d->streams[s];
        double crf = XAV_CRF_MAX(st->codec);
        if (!xav_stream_is_lossy(st) || st->codec != XAV_CODEC_X265)
            continue;
        for (c = 0; c < st->channels; c++) {
            const xav_variable *v = &d->vars[st->var[c]];
            const double code = xav_quant_step12(v);
            if (v->max_error > 0 && code > 0)
                crf = MIN(crf, XAV_BOUND_CRF_AT_ONE_CODE +
                                   6 * log2(v->max_error / code));
        }
        st->crf =
            (int)MAX(st->crf, MIN(XAV_CRF_MAX(st->codec), floor(crf + 0.5)));
    }
}

/* Tiles with no valid pixel at any time step lose their streams and file
 * (model.h): only where every variable is lossy and masked, so that the
 * mask says what each pixel was; never tile 0, whose file carries the
 * embedded description. A tile of WaveH's land cost 6 to 7.5 KB
 * (doc/defaults.md). */
static void leave_out_empty_tiles(xav_copy *cs)
{
    xav_desc *d = cs->d;
    int v, k;
    if (cs->tile_valid == NULL)
        return; /* not scanned */
    for (v = 0; v < d->nvars; v++)
        if (d->vars[v].lossless || !d->vars[v].has_mask ||
            d->vars[v].mask_band != XAV_MASK_BAND_NONE)
            return; /* a mask band's tile may hold NaN inside the mask */
    for (k = 1; k < xav_desc_tile_count(d); k++)
        if (!cs->tile_valid[k])
            xav_desc_empty_tile(d, k);
}

int xav_plan_coding(xav_copy *cs)
{
    xav_desc *d = cs->d;
    const double pixels = (double)d->width * d->height * d->ntimes;
    int v;
    for (v = 0; v < d->nvars; v++) {
        xav_variable *var = &d->vars[v];
        const int bits = cs->opt.bits            ? cs->opt.bits
                         : var->type == GDT_Byte ? 8
                                                 : 12;
        double e;
        var->bits = xav_quant_plan(var, bits);
        if (var->lossless && cs->values != NULL && cs->opt.value_table)
            plan_table(var, &cs->values[v], pixels);
        if (!var->lossless && beyond_doubles(var))
            *var = exact_copy(var);
        if (var->lossless || var->quant == XAV_QUANT_CONSTANT)
            continue; /* exact */
        e = cs->opt.max_error > 0 ? cs->opt.max_error
                                  : default_bound(var, &cs->opt);
        if (narrow_integers(var, e)) {
            *var = exact_copy(var);
            continue;
        }
        if (cs->lattice != NULL && cs->opt.value_table &&
            cs->lattice[v].state == 1 &&
            e < XAV_TABLE_BELOW_STEPS * cs->lattice[v].step &&
            plan_exact_table(var, &cs->values[v], pixels) == 0)
            continue; /* exact */
        if (cs->lattice != NULL && lattice_meets(var, &cs->lattice[v], e))
            plan_lattice(var, &cs->lattice[v], e);
        else if (corrections_fall_short(var, e))
            *var = exact_copy(var);
        else if (plan_max_error(var, e) != 0)
            return -1;
    }
    if (cs->append != NULL &&
        xav_append_impose(cs->append, d, cs->lattice) != 0)
        return -1;
    if (xav_layout_plan(d, &cs->opt) != 0)
        return -1;
    plan_bound_quality(cs);
    if (xav_plan_decorrelation(cs) != 0)
        return -1;
    leave_out_empty_tiles(cs);
    return 0;
}
