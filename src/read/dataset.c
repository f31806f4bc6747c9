/*
 * dataset: xav_open and xav_close, and the accessors of xavideo.h.
 * Everything the reader presents comes from the description; the video
 * only gives pixels (read.c).
 */
#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_hash_set.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "avlog.h"
#include "dataset.h"
#include "layout.h"
#include "names.h"
#include "options.h"
#include "present.h"
#include "quantize.h"
#include "rat.h"
#include "sidecar.h"
#include "trust.h"

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

/* The dataset's files, each once, in the order first named: a list grown
 * by doubling and a set of what it holds, as a dataset may have 10^5 tile
 * files (a CSL list costs a pass over itself per name). */
typedef struct {
    char **list; /* CSL-compatible: NULL-terminated, CPLMalloc'ed */
    int n, room;
    CPLHashSet *seen; /* of the list's strings */
} file_list;

/* Adds path unless listed; 1 if it was new. */
static int file_list_add(file_list *fl, const char *path)
{
    if (CPLHashSetLookup(fl->seen, path) != NULL)
        return 0;
    if (fl->n + 1 >= fl->room) {
        fl->room = fl->room ? 2 * fl->room : 16;
        fl->list = (char **)CPLRealloc(fl->list, fl->room * sizeof(char *));
    }
    fl->list[fl->n] = CPLStrdup(path);
    CPLHashSetInsert(fl->seen, fl->list[fl->n++]);
    fl->list[fl->n] = NULL;
    return 1;
}

/* Stream s's file, from the sidecar's folder dir: NULL (reported) for a
 * reference outside it, unless allowed. */
static char *stream_path(const xav_desc *d, int s, const char *own,
                         const char *dir, const char *origin,
                         int allow_external)
{
    const char *f = d->streams[s].file;
    const char *problem = *f == '\0' ? NULL : xav_reference_problem(f);
    char *file, *path;
    if (problem != NULL && !allow_external) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: %s refers to the video '%s', %s outside its "
                 "folder; refused (open option ALLOW_EXTERNAL_REFERENCES=YES "
                 "follows it).",
                 origin, f, problem);
        return NULL;
    }
    file = xav_layout_stream_file(d, s, own);
    path = CPLStrdup(
        CPLIsFilenameRelative(file) ? CPLFormFilename(dir, file, NULL) : file);
    CPLFree(file);
    return path;
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
    file_list fl = {NULL, 0, 0, NULL};
    int s, rc = 0;
    VSIStatBufL st;
    fl.seen = CPLHashSetNew(CPLHashSetHashStr, CPLHashSetEqualStr, NULL);
    ds->stream_paths = (char **)CPLCalloc(d->nstreams + 1, sizeof(char *));
    if (sidecar != NULL)
        file_list_add(&fl, sidecar);
    for (s = 0; s < d->nstreams && rc == 0; s++) {
        char *path = stream_path(d, s, own, dir, origin, allow_external);
        if (path == NULL) {
            rc = -1;
            break;
        }
        ds->stream_paths[s] = path;
        /* the first tile's file only: a remote dataset of many tiles would
         * pay a request per tile; the others are checked when read */
        if (file_list_add(&fl, path) && d->streams[s].tile == 0 &&
            VSIStatExL(path, &st, VSI_STAT_EXISTS_FLAG) != 0) {
            CPLError(CE_Failure, CPLE_OpenFailed,
                     "XAVIDEO: the video %s named by %s is missing.", path,
                     origin);
            rc = -1;
        }
    }
    CPLHashSetDestroy(fl.seen);
    ds->files = fl.list;
    CPLFree(own);
    CPLFree(dir);
    return rc;
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
    if (d != NULL && xav_check_pixel_formats(d) != 0) {
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
    ds->held = (xav_frame **)CPLCalloc(d->nstreams, sizeof(xav_frame *));
    ds->held_time = (int *)CPLMalloc(d->nstreams * sizeof(int));
    for (b = 0; b < d->nstreams; b++) {
        ds->held_time[b] = -1;
    }
    ds->descriptions = (char **)CPLCalloc(nbands + 1, sizeof(char *));
    ds->band_md = (char ***)CPLCalloc(nbands, sizeof(char **));
    ds->band_xav_md = (char ***)CPLCalloc(nbands, sizeof(char **));
    ds->band_is_md = (char ***)CPLCalloc(nbands, sizeof(char **));
    ds->row = (double *)CPLMalloc(sizeof(double) * d->width);
    ds->mask_row = (uint8_t *)CPLMalloc(d->width);
    ds->rats =
        (GDALRasterAttributeTableH *)CPLCalloc(d->nvars, sizeof(*ds->rats));
    for (b = 0; b < d->nvars; b++)
        if (d->vars[b].rat_json != NULL &&
            (ds->rats[b] = xav_rat_from_json(d->vars[b].rat_json)) == NULL) {
            xav_close(ds);
            return NULL;
        }
    xav_present(ds);
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
        xav_frame_unref(&ds->held[s]);
    CPLFree(ds->held);
    CPLFree(ds->held_time);
    xav_frame_cache_free(ds->cache);
    for (b = 0; ds->band_md != NULL && b < xav_desc_band_count(ds->d); b++) {
        CSLDestroy(ds->band_md[b]);
        CSLDestroy(ds->band_xav_md[b]);
        CSLDestroy(ds->band_is_md[b]);
    }
    for (b = 0; ds->rats != NULL && b < ds->d->nvars; b++)
        if (ds->rats[b] != NULL)
            GDALDestroyRasterAttributeTable(ds->rats[b]);
    CPLFree(ds->rats);
    CPLFree(ds->band_md);
    CPLFree(ds->band_xav_md);
    CPLFree(ds->band_is_md);
    CSLDestroy(ds->is_metadata);
    CPLFree(ds->readers);
    CSLDestroy(ds->descriptions);
    CSLDestroy(ds->stream_paths);
    CSLDestroy(ds->files);
    CSLDestroy(ds->metadata);
    CSLDestroy(ds->xav_metadata);
    CPLFree(ds->row);
    CPLFree(ds->mask_row);
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
const char *xav_grid_name(const xav_dataset *ds, int axis)
{
    const char *name = ds->d->grid_names[axis != 0];
    return name != NULL ? name : axis == 0 ? "y" : "x";
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
    if (EQUAL(domain, "IMAGE_STRUCTURE"))
        return ds->is_metadata;
    if (EQUAL(domain, XAV_DRIVER_NAME))
        return ds->xav_metadata;
    return xav_desc_domain(ds->d, domain);
}

CSLConstList xav_metadata_domains(const xav_dataset *ds)
{
    return ds->d->domains;
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

int xav_band_mask_flags(const xav_dataset *ds, int band)
{
    switch (band_var(ds, band)->mask_band) {
    case XAV_MASK_BAND_PER_DATASET:
        return GMF_PER_DATASET;
    case XAV_MASK_BAND_OWN:
        return 0;
    default:
        return -1;
    }
}

int xav_band_nodata(const xav_dataset *ds, int band, double *value)
{
    const xav_variable *v = band_var(ds, band);
    *value = v->nodata;
    return v->has_nodata;
}

int xav_band_nodata_raw(const xav_dataset *ds, int band, void *value)
{
    const xav_variable *v = band_var(ds, band);
    if (v->has_nodata)
        xav_values_to_type(&v->nodata, 0, v->type, value, 1);
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
    if (EQUAL(domain, "IMAGE_STRUCTURE"))
        return ds->band_is_md[band];
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
