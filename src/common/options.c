/* options: see options.h. Defaults are justified in doc/defaults.md. */
#include "options.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cpl_error.h"
#include "cpl_multiproc.h"
#include "xavideo.h"

#define XAV_DEFAULT_PRESET "medium"
#define XAV_DEFAULT_GOP 16

static const char creation_options[] =
    "<CreationOptionList>"
    "  <Option name='CODEC' type='string-select' default='X265' "
    "description='Video codec: X265 (lossy HEVC), AV1 (lossy, libaom: "
    "fewer bits at mid quality, slower) or FFV1 (lossless)'>"
    "    <Value>X265</Value><Value>AV1</Value><Value>FFV1</Value>"
    "  </Option>"
    "  <Option name='LOSSLESS' type='boolean' default='NO' "
    "description='Bit-exact coding of every band (uses FFV1)'/>"
    "  <Option name='VALUE_TABLE' type='boolean' default='YES' "
    "description='Code a variable of at most 65536 distinct values, where "
    "exact, as places in a table of them (lossless GRIB fields; a "
    "MAX_ERROR below two steps of their lattice): NO for pieces encoded "
    "apart to be assembled, whose tables would differ'/>"
    "  <Option name='DECORRELATE' type='boolean' default='YES' "
    "description='Code three correlated lossy variables that share an "
    "x265 stream (the bands of a multispectral image) as their principal "
    "components: NO for pieces encoded apart to be assembled, whose "
    "transforms would differ'/>"
    "  <Option name='BITS' type='int' min='8' max='12' "
    "description='Bit depth of lossy streams: 8, 10 or 12 (default 8 for "
    "Byte data, 12 otherwise)'/>"
    "  <Option name='CRF' type='int' min='0' max='63' "
    "description='Constant rate factor, lower is better quality: x265 0-51 "
    "(default 6), AV1 0-63 (default 5)'/>"
    "  <Option name='QP' type='int' min='0' max='51' "
    "description='x265 constant QP instead of CRF; QP=0 is the highest "
    "quality x265 gives short of lossless (default: unset, CRF applies)'/>"
    "  <Option name='PRESET' type='string-select' default='medium' "
    "description='x265 speed/compression preset'>"
    "    <Value>ultrafast</Value><Value>superfast</Value>"
    "    <Value>veryfast</Value><Value>faster</Value><Value>fast</Value>"
    "    <Value>medium</Value><Value>slow</Value><Value>slower</Value>"
    "    <Value>veryslow</Value><Value>placebo</Value>"
    "  </Option>"
    "  <Option name='GOP' type='int' min='1' max='1024' default='16' "
    "description='Keyframe interval in time steps: bounds the cost of a "
    "random read'/>"
    "  <Option name='TILE_SIZE' type='int' min='0' max='8192' default='512' "
    "description='Tiles of this many pixels square (at least 16), each its "
    "own file of streams, so a window decodes only the tiles it touches; 0 "
    "= one tile where the raster fits a frame (8192)'/>"
    "  <Option name='NUM_THREADS' type='string' default='ALL_CPUS' "
    "description='Tiles encoded at the same time: a number or ALL_CPUS'/>"
    "  <Option name='GROUPS' type='string' "
    "description='Grouping of variables into streams, 1-based, e.g. "
    "\"1,2,3;4;5,6,7\": groups of 1 or 3 variables (default: "
    "automatic: variables coded alike in triples, the rest alone)'/>"
    "  <Option name='BAND_LAYOUT' type='string-select' default='AUTO' "
    "description='How source bands map to (variable, time)'>"
    "    <Value>AUTO</Value><Value>VARIABLE</Value><Value>TIME</Value>"
    "  </Option>"
    "  <Option name='BANDS_PER_TIME' type='int' min='1' "
    "description='Source bands are T blocks of this many variables "
    "(default: unset, BAND_LAYOUT decides)'/>"
    "  <Option name='TIME_VALUES' type='string' "
    "description='Comma-separated time values, one per time step, in "
    "TIME_UNITS (default: the source&apos;s time axis, from netCDF, GRIB or "
    "GDAL&apos;s multidimensional API, if any)'/>"
    "  <Option name='TIME_UNITS' type='string' "
    "description='CF units of TIME_VALUES, e.g. \"days since 2000-01-01\" "
    "(default: the source&apos;s, if any)'/>"
    "  <Option name='TIME_CALENDAR' type='string' "
    "description='CF calendar: standard, gregorian, proleptic_gregorian, "
    "julian, noleap, 365_day, all_leap, 366_day, 360_day (default: the "
    "source&apos;s, else standard)'/>"
    "  <Option name='TIME_NAME' type='string' "
    "description='Name of the time dimension (default: the source&apos;s, "
    "else time)'/>"
    "  <Option name='VARIABLE_NAMES' type='string' "
    "description='Comma-separated variable names, one per variable, "
    "distinct (default: the source&apos;s variable names, else band_1, "
    "band_2, ...)'/>"
    "  <Option name='TARGET_PSNR' type='float' min='0' "
    "description='Lossy coding: each stream gets the highest CRF (fewest "
    "bits) at which every band reaches this PSNR in dB, peak = the "
    "variable&apos;s valid range (default: unset, CRF applies)'/>"
    "  <Option name='VALID_RANGE' type='string' "
    "description='Lossy coding: the range quantized, \"min,max\" for every "
    "variable or \"min,max;min,max;...\" one per variable, instead of the "
    "data&apos;s own; pieces of one dataset encoded apart need the same "
    "(default: unset, the data&apos;s range)'/>"
    "  <Option name='MAX_ERROR' type='float' min='0' "
    "description='Lossy coding: guaranteed bound on the absolute error of "
    "every valid pixel, in the band&apos;s physical units (default: a 64th "
    "of each variable&apos;s valid range, scaled with CRF, QP or "
    "TARGET_PSNR)'/>"
    "  <Option name='APPEND_SUBDATASET' type='boolean' default='NO' "
    "description='Add the source&apos;s time steps after those of the "
    "existing dataset of this name, quantized as it is, without decoding or "
    "encoding what is there (GDAL&apos;s name: without it, GDAL deletes an "
    "existing dataset before a copy)'/>"
    "</CreationOptionList>";

