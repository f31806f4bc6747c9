/*
 * GDAL driver XAVIDEO: the dataset Create returns (see xavideowriter.h).
 *
 * A video codec takes each stream's frames in time order, and the band
 * model, the quantization and the layout of the streams follow from the
 * whole raster and its metadata, which a client of Create writes in any
 * order. So nothing is encoded while the dataset is written: its pixels go
 * to a buffer dataset (MEM, or a temporary tiled GTiff next to the output
 * when the raster is larger than XAVIDEO_CREATE_MEMORY), everything else
 * (georeferencing, metadata, nodata, descriptions, color tables, ...) is
 * kept by the dataset and its bands, and the whole is encoded by
 * xav_create_copy, the code of CreateCopy, with Create's options, when the
 * dataset is flushed: explicitly (GDALFlushCache) or at close.
 *
 * GDAL 3.6's GDALClose returns nothing, so a failure at close reaches the
 * user as a CPLError only. FlushCache encodes too, so a client that flushes
 * before it closes and looks at the error state then (gdalwarp does) sees
 * the failure; the next flush or the close encodes again only if something
 * changed since. Whatever fails, xav_create_copy leaves no file.
 */
#include "xavideowriter.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "cpl_string.h"
#include "cpl_vsi.h"
#include "gdal_rat.h"
#include "ogr_spatialref.h"
#include "xavideo.h"

namespace
{

class XAVIDEOWriter;

/* A band whose pixels are those of a band of the buffer (or of its mask),
 * block by block, through GDAL's block cache. */
class BufferedBand : public GDALRasterBand
{
    GDALRasterBand *m_buffer; /* nullptr once the buffer is closed */

  protected:
    XAVIDEOWriter *writer() const;
    CPLErr BlockIO(GDALRWFlag rw, int bx, int by, void *image);

  public:
    BufferedBand(XAVIDEOWriter *ds, int band, GDALRasterBand *buffer);
    void DropBuffer() { m_buffer = nullptr; }
    CPLErr IReadBlock(int bx, int by, void *image) override
    {
        return BlockIO(GF_Read, bx, by, image);
    }
    CPLErr IWriteBlock(int bx, int by, void *image) override;
};

/* A mask created by the client (CreateMaskBand), kept in the buffer. */
class WriterMask final : public BufferedBand
{
  public:
    using BufferedBand::BufferedBand;
    bool IsMaskBand() const override { return true; }
};

/* A band being written: everything set on it is kept here, for the encode
 * to read as it reads any source band. */
class WriterBand final : public BufferedBand
{
    enum class NoData { None, Double, Int64, UInt64 };
    NoData m_nodataKind = NoData::None;
    double m_nodata = 0;
    int64_t m_nodataInt64 = 0;
    uint64_t m_nodataUInt64 = 0;
    std::string m_units{};
    std::unique_ptr<GDALColorTable> m_colorTable{};
    GDALColorInterp m_colorInterp = GCI_Undefined;
    bool m_hasOffset = false, m_hasScale = false;
    double m_offset = 0, m_scale = 1;
    CPLStringList m_categories{};
    std::unique_ptr<GDALRasterAttributeTable> m_rat{};
    std::unique_ptr<WriterMask> m_mask{}; /* a mask of this band only */

    CPLErr Changed();
    CPLErr SetNoData(NoData kind, double d, int64_t i, uint64_t u);

  public:
    using BufferedBand::BufferedBand;
    void DropMaskBuffer()
    {
        if (m_mask)
            m_mask->DropBuffer();
    }
    CPLErr FlushMask(bool closing)
    {
        return m_mask ? m_mask->FlushCache(closing) : CE_None;
    }

    void SetDescription(const char *description) override;
    CPLErr SetMetadata(char **md, const char *domain) override;
    CPLErr SetMetadataItem(const char *name, const char *value,
                           const char *domain) override;

    double GetNoDataValue(int *success) override;
    int64_t GetNoDataValueAsInt64(int *success) override;
    uint64_t GetNoDataValueAsUInt64(int *success) override;
    CPLErr SetNoDataValue(double value) override
    {
        return SetNoData(NoData::Double, value, 0, 0);
    }
    CPLErr SetNoDataValueAsInt64(int64_t value) override
    {
        return SetNoData(NoData::Int64, 0, value, 0);
    }
    CPLErr SetNoDataValueAsUInt64(uint64_t value) override
    {
        return SetNoData(NoData::UInt64, 0, 0, value);
    }
    CPLErr DeleteNoDataValue() override
    {
        return SetNoData(NoData::None, 0, 0, 0);
    }

