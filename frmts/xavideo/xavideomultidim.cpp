/*
 * GDAL driver XAVIDEO: the multidimensional view (see xavideomultidim.h and
 * doc/multidim.md).
 *
 * The group "/" holds the dimensions (time, y, x), one array per variable
 * over them, the indexing variables (time: the CF values with units and
 * calendar; y and x: pixel centres from the geotransform, unless it is
 * rotated) and the dataset metadata as attributes. Arrays read through the
 * core's block reads, so a slab decodes only the time steps and tiles it
 * touches; the dataset's XAVIDEO metadata domain counts what was decoded.
 */
#include "xavideomultidim.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ogr_spatialref.h"
#include "xavideo.h"

namespace
{

using Core = std::shared_ptr<xav_dataset>;
using Attributes = std::vector<std::shared_ptr<GDALAttribute>>;
using Dimensions = std::vector<std::shared_ptr<GDALDimension>>;

constexpr const char *kRoot = "/";
constexpr const char *kGlobalPrefix = "NC_GLOBAL#";

/* ---- attributes -------------------------------------------------------- */

/* A metadata value as an attribute. Metadata has lost the source's types;
 * CF readers want numbers numeric (valid_min, ...), hence the guess. */
std::shared_ptr<GDALAttribute> MakeAttribute(const std::string &parent,
                                             const std::string &name,
                                             const char *value)
{
    switch (CPLGetValueType(value)) {
    case CPL_VALUE_INTEGER: {
        const GIntBig n = CPLAtoGIntBig(value);
        if (n >= INT_MIN && n <= INT_MAX)
            return std::make_shared<GDALAttributeNumeric>(parent, name,
                                                          static_cast<int>(n));
        return std::make_shared<GDALAttributeNumeric>(parent, name,
                                                      CPLAtof(value));
    }
    case CPL_VALUE_REAL:
        return std::make_shared<GDALAttributeNumeric>(parent, name,
                                                      CPLAtof(value));
    default:
        return std::make_shared<GDALAttributeString>(parent, name, value);
    }
}

/* Attributes from the KEY=VALUE items that rename(key, name) keeps, under
 * the name it gives them. */
template <class Rename>
void AddAttributes(Attributes &out, const std::string &parent,
                   CSLConstList metadata, Rename rename)
{
    for (CSLConstList item = metadata; item != nullptr && *item; item++) {
        char *key = nullptr;
        const char *value = CPLParseNameValue(*item, &key);
        std::string name;
        if (key != nullptr && value != nullptr &&
            rename(std::string(key), name))
            out.push_back(MakeAttribute(parent, name, value));
        CPLFree(key);
    }
}

bool StartsWith(const std::string &s, const std::string &prefix)
{
    return s.compare(0, prefix.size(), prefix) == 0;
}

/* Dataset items: netCDF global attributes lose their prefix; the netCDF
 * time dimension items and the attributes of other netCDF variables (the
 * variables' own, the source's coordinates, the time axis) are said by the
 * arrays instead. */
bool GroupAttributeName(const std::string &key, std::string &name)
{
    if (StartsWith(key, kGlobalPrefix)) {
        name = key.substr(strlen(kGlobalPrefix));
        return true;
    }
    name = key;
    return !StartsWith(key, "NETCDF_DIM_") &&
           key.find('#') == std::string::npos;
}

/* A variable's items, less those its array says otherwise: nodata, unit,
 * offset and scale, and the netCDF driver's bookkeeping. */
bool VariableAttributeName(const std::string &key, std::string &name)
{
    static const char *const kSaidOtherwise[] = {
        "_FillValue", "missing_value", "units", "scale_factor", "add_offset"};
    for (const char *k : kSaidOtherwise)
        if (key == k)
            return false;
    name = key;
    return !StartsWith(key, "NETCDF_");
}

/* ---- arrays ------------------------------------------------------------ */

/* What the arrays of this view share: read-only, their own attributes. */
class ReadOnlyArray : public GDALMDArray
{
  protected:
    Dimensions m_dims;
    GDALExtendedDataType m_dt;
    std::string m_unit{};
    Attributes m_attributes{};
    std::string m_filename;

    ReadOnlyArray(const std::string &name, const Dimensions &dims,
                  const GDALExtendedDataType &dt, const std::string &filename)
        : GDALAbstractMDArray(kRoot, name), GDALMDArray(kRoot, name),
          m_dims(dims), m_dt(dt), m_filename(filename)
    {
    }

  public:
    bool IsWritable() const override { return false; }
    const std::string &GetFilename() const override { return m_filename; }
    const Dimensions &GetDimensions() const override { return m_dims; }
    const GDALExtendedDataType &GetDataType() const override { return m_dt; }
    const std::string &GetUnit() const override { return m_unit; }
    Attributes GetAttributes(CSLConstList) const override
    {
        return m_attributes;
    }