static const char open_options[] =
    "<OpenOptionList>"
    "  <Option name='NUM_THREADS' type='int' min='0' max='1024' default='0' "
    "description='Decoder threads per stream (0 = as many as cores)'/>"
    "  <Option name='CACHE_SIZE' type='int' min='0' max='1048576' "
    "default='256' "
    "description='Memory bound of the decoded-frame cache, in MiB'/>"
    "  <Option name='ALLOW_EXTERNAL_REFERENCES' type='boolean' default='NO' "
    "description='Follow a sidecar&apos;s references to videos outside its "
    "folder (absolute paths, .., other VSI prefixes)'/>"
    "</OpenOptionList>";

const char *xav_creation_option_list(void)
{
    return creation_options;
}

const char *xav_open_option_list(void)
{
    return open_options;
}

static int parse_int(CSLConstList opts, const char *key, int def, int min,
                     int max, int *out)
{
    const char *s = CSLFetchNameValue(opts, key);
    char *end = NULL;
    long v;
    if (s == NULL) {
        *out = def;
        return 0;
    }
    v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || v < min || v > max) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: %s=%s is not an integer from %d to %d.", key, s, min,
                 max);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* YES/NO and their synonyms; anything else is refused rather than read as
 * YES, which is what CPLFetchBool would do. */
static int parse_bool(CSLConstList opts, const char *key, int *out)
{
    static const char *const yes[] = {"YES", "TRUE", "ON", "1"};
    static const char *const no[] = {"NO", "FALSE", "OFF", "0"};
    const char *s = CSLFetchNameValue(opts, key);
    int i;
    *out = FALSE;
    for (i = 0; s != NULL && i < 4; i++) {
        if (EQUAL(s, yes[i]) || EQUAL(s, no[i])) {
            *out = EQUAL(s, yes[i]);
            return 0;
        }
    }
    if (s == NULL)
        return 0;
    CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: %s=%s is not YES or NO.",
             key, s);
    return -1;
}