    const char *GetUnitType() override { return m_units.c_str(); }
    CPLErr SetUnitType(const char *units) override
    {
        m_units = units != nullptr ? units : "";
        return Changed();
    }
    GDALColorTable *GetColorTable() override { return m_colorTable.get(); }
    CPLErr SetColorTable(GDALColorTable *table) override
    {
        m_colorTable.reset(table != nullptr ? table->Clone() : nullptr);
        return Changed();
    }
    GDALColorInterp GetColorInterpretation() override
    {
        return m_colorTable ? GCI_PaletteIndex : m_colorInterp;
    }
    CPLErr SetColorInterpretation(GDALColorInterp interp) override
    {
        m_colorInterp = interp;
        InvalidateMaskBand(); /* an alpha band masks the others */
        return Changed();
    }
    double GetOffset(int *success) override
    {
        if (success != nullptr)
            *success = m_hasOffset;
        return m_offset;
    }
    CPLErr SetOffset(double offset) override
    {
        m_offset = offset;
        m_hasOffset = true;
        return Changed();
    }
    double GetScale(int *success) override
    {
        if (success != nullptr)
            *success = m_hasScale;
        return m_scale;
    }
    CPLErr SetScale(double scale) override
    {
        m_scale = scale;
        m_hasScale = true;
        return Changed();
    }
    char **GetCategoryNames() override { return m_categories.List(); }
    CPLErr SetCategoryNames(char **names) override
    {
        m_categories.Assign(CSLDuplicate(names), TRUE);
        return Changed();
    }
    GDALRasterAttributeTable *GetDefaultRAT() override { return m_rat.get(); }
    CPLErr SetDefaultRAT(const GDALRasterAttributeTable *rat) override
    {
        m_rat.reset(rat != nullptr ? rat->Clone() : nullptr);
        return Changed();
    }

    GDALRasterBand *GetMaskBand() override;
    int GetMaskFlags() override;
    CPLErr CreateMaskBand(int flags) override;
};

/* The dataset Create returns. */
class XAVIDEOWriter final : public GDALDataset
{
    friend class WriterBand;

    std::string m_filename;
    CPLStringList m_options;
    std::unique_ptr<GDALDataset> m_buffer{};
    std::string m_bufferFile{}; /* the temporary GTiff, or "" (MEM) */
    bool m_dirty = true;        /* changed since the last encode */
    bool m_lost = false;        /* a block could not be buffered */
    bool m_written = false;     /* the output holds the last encode */
    bool m_hasGeoTransform = false;
    double m_geoTransform[6] = {0, 1, 0, 0, 0, 1};
    OGRSpatialReference m_srs{};
    OGRSpatialReference m_gcpSrs{};
    int m_gcpCount = 0;
    GDAL_GCP *m_gcps = nullptr;
    std::unique_ptr<WriterMask> m_mask{}; /* GMF_PER_DATASET */

    void Encode(bool closing);
    void CloseBuffer();

