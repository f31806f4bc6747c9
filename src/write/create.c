/*
 * create: CreateCopy (xav_create_copy in xavideo.h), read top-down:
 *   plan    the band model (band_model), what the source says of itself
 *           (describe), the tiles (plan);
 *   scan    the valid range and invalid pixels of every lossy variable over
 *           all time steps (scan), then the coding that follows (plan);
 *   encode  every tile into its own file, on NUM_THREADS threads
 *           (tile_pool);
 *   commit  the sidecar, and every file moved into place (output).
 * With APPEND_SUBDATASET=YES the copy is a part of an existing dataset
 * (append): checked against it after the plan, quantized as it is, and
 * committed as its new sidecar.
 * Output goes to temporary names first, so a failure or an interruption
 * leaves nothing behind; SIGINT, SIGTERM and SIGHUP interrupt the copy
 * like the user does, then end the process (interrupt).
 */
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"

#include "avlog.h"
#include "band_model.h"
#include "copy.h"
#include "describe.h"
#include "interrupt.h"
#include "mdim_source.h"
#include "names.h"
#include "output.h"
#include "plan.h"
#include "quantize.h"
#include "scan.h"
#include "summary.h"
#include "tile_pool.h"
#include "xavideo.h"

/* Share of the progress bar the scan takes, when there is one. */
#define XAV_SCAN_SHARE 0.3

/* The output is named by its video: a sidecar's name would make the video
 * NAME.json and its sidecar NAME.json.json, which nothing opens. */
static int check_output_name(const char *filename)
{
    if (!xav_name_is_sidecar(filename))
        return 0;
    CPLError(CE_Failure, CPLE_IllegalArg,
             "XAVIDEO: %s is the name of a sidecar: give the name of the "
             "video (NAME.mkv), and its sidecar (NAME.mkv.json) is written "
             "next to it.",
             filename);
    return -1;
}

static int check_source(GDALDatasetH src)
{
    if (GDALGetRasterCount(src) < 1) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: the source has no raster band.");
        return -1;
    }
    return 0;
}

/* Everything that needs no pixel: size, tiles, bands, variables,
 * georeferencing. */
static int plan(xav_copy *cs)
{
    xav_desc *d = cs->d;
    d->width = GDALGetRasterXSize(cs->src);
    d->height = GDALGetRasterYSize(cs->src);
    return xav_plan_tiles(cs) == 0 &&
                   xav_plan_band_model(cs->src, &cs->opt, d) == 0 &&
                   xav_describe_source(cs->src, &cs->opt, d) == 0
               ? 0
               : -1;
}

/* The scan reads the source once more: worth a share of the progress bar
 * only when it has something to find. */
static double scan_share(const xav_copy *cs)
{
    return xav_scan_wanted(cs) ? XAV_SCAN_SHARE : 0;
}

typedef struct {
    GDALProgressFunc pfn;
    void *data;
} user_progress;

/* The caller's progress function, except that a signal caught
 * (interrupt.h) stops the copy as the user would. */
static int CPL_STDCALL copy_progress(double done, const char *msg, void *arg)
{
    const user_progress *up = (const user_progress *)arg;
    return !xav_interrupt_caught() && up->pfn(done, msg, up->data);
}

/* The description of the whole of an appended dataset. */
static int merge(xav_copy *cs)
{
    if (cs->append == NULL)
        return 0;
    cs->whole = xav_append_merge(cs->append, cs->d);
    return cs->whole != NULL ? 0 : -1;
}

/* Plan, scan, encode, commit the copy whose tile 0 is video, with every
 * progress report going through copy_progress; 0, or -1 with a CPLError. */
static int copy(xav_copy *cs, const char *video, user_progress *up)
{
    double share;
    if (plan(cs) != 0 ||
        (cs->append != NULL && xav_append_check(cs->append, cs->d) != 0))
        return -1;
    share = scan_share(cs);
    return xav_scan(cs, copy_progress, up, share) == 0 &&
                   xav_plan_coding(cs) == 0 && xav_desc_validate(cs->d) == 0 &&
                   xav_output_prepare(cs, video) == 0 &&
                   xav_encode_tiles(cs, share, copy_progress, up) == 0 &&
                   xav_copy_progress(copy_progress, up, 1.0) == 0 &&
                   merge(cs) == 0 && xav_output_commit(cs, video) == 0
               ? 0
               : -1;
}

