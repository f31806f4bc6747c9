/*
 * GDAL driver XAVIDEO: the multidimensional view (see xavideomultidim.h and
 * doc/multidim.md).
 *
 * The group "/" holds the dimensions (time, the source's extra dimensions
 * such as a depth, y, x), the arrays, the indexing variables (time: the CF
 * values with units and calendar; an extra dimension: its values; y and x:
 * pixel centres from the geotransform, unless it is rotated) and the
 * dataset metadata as attributes. An array is a variable over (time, y, x),
 * or all the slices of one source array over (time, extra dimensions, y,
 * x), as the source had it. Arrays read through the core's block reads, so
 * a slab decodes only the time steps and tiles it touches; the dataset's
 * XAVIDEO metadata domain counts what was decoded.
 */
#include "xavideomultidim.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ogr_spatialref.h"
#include "xavideo.h"
#include "xavideomdarray.h"

namespace
{

using namespace xavmd;

/* ---- dimensions --------------------------------------------------------- */

/* A dimension that makes its indexing variable when asked. GDAL's weak
 * link (GDALDimensionWeakIndexingVar) is lost with the group, so an array
 * kept alone (ds.GetRootGroup().OpenMDArray(...)) had dimensions without
 * coordinates, and a strong one would be a cycle (the variable holds its
 * dimension). Each variable made holds a copy of the dimension. */
class MadeIndexDimension final : public GDALDimension
{
  public:
    using Maker = std::function<std::shared_ptr<GDALMDArray>(
        const std::shared_ptr<GDALDimension> &)>;

    MadeIndexDimension(const std::string &name, const std::string &type,
                       GUInt64 size, Maker make)
        : GDALDimension(kRoot, name, type, std::string(), size),
          m_make(std::move(make))
    {
    }

    std::shared_ptr<GDALMDArray> GetIndexingVariable() const override
    {
        if (!m_make)
            return nullptr;
        return m_make(std::make_shared<MadeIndexDimension>(GetName(), GetType(),
                                                           GetSize(), m_make));
    }

  private:
    Maker m_make;
};

/* ---- the group --------------------------------------------------------- */

/* An array of the view: its name and its variables, one per place along
 * the extra dimensions (sliced) or one. */
struct ArrayPlan {
    std::string name;
    std::vector<int> vars;
    bool sliced;
};

/* Whether variable v can stand in an array with variable first: the same
 * type and nodata (an array has one of each). */
bool Alike(const xav_dataset *core, int first, int v)
{
    const int a = xav_band_of(core, first, 0), b = xav_band_of(core, v, 0);
    double na = 0, nb = 0;
    const int ha = xav_band_nodata(core, a, &na);
    const int hb = xav_band_nodata(core, b, &nb);
    return xav_band_type(core, a) == xav_band_type(core, b) && ha == hb &&
           (!ha || na == nb || (na != na && nb != nb));
}

/* The slices of each source array, when they fill its extra dimensions
 * once each and are alike, are one array over them, named as the source
 * named it; every other variable is an array of its own, by its (unique)
 * name. Arrays come in the order of their first variable. */
std::vector<ArrayPlan> PlanArrays(const xav_dataset *core)
{
    const int nvars = xav_variable_count(core), ndims = xav_dim_count(core);
    size_t places = 1;
    for (int k = 0; k < ndims; k++)
        places *= static_cast<size_t>(xav_dim_size(core, k));
    /* per source array: its variable at each place, or why not one */
    std::map<std::string, std::vector<int>> grids;
    std::set<std::string> broken;
    for (int v = 0; v < nvars; v++) {
        const char *array = xav_variable_array(core, v);
        if (array == nullptr)
            continue;
        auto &grid = grids[array];
        if (grid.empty())
            grid.assign(places, -1);
        size_t place = 0;
        for (int k = 0; k < ndims; k++)
            place = place * static_cast<size_t>(xav_dim_size(core, k)) +
                    static_cast<size_t>(xav_variable_coordinate(core, v, k));
        const int first = *std::max_element(grid.begin(), grid.end());
        if (grid[place] != -1 || (first >= 0 && !Alike(core, first, v)))
            broken.insert(array);
        grid[place] = v;
    }
    std::vector<ArrayPlan> plans;
    std::set<std::string> done;
    for (int v = 0; v < nvars; v++) {
        const char *array = xav_variable_array(core, v);
        const bool sliced =
            array != nullptr && broken.count(array) == 0 &&
            std::count(grids[array].begin(), grids[array].end(), -1) == 0;
        if (!sliced)
            plans.push_back({xav_variable_name(core, v), {v}, false});
        else if (done.insert(array).second)
            plans.push_back({array, grids[array], true});
    }
    return plans;
}

/* name, or name with underscores appended, whichever is not taken; then
 * taken. */
std::string FreeName(std::string name, std::set<std::string> &taken)
{
    while (taken.count(name) != 0)
        name += "_";
    taken.insert(name);
    return name;
}

class RootGroup final : public GDALGroup
{
    Dimensions m_dims{};
    std::vector<std::shared_ptr<GDALMDArray>> m_arrays{}; /* indexing first */
    Attributes m_attributes{};
    std::set<std::string> m_taken{};

