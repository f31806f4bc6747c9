/* present: see present.h. */
#include "present.h"

#include <math.h>
#include <string.h>

#include "cpl_conv.h"
#include "cpl_string.h"

#include "layout.h"

static const char *number_text(double v)
{
    return CPLSPrintf("%.17g", v);
}

/* "{v0,v1,...}": the time values as netCDF lists them, built in linear time
 * (a sidecar may hold a million of them). */
static char *time_values_text(const xav_desc *d)
{
    size_t cap = 64 + (size_t)d->ntimes * 26, len = 1; /* 26 > ",%.17g" */
    char *text = (char *)CPLMalloc(cap);
    int t;
    text[0] = '{';
    for (t = 0; t < d->ntimes; t++)
        len += (size_t)snprintf(text + len, cap - len, "%s%.17g", t ? "," : "",
                                d->time_values[t]);
    text[len++] = '}';
    text[len] = '\0';
    return text;
}

/* netCDF-style time items, so that gdal_translate -of netCDF keeps a real
 * time dimension; the source's own items win where it had them. */
static void derive_dataset_metadata(xav_dataset *ds)
{
    const xav_desc *d = ds->d;
    const char *name = d->time_name ? d->time_name : "time";
    char *values;
    ds->metadata = CSLDuplicate(d->metadata);
    if (d->time_values == NULL)
        return;
    values = time_values_text(d);
    if (CSLFetchNameValue(ds->metadata, "NETCDF_DIM_EXTRA") == NULL) {
        ds->metadata = CSLSetNameValue(ds->metadata, "NETCDF_DIM_EXTRA",
                                       CPLSPrintf("{%s}", name));
        ds->metadata =
            CSLSetNameValue(ds->metadata, CPLSPrintf("NETCDF_DIM_%s_DEF", name),
                            CPLSPrintf("{%d,6}", d->ntimes));
        ds->metadata = CSLSetNameValue(
            ds->metadata, CPLSPrintf("NETCDF_DIM_%s_VALUES", name), values);
        if (d->time_units != NULL)
            ds->metadata = CSLSetNameValue(
                ds->metadata, CPLSPrintf("%s#units", name), d->time_units);
        if (d->time_calendar != NULL)
            ds->metadata =
                CSLSetNameValue(ds->metadata, CPLSPrintf("%s#calendar", name),
                                d->time_calendar);
    }
    CPLFree(values);
    ds->xav_metadata =
        CSLSetNameValue(NULL, "VARIABLES", CPLSPrintf("%d", d->nvars));
    ds->xav_metadata =
        CSLSetNameValue(ds->xav_metadata, "TIMES", CPLSPrintf("%d", d->ntimes));
}

/* v in the fewest digits that read back as v: a bound printed shorter
 * would be below the guarantee, and 0.2 should not read 0.20000000000000001.
 */
static const char *exact_text(double v)
{
    int digits;
    for (digits = 6; digits < 17; digits++)
        if (CPLAtof(CPLSPrintf("%.*g", digits, v)) == v)
            break;
    return CPLSPrintf("%.*g", digits, v);
}

/* What the coding of band b cost and guarantees, in its IMAGE_STRUCTURE
 * domain: gdalinfo shows it, and gdal_translate does not copy it into
 * files where it would no longer be true. */
static char **coding_metadata(const xav_dataset *ds, int b,
                              const xav_variable *var)
{
    const xav_desc *d = ds->d;
    char **md = NULL;
    int s, c;
    if (xav_layout_find(d, (int)(var - d->vars), 0, XAV_ROLE_DATA, 0, &s, &c) ==
        0)
        md = CSLSetNameValue(md, "COMPRESSION",
                             d->streams[s].codec == XAV_CODEC_FFV1  ? "FFV1"
                             : d->streams[s].codec == XAV_CODEC_AV1 ? "AV1"
                                                                    : "HEVC");
    md = CSLSetNameValue(md, "COMPRESSION_REVERSIBILITY",
                         xav_variable_is_exact(var) ? "LOSSLESS" : "LOSSY");
    if (var->max_error > 0)
        md = CSLSetNameValue(md, "XAVIDEO_MAX_ERROR_BOUND",
                             exact_text(var->max_error));
    if (d->psnr != NULL) {
        md = CSLSetNameValue(
            md, "XAVIDEO_PSNR_DB",
            isinf(d->psnr[b]) ? "inf" : CPLSPrintf("%.2f", d->psnr[b]));
        md = CSLSetNameValue(md, "XAVIDEO_MAX_ABS_ERROR",
                             CPLSPrintf("%.9g", d->max_abs_error[b]));
    }
    return md;
}

static void derive_band(xav_dataset *ds, int b)
{
    const xav_desc *d = ds->d;
    const xav_variable *var;
    char **md, **x = NULL;
    int v, t, s = -1, c = 0;
    xav_desc_band_split(d, b, &v, &t);
    var = &d->vars[v];
    md = CSLDuplicate(var->metadata);
    if (d->band_metadata != NULL)
        md = CSLMerge(md, d->band_metadata[b]);
    if (d->time_values != NULL) {
        const char *key = CPLSPrintf("NETCDF_DIM_%s", d->time_name);
        if (CSLFetchNameValue(md, key) == NULL)
            md = CSLSetNameValue(md, key, number_text(d->time_values[t]));
        if (CSLFetchNameValue(md, "NETCDF_VARNAME") == NULL)
            md = CSLSetNameValue(md, "NETCDF_VARNAME", var->name);
    }
    ds->band_md[b] = md;
    ds->band_is_md[b] = coding_metadata(ds, b, var);
    xav_layout_find(d, v, 0, XAV_ROLE_DATA, 0, &s, &c);
    x = CSLSetNameValue(x, "VARIABLE", var->name);
    x = CSLSetNameValue(x, "TIME_INDEX", CPLSPrintf("%d", t));
    if (d->time_iso != NULL)
        x = CSLSetNameValue(x, "TIME", d->time_iso[t]);
    else if (d->time_values != NULL)
        x = CSLSetNameValue(x, "TIME", number_text(d->time_values[t]));
    if (var->description != NULL && strcmp(var->description, var->name) != 0)
        x = CSLSetNameValue(x, "SOURCE_DESCRIPTION", var->description);
    x = CSLSetNameValue(x, "STREAM", CPLSPrintf("%d", s));
    x = CSLSetNameValue(x, "CHANNEL", CPLSPrintf("%d", c));
    x = CSLSetNameValue(x, "LOSSLESS", d->streams[s].lossless ? "YES" : "NO");
    ds->band_xav_md[b] = x;
    if (d->time_iso != NULL)
        ds->descriptions[b] =
            CPLStrdup(CPLSPrintf("%s %.10s", var->name, d->time_iso[t]));
    else if (d->time_values != NULL)
        ds->descriptions[b] = CPLStrdup(
            CPLSPrintf("%s %s", var->name, number_text(d->time_values[t])));
    else
        ds->descriptions[b] = CPLStrdup(var->name);
}

void xav_present(xav_dataset *ds)
{
    int v, b, lossy = 0;
    derive_dataset_metadata(ds);
    for (b = 0; b < xav_desc_band_count(ds->d); b++)
        derive_band(ds, b);
    for (v = 0; v < ds->d->nvars; v++)
        lossy |= !xav_variable_is_exact(&ds->d->vars[v]);
    /* GDAL's convention for lossy drivers (JPEG, WEBP, JPEGXL) */
    ds->is_metadata = CSLSetNameValue(NULL, "COMPRESSION_REVERSIBILITY",
                                      lossy ? "LOSSY" : "LOSSLESS");
}
