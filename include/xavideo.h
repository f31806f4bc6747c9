/*
 * xavideo: Earth-observation and climate cubes (variables x time x y x x)
 * stored as Matroska video plus a JSON sidecar.
 *
 * This is the core's public C API. It is plain C on top of GDAL's C API
 * (gdal.h, cpl_vsi.h): the GDAL driver shim in frmts/xavideo/ forwards to it,
 * and the GoogleTest harness calls it directly.
 *
 * Conventions:
 *  - Bands are numbered from 0 here (GDAL numbers them from 1 in the shim),
 *    variables and time steps too. The accessors take a valid number (0 <=
 *    band < xav_band_count(), and so on) and do not check it; the functions
 *    that read pixels (xav_read_block, xav_read_band) and xav_band_of check
 *    theirs and report a bad one.
 *  - Functions that can fail report through CPLError and return NULL or a
 *    negative value; they never abort.
 *  - Strings and lists returned by accessors belong to the handle and stay
 *    valid until xav_close().
 *
 * Threads:
 *  - One xav_dataset serves one thread at a time: it holds decoders, a
 *    frame cache and read buffers. Datasets opened separately on the same
 *    files may be read from different threads at once (each has its own).
 *  - xav_create_copy may run in several threads at once on different
 *    outputs; it runs worker threads of its own (NUM_THREADS) and reads the
 *    source from them one at a time, so the source dataset must not be
 *    used by another thread meanwhile.
 *  - FFmpeg's log goes through GDAL's error system: the route is installed
 *    once per process, at the first open or copy, for the whole process
 *    (FFmpeg's log callback is process-wide).
 */
#ifndef XAVIDEO_H
#define XAVIDEO_H

#include <stdint.h>

#include "cpl_progress.h"
#include "cpl_string.h"
#include "gdal.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XAV_DRIVER_NAME "XAVIDEO"
/* Matroska global tag that holds the embedded copy of the sidecar: packed
 * (deflated, base64: a tenth of the text) since schema version 2, as text
 * in the _PLAIN tag before. Identify looks for the common prefix. */
#define XAV_EMBEDDED_TAG "XAVIDEO_SIDECAR"
#define XAV_EMBEDDED_PACKED_TAG "XAVIDEO_SIDECAR_Z"
/* Global tag with the CRC-32 of the embedded sidecar (8 hex digits): a
 * damaged copy is refused rather than read. */
#define XAV_EMBEDDED_CRC_TAG "XAVIDEO_SIDECAR_CRC32"
/* The sidecar's schema (doc/sidecar.md). Version 2 names a dataset's own
 * files by rule and adds exceptional values, reserved correction codes and
 * packet checksums, which a reader of version 1 would misread: it refuses
 * them by the number. Version 3 describes the streams every tile repeats
 * once (tile_streams), which a reader of version 2 would not find.
 * Version 4 gives streams a range of time steps (first_time, frames): the
 * parts of a dataset appended to in time, which a reader of version 3
 * would take for the first time steps. Version 5 adds the quantization
 * "table" (lossless codes that are places in a table of values), which
 * older readers refuse by its name. Version 6 adds tiles left out for
 * having no valid pixel (tiling.empty_tiles), which a reader of version 5
 * would take for a damaged sidecar. Version 7 adds variables whose codes
 * are a decorrelating transform of the variables sharing their stream
 * (quantization "mixed"), which older readers refuse by its name.
 * Version 8 keeps the source's mask band (a variable's mask_band, with a
 * mask stream for lossless variables too), its other metadata domains
 * (metadata_domains: RPC...) and signed bytes (pixel_type), which older
 * readers would drop without a word. Each dataset is written as the lowest
 * version that describes it (3 if it needs none of these), which older readers
 * still read. */
#define XAV_SCHEMA_VERSION 8

/* ---- Driver metadata --------------------------------------------------- */

/* GDAL option-list XML, the single source of truth for every option. */
const char *xav_creation_option_list(void);
const char *xav_open_option_list(void);

