/*
 * GDAL driver XAVIDEO: the arrays of the multidimensional view (see
 * xavideomdarray.h).
 */
#include "xavideomdarray.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include "ogr_spatialref.h"

namespace xavmd
{
namespace
{

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
    /* where the first band lies along the source's dimensions, said by
     * the array's dimensions (GDAL's multidimensional API's DIM_<d>_*) */
    for (const char *tail : {"_INDEX", "_VALUE", "_UNIT"})
        if (StartsWith(key, "DIM_") && key.size() > strlen(tail) + 4 &&
            key.compare(key.size() - strlen(tail), std::string::npos, tail) ==
                0)
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

/* An indexing variable: the values of the time axis or of an extra
 * dimension, its units (and the time's calendar), and the source's other
 * attributes of that netCDF variable (<name>#attr items). */
class IndexVariable final : public ReadOnlyArray
{
    friend class ReadOnlyArray;
    std::vector<double> m_values;

    IndexVariable(const std::shared_ptr<GDALDimension> &dim,
                  const double *values, const char *units, const char *calendar,
                  const Core &core, const std::string &filename)
        : GDALAbstractMDArray(kRoot, dim->GetName()),
          ReadOnlyArray(dim->GetName(), {dim},
                        GDALExtendedDataType::Create(GDT_Float64), filename),
          m_values(values, values + dim->GetSize())
    {
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

/* One variable over (time, y, x), or the slices of one source array over
 * (time, its extra dimensions, y, x): m_vars holds the variable of each
 * place along the extra dimensions, the last fastest. As the mask of such
 * an array (m_isMask), it holds the source's own mask band as GetMask()
 * gives masks: Byte, 1 valid, 0 not. */
class CubeArray final : public ReadOnlyArray
{
    friend class ReadOnlyArray;
    Core m_core;
    std::vector<int> m_vars;
    int m_firstBand;
    bool m_isMask;
    std::vector<GByte> m_nodata{};
    std::shared_ptr<OGRSpatialReference> m_srs;

    CubeArray(const Core &core, const std::string &name,
              const std::vector<int> &vars, const Dimensions &dims,
              const std::shared_ptr<OGRSpatialReference> &srs,
              const std::string &filename, bool isMask = false);

    /* Block (bx, by) of band: its values, or its mask as 0 and 1. */
    bool ReadBlock(int band, int bx, int by, GByte *tile) const;

    /* The band of time step t at the place whose indices along the extra
     * dimensions are at[1..]. */
    int BandAt(const std::vector<GUInt64> &at) const;

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
        std::vector<GUInt64> size(m_dims.size(), 1);
        size[m_dims.size() - 2] = static_cast<GUInt64>(height);
        size[m_dims.size() - 1] = static_cast<GUInt64>(width);
        return size;
    }
    const void *GetRawNoDataValue() const override
    {
        return m_nodata.empty() ? nullptr : m_nodata.data();
    }
    /* The source's own mask band where it had one: GDAL's default mask
     * follows the nodata value, which such a variable may not have, and
     * a lossless one keeps the values under its mask. */
    std::shared_ptr<GDALMDArray> GetMask(CSLConstList options) const override
    {
        if (m_isMask || xav_band_mask_flags(m_core.get(), m_firstBand) < 0)
            return GDALMDArray::GetMask(options);
        return ReadOnlyArray::Create<CubeArray>(m_core, "mask of " + GetName(),
                                                m_vars, m_dims, m_srs,
                                                m_filename, true);
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
        const bool known =
            !m_isMask && xav_band_offset_scale(m_core.get(), m_firstBand,
                                               &value[0], &value[1]) != 0;
        if (has != nullptr)
            *has = known;
        if (storage != nullptr)
            *storage = GDT_Unknown;
        return value[which];
    }
};

CubeArray::CubeArray(const Core &core, const std::string &name,
                     const std::vector<int> &vars, const Dimensions &dims,
                     const std::shared_ptr<OGRSpatialReference> &srs,
                     const std::string &filename, bool isMask)
    : GDALAbstractMDArray(kRoot, name),
      ReadOnlyArray(
          name, dims,
          GDALExtendedDataType::Create(
              isMask ? GDT_Byte
                     : xav_band_type(core.get(),
                                     xav_band_of(core.get(), vars[0], 0))),
          filename),
      m_core(core), m_vars(vars),
      m_firstBand(xav_band_of(core.get(), vars[0], 0)), m_isMask(isMask),
      m_srs(srs)
{
    if (isMask)
        return;
    const char *units = xav_band_units(core.get(), m_firstBand);
    m_unit = units != nullptr ? units : "";
    GByte nodata[8];
    if (xav_band_nodata_raw(core.get(), m_firstBand, nodata))
        m_nodata.assign(nodata, nodata + m_dt.GetSize());
    AddAttributes(m_attributes, GetFullName(),
                  xav_variable_metadata(core.get(), vars[0]),
                  VariableAttributeName);
}

int CubeArray::BandAt(const std::vector<GUInt64> &at) const
{
    size_t place = 0;
    for (size_t k = 1; k < at.size(); k++)
        place = place * static_cast<size_t>(m_dims[k]->GetSize()) +
                static_cast<size_t>(at[k]);
    return xav_band_of(m_core.get(), m_vars[place], static_cast<int>(at[0]));
}

/* Time step after time step, place after place along the extra dimensions
 * (an odometer over the leading dimensions), each a (y, x) read. */
bool CubeArray::IRead(const GUInt64 *start, const size_t *count,
                      const GInt64 *step, const GPtrDiff_t *stride,
                      const GDALExtendedDataType &bufferType,
                      void *buffer) const
{
    const size_t lead = m_dims.size() - 2;
    const GPtrDiff_t size = static_cast<GPtrDiff_t>(bufferType.GetSize());
    std::vector<size_t> i(lead, 0);
    std::vector<GUInt64> at(lead);
    for (;;) {
        GPtrDiff_t offset = 0;
        for (size_t k = 0; k < lead; k++) {
            at[k] = static_cast<GUInt64>(static_cast<GInt64>(start[k]) +
                                         static_cast<GInt64>(i[k]) * step[k]);
            offset += static_cast<GPtrDiff_t>(i[k]) * stride[k];
        }
        const int band = BandAt(at);
        if (band < 0 ||
            !ReadTimeStep(band, start + lead, count + lead, step + lead,
                          stride + lead, bufferType,
                          static_cast<GByte *>(buffer) + offset * size))
            return false;
        size_t k = lead;
        while (k > 0 && ++i[k - 1] == count[k - 1])
            i[--k] = 0;
        if (k == 0)
            return true;
    }
}

/* The (y, x) part of a request at one time step: each tile under it is read
 * once, through the core, and its requested pixels copied out. */
bool CubeArray::ReadTimeStep(int band, const GUInt64 *start,
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
            if (!ReadBlock(band, bx, by, tile.data()))
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

bool CubeArray::ReadBlock(int band, int bx, int by, GByte *tile) const
{
    if (!m_isMask)
        return xav_read_block(m_core.get(), band, bx, by, tile) == 0;
    if (xav_read_mask_block(m_core.get(), band, bx, by, tile) != 0)
        return false;
    int bw = 0, bh = 0;
    xav_block_size(m_core.get(), &bw, &bh);
    for (size_t i = 0; i < static_cast<size_t>(bw) * bh; i++)
        tile[i] = tile[i] != 0;
    return true;
}

} // namespace

Attributes GroupAttributes(const std::string &parent, const Core &core)
{
    Attributes out;
    AddAttributes(out, parent, xav_metadata(core.get(), nullptr),
                  GroupAttributeName);
    return out;
}

std::shared_ptr<GDALMDArray>
IndexArray(const std::shared_ptr<GDALDimension> &dim, const double *values,
           const char *units, const char *calendar, const Core &core,
           const std::string &filename)
{
    return ReadOnlyArray::Create<IndexVariable>(dim, values, units, calendar,
                                                core, filename);
}

std::shared_ptr<GDALMDArray>
VariableArray(const Core &core, const std::string &name,
              const std::vector<int> &vars, const Dimensions &dims,
              const std::shared_ptr<OGRSpatialReference> &srs,
              const std::string &filename)
{
    return ReadOnlyArray::Create<CubeArray>(core, name, vars, dims, srs,
                                            filename);
}

} // namespace xavmd
