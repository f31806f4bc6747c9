/*
 * GDAL driver XAVIDEO: the arrays of the multidimensional view (see
 * xavideomultidim.cpp and doc/multidim.md): an indexing variable (the time
 * axis' or an extra dimension's values), a variable over (time, y, x) or a
 * source array's slices over (time, extra dimensions, y, x), read through
 * the core's block reads; and the metadata they show as attributes.
 */
#ifndef XAVIDEOMDARRAY_H
#define XAVIDEOMDARRAY_H

#include <memory>
#include <string>
#include <vector>

#include "gdal_priv.h"
#include "xavideo.h"

namespace xavmd
{

using Core = std::shared_ptr<xav_dataset>;
using Attributes = std::vector<std::shared_ptr<GDALAttribute>>;
using Dimensions = std::vector<std::shared_ptr<GDALDimension>>;

constexpr const char *kRoot = "/";

/* The dataset's metadata as the root group's attributes: netCDF global
 * attributes without their prefix, the dimension items and the attributes
 * of other netCDF variables left out (the arrays say them). */
Attributes GroupAttributes(const std::string &parent, const Core &core);

/* dim's indexing variable: its values (dim->GetSize() of them), units and
 * calendar (either may be NULL), and the source's <name>#attr items. */
std::shared_ptr<GDALMDArray>
IndexArray(const std::shared_ptr<GDALDimension> &dim, const double *values,
           const char *units, const char *calendar, const Core &core,
           const std::string &filename);

/* An array over dims (time, extra dimensions..., y, x) holding vars, the
 * variable at each place along the extra dimensions, the last fastest (one
 * variable when there are none). */
std::shared_ptr<GDALMDArray>
VariableArray(const Core &core, const std::string &name,
              const std::vector<int> &vars, const Dimensions &dims,
              const std::shared_ptr<OGRSpatialReference> &srs,
              const std::string &filename);

} // namespace xavmd

#endif /* XAVIDEOMDARRAY_H */
