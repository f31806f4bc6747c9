/*
 * model: the in-memory description of a dataset, i.e. the sidecar as plain C
 * data. sidecar.c converts it to and from JSON; create.c builds it from a
 * source; dataset.c reads through it. Nothing here does I/O.
 *
 * Invariants (checked by xav_desc_validate()):
 *  - streams come tile after tile, in tile order;
 *  - band b is (variable, time): b = t * nvars + v for XAV_ORDER_TIME_MAJOR,
 *    b = v * ntimes + t for XAV_ORDER_VARIABLE_MAJOR;
 *  - in every tile and time range, every (variable, word) pair is carried
 *    by exactly one data channel, a variable with MAX_ERROR corrections by
 *    exactly one correction channel, and a variable with a mask by at most
 *    one mask channel (a tile without one, e.g. a piece of an assembled dataset
 *    encoded without a mask, has no invalid pixel);
 *  - in every tile, streams come in time order, and the streams of one
 *    time range (first_time, frames) meet the rules above on their own;
 *    the ranges of a tile follow each other from time step 0 to the last;
 *  - frame f of a stream holds time step first_time + f.
 */
#ifndef XAV_MODEL_H
#define XAV_MODEL_H

#include <stddef.h>

#include "gdal.h"

#define XAV_MAX_CHANNELS 3
#define XAV_MAX_WORDS 8
/* Values of a lossy variable kept exactly, out of its quantized range (fill
 * values the source did not declare, far outliers): each has a mask code. */
#define XAV_MAX_EXCEPTIONS 16
/* Limits of a valid description, so that no size the reader computes from
 * it (frames, rows, blocks, per-band tables) comes near int or size_t
 * overflow: rasters up to 2^20 pixels each way, 10^6 bands (a dataset of
 * 10^6 bands takes 4 s and 1.3 GB to open through GDAL: band objects and
 * per-band metadata; 10^7 would not fit a common machine). */
#define XAV_MAX_RASTER_SIZE (1 << 20)
#define XAV_MAX_BANDS 1000000
/* Extra dimensions of the source (besides time, y and x) kept as such. */
#define XAV_MAX_DIMS 16

typedef enum {
    XAV_ORDER_TIME_MAJOR = 0,    /* T blocks of N variables (netCDF order) */
    XAV_ORDER_VARIABLE_MAJOR = 1 /* N blocks of T times */
} xav_band_order;

/* How a variable's values become codes in the video. */
typedef enum {
    /* code = value - offset: integers whose range fits the stream's bits */
    XAV_QUANT_INTEGER = 0,
    /* code = round((value - offset) / scale): lossy, anything else */
    XAV_QUANT_LINEAR = 1,
    /* the value's bits, order-preserving, split into bytes: lossless */
    XAV_QUANT_BITS = 2,
    /* every valid value is q_offset, exactly (its one code, 0, in an exact
     * stream) */
    XAV_QUANT_CONSTANT = 3,
    /* value = q_offset + q_scale * code, the code coded exactly: values on
     * a lattice of step q_scale (lattice.h) */
    XAV_QUANT_LATTICE = 4,
    /* value = table[code], the code coded exactly: lossless, for a variable
     * of few distinct values (a GRIB field unpacked to floats) */
    XAV_QUANT_TABLE = 5,
    /* value = q_offset + sum over j of mix[j] * (code of mix_vars[j]): the
     * codes of the variables sharing its stream are a decorrelating
     * transform of their values (decorrelate.h), lossy */
    XAV_QUANT_MIXED = 6
} xav_quant_mode;
#define XAV_QUANT_COUNT 7

/* A table holds at most this many values (16-bit codes). */
#define XAV_TABLE_MAX 65536

typedef enum {
    XAV_ROLE_DATA = 0,
    XAV_ROLE_MASK = 1,
    XAV_ROLE_CORRECTION = 2 /* MAX_ERROR residual corrections */
} xav_stream_role;

/* The source's mask band, where it was one of its own rather than its
 * nodata, its alpha band or none (GDALGetMaskFlags): a reader gives it
 * back as a mask band of the same kind, 0 where the mask code is
 * XAV_MASK_NODATA (quantize.h). */