    /* y or x: pixel centres start + (i + 0.5) * step */
    struct Axis {
        std::string name;
        char cf; /* 'X' or 'Y' */
        int size;
        double start, step;
    };

    void AddIndexedDimension(const Core &core, const std::string &filename,
                             const char *name, const std::string &type,
                             int size, const double *values, const char *units,
                             const char *calendar);
    void AddSpatialDimension(const Axis &axis, bool withValues,
                             const OGRSpatialReference *srs);
    void AddArrays(const Core &core, const std::vector<ArrayPlan> &plans,
                   const std::shared_ptr<OGRSpatialReference> &srs3,
                   const std::shared_ptr<OGRSpatialReference> &srsN,
                   const std::string &filename);

  public:
    RootGroup(const Core &core, const std::string &filename);

    std::vector<std::string> GetMDArrayNames(CSLConstList) const override
    {
        std::vector<std::string> names;
        for (const auto &array : m_arrays)
            names.push_back(array->GetName());
        return names;
    }
    std::shared_ptr<GDALMDArray> OpenMDArray(const std::string &name,
                                             CSLConstList) const override
    {
        for (const auto &array : m_arrays)
            if (array->GetName() == name)
                return array;
        return nullptr;
    }
    Dimensions GetDimensions(CSLConstList) const override { return m_dims; }
    Attributes GetAttributes(CSLConstList) const override
    {
        return m_attributes;
    }
};

/* The CRS of arrays of rank dimensions, the last two y and x: the classic
 * view's x and y axes are their last and last but one. */
std::shared_ptr<OGRSpatialReference>
ArraySrs(const xav_dataset *core, const std::string &filename, int rank)
{
    const char *wkt = xav_crs_wkt(core);
    if (wkt == nullptr || xav_gcp_count(core) > 0)
        return nullptr;
    auto srs = std::make_shared<OGRSpatialReference>();
    if (srs->importFromWkt(wkt) != OGRERR_NONE) {
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: the CRS of %s cannot be read; ignoring it.",
                 filename.c_str());
        return nullptr;
    }
    srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::vector<int> mapping = srs->GetDataAxisToSRSAxisMapping();
    for (int &axis : mapping)
        if (std::abs(axis) <= 2)
            axis =
                (axis > 0 ? 1 : -1) * (std::abs(axis) == 1 ? rank : rank - 1);
    srs->SetDataAxisToSRSAxisMapping(mapping);
    return srs;
}

/* What a dimension is: time if its units are "<unit> since <date>",
 * vertical if the source's CF attributes say so (axis Z, positive). */
