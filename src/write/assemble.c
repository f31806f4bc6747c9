/* assemble: see assemble.h. */
#include "assemble.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"

#include "layout.h"
#include "names.h"
#include "sidecar.h"
#include "xavideo.h"

static int misfit(int piece, const char *why)
{
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: piece %d does not fit the first: %s.", piece + 1, why);
    return -1;
}

/* What places a piece on a grid: a north-up geotransform and tiles. */
static int check_grid(const xav_desc *b, int i)
{
    if (!b->has_geotransform || b->geotransform[2] != 0 ||
        b->geotransform[4] != 0)
        return misfit(i, "pieces need a north-up geotransform");
    if (b->tile_width == 0)
        return misfit(i, "pieces need a TILE_SIZE");
    return 0;
}

static int check_piece(const xav_desc *a, const xav_desc *b, int i)
{
    int v, t;
    if (b->geotransform[1] != a->geotransform[1] ||
        b->geotransform[5] != a->geotransform[5])
        return misfit(i, "another pixel size");
    if (!xav_same_text(a->crs_wkt, b->crs_wkt))
        return misfit(i, "another CRS");
    if (b->tile_width != a->tile_width || b->tile_height != a->tile_height)
        return misfit(i, "pieces need the same TILE_SIZE");
    if (b->nvars != a->nvars || b->ntimes != a->ntimes || b->order != a->order)
        return misfit(i, "other bands");
    for (t = 0; a->time_values != NULL && t < a->ntimes; t++)
        if (b->time_values == NULL ||
            !xav_same_number(a->time_values[t], b->time_values[t]))
            return misfit(i, "another time axis");
    if (!xav_same_text(a->time_units, b->time_units) ||
        !xav_same_text(a->time_calendar, b->time_calendar))
        return misfit(i, "other time units");
    for (v = 0; v < a->nvars; v++)
        if (!xav_variable_coded_alike(&a->vars[v], &b->vars[v]))
            return misfit(i, CPLSPrintf("variable %s is quantized otherwise "
                                        "(encode lossy pieces with the same "
                                        "VALID_RANGE, and every piece with "
                                        "VALUE_TABLE=NO and DECORRELATE=NO)",
                                        a->vars[v].name));
    return 0;
}

/* Pixel offset of piece b in the mosaic whose origin is (x0, y0). */
static int piece_offset(const xav_desc *b, double x0, double y0, int *x, int *y)
{
    const double fx = (b->geotransform[0] - x0) / b->geotransform[1];
    const double fy = (b->geotransform[3] - y0) / b->geotransform[5];
    *x = (int)floor(fx + 0.5);
    *y = (int)floor(fy + 0.5);
    return fabs(fx - *x) < 1e-6 && fabs(fy - *y) < 1e-6 ? 0 : -1;
}

/* Per tile of the mosaic: the piece it comes from (-1: none yet) and which
 * of that piece's tiles it is. */
typedef struct {
    int *piece, *tile;
} owners;

static int place_piece(const xav_desc *m, const xav_desc *b, int i, int x,
                       int y, owners *o)
{
    const int tw = m->tile_width, th = m->tile_height;
    int k;
    if (x % tw != 0 || y % th != 0)
        return misfit(i, CPLSPrintf("it starts at pixel %d,%d, off the "
                                    "%dx%d tile grid",
                                    x, y, tw, th));
    if ((b->width % tw != 0 && x + b->width != m->width) ||
        (b->height % th != 0 && y + b->height != m->height))
        return misfit(i, "only pieces at the right or bottom edge may end "
                         "with a partial tile");
    for (k = 0; k < xav_desc_tile_count(b); k++) {
        const int col = x / tw + k % xav_desc_tiles_x(b);
        const int row = y / th + k / xav_desc_tiles_x(b);
        const int mk = row * xav_desc_tiles_x(m) + col;
        if (o->piece[mk] >= 0)
            return misfit(i,
                          CPLSPrintf("it overlaps piece %d", o->piece[mk] + 1));
        o->piece[mk] = i;
        o->tile[mk] = k;
    }
    return 0;
}

/* The file of a piece's stream s, relative to the mosaic's folder. */
static char *piece_file(const xav_desc *b, int s, const char *video)
{
    char *file = xav_layout_stream_file(b, s, CPLGetFilename(video)), *out;
    out = CPLStrdup(CPLFormFilename(CPLGetPath(video), file, NULL));
    CPLFree(file);
    return out;
}