typedef enum {
    XAV_MASK_BAND_NONE = 0,
    XAV_MASK_BAND_PER_DATASET = 1, /* GMF_PER_DATASET: shared by all bands */
    XAV_MASK_BAND_OWN = 2          /* flags 0: the band's own */
} xav_mask_band;
#define XAV_MASK_BAND_COUNT 3

typedef enum {
    XAV_CODEC_X265 = 0,
    XAV_CODEC_FFV1 = 1,
    XAV_CODEC_AV1 = 2 /* libaom; decoded by libdav1d where present */
} xav_codec;
#define XAV_CODEC_COUNT 3

/* Names of the enums, as the sidecar writes them, and back: -1 for an
 * unknown name. The codec's name is also its CODEC option's value. */
const char *xav_codec_name(xav_codec codec);
int xav_codec_by_name(const char *name);
const char *xav_role_name(xav_stream_role role);
int xav_role_by_name(const char *name);
const char *xav_quant_name(xav_quant_mode mode);
int xav_quant_by_name(const char *name);
const char *xav_mask_band_name(xav_mask_band kind);
int xav_mask_band_by_name(const char *name);

/* Highest CRF of each lossy codec. */
#define XAV_CRF_MAX(codec) ((codec) == XAV_CODEC_AV1 ? 63 : 51)

typedef struct {
    char *name;
    GDALDataType type;
    /* Byte values that are signed (GDAL 3.6's PIXELTYPE=SIGNEDBYTE, where
     * later GDALs have Int8): coded exactly, their bytes as they are */
    int signed_byte;
    int has_nodata;
    double nodata;
    char *units;
    char *description; /* the source band's description, if any */
    GDALColorInterp color_interp;
    int color_count;
    short *colors; /* color_count * 4 (RGBA) */
    char **categories;
    char *rat_json;       /* raster attribute table (rat.h), or NULL */
    char **metadata;      /* the source band's metadata, shared by all times */
    int has_offset_scale; /* GDAL's own offset/scale of the source band */
    double gdal_offset, gdal_scale;

    xav_quant_mode quant;
    double q_offset, q_scale; /* physical = q_offset + q_scale * code */
    int words;                /* channels it occupies (XAV_QUANT_BITS) */
    /* XAV_QUANT_TABLE: every value, as its order-preserving bits in the
     * type (quantize.h), ascending; code k is table[k] */
    uint64_t *table;
    int table_size;
    /* XAV_QUANT_MIXED: the variables whose codes make its value (itself
     * among them, all in one stream) and the weight of each */
    int mix_vars[XAV_MAX_CHANNELS];
    double mix[XAV_MAX_CHANNELS];
    double valid_min, valid_max;
    /* some pixel is invalid and coding is lossy, or some pixel is outside
     * the source's mask band (mask_band) */
    int has_mask;
    xav_mask_band mask_band;
    double max_error; /* bound on the error of its valid values, or 0 */
    double corr_step; /* value of one correction unit, 0: no corrections */
    int nexceptions;  /* values kept exactly by the mask (quantize.h) */
    double exceptions[XAV_MAX_EXCEPTIONS];

    /* How its data streams code it: planned by CreateCopy, taken from the
     * streams when a description is read (xav_desc_link_streams). */
    int lossless;
    int bits; /* significant bits of its codes */

    /* A slice of a source array along the extra dimensions (a 4-D netCDF's
     * TEMP at one depth): the array's name and the variable's index along
     * each of xav_desc.dims; NULL for a variable of its own. */
    char *array;
    int *coords;
} xav_variable;

/* A dimension of the source besides time, y and x (a 4-D netCDF's depth):
 * its variables are slices along it, so that it survives as a dimension. */
typedef struct {
    char *name;
    char *units; /* or NULL */
    int size;
    double *values;
} xav_dim;