std::string DimensionType(const xav_dataset *core, const char *name,
                          const char *units)
{
    char unit[32], since[16];
    if (units != nullptr && sscanf(units, " %31s %15s", unit, since) == 2 &&
        EQUAL(since, "since"))
        return GDAL_DIM_TYPE_TEMPORAL;
    CSLConstList md = xav_metadata(core, nullptr);
    const char *axis = CSLFetchNameValue(md, CPLSPrintf("%s#axis", name));
    if ((axis != nullptr && EQUAL(axis, "Z")) ||
        CSLFetchNameValue(md, CPLSPrintf("%s#positive", name)) != nullptr)
        return GDAL_DIM_TYPE_VERTICAL;
    return std::string();
}

RootGroup::RootGroup(const Core &core, const std::string &filename)
    : GDALGroup(std::string(), kRoot)
{
    const xav_dataset *c = core.get();
    const auto plans = PlanArrays(c);
    for (const auto &plan : plans)
        m_taken.insert(plan.name);
    const char *time = xav_time_name(c) != nullptr ? xav_time_name(c) : "time";
    AddIndexedDimension(core, filename, time,
                        xav_time_values(c) != nullptr
                            ? DimensionType(c, time, xav_time_units(c))
                            : std::string(GDAL_DIM_TYPE_TEMPORAL),
                        xav_time_count(c), xav_time_values(c),
                        xav_time_units(c), xav_time_calendar(c));
    const bool sliced =
        std::any_of(plans.begin(), plans.end(),
                    [](const ArrayPlan &p) { return p.sliced; });
    for (int k = 0; sliced && k < xav_dim_count(c); k++)
        AddIndexedDimension(
            core, filename, xav_dim_name(c, k),
            DimensionType(c, xav_dim_name(c, k), xav_dim_units(c, k)),
            xav_dim_size(c, k), xav_dim_values(c, k), xav_dim_units(c, k),
            nullptr);
    double gt[6] = {0, 1, 0, 0, 0, 1};
    const bool regular = xav_geotransform(c, gt) && gt[2] == 0 && gt[4] == 0;
    const auto srs = ArraySrs(c, filename, 3);
    const auto srsN =
        sliced ? ArraySrs(c, filename, 3 + xav_dim_count(c)) : srs;
    AddSpatialDimension({FreeName(xav_grid_name(c, 0), m_taken), 'Y',
                         xav_height(c), gt[3], gt[5]},
                        regular, srs.get());
    AddSpatialDimension({FreeName(xav_grid_name(c, 1), m_taken), 'X',
                         xav_width(c), gt[0], gt[1]},
                        regular, srs.get());
    AddArrays(core, plans, srs, srsN, filename);
    m_attributes = GroupAttributes(GetFullName(), core);
}

/* Arrays over (time, y, x), or over (time, extra dimensions, y, x). */
void RootGroup::AddArrays(const Core &core, const std::vector<ArrayPlan> &plans,
                          const std::shared_ptr<OGRSpatialReference> &srs3,
                          const std::shared_ptr<OGRSpatialReference> &srsN,
                          const std::string &filename)
{
    const size_t extra = m_dims.size() - 3;
    const Dimensions plain = {m_dims[0], m_dims[extra + 1], m_dims[extra + 2]};
    for (const auto &plan : plans)
        m_arrays.push_back(VariableArray(core, plan.name, plan.vars,
                                         plan.sliced ? m_dims : plain,
                                         plan.sliced ? srsN : srs3, filename));
}

/* The time axis (size 1 and no values when the cube has none) or an extra
 * dimension, and its indexing variable. */
void RootGroup::AddIndexedDimension(const Core &core,
                                    const std::string &filename,
                                    const char *name, const std::string &type,
                                    int size, const double *values,
                                    const char *units, const char *calendar)
{
    MadeIndexDimension::Maker make;
    if (values != nullptr) {
        /* values belong to core, which the maker keeps */
        const std::string u = units ? units : "",
                          cal = calendar ? calendar : "";
        const bool hasUnits = units != nullptr, hasCal = calendar != nullptr;
        make = [=](const std::shared_ptr<GDALDimension> &dim) {
            return IndexArray(dim, values, hasUnits ? u.c_str() : nullptr,
                              hasCal ? cal.c_str() : nullptr, core, filename);
        };
    }
    auto dim = std::make_shared<MadeIndexDimension>(FreeName(name, m_taken),
                                                    type, size, make);
    m_dims.push_back(dim);
    if (values != nullptr)
        m_arrays.push_back(dim->GetIndexingVariable());
}