/* Streams of the mosaic: each tile's, from its piece, named from the
 * mosaic's folder (videos: each piece's video, relative to it). */
static int gather_streams(xav_desc *m, xav_desc *const *pieces,
                          char *const *videos, const owners *o)
{
    const int ntiles = xav_desc_tile_count(m);
    int k, s, n = 0, cap = 0;
    xav_stream *streams = NULL;
    m->streams = NULL;
    m->nstreams = 0;
    for (k = 0; k < ntiles; k++) {
        const xav_desc *b;
        if (o->piece[k] < 0) {
            CPLError(CE_Failure, CPLE_AppDefined,
                     "XAVIDEO: no piece covers tile column %d, row %d of the "
                     "mosaic.",
                     k % xav_desc_tiles_x(m), k / xav_desc_tiles_x(m));
            break;
        }
        b = pieces[o->piece[k]];
        if (xav_desc_tile_is_empty(b, o->tile[k]))
            xav_desc_mark_empty(m, k); /* left out of its piece */
        for (s = 0; s < b->nstreams; s++) {
            if (b->streams[s].tile != o->tile[k])
                continue;
            if (n == cap)
                streams = (xav_stream *)CPLRealloc(
                    streams, (cap = 2 * cap + 16) * sizeof(xav_stream));
            xav_stream_copy(&streams[n], &b->streams[s]);
            CPLFree(streams[n].file);
            streams[n].file = piece_file(b, s, videos[o->piece[k]]);
            streams[n++].tile = k;
        }
    }
    m->streams = streams; /* freed with m, even half-gathered */
    m->nstreams = n;
    return k == ntiles ? 0 : -1;
}

/* What the pieces measured, for the mosaic: every band's worst PSNR (a
 * lower bound of the mosaic's) and largest error; the union of the valid
 * ranges, masks and WGS 84 boxes. */
static void merge_measures(xav_desc *m, const xav_desc *b)
{
    const int nbands = xav_desc_band_count(m);
    int v, i;
    for (v = 0; v < m->nvars; v++) {
        xav_variable_join_masks(&m->vars[v], &b->vars[v]);
        m->vars[v].valid_min = MIN(m->vars[v].valid_min, b->vars[v].valid_min);
        m->vars[v].valid_max = MAX(m->vars[v].valid_max, b->vars[v].valid_max);
    }
    for (i = 0; m->psnr != NULL && i < nbands; i++) {
        m->psnr[i] = b->psnr ? MIN(m->psnr[i], b->psnr[i]) : NAN;
        m->max_abs_error[i] =
            b->max_abs_error ? MAX(m->max_abs_error[i], b->max_abs_error[i])
                             : NAN;
    }
    m->has_wgs84_bbox &= b->has_wgs84_bbox;
    for (i = 0; i < 2 && m->has_wgs84_bbox; i++) {
        m->wgs84_bbox[i] = MIN(m->wgs84_bbox[i], b->wgs84_bbox[i]);
        m->wgs84_bbox[i + 2] = MAX(m->wgs84_bbox[i + 2], b->wgs84_bbox[i + 2]);
    }
}

/* The mosaic's size and origin; each piece's offset in it. */
static int plan_mosaic(xav_desc *m, xav_desc *const *pieces, int n, int *x,
                       int *y)
{
    const double *g = pieces[0]->geotransform;
    double fx = 0, fy = 0;
    int i;
    /* the origin is the piece furthest up and left, in pixels */
    for (i = 1; i < n; i++) {
        fx = MIN(fx, (pieces[i]->geotransform[0] - g[0]) / g[1]);
        fy = MIN(fy, (pieces[i]->geotransform[3] - g[3]) / g[5]);
    }
    m->geotransform[0] = g[0] + fx * g[1];
    m->geotransform[3] = g[3] + fy * g[5];
    m->width = m->height = 0;
    for (i = 0; i < n; i++) {
        if (piece_offset(pieces[i], m->geotransform[0], m->geotransform[3],
                         &x[i], &y[i]) != 0)
            return misfit(i, "its origin is not on the first's pixel grid");
        m->width = MAX(m->width, x[i] + pieces[i]->width);
        m->height = MAX(m->height, y[i] + pieces[i]->height);
    }
    return 0;
}