typedef struct {
    char *file; /* relative to the sidecar; "" = the file that embeds it */
    int index;  /* stream index in that file */
    xav_stream_role role;
    xav_codec codec;
    int bits;                   /* significant bits of the codes */
    char *pix_fmt;              /* FFmpeg pixel format name */
    int channels;               /* 1 or 3 */
    int var[XAV_MAX_CHANNELS];  /* variable of each channel */
    int word[XAV_MAX_CHANNELS]; /* word of that variable (XAV_QUANT_BITS) */
    int lossless;
    int crf; /* x265 only */
    int qp;  /* x265 constant QP instead of CRF, or -1 */
    char *preset;
    int gop;
    int tile; /* the tile whose window the frames hold */
    /* Its frames hold time steps first_time .. first_time + frames - 1:
     * the whole axis, but for the parts of a dataset appended to in time
     * (append.h), each of which has streams of its own. */
    int first_time;
    int frames;
    int checksums; /* every packet carries its CRC-32 (checksum.h) */
} xav_stream;

typedef struct {
    int schema_version;
    int width, height;
    /* tiles of the raster, row by row; 0 = one tile, the whole raster */
    int tile_width, tile_height;
    /* per tile (NULL when none is): whether the tile may lack streams, its
     * pixels being invalid at every time step no stream of it covers. A
     * copy leaves out the streams and file of a tile with no valid pixel
     * (but tile 0's, whose file carries the embedded description): a
     * masked cube's land or sea tiles cost nothing. */
    unsigned char *tile_empty;
    int has_geotransform;
    double geotransform[6];
    char *crs_wkt;      /* WKT2_2019 */
    char *crs_projjson; /* PROJJSON, for readers without WKT2 */
    int has_wgs84_bbox;
    double wgs84_bbox[4]; /* west, south, east, north */
    int gcp_count;
    GDAL_GCP *gcps;
    /* the source's names of the y and x dimensions (lat and lon), or NULL
     * for y and x: the multidimensional view names its axes after them */
    char *grid_names[2];
    char **metadata; /* dataset metadata, default domain */
    /* the source's other metadata domains that describe the data (RPC,
     * IMAGERY, xml:XMP...; model.c's xav_domain_kept says which), by name,
     * and each one's list as GDAL gives it */
    char **domains;
    char ***domain_metadata;

    int nvars;
    xav_variable *vars;
    xav_band_order order;

    int ndims; /* extra dimensions, slowest first */
    xav_dim *dims;

    int ntimes;
    double *time_values; /* NULL when the cube has no time axis */
    char *time_name;
    char *time_units;
    char *time_calendar;
    char **time_iso; /* ntimes ISO 8601 strings, or NULL */

    int nstreams;
    xav_stream *streams;
    int fps_num, fps_den; /* container time base: frame t at t * den / num */

    /* per band: metadata items that differ from the variable's (NULL for
     * most bands); the time item NETCDF_DIM_<time> is derived, not kept */
    char ***band_metadata;

    /* per band: what the coding cost, measured on the reader's values
     * (NULL if unknown); psnr is +inf where the band is exact */
    double *psnr;
    double *max_abs_error;

    char **encoder; /* KEY=VALUE list of the settings used, for the record */
} xav_desc;

/* Whether a dataset's metadata domain of this name is kept: not the
 * default one (kept apart), nor those that describe how a file is stored
 * (IMAGE_STRUCTURE, XAVIDEO), point at other datasets (SUBDATASETS,
 * DERIVED_SUBDATASETS, GEOLOCATION). */
int xav_domain_kept(const char *domain);
/* Domain's list in d, or NULL. */
CSLConstList xav_desc_domain(const xav_desc *d, const char *domain);

xav_desc *xav_desc_new(void);
void xav_desc_free(xav_desc *d);

/* Whether two variables have the same value table (or none), and the
 * same mix (a's not mixed, or b's the same: XAV_QUANT_MIXED). */
int xav_same_table(const xav_variable *a, const xav_variable *b);
int xav_same_mix(const xav_variable *a, const xav_variable *b);
/* Into's masks after joining a part of the same variable that has from's
 * (an appended part, a piece of a mosaic): a mask where either has one,
 * and the more general mask band (a band's own over one per dataset). */
void xav_variable_join_masks(xav_variable *into, const xav_variable *from);
/* Whether a variable's values come back exactly (lossless, or a
 * constant). */
int xav_variable_is_exact(const xav_variable *v);
/* Whether its codes are coded exactly (then nothing is decoded to verify
 * them): its values, a constant's code, a lattice's. */