/* Cheap and strict: claims a sidecar (JSON whose first key says xavideo) or a
 * Matroska file whose sidecar exists or that carries the embedded tag.
 * header/header_bytes are the first bytes GDAL already read. */
int xav_identify(const char *filename, const unsigned char *header,
                 int header_bytes);

/* ---- Reading ----------------------------------------------------------- */

typedef struct xav_dataset xav_dataset;

/* Opens from the sidecar or the video. open_options: see
 * xav_open_option_list(). */
xav_dataset *xav_open(const char *filename, CSLConstList open_options);
void xav_close(xav_dataset *ds);

int xav_width(const xav_dataset *ds);
int xav_height(const xav_dataset *ds);
int xav_band_count(const xav_dataset *ds);
int xav_variable_count(const xav_dataset *ds);
int xav_time_count(const xav_dataset *ds);

/* Returns 1 and fills gt if the dataset has a geotransform. */
int xav_geotransform(const xav_dataset *ds, double gt[6]);
/* WKT2 of the CRS (of the geotransform, or of the GCPs), or NULL. */
const char *xav_crs_wkt(const xav_dataset *ds);
/* The name of the y (axis 0) or x (axis 1) dimension: the source's (lat,
 * lon), else "y" or "x". */
const char *xav_grid_name(const xav_dataset *ds, int axis);
int xav_gcp_count(const xav_dataset *ds);
const GDAL_GCP *xav_gcps(const xav_dataset *ds);
/* Dataset metadata of one domain (NULL or "" for the default one). */
CSLConstList xav_metadata(const xav_dataset *ds, const char *domain);
/* The source's other metadata domains the dataset keeps (RPC, IMAGERY,
 * xml:XMP...), each readable with xav_metadata(); NULL if none. */
CSLConstList xav_metadata_domains(const xav_dataset *ds);
/* Every file of the dataset: the sidecar (if any) first, then the videos. */
CSLConstList xav_file_list(const xav_dataset *ds);

GDALDataType xav_band_type(const xav_dataset *ds, int band);
/* Returns 1 and fills value if the band has a nodata value. */
int xav_band_nodata(const xav_dataset *ds, int band, double *value);
/* The same nodata as one value of the band's type (8 bytes at most), held
 * to its range: what Int64 and UInt64 bands give through GDAL's 64-bit
 * calls (INT64_MAX, kept as 2^63, comes back as itself). */
int xav_band_nodata_raw(const xav_dataset *ds, int band, void *value);
const char *xav_band_description(const xav_dataset *ds, int band);
const char *xav_band_units(const xav_dataset *ds, int band);
CSLConstList xav_band_metadata(const xav_dataset *ds, int band,
                               const char *domain);
GDALColorInterp xav_band_color_interp(const xav_dataset *ds, int band);
/* Color table as count RGBA entries (4 shorts each), or NULL. */
const short *xav_band_color_table(const xav_dataset *ds, int band, int *count);
CSLConstList xav_band_category_names(const xav_dataset *ds, int band);
/* Raster attribute table (owned by ds), or NULL. */
GDALRasterAttributeTableH xav_band_rat(const xav_dataset *ds, int band);
/* GDAL's own offset/scale of the source band (not our quantization). */
int xav_band_offset_scale(const xav_dataset *ds, int band, double *offset,
                          double *scale);

/* Block (= tile) size: reads of one block decode only that tile. */
void xav_block_size(const xav_dataset *ds, int *width, int *height);
/* Reads block (bx, by) of band into buffer, a full block of the band's
 * type (edge blocks fill their top-left corner). Returns 0 on success. */
int xav_read_block(xav_dataset *ds, int band, int bx, int by, void *buffer);
/* The band's mask band, where the source had one of its own rather than
 * its nodata, its alpha band or none: GMF_PER_DATASET or 0, as
 * GDALGetMaskFlags() says; -1 where GDAL's default mask (from the nodata
 * value, or all valid) is the band's. */