xav_desc *xav_assemble_desc(xav_desc *const *pieces, char *const *videos, int n)
{
    xav_desc *m = xav_sidecar_copy(pieces[0]);
    int *x = (int *)CPLCalloc(n, sizeof(int));
    int *y = (int *)CPLCalloc(n, sizeof(int));
    owners o = {NULL, NULL};
    int i, k, ntiles, rc = m == NULL ? -1 : 0;
    for (i = 0; i < n && rc == 0; i++)
        rc = check_grid(pieces[i], i) != 0 ||
                     (i > 0 && check_piece(pieces[0], pieces[i], i) != 0)
                 ? -1
                 : 0;
    if (rc == 0)
        rc = plan_mosaic(m, pieces, n, x, y);
    if (rc == 0) {
        ntiles = xav_desc_tile_count(m);
        o.piece = (int *)CPLMalloc(ntiles * sizeof(int));
        o.tile = (int *)CPLMalloc(ntiles * sizeof(int));
        for (k = 0; k < ntiles; k++)
            o.piece[k] = -1;
        for (i = 0; i < n && rc == 0; i++)
            rc = place_piece(m, pieces[i], i, x[i], y[i], &o);
    }
    if (rc == 0)
        rc = gather_streams(m, pieces, videos, &o);
    for (i = 1; i < n && rc == 0; i++)
        merge_measures(m, pieces[i]);
    if (rc == 0) {
        m->encoder = CSLSetNameValue(m->encoder, "assembled_from",
                                     CPLSPrintf("%d pieces", n));
        rc = xav_desc_validate(m);
    }
    CPLFree(x);
    CPLFree(y);
    CPLFree(o.piece);
    CPLFree(o.tile);
    if (rc != 0) {
        xav_desc_free(m);
        return NULL;
    }
    return m;
}

/* A local relative name made absolute, so that folders compare. */
static char *absolute(const char *name)
{
    if (STARTS_WITH(name, "/vsi") || !CPLIsFilenameRelative(name))
        return CPLStrdup(name);
    return CPLStrdup(CPLFormFilename(CPLGetCurrentDir(), name, NULL));
}

/* The folder of piece's sidecar relative to out_dir, which must hold it. */
static char *relative_dir(const char *out_dir, const char *sidecar, int i)
{
    const char *dir = CPLGetPath(sidecar);
    int below = 0;
    const char *rel = CPLExtractRelativePath(out_dir, dir, &below);
    if (EQUAL(dir, out_dir))
        return CPLStrdup("");
    if (!below || STARTS_WITH(rel, "..")) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: piece %d (%s) is not in the output's folder or "
                 "below it, where a sidecar may refer to files.",
                 i + 1, sidecar);
        return NULL;
    }
    return CPLStrdup(rel);
}

int xav_assemble(const char *output, CSLConstList names)
{
    const int n = CSLCount(names);
    char *out = absolute(output), *out_dir = CPLStrdup(CPLGetPath(out));
    char *tmp = xav_name_temp(out);
    xav_desc **pieces = (xav_desc **)CPLCalloc(n + 1, sizeof(*pieces));
    char **videos = (char **)CPLCalloc(n + 1, sizeof(char *));
    xav_desc *m = NULL;
    int i, rc = n > 0 ? 0 : -1;
    if (n == 0)
        CPLError(CE_Failure, CPLE_IllegalArg, "XAVIDEO: no piece to assemble.");
    if (rc == 0 && !EQUAL(CPLGetExtension(out), "json")) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: %s: the assembled dataset is a sidecar, whose name "
                 "ends in .json.",
                 output);
        rc = -1;
    }
    for (i = 0; i < n && rc == 0; i++) {
        char *name = absolute(names[i]), *dir = NULL;
        char *video = xav_name_video(name), *sidecar = xav_name_sidecar(video);
        if ((pieces[i] = xav_sidecar_read(sidecar)) == NULL ||
            (dir = relative_dir(out_dir, sidecar, i)) == NULL)
            rc = -1;
        else
            videos[i] =
                CPLStrdup(CPLFormFilename(dir, CPLGetFilename(video), NULL));
        CPLFree(dir);
        CPLFree(sidecar);
        CPLFree(video);
        CPLFree(name);
    }
    if (rc == 0 && (m = xav_assemble_desc(pieces, videos, n)) == NULL)
        rc = -1;
    if (rc == 0 && (xav_sidecar_write(m, tmp) != 0 || VSIRename(tmp, out) != 0))
        rc = -1;
    if (rc != 0)
        VSIUnlink(tmp);
    for (i = 0; i < n; i++)
        xav_desc_free(pieces[i]);
    CPLFree(pieces);
    CSLDestroy(videos);
    xav_desc_free(m);
    CPLFree(out);
    CPLFree(out_dir);
    CPLFree(tmp);
    return rc;
}
