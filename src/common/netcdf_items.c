/* netcdf_items: see netcdf_items.h. */
#include "netcdf_items.h"

#include <stdio.h>

#include "cpl_conv.h"
#include "cpl_string.h"

void xav_netcdf_number(char *out, size_t size, double v)
{
    snprintf(out, size, "%.16g", v);
    if (CPLAtof(out) != v)
        snprintf(out, size, "%.17g", v);
}

const char *xav_netcdf_time_name(const xav_desc *d)
{
    return d->time_name != NULL ? d->time_name : "time";
}

char **xav_netcdf_set_place(char **md, const char *name, double value)
{
    const char *key = CPLSPrintf("NETCDF_DIM_%s", name);
    const char *old = CSLFetchNameValue(md, key);
    char text[32];
    if (old != NULL && CPLAtof(old) == value)
        return md;
    xav_netcdf_number(text, sizeof(text), value);
    return CSLSetNameValue(md, key, text);
}