int xav_band_mask_flags(const xav_dataset *ds, int band);
/* Reads block (bx, by) of band's mask band into buffer, a full block of
 * bytes: 0 for the pixels the source's mask left out, 255 elsewhere.
 * Returns 0 on success. */
int xav_read_mask_block(xav_dataset *ds, int band, int bx, int by,
                        void *buffer);
/* Reads the whole band (width x height pixels, packed, in the band's data
 * type) into buffer. Decodes the frame it needs unless it is cached. Returns
 * 0 on success. */
int xav_read_band(xav_dataset *ds, int band, void *buffer);
/* Bands stored in the same frame as band (itself included), so a caller can
 * fill them from the frame that was just decoded. Returns the count. */
int xav_band_siblings(const xav_dataset *ds, int band, int *siblings,
                      int max_siblings);
/* Frames decoded since open, over all streams (data and mask). Tests use it
 * to prove what a read costs. */
uint64_t xav_decoded_frame_count(const xav_dataset *ds);
/* Bytes held by the decoded-frame cache now (never above CACHE_SIZE). */
uint64_t xav_cache_bytes(const xav_dataset *ds);

/* ---- Variables x time (the multidimensional view) ---------------------- */

/* Variable var (0-based): its name and the source band's metadata, shared by
 * all its time steps. Type, nodata, units and offset/scale are those of any
 * of its bands. */
const char *xav_variable_name(const xav_dataset *ds, int var);
CSLConstList xav_variable_metadata(const xav_dataset *ds, int var);
/* The band holding (var, time), or -1 (reported) if there is none. */
int xav_band_of(const xav_dataset *ds, int var, int time);
/* The CF time axis: xav_time_count() values, or NULL when the cube has no
 * time axis; its name, units ("hours since ...") and calendar, or NULL. */
const double *xav_time_values(const xav_dataset *ds);
const char *xav_time_name(const xav_dataset *ds);
const char *xav_time_units(const xav_dataset *ds);
const char *xav_time_calendar(const xav_dataset *ds);
/* The source's dimensions besides time, y and x (a 4-D netCDF's depth),
 * kept as such: each variable is a slice of an array along them, at one
 * index of each. Count, then per dimension its name, units (or NULL), size
 * and values. */
int xav_dim_count(const xav_dataset *ds);
const char *xav_dim_name(const xav_dataset *ds, int dim);
const char *xav_dim_units(const xav_dataset *ds, int dim);
int xav_dim_size(const xav_dataset *ds, int dim);
const double *xav_dim_values(const xav_dataset *ds, int dim);
/* The array variable var is a slice of ("TEMP" for TEMP_ZAXLEVIT19_10),
 * and its index along dimension dim; NULL and -1 for a variable that is
 * not a slice. */
const char *xav_variable_array(const xav_dataset *ds, int var);
int xav_variable_coordinate(const xav_dataset *ds, int var, int dim);
/* The "XAVIDEO" metadata domain as of now: the static items plus
 * DECODED_FRAMES and CACHE_BYTES. A new list: free with CSLDestroy(). */
char **xav_state_metadata(const xav_dataset *ds);

/* ---- Writing ----------------------------------------------------------- */

/* Encodes every band of src into filename (the video) and filename + ".json".
 * Writes temporary files and renames them at the end, so that a failure or
 * an interruption leaves nothing behind. Returns 0 on success. */
int xav_create_copy(const char *filename, GDALDatasetH src,
                    CSLConstList options, GDALProgressFunc progress,
                    void *progress_data);

/* What can be checked of a copy before its source exists (the driver's
 * Create, which encodes at close with xav_create_copy): the output's name,
 * size, band count, data type and the options as xav_create_copy parses
 * them. Returns 0, or -1 with a CPLError naming what is wrong. */
int xav_check_create(const char *filename, int width, int height, int bands,
                     GDALDataType type, CSLConstList options);