static int parse_codec(CSLConstList opts, xav_create_options *o)
{
    const char *codec = CSLFetchNameValue(opts, "CODEC");
    int c, found = -1;
    if (parse_bool(opts, "LOSSLESS", &o->lossless) != 0)
        return -1;
    if (codec == NULL) {
        o->codec = o->lossless ? XAV_CODEC_FFV1 : XAV_CODEC_X265;
        return 0;
    }
    for (c = 0; c < XAV_CODEC_COUNT; c++)
        if (EQUAL(codec, xav_codec_name((xav_codec)c)))
            found = c;
    if (found < 0) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: CODEC=%s is not supported; use X265, AV1 or "
                 "FFV1.",
                 codec);
        return -1;
    }
    o->codec = (xav_codec)found;
    o->lossless |= o->codec == XAV_CODEC_FFV1;
    if (o->codec != XAV_CODEC_FFV1 && o->lossless) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: LOSSLESS=YES codes with FFV1; drop CODEC=%s.",
                 codec);
        return -1;
    }
    return 0;
}

static int parse_layout(CSLConstList opts, xav_create_options *o)
{
    const char *layout = CSLFetchNameValueDef(opts, "BAND_LAYOUT", "AUTO");
    if (EQUAL(layout, "AUTO"))
        o->layout = XAV_LAYOUT_AUTO;
    else if (EQUAL(layout, "VARIABLE"))
        o->layout = XAV_LAYOUT_VARIABLE;
    else if (EQUAL(layout, "TIME"))
        o->layout = XAV_LAYOUT_TIME;
    else {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: BAND_LAYOUT=%s is not AUTO, VARIABLE or TIME.",
                 layout);
        return -1;
    }
    return parse_int(opts, "BANDS_PER_TIME", 0, 1, 1 << 20, &o->bands_per_time);
}

/* A finite number > 0, or 0 when absent. */
static int parse_positive(CSLConstList opts, const char *key, double *out)
{
    const char *s = CSLFetchNameValue(opts, key);
    char *end = NULL;
    *out = 0;
    if (s == NULL)
        return 0;
    *out = CPLStrtod(s, &end);
    if (end == s || *end != '\0' || !(*out > 0) || !isfinite(*out)) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: %s=%s is not a positive number%s.", key, s,
                 end != s && *end == '\0' && *out == 0
                     ? "; for exact values, give LOSSLESS=YES instead"
                     : "");
        return -1;
    }
    return 0;
}

int xav_preset_speed(const char *preset)
{
    static const char *const presets[] = {
        "placebo", "veryslow", "slower",   "slow",      "medium",
        "fast",    "faster",   "veryfast", "superfast", "ultrafast"};
    int i;
    for (i = 0; preset != NULL && i < 10; i++)
        if (strcmp(preset, presets[i]) == 0)
            return i;
    return -1;
}

/* TILE_SIZE: 0 (one tile), or 16 (the codecs' smallest frame) to 8192. */
static int parse_tile_size(CSLConstList opts, int *out)
{
    if (parse_int(opts, "TILE_SIZE", XAV_DEFAULT_TILE_SIZE, 0, 1 << 20, out) !=
        0)
        return -1;
    if (*out == 0 || *out >= 16)
        return 0;
    CPLError(CE_Failure, CPLE_IllegalArg,
             "XAVIDEO: TILE_SIZE=%d is smaller than the codecs' smallest frame "
             "(16); use 16 or more, or 0 for one tile.",
             *out);
    return -1;
}

/* NUM_THREADS: a count, or ALL_CPUS (the default). */
static int parse_threads(CSLConstList opts, int *out)
{
    const char *s = CSLFetchNameValueDef(opts, "NUM_THREADS", "ALL_CPUS");
    if (EQUAL(s, "ALL_CPUS")) {
        *out = CPLGetNumCPUs();
        return 0;
    }
    return parse_int(opts, "NUM_THREADS", 0, 1, 1024, out);
}

