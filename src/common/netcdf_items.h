/*
 * netcdf_items: the items GDAL's netCDF driver gives each band
 * (NETCDF_DIM_<dim>=its value there), as a reader derives them from the
 * dataset's own axes. One rule for both sides: the reader prints them, and
 * the writer leaves out of the sidecar a band's item that the reader would
 * print the same (on Ocean TEMP, 228 bands' time items were 7.7 KB).
 */
#ifndef XAV_NETCDF_ITEMS_H
#define XAV_NETCDF_ITEMS_H

#include <stddef.h>

#include "model.h"

/* The shortest of %.16g (what GDAL's netCDF driver prints) and %.17g that
 * reads back as v. */
void xav_netcdf_number(char *out, size_t size, double v);

/* The time dimension's name: the dataset's, or "time". */
const char *xav_netcdf_time_name(const xav_desc *d);

/* md with NETCDF_DIM_<name> set to value: the text md already has if it
 * reads as value (the source's "1096.485" kept), else value printed. */
char **xav_netcdf_set_place(char **md, const char *name, double value);

#endif /* XAV_NETCDF_ITEMS_H */