/* y or x; its pixel centres when the geotransform is not rotated, with the
 * CF attributes that let readers of a netCDF or Zarr copy find the axis
 * (GDAL's netCDF writer adds them only when the copy writes the coordinate
 * before the variable, which -subset does not). */
void RootGroup::AddSpatialDimension(const Axis &axis, bool withValues,
                                    const OGRSpatialReference *srs)
{
    const bool isX = axis.cf == 'X';
    std::vector<std::pair<std::string, std::string>> attrs = {
        {"axis", isX ? "X" : "Y"}};
    if (srs != nullptr && srs->IsGeographic()) {
        attrs.push_back({"standard_name", isX ? "longitude" : "latitude"});
        attrs.push_back({"units", isX ? "degrees_east" : "degrees_north"});
    } else if (srs != nullptr && srs->IsProjected()) {
        attrs.push_back({"standard_name", isX ? "projection_x_coordinate"
                                              : "projection_y_coordinate"});
        if (srs->GetLinearUnits() == 1.0)
            attrs.push_back({"units", "m"});
    }
    MadeIndexDimension::Maker make;
    if (withValues)
        make = [axis, attrs](const std::shared_ptr<GDALDimension> &dim) {
            auto values = GDALMDArrayRegularlySpaced::Create(
                kRoot, axis.name, dim, axis.start, axis.step, 0.5);
            for (const auto &a : attrs)
                values->AddAttribute(std::make_shared<GDALAttributeString>(
                    values->GetFullName(), a.first, a.second));
            return std::shared_ptr<GDALMDArray>(values);
        };
    auto dim = std::make_shared<MadeIndexDimension>(
        axis.name,
        isX ? GDAL_DIM_TYPE_HORIZONTAL_X : GDAL_DIM_TYPE_HORIZONTAL_Y,
        axis.size, make);
    m_dims.push_back(dim);
    if (withValues)
        m_arrays.push_back(dim->GetIndexingVariable());
}

/* ---- the dataset ------------------------------------------------------- */

class MultiDimDataset final : public GDALDataset
{
    Core m_core;
    std::shared_ptr<RootGroup> m_root;
    CPLStringList m_state{};

  public:
    MultiDimDataset(const Core &core, const std::string &filename)
        : m_core(core), m_root(std::make_shared<RootGroup>(core, filename))
    {
        SetDescription(filename.c_str());
    }

    std::shared_ptr<GDALGroup> GetRootGroup() const override { return m_root; }
    char **GetFileList() override
    {
        return CSLDuplicate(xav_file_list(m_core.get()));
    }
    char **GetMetadataDomainList() override
    {
        return BuildMetadataDomainList(GDALDataset::GetMetadataDomainList(),
                                       TRUE, XAV_DRIVER_NAME, nullptr);
    }
    /* XAVIDEO: what the reads cost so far (DECODED_FRAMES), as for the
     * classic view. */
    char **GetMetadata(const char *domain) override
    {
        if (domain == nullptr || !EQUAL(domain, XAV_DRIVER_NAME))
            return GDALDataset::GetMetadata(domain);
        m_state.Assign(xav_state_metadata(m_core.get()), TRUE);
        return m_state.List();
    }
    const char *GetMetadataItem(const char *name, const char *domain) override
    {
        if (domain == nullptr || !EQUAL(domain, XAV_DRIVER_NAME))
            return GDALDataset::GetMetadataItem(name, domain);
        return CSLFetchNameValue(GetMetadata(domain), name);
    }
};

} // namespace

GDALDataset *XAVIDEOOpenMultiDim(GDALOpenInfo *info)
{
    xav_dataset *core = xav_open(info->pszFilename, info->papszOpenOptions);
    if (core == nullptr)
        return nullptr;
    return new MultiDimDataset(Core(core, xav_close), info->pszFilename);
}