int xav_variable_codes_exact(const xav_variable *v);
/* Whether a reader turns b's codes into values as a's (one quantization
 * per variable, whichever streams carry its codes): pieces assembled, or a
 * part appended, must be coded alike. */
int xav_variable_coded_alike(const xav_variable *a, const xav_variable *b);
/* Equality of two texts (NULL as "") and of two numbers (NaN as NaN). */
int xav_same_text(const char *a, const char *b);
int xav_same_number(double a, double b);
/* Whether it has a correction stream (its bound is not met by exact
 * codes). */
int xav_variable_corrected(const xav_variable *v);

/* The channel of stream st that carries variable v, or -1. */
int xav_stream_channel_of(const xav_stream *st, int v);

/* Whether a stream carries lossy codes (a data stream not lossless). */
int xav_stream_is_lossy(const xav_stream *s);

/* Frees d's streams, leaving it none. */
void xav_desc_free_streams(xav_desc *d);
/* A copy of a stream with strings of its own. */
void xav_stream_copy(xav_stream *to, const xav_stream *from);

/* Tiles that repeat one list of streams (a dataset encoded in one go:
 * every tile in its own file, named by rule) are described by that list
 * once (the sidecar's tile_streams), so that what a reader fetches at open
 * does not grow with the tile count. xav_desc_shared_tile_streams returns
 * how many streams each tile has when every tile but the empty ones
 * repeats tile 0's (but for its number), else 0; xav_desc_repeat_tile_streams
 * copies d's nstreams streams, tile 0's, to each of its other tiles that
 * is not empty. */
int xav_desc_shared_tile_streams(const xav_desc *d);
void xav_desc_repeat_tile_streams(xav_desc *d);

/* Whether tile is one of d->tile_empty's; how many are. */
int xav_desc_tile_is_empty(const xav_desc *d, int tile);
int xav_desc_empty_tile_count(const xav_desc *d);
/* Marks tile empty; xav_desc_empty_tile also removes its streams (the
 * others keep their order). */
void xav_desc_mark_empty(xav_desc *d, int tile);
void xav_desc_empty_tile(xav_desc *d, int tile);

int xav_desc_band_count(const xav_desc *d);

/* Tile grid: tile k covers the window (x, y, w, h) of the raster; edge
 * tiles are smaller. The block size is the full tile size. */
int xav_desc_tiles_x(const xav_desc *d);
int xav_desc_tiles_y(const xav_desc *d);
int xav_desc_tile_count(const xav_desc *d);
int xav_desc_block_width(const xav_desc *d);
int xav_desc_block_height(const xav_desc *d);
void xav_desc_tile_rect(const xav_desc *d, int tile, int *x, int *y, int *w,
                        int *h);
/* Frames are at least 16 x 16: x265 refuses smaller ones ("Image size is
 * too small") and FFV1 decodes frames one pixel wide or high wrongly
 * (measured with FFmpeg 5.1); libaom takes any size, but one rule for all
 * is simpler and the padding costs next to nothing. A frame of a tile of
 * size w x h is xav_coded_size(w) x xav_coded_size(h). */
#define XAV_MIN_FRAME_SIZE 16
int xav_coded_size(int size);

/* What a stream's frames hold, as text ("data 0.0 1.0 2.0": role, then
 * variable.word of each channel): the writer tags every stream of the video
 * with it (XAV_STREAM_TAG), so a reader can tell a sidecar that names the
 * wrong stream. */
#define XAV_STREAM_TAG "XAVIDEO_CHANNELS"
void xav_stream_identity(const xav_stream *s, char *text, size_t size);

/* band -> (variable, time) and back. */
void xav_desc_band_split(const xav_desc *d, int band, int *var, int *time);
int xav_desc_band_index(const xav_desc *d, int var, int time);

/* Returns 0 if the description is consistent, else reports what is wrong
 * through CPLError and returns -1. */
int xav_desc_validate(const xav_desc *d);
/* Sets each variable's lossless and bits from its data streams (a valid
 * description: every variable has one). */
void xav_desc_link_streams(xav_desc *d);

#endif /* XAV_MODEL_H */