int xav_check_create(const char *filename, int width, int height, int bands,
                     GDALDataType type, CSLConstList options)
{
    xav_create_options o;
    if (check_output_name(filename) != 0)
        return -1;
    if (width < 1 || height < 1 || width > XAV_MAX_RASTER_SIZE ||
        height > XAV_MAX_RASTER_SIZE) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: %d x %d pixels are out of range (1 to %d a side).",
                 width, height, XAV_MAX_RASTER_SIZE);
        return -1;
    }
    if (bands < 1 || bands > XAV_MAX_BANDS) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: %d bands are out of range (1 to %d).", bands,
                 XAV_MAX_BANDS);
        return -1;
    }
    if (GDALDataTypeIsComplex(type) || type == GDT_Unknown) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: data type %s cannot be stored; use a real type "
                 "(Byte to Float64).",
                 GDALGetDataTypeName(type));
        return -1;
    }
    if (xav_parse_create_options(options, &o) != 0)
        return -1;
    return xav_check_tile_size(o.tile_size) == 0 &&
                   xav_check_bands_per_time(&o, bands) == 0
               ? 0
               : -1;
}

/* What every copy starts from: the source (read under a lock), the parsed
 * options and an empty description. 0, or -1 with a CPLError (then
 * xav_copy_free is still due). */
static int copy_begin(xav_copy *cs, GDALDatasetH src, CSLConstList options)
{
    memset(cs, 0, sizeof(*cs));
    cs->src = src;
    if (check_source(src) != 0 ||
        xav_parse_create_options(options, &cs->opt) != 0)
        return -1;
    cs->d = xav_desc_new();
    cs->src_lock = CPLCreateMutex();
    CPLReleaseMutex(cs->src_lock); /* created held */
    return 0;
}

/* APPEND_SUBDATASET=YES: the dataset appended to, and the options of its
 * new part (*part_options, the user's and the dataset's coding). 0, or -1
 * with a CPLError. */
static int begin_append(const char *filename, CSLConstList options,
                        xav_append **append, char ***part_options)
{
    xav_create_options o;
    *append = NULL;
    *part_options = NULL;
    if (xav_parse_create_options(options, &o) != 0)
        return -1;
    if (!o.append)
        return 0;
    if ((*append = xav_append_open(filename)) == NULL)
        return -1;
    *part_options = xav_append_options(*append, options);
    return 0;
}

int xav_create_copy(const char *filename, GDALDatasetH src,
                    CSLConstList options, GDALProgressFunc progress,
                    void *progress_data)
{
    user_progress up = {progress ? progress : GDALDummyProgress, progress_data};
    xav_mdim_source *view = NULL;
    xav_append *append = NULL;
    char **part_options = NULL;
    const char *video = filename;
    xav_copy cs;
    int rc;

    xav_route_ffmpeg_log();
    if (check_output_name(filename) != 0 ||
        begin_append(filename, options, &append, &part_options) != 0 ||
        (xav_mdim_source_is(src) &&
         (view = xav_mdim_source_open(src)) == NULL)) {
        xav_append_close(append);
        return -1;
    }
    rc = copy_begin(&cs, view ? xav_mdim_source_dataset(view) : src,
                    part_options ? part_options : options);
    cs.append = append; /* freed with cs */
    if (append != NULL)
        video = xav_append_part_video(append);
    if (rc == 0) {
        xav_interrupt_begin();
        if ((rc = copy(&cs, video, &up)) != 0)
            xav_output_remove(&cs, video);
        xav_interrupt_end(); /* a signal caught ends the process here */
    }
    xav_copy_free(&cs);
    CSLDestroy(part_options);
    xav_mdim_source_close(view);
    return rc;
}

char *xav_scan_summary(GDALDatasetH src, CSLConstList options)
{
    xav_copy cs;
    char *summary = NULL;

    xav_route_ffmpeg_log();
    if (copy_begin(&cs, src, options) == 0 && plan(&cs) == 0 &&
        xav_scan(&cs, GDALDummyProgress, NULL, scan_share(&cs)) == 0)
        summary = xav_summary_json(&cs);
    xav_copy_free(&cs);
    return summary;
}