    /* GDALMDArray needs to know its shared_ptr (views, subsets). */
    template <class T, class... Args>
    static std::shared_ptr<T> Create(Args &&...args)
    {
        std::shared_ptr<T> array(new T(std::forward<Args>(args)...));
        array->SetSelf(array);
        return array;
    }
};

/* The time axis: its CF values, with units and calendar. */
class TimeArray final : public ReadOnlyArray
{
    friend class ReadOnlyArray;
    std::vector<double> m_values;

    TimeArray(const std::shared_ptr<GDALDimension> &dim, const Core &core,
              const std::string &filename)
        : GDALAbstractMDArray(kRoot, dim->GetName()),
          ReadOnlyArray(dim->GetName(), {dim},
                        GDALExtendedDataType::Create(GDT_Float64), filename),
          m_values(xav_time_values(core.get()),
                   xav_time_values(core.get()) + xav_time_count(core.get()))
    {
        const char *units = xav_time_units(core.get());
        const char *calendar = xav_time_calendar(core.get());
        if (units != nullptr) {
            m_unit = units;
            m_attributes.push_back(std::make_shared<GDALAttributeString>(
                GetFullName(), "units", units));
        }
        if (calendar != nullptr)
            m_attributes.push_back(std::make_shared<GDALAttributeString>(
                GetFullName(), "calendar", calendar));
        const std::string prefix = dim->GetName() + "#";
        AddAttributes(m_attributes, GetFullName(),
                      xav_metadata(core.get(), nullptr),
                      [&prefix](const std::string &key, std::string &name) {
                          if (!StartsWith(key, prefix))
                              return false;
                          name = key.substr(prefix.size());
                          return name != "units" && name != "calendar";
                      });
    }