  public:
    XAVIDEOWriter(const char *filename, CSLConstList options)
        : m_filename(filename), m_options(CSLDuplicate(options), TRUE)
    {
        m_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        m_gcpSrs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    ~XAVIDEOWriter() override;

    void Init(int xsize, int ysize, int bands,
              std::unique_ptr<GDALDataset> buffer, const std::string &file);
    CPLErr Changed()
    {
        m_dirty = true;
        return CE_None;
    }
    void Lost() { m_lost = true; }
    /* The buffer's mask, created on the first call. */
    GDALRasterBand *BufferMask(GDALRasterBand *buffer, int flags);

    void FlushCache(bool closing) override;

    CPLErr GetGeoTransform(double *gt) override
    {
        memcpy(gt, m_geoTransform, sizeof(m_geoTransform));
        return m_hasGeoTransform ? CE_None : CE_Failure;
    }
    CPLErr SetGeoTransform(double *gt) override
    {
        memcpy(m_geoTransform, gt, sizeof(m_geoTransform));
        m_hasGeoTransform = true;
        return Changed();
    }
    const OGRSpatialReference *GetSpatialRef() const override
    {
        return m_srs.IsEmpty() ? nullptr : &m_srs;
    }
    CPLErr SetSpatialRef(const OGRSpatialReference *srs) override
    {
        m_srs.Clear();
        if (srs != nullptr)
            m_srs = *srs;
        return Changed();
    }
    int GetGCPCount() override { return m_gcpCount; }
    const GDAL_GCP *GetGCPs() override { return m_gcps; }
    const OGRSpatialReference *GetGCPSpatialRef() const override
    {
        return m_gcpSrs.IsEmpty() ? nullptr : &m_gcpSrs;
    }
    using GDALDataset::SetGCPs;
    CPLErr SetGCPs(int count, const GDAL_GCP *gcps,
                   const OGRSpatialReference *srs) override;
    CPLErr SetMetadata(char **md, const char *domain) override
    {
        Changed();
        return GDALDataset::SetMetadata(md, domain);
    }
    CPLErr SetMetadataItem(const char *name, const char *value,
                           const char *domain) override
    {
        Changed();
        return GDALDataset::SetMetadataItem(name, value, domain);
    }
    CPLErr CreateMaskBand(int flags) override;
    WriterMask *DatasetMask() const { return m_mask.get(); }
};

/* ---- bands ------------------------------------------------------------- */

BufferedBand::BufferedBand(XAVIDEOWriter *ds, int band, GDALRasterBand *buffer)
    : m_buffer(buffer)
{
    poDS = ds;
    nBand = band;
    eAccess = GA_Update;
    eDataType = buffer->GetRasterDataType();
    nRasterXSize = ds->GetRasterXSize();
    nRasterYSize = ds->GetRasterYSize();
    nBlockXSize = std::min(kXAVIDEOWriterBlockSize, nRasterXSize);
    nBlockYSize = std::min(kXAVIDEOWriterBlockSize, nRasterYSize);
}

XAVIDEOWriter *BufferedBand::writer() const
{
    return static_cast<XAVIDEOWriter *>(poDS);
}

CPLErr BufferedBand::BlockIO(GDALRWFlag rw, int bx, int by, void *image)
{
    if (m_buffer == nullptr) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: %s is closed; its pixels are gone.",
                 poDS->GetDescription());
        return CE_Failure;
    }
    const int x = bx * nBlockXSize, y = by * nBlockYSize;
    const int w = std::min(nBlockXSize, nRasterXSize - x);
    const int h = std::min(nBlockYSize, nRasterYSize - y);
    const int size = GDALGetDataTypeSizeBytes(eDataType);
    return m_buffer->RasterIO(rw, x, y, w, h, image, w, h, eDataType, size,
                              static_cast<GSpacing>(size) * nBlockXSize,
                              nullptr);
}

CPLErr BufferedBand::IWriteBlock(int bx, int by, void *image)
{
    writer()->Changed();
    const CPLErr err = BlockIO(GF_Write, bx, by, image);
    if (err != CE_None)
        writer()->Lost(); /* never encoded without these pixels */
    return err;
}

CPLErr WriterBand::Changed()
{
    return writer()->Changed();
}

void WriterBand::SetDescription(const char *description)
{
    Changed();
    GDALRasterBand::SetDescription(description);
}

CPLErr WriterBand::SetMetadata(char **md, const char *domain)
{
    Changed();
    return GDALRasterBand::SetMetadata(md, domain);
}

CPLErr WriterBand::SetMetadataItem(const char *name, const char *value,
                                   const char *domain)
{
    Changed();
    return GDALRasterBand::SetMetadataItem(name, value, domain);
}

CPLErr WriterBand::SetNoData(NoData kind, double d, int64_t i, uint64_t u)
{
    m_nodataKind = kind;
    m_nodata = d;
    m_nodataInt64 = i;
    m_nodataUInt64 = u;
    InvalidateMaskBand(); /* the nodata mask follows the value */
    return Changed();
}

double WriterBand::GetNoDataValue(int *success)
{
    if (success != nullptr)
        *success = m_nodataKind != NoData::None;
    switch (m_nodataKind) {
    case NoData::Double:
        return m_nodata;
    case NoData::Int64:
        return static_cast<double>(m_nodataInt64);
    case NoData::UInt64:
        return static_cast<double>(m_nodataUInt64);
    default:
        return -1e10; /* GDAL's "no nodata" */
    }
}