int xav_parse_create_options(CSLConstList opts, xav_create_options *o)
{
    const char *preset =
        CSLFetchNameValueDef(opts, "PRESET", XAV_DEFAULT_PRESET);
    memset(o, 0, sizeof(*o));
    if (parse_codec(opts, o) != 0 || parse_layout(opts, o) != 0 ||
        parse_int(opts, "BITS", 0, 8, 12, &o->bits) != 0 ||
        parse_int(opts, "CRF",
                  o->codec == XAV_CODEC_AV1 ? XAV_DEFAULT_AV1_CRF
                                            : XAV_DEFAULT_CRF,
                  0, XAV_CRF_MAX(o->codec), &o->crf) != 0 ||
        parse_int(opts, "QP", -1, 0, 51, &o->qp) != 0 ||
        parse_int(opts, "GOP", XAV_DEFAULT_GOP, 1, 1024, &o->gop) != 0 ||
        parse_tile_size(opts, &o->tile_size) != 0 ||
        parse_threads(opts, &o->threads) != 0)
        return -1;
    o->crf_given = CSLFetchNameValue(opts, "CRF") != NULL;
    if (o->qp >= 0 && o->codec != XAV_CODEC_X265) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: QP applies to CODEC=X265 only; use CRF.");
        return -1;
    }
    if (o->bits != 0 && o->bits != 8 && o->bits != 10 && o->bits != 12) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: BITS=%d is not supported; use 8, 10 or 12.",
                 o->bits);
        return -1;
    }
    if (xav_preset_speed(preset) < 0) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: PRESET=%s is not an x265 preset.", preset);
        return -1;
    }
    strcpy(o->preset, preset);
    o->groups = CSLFetchNameValue(opts, "GROUPS");
    o->time_values = CSLFetchNameValue(opts, "TIME_VALUES");
    o->time_units = CSLFetchNameValue(opts, "TIME_UNITS");
    o->time_calendar = CSLFetchNameValue(opts, "TIME_CALENDAR");
    o->time_name = CSLFetchNameValue(opts, "TIME_NAME");
    o->variable_names = CSLFetchNameValue(opts, "VARIABLE_NAMES");
    o->valid_range = CSLFetchNameValue(opts, "VALID_RANGE");
    if (parse_bool(opts, "VALUE_TABLE", &o->value_table) != 0)
        return -1;
    if (CSLFetchNameValue(opts, "VALUE_TABLE") == NULL)
        o->value_table = 1;
    if (parse_bool(opts, "DECORRELATE", &o->decorrelate) != 0)
        return -1;
    if (CSLFetchNameValue(opts, "DECORRELATE") == NULL)
        o->decorrelate = 1;
    return parse_bool(opts, "APPEND_SUBDATASET", &o->append) != 0 ||
                   parse_positive(opts, "MAX_ERROR", &o->max_error) != 0 ||
                   parse_positive(opts, "TARGET_PSNR", &o->target_psnr) != 0
               ? -1
               : 0;
}

int xav_parse_open_options(CSLConstList opts, xav_open_options *o)
{
    if (parse_bool(opts, "ALLOW_EXTERNAL_REFERENCES", &o->allow_external) != 0)
        return -1;
    return parse_int(opts, "NUM_THREADS", 0, 0, 1024, &o->threads) != 0 ||
                   parse_int(opts, "CACHE_SIZE", 256, 0, 1 << 20,
                             &o->cache_mib) != 0
               ? -1
               : 0;
}

int xav_parse_valid_range(const char *text, int nvars, double *lo, double *hi)
{
    char **pairs = CSLTokenizeString2(text, ";", 0);
    const int n = CSLCount(pairs);
    int v, rc = n == 1 || n == nvars ? 0 : -1;
    for (v = 0; v < nvars && rc == 0; v++) {
        char **items = CSLTokenizeString2(pairs[n == 1 ? 0 : v], ",", 0);
        char *end0 = NULL, *end1 = NULL;
        rc = CSLCount(items) == 2 ? 0 : -1;
        if (rc == 0) {
            lo[v] = CPLStrtod(items[0], &end0);
            hi[v] = CPLStrtod(items[1], &end1);
            rc = *end0 == '\0' && *end1 == '\0' && isfinite(lo[v]) &&
                         isfinite(hi[v]) && lo[v] < hi[v]
                     ? 0
                     : -1;
        }
        CSLDestroy(items);
    }
    CSLDestroy(pairs);
    if (rc != 0)
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: VALID_RANGE=%s is not \"min,max\" (min < max, "
                 "finite) once for all %d variables or once for each.",
                 text, nvars);
    return rc;
}
