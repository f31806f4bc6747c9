/* crs: see crs.h. */
#include "crs.h"

#include <proj.h>

#include "cpl_conv.h"
#include "cpl_error.h"

static void wgs84_bbox(PJ_CONTEXT *ctx, PJ *crs, const double extent[4],
                       double bbox[4], int *has_bbox)
{
    PJ *lonlat = proj_create(ctx, "OGC:CRS84");
    PJ *op = lonlat
                 ? proj_create_crs_to_crs_from_pj(ctx, crs, lonlat, NULL, NULL)
                 : NULL;
    /* 21 points per edge: curved edges of conic and polar projections */
    *has_bbox =
        op != NULL && proj_trans_bounds(ctx, op, PJ_FWD, extent[0], extent[1],
                                        extent[2], extent[3], &bbox[0],
                                        &bbox[1], &bbox[2], &bbox[3], 21) != 0;
    proj_destroy(op);
    proj_destroy(lonlat);
}

int xav_crs_describe(const char *wkt, const double extent[4], char **projjson,
                     double bbox[4], int *has_bbox)
{
    PJ_CONTEXT *ctx = proj_context_create();
    PJ *crs = proj_create(ctx, wkt);
    const char *json;
    *projjson = NULL;
    *has_bbox = 0;
    if (crs == NULL || !proj_is_crs(crs)) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: PROJ does not accept the source CRS: %s.",
                 proj_context_errno_string(ctx, proj_context_errno(ctx)));
        proj_destroy(crs);
        proj_context_destroy(ctx);
        return -1;
    }
    json = proj_as_projjson(ctx, crs, NULL);
    if (json != NULL)
        *projjson = CPLStrdup(json);
    if (extent != NULL)
        wgs84_bbox(ctx, crs, extent, bbox, has_bbox);
    proj_destroy(crs);
    proj_context_destroy(ctx);
    return 0;
}