int64_t WriterBand::GetNoDataValueAsInt64(int *success)
{
    if (success != nullptr)
        *success = m_nodataKind != NoData::None;
    switch (m_nodataKind) {
    case NoData::Int64:
        return m_nodataInt64;
    case NoData::UInt64:
        return static_cast<int64_t>(m_nodataUInt64);
    case NoData::Double:
        if (m_nodata >= -9223372036854775808.0 &&
            m_nodata < 9223372036854775808.0)
            return static_cast<int64_t>(m_nodata);
        break;
    default:
        break;
    }
    if (success != nullptr)
        *success = FALSE; /* none, or a double no int64 holds */
    return std::numeric_limits<int64_t>::min();
}

uint64_t WriterBand::GetNoDataValueAsUInt64(int *success)
{
    if (success != nullptr)
        *success = m_nodataKind != NoData::None;
    switch (m_nodataKind) {
    case NoData::UInt64:
        return m_nodataUInt64;
    case NoData::Int64:
        return static_cast<uint64_t>(m_nodataInt64);
    case NoData::Double:
        if (m_nodata >= 0 && m_nodata < 18446744073709551616.0)
            return static_cast<uint64_t>(m_nodata);
        break;
    default:
        break;
    }
    if (success != nullptr)
        *success = FALSE; /* none, or a double no uint64 holds */
    return std::numeric_limits<uint64_t>::max();
}

GDALRasterBand *WriterBand::GetMaskBand()
{
    if (m_mask)
        return m_mask.get();
    if (writer()->DatasetMask() != nullptr)
        return writer()->DatasetMask();
    return GDALRasterBand::GetMaskBand(); /* nodata, alpha or all valid */
}

int WriterBand::GetMaskFlags()
{
    if (m_mask)
        return 0;
    if (writer()->DatasetMask() != nullptr)
        return GMF_PER_DATASET;
    return GDALRasterBand::GetMaskFlags();
}

CPLErr WriterBand::CreateMaskBand(int flags)
{
    if (flags & GMF_PER_DATASET)
        return poDS->CreateMaskBand(flags);
    if (m_mask)
        return CE_None;
    GDALRasterBand *buffer =
        writer()->BufferMask(writer()->m_buffer->GetRasterBand(nBand), flags);
    if (buffer == nullptr)
        return CE_Failure;
    m_mask = std::make_unique<WriterMask>(writer(), 0, buffer);
    return Changed();
}

/* ---- dataset ----------------------------------------------------------- */

void XAVIDEOWriter::Init(int xsize, int ysize, int bands,
                         std::unique_ptr<GDALDataset> buffer,
                         const std::string &file)
{
    m_buffer = std::move(buffer);
    m_bufferFile = file;
    nRasterXSize = xsize;
    nRasterYSize = ysize;
    eAccess = GA_Update;
    SetDescription(m_filename.c_str());
    for (int b = 1; b <= bands; b++)
        SetBand(b, new WriterBand(this, b, m_buffer->GetRasterBand(b)));
}

GDALRasterBand *XAVIDEOWriter::BufferMask(GDALRasterBand *band, int flags)
{
    /* the buffer GTiff keeps a mask inside itself, not in a .msk file */
    const std::string previous =
        CPLGetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", "");
    CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK", "YES");
    const CPLErr err = band->CreateMaskBand(flags);
    CPLSetThreadLocalConfigOption("GDAL_TIFF_INTERNAL_MASK",
                                  previous.empty() ? nullptr
                                                   : previous.c_str());
    return err == CE_None ? band->GetMaskBand() : nullptr;
}

CPLErr XAVIDEOWriter::CreateMaskBand(int flags)
{
    if (m_mask)
        return CE_None;
    GDALRasterBand *buffer =
        BufferMask(m_buffer->GetRasterBand(1), flags | GMF_PER_DATASET);
    if (buffer == nullptr)
        return CE_Failure;
    m_mask = std::make_unique<WriterMask>(this, 0, buffer);
    return Changed();
}

CPLErr XAVIDEOWriter::SetGCPs(int count, const GDAL_GCP *gcps,
                              const OGRSpatialReference *srs)
{
    if (m_gcps != nullptr) {
        GDALDeinitGCPs(m_gcpCount, m_gcps);
        CPLFree(m_gcps);
    }
    m_gcpCount = count;
    m_gcps = count > 0 ? GDALDuplicateGCPs(count, gcps) : nullptr;
    m_gcpSrs.Clear();
    if (srs != nullptr)
        m_gcpSrs = *srs;
    return Changed();
}

