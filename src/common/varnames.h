/*
 * varnames: variable names are unique within a dataset, so that every
 * variable, and so every band, can be told apart and reached: by the
 * classic view's VARIABLE items and descriptions, by the multidimensional
 * view's arrays, by a netCDF or Zarr copy. The rule lives here only:
 * CreateCopy applies it to what it writes, readers to sidecars written
 * before it.
 */
#ifndef XAV_VARNAMES_H
#define XAV_VARNAMES_H

#include "model.h"

/* For each of the n names, how many of the n are equal to it (byte for
 * byte). CPLMalloc'ed. */
int *xav_name_counts(char *const *names, int n);

/* The rule: a name that k > 1 variables share becomes NAME_1 ... NAME_k,
 * in variable order, with '_' appended while the result is another
 * variable's name. Names are changed in place; returns how many were. */
int xav_unique_variable_names(xav_desc *d);

#endif /* XAV_VARNAMES_H */