  protected:
    bool IRead(const GUInt64 *start, const size_t *count, const GInt64 *step,
               const GPtrDiff_t *stride, const GDALExtendedDataType &bufferType,
               void *buffer) const override
    {
        return GDALExtendedDataType::CopyValues(
            &m_values[static_cast<size_t>(start[0])], m_dt, step[0], buffer,
            bufferType, stride[0], count[0]);
    }
};

GInt64 FloorDiv(GInt64 a, GInt64 b)
{
    const GInt64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Along one axis, the i in [0, count) whose index start + i * step lies in
 * [lo, hi): first..last, empty when first > last. */
void IndicesIn(GUInt64 start, GInt64 step, size_t count, GInt64 lo, GInt64 hi,
               GInt64 &first, GInt64 &last)
{
    const GInt64 s = static_cast<GInt64>(start);
    const GInt64 n = static_cast<GInt64>(count);
    if (step == 0) {
        first = 0;
        last = s >= lo && s < hi ? n - 1 : -1;
        return;
    }
    /* lo <= s + i * step <= hi - 1, ceil(x / y) being -floor(-x / y) */
    const GInt64 a =
        step > 0 ? -FloorDiv(s - lo, step) : -FloorDiv(s - (hi - 1), step);
    const GInt64 b =
        step > 0 ? FloorDiv(hi - 1 - s, step) : FloorDiv(lo - s, step);
    first = std::max<GInt64>(a, 0);
    last = std::min<GInt64>(b, n - 1);
}

/* One variable over (time, y, x). */
class VariableArray final : public ReadOnlyArray
{
    friend class ReadOnlyArray;
    Core m_core;
    int m_var;
    int m_firstBand;
    std::vector<GByte> m_nodata{};
    std::shared_ptr<OGRSpatialReference> m_srs;

    VariableArray(const Core &core, int var, const Dimensions &dims,
                  const std::shared_ptr<OGRSpatialReference> &srs,
                  const std::string &filename);

    bool ReadTimeStep(int band, const GUInt64 *start, const size_t *count,
                      const GInt64 *step, const GPtrDiff_t *stride,
                      const GDALExtendedDataType &bufferType,
                      GByte *buffer) const;

  protected:
    bool IRead(const GUInt64 *start, const size_t *count, const GInt64 *step,
               const GPtrDiff_t *stride, const GDALExtendedDataType &bufferType,
               void *buffer) const override;

  public:
    std::vector<GUInt64> GetBlockSize() const override
    {
        int width = 0, height = 0;
        xav_block_size(m_core.get(), &width, &height);
        return {1, static_cast<GUInt64>(height), static_cast<GUInt64>(width)};
    }
    const void *GetRawNoDataValue() const override
    {
        return m_nodata.empty() ? nullptr : m_nodata.data();
    }
    double GetOffset(bool *has, GDALDataType *storage) const override
    {
        return OffsetOrScale(0, has, storage);
    }
    double GetScale(bool *has, GDALDataType *storage) const override
    {
        return OffsetOrScale(1, has, storage);
    }
    std::shared_ptr<OGRSpatialReference> GetSpatialRef() const override
    {
        return m_srs ? std::make_shared<OGRSpatialReference>(*m_srs) : nullptr;
    }

  private:
    double OffsetOrScale(int which, bool *has, GDALDataType *storage) const
    {
        double value[2] = {0, 1};
        const bool known = xav_band_offset_scale(m_core.get(), m_firstBand,
                                                 &value[0], &value[1]) != 0;
        if (has != nullptr)
            *has = known;
        if (storage != nullptr)
            *storage = GDT_Unknown;
        return value[which];
    }
};

VariableArray::VariableArray(const Core &core, int var, const Dimensions &dims,
                             const std::shared_ptr<OGRSpatialReference> &srs,
                             const std::string &filename)
    : GDALAbstractMDArray(kRoot, xav_variable_name(core.get(), var)),
      ReadOnlyArray(xav_variable_name(core.get(), var), dims,
                    GDALExtendedDataType::Create(xav_band_type(
                        core.get(), xav_band_of(core.get(), var, 0))),
                    filename),
      m_core(core), m_var(var), m_firstBand(xav_band_of(core.get(), var, 0)),
      m_srs(srs)
{
    const char *units = xav_band_units(core.get(), m_firstBand);
    m_unit = units != nullptr ? units : "";
    double nodata = 0;
    if (xav_band_nodata(core.get(), m_firstBand, &nodata)) {
        m_nodata.resize(m_dt.GetSize());
        GDALCopyWords64(&nodata, GDT_Float64, 0, m_nodata.data(),
                        m_dt.GetNumericDataType(), 0, 1);
    }
    AddAttributes(m_attributes, GetFullName(),
                  xav_variable_metadata(core.get(), var),
                  VariableAttributeName);
}

bool VariableArray::IRead(const GUInt64 *start, const size_t *count,
                          const GInt64 *step, const GPtrDiff_t *stride,
                          const GDALExtendedDataType &bufferType,
                          void *buffer) const
{
    for (size_t i = 0; i < count[0]; i++) {
        const GInt64 t =
            static_cast<GInt64>(start[0]) + static_cast<GInt64>(i) * step[0];
        const int band = xav_band_of(m_core.get(), m_var, static_cast<int>(t));
        GByte *out = static_cast<GByte *>(buffer) +
                     static_cast<GPtrDiff_t>(i) * stride[0] *
                         static_cast<GPtrDiff_t>(bufferType.GetSize());
        if (band < 0 || !ReadTimeStep(band, start + 1, count + 1, step + 1,
                                      stride + 1, bufferType, out))
            return false;
    }
    return true;
}

/* The (y, x) part of a request at one time step: each tile under it is read
 * once, through the core, and its requested pixels copied out. */
bool VariableArray::ReadTimeStep(int band, const GUInt64 *start,
                                 const size_t *count, const GInt64 *step,
                                 const GPtrDiff_t *stride,
                                 const GDALExtendedDataType &bufferType,
                                 GByte *buffer) const
{
    int bw = 0, bh = 0;
    xav_block_size(m_core.get(), &bw, &bh);
    const int tilesX = DIV_ROUND_UP(xav_width(m_core.get()), bw);
    const int tilesY = DIV_ROUND_UP(xav_height(m_core.get()), bh);
    const GPtrDiff_t inSize = static_cast<GPtrDiff_t>(m_dt.GetSize());
    const GPtrDiff_t outSize = static_cast<GPtrDiff_t>(bufferType.GetSize());
    std::vector<GByte> tile;
    for (int by = 0; by < tilesY; by++) {
        GInt64 y0, y1;
        IndicesIn(start[0], step[0], count[0], static_cast<GInt64>(by) * bh,
                  static_cast<GInt64>(by + 1) * bh, y0, y1);
        for (int bx = 0; bx < tilesX && y0 <= y1; bx++) {
            GInt64 x0, x1;
            IndicesIn(start[1], step[1], count[1], static_cast<GInt64>(bx) * bw,
                      static_cast<GInt64>(bx + 1) * bw, x0, x1);
            if (x0 > x1)
                continue;
            tile.resize(static_cast<size_t>(bw) * bh * inSize);
            if (xav_read_block(m_core.get(), band, bx, by, tile.data()) != 0)
                return false;
            const GInt64 col =
                static_cast<GInt64>(start[1]) + x0 * step[1] - bx * bw;
            for (GInt64 iy = y0; iy <= y1; iy++) {
                const GInt64 row =
                    static_cast<GInt64>(start[0]) + iy * step[0] - by * bh;
                GDALExtendedDataType::CopyValues(
                    tile.data() + (row * bw + col) * inSize, m_dt, step[1],
                    buffer + (iy * stride[0] + x0 * stride[1]) * outSize,
                    bufferType, stride[1], static_cast<size_t>(x1 - x0 + 1));
            }
        }
    }
    return true;
}

/* ---- the group --------------------------------------------------------- */

class RootGroup final : public GDALGroup
{
    Dimensions m_dims{};
    std::vector<std::shared_ptr<GDALMDArray>> m_arrays{}; /* indexing first */
    Attributes m_attributes{};

    /* y or x: pixel centres start + (i + 0.5) * step */
    struct Axis {
        std::string name;
        char cf; /* 'X' or 'Y' */
        int size;
        double start, step;
    };

    void AddTimeDimension(const Core &core, const std::string &filename);
    void AddSpatialDimension(const Axis &axis, bool withValues,
                             const OGRSpatialReference *srs);

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

/* name, or name with underscores appended, whichever no variable has. */
std::string FreeName(std::string name, const xav_dataset *core)
{
    for (int v = 0; v < xav_variable_count(core); v++)
        if (name == xav_variable_name(core, v)) {
            name += "_";
            v = -1;
        }
    return name;
}

/* The CRS of arrays over (time, y, x): the classic view's x and y axes are
 * their third and second dimensions. */
std::shared_ptr<OGRSpatialReference> ArraySrs(const xav_dataset *core,
                                              const std::string &filename)
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
            axis = (axis > 0 ? 1 : -1) * (std::abs(axis) == 1 ? 3 : 2);
    srs->SetDataAxisToSRSAxisMapping(mapping);
    return srs;
}

RootGroup::RootGroup(const Core &core, const std::string &filename)
    : GDALGroup(std::string(), kRoot)
{
    const auto srs = ArraySrs(core.get(), filename);
    AddTimeDimension(core, filename);
    double gt[6] = {0, 1, 0, 0, 0, 1};
    const xav_dataset *c = core.get();
    const bool regular = xav_geotransform(c, gt) && gt[2] == 0 && gt[4] == 0;
    AddSpatialDimension({FreeName("y", c), 'Y', xav_height(c), gt[3], gt[5]},
                        regular, srs.get());
    AddSpatialDimension({FreeName("x", c), 'X', xav_width(c), gt[0], gt[1]},
                        regular, srs.get());
    for (int v = 0; v < xav_variable_count(c); v++)
        m_arrays.push_back(ReadOnlyArray::Create<VariableArray>(core, v, m_dims,
                                                                srs, filename));
    AddAttributes(m_attributes, GetFullName(), xav_metadata(c, nullptr),
                  GroupAttributeName);
}

void RootGroup::AddTimeDimension(const Core &core, const std::string &filename)
{
    const xav_dataset *c = core.get();
    const char *name = xav_time_name(c);
    auto time = std::make_shared<GDALDimensionWeakIndexingVar>(
        kRoot, FreeName(name != nullptr ? name : "time", c),
        GDAL_DIM_TYPE_TEMPORAL, std::string(), xav_time_count(c));
    m_dims.push_back(time);
    if (xav_time_values(c) == nullptr)
        return;
    auto values = ReadOnlyArray::Create<TimeArray>(time, core, filename);
    time->SetIndexingVariable(values);
    m_arrays.push_back(values);
}

/* y or x; its pixel centres when the geotransform is not rotated, with the
 * CF attributes that let readers of a netCDF or Zarr copy find the axis
 * (GDAL's netCDF writer adds them only when the copy writes the coordinate
 * before the variable, which -subset does not). */
void RootGroup::AddSpatialDimension(const Axis &axis, bool withValues,
                                    const OGRSpatialReference *srs)
{
    const bool isX = axis.cf == 'X';
    auto dim = std::make_shared<GDALDimensionWeakIndexingVar>(
        kRoot, axis.name,
        isX ? GDAL_DIM_TYPE_HORIZONTAL_X : GDAL_DIM_TYPE_HORIZONTAL_Y,
        std::string(), axis.size);
    m_dims.push_back(dim);
    if (!withValues)
        return;
    auto values = GDALMDArrayRegularlySpaced::Create(
        kRoot, axis.name, dim, axis.start, axis.step, 0.5);
    const std::string parent = values->GetFullName();
    auto add = [&](const char *name, const char *value) {
        values->AddAttribute(
            std::make_shared<GDALAttributeString>(parent, name, value));
    };
    add("axis", isX ? "X" : "Y");
    if (srs != nullptr && srs->IsGeographic()) {
        add("standard_name", isX ? "longitude" : "latitude");
        add("units", isX ? "degrees_east" : "degrees_north");
    } else if (srs != nullptr && srs->IsProjected()) {
        add("standard_name",
            isX ? "projection_x_coordinate" : "projection_y_coordinate");
        if (srs->GetLinearUnits() == 1.0)
            add("units", "m");
    }
    dim->SetIndexingVariable(values);
    m_arrays.push_back(values);
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