void XAVIDEOWriter::FlushCache(bool closing)
{
    /* the blocks written since the last flush go to the buffer first */
    GDALDataset::FlushCache(closing);
    if (m_mask)
        m_mask->FlushCache(closing);
    for (int b = 1; b <= nBands; b++)
        static_cast<WriterBand *>(papoBands[b - 1])->FlushMask(closing);
    if (closing && bSuppressOnClose) {
        /* the client discards the dataset (MarkSuppressOnClose) */
        if (m_written) {
            CPLErrorStateBackuper state;
            CPLPushErrorHandler(CPLQuietErrorHandler);
            xav_delete(m_filename.c_str());
            CPLPopErrorHandler();
        }
        return;
    }
    if (m_dirty && m_buffer)
        Encode(closing);
}

/* Encodes the dataset into m_filename, or reports why not with a
 * CPLError (CE_Failure); either way what a previous flush wrote is gone
 * first, so the files are this encode's or none. */
void XAVIDEOWriter::Encode(bool closing)
{
    m_dirty = false;
    if (m_written) {
        CPLPushErrorHandler(CPLQuietErrorHandler);
        xav_delete(m_filename.c_str());
        CPLPopErrorHandler();
        m_written = false;
    }
    if (m_lost) {
        CPLError(CE_Failure, CPLE_FileIO,
                 "XAVIDEO: %s was not written: some of the pixels written to "
                 "it could not be buffered (see the error before).",
                 m_filename.c_str());
        return;
    }
    const GUInt32 errors = CPLGetErrorCounter();
    if (xav_create_copy(m_filename.c_str(), GDALDataset::ToHandle(this),
                        m_options.List(), nullptr, nullptr) == 0) {
        m_written = true;
        return;
    }
    /* the core said why: repeat it with what failed and what is left */
    std::string why =
        CPLGetErrorCounter() != errors && CPLGetLastErrorType() >= CE_Failure
            ? CPLGetLastErrorMsg()
            : "no reason given";
    if (STARTS_WITH(why.c_str(), "XAVIDEO: "))
        why.erase(0, strlen("XAVIDEO: "));
    if (!why.empty() && why.back() == '.')
        why.pop_back();
    CPLError(CE_Failure, CPLE_AppDefined,
             "XAVIDEO: %s was not written: encoding it when it was %s failed "
             "(%s).",
             m_filename.c_str(), closing ? "closed" : "flushed (FlushCache)",
             why.c_str());
}

void XAVIDEOWriter::CloseBuffer()
{
    for (int b = 1; b <= nBands; b++) {
        auto *band = static_cast<WriterBand *>(papoBands[b - 1]);
        band->DropBuffer();
        band->DropMaskBuffer();
    }
    if (m_mask)
        m_mask->DropBuffer();
    /* what closing and deleting the buffer may reset, the caller of
     * GDALClose should still find: an encode failure */
    CPLErrorStateBackuper state;
    m_buffer.reset();
    if (!m_bufferFile.empty()) {
        GDALDriver *gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
        CPLPushErrorHandler(CPLQuietErrorHandler);
        if (gtiff == nullptr || gtiff->Delete(m_bufferFile.c_str()) != CE_None)
            VSIUnlink(m_bufferFile.c_str());
        CPLPopErrorHandler();
    }
}

XAVIDEOWriter::~XAVIDEOWriter()
{
    XAVIDEOWriter::FlushCache(true);
    CloseBuffer();
    if (m_gcps != nullptr) {
        GDALDeinitGCPs(m_gcpCount, m_gcps);
        CPLFree(m_gcps);
    }
}

} // namespace

GDALDataset *XAVIDEOWriterNew(const char *filename, CSLConstList options,
                              std::unique_ptr<GDALDataset> buffer,
                              const std::string &bufferFile)
{
    auto ds = std::make_unique<XAVIDEOWriter>(filename, options);
    const int xsize = buffer->GetRasterXSize();
    const int ysize = buffer->GetRasterYSize();
    const int bands = buffer->GetRasterCount();
    ds->Init(xsize, ysize, bands, std::move(buffer), bufferFile);
    return ds.release();
}