/* Writes output, a sidecar (name ending in .json), describing one dataset
 * made of pieces encoded apart (their videos or sidecars, in output's
 * folder or below it), like gdalbuildvrt: the pieces' files are referred
 * to, not copied. Pieces must share bands, time axis, quantization (lossy
 * ones: the same VALID_RANGE), TILE_SIZE, CRS and pixel size, start on the
 * mosaic's tile grid and cover it once. Returns 0, or -1 with a CPLError
 * that says which piece does not fit and why. */
int xav_assemble(const char *output, CSLConstList pieces);

/* An encode split into pieces on many machines (apps/xavdask.py) must
 * quantize every piece as one encode of the whole source would:
 * xav_scan_summary scans src (one piece's window) as a copy with options
 * would and returns what its lossy variables' ranges depend on, as JSON (a
 * new string: CPLFree), or NULL with a CPLError; xav_summaries_valid_range
 * merges the summaries of pieces that cover the source into the
 * VALID_RANGE one scan of the whole sets ("min,max;min,max...", CPLFree),
 * or NULL with a CPLError, e.g. when the whole has outliers, which pieces
 * cannot share. */
char *xav_scan_summary(GDALDatasetH src, CSLConstList options);
char *xav_summaries_valid_range(CSLConstList summaries);

/* ---- Files ------------------------------------------------------------- */

/* Delete, rename or copy a dataset given its video or sidecar name; rename
 * and copy rewrite the sidecar's references. Return 0 on success. */
int xav_delete(const char *filename);
int xav_rename(const char *new_name, const char *old_name);
int xav_copy_files(const char *new_name, const char *old_name);
/* The existing files GDAL keeps next to the dataset (external overviews
 * .ovr, .msk, PAM's .aux.xml, of the video or the sidecar), which delete,
 * rename and copy carry along. A new list (CSLDestroy), or NULL. */
char **xav_companion_files(const char *filename);

/* ---- xarrayvideo's folders (read-only) --------------------------------- */

/* The folders of the seed library xarrayvideo: x.nc and RULE_NNN.mkv
 * videos whose XARRAY tag describes them (src/xarrayvideo/xv_folder.h).
 * Bands come variable after variable, each at its rule's time steps, with
 * the values xarrayvideo's video2xarray returns. Same thread rule as
 * xav_dataset: one thread at a time per handle. */
typedef struct xav_xv xav_xv;

/* Cheap: a folder holding x.nc and a .mkv (nothing is parsed). */
int xav_xv_identify(const char *path);
/* NULL with a CPLError if the folder is not one this reads. */
xav_xv *xav_xv_open(const char *folder);
void xav_xv_close(xav_xv *xv);
int xav_xv_width(const xav_xv *xv);
int xav_xv_height(const xav_xv *xv);
int xav_xv_band_count(const xav_xv *xv);
/* Bands from 0. */
GDALDataType xav_xv_band_type(const xav_xv *xv, int band);
const char *xav_xv_band_description(const xav_xv *xv, int band);
CSLConstList xav_xv_band_metadata(const xav_xv *xv, int band);
/* x.nc's global attributes (NC_GLOBAL#NAME=VALUE). */
CSLConstList xav_xv_metadata(const xav_xv *xv);
/* x.nc and every video. */
CSLConstList xav_xv_file_list(const xav_xv *xv);
/* 0 and gt, or -1 if x.nc has no evenly spaced coordinates. */
int xav_xv_geotransform(const xav_xv *xv, double *gt);
/* The CRS of x.nc's grid mapping, or NULL. */
const char *xav_xv_crs_wkt(const xav_xv *xv);
/* Frames decoded so far (random access: a read decodes from the keyframe
 * before it). */
uint64_t xav_xv_decoded_frames(const xav_xv *xv);
/* The whole band, width x height values of its type, rows from the top.
 * 0, or -1 with a CPLError. */
int xav_xv_read_band(xav_xv *xv, int band, void *buffer);

#ifdef __cplusplus
}
#endif

#endif /* XAVIDEO_H */
