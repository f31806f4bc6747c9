/*
 * GDAL driver XAVIDEO: the C++ shim. It registers the driver and presents
 * the core's xav_dataset as a GDALPamDataset; every decision about codecs,
 * layout or the sidecar is the core's (include/xavideo.h).
 */
#include <cstdlib>
#include <limits>
#include <memory>
#include <vector>

#include "gdal_pam.h"
#include "gdal_priv.h"
#include "gdal_rat.h"
#include "ogr_spatialref.h"
#include "xavideo.h"
#include "xavideocreate.h"
#include "xavideofolder.h"
#include "xavideomultidim.h"

namespace
{

class XAVIDEODataset final : public GDALPamDataset
{
    friend class XAVIDEORasterBand;
    friend class XAVIDEOMaskBand;

    xav_dataset *m_ds = nullptr;
    OGRSpatialReference m_srs{};
    CPLStringList m_xavMetadata{};

  public:
    ~XAVIDEODataset() override
    {
        FlushCache(true);
        xav_close(m_ds);
    }

    static int Identify(GDALOpenInfo *info);
    static GDALDataset *Open(GDALOpenInfo *info);
    static GDALDataset *CreateCopy(const char *filename, GDALDataset *src,
                                   int strict, char **options,
                                   GDALProgressFunc progress,
                                   void *progress_data);

    CPLErr GetGeoTransform(double *gt) override
    {
        return xav_geotransform(m_ds, gt) ? CE_None : CE_Failure;
    }
    const OGRSpatialReference *GetSpatialRef() const override
    {
        return xav_gcp_count(m_ds) == 0 && !m_srs.IsEmpty() ? &m_srs : nullptr;
    }
    int GetGCPCount() override { return xav_gcp_count(m_ds); }
    const GDAL_GCP *GetGCPs() override { return xav_gcps(m_ds); }
    const OGRSpatialReference *GetGCPSpatialRef() const override
    {
        return xav_gcp_count(m_ds) > 0 && !m_srs.IsEmpty() ? &m_srs : nullptr;
    }
    char **GetFileList() override
    {
        CPLStringList files(CSLDuplicate(xav_file_list(m_ds)), TRUE);
        CPLStringList companions(xav_companion_files(GetDescription()), TRUE);
        for (int i = 0; i < companions.size(); i++)
            files.AddString(companions[i]);
        return files.StealList();
    }
    char **GetMetadataDomainList() override
    {
        return BuildMetadataDomainList(GDALPamDataset::GetMetadataDomainList(),
                                       TRUE, XAV_DRIVER_NAME, nullptr);
    }
    char **GetMetadata(const char *domain) override;
    const char *GetMetadataItem(const char *name, const char *domain) override;
};

/* The source's mask band, where it was one of its own (not its nodata,
 * alpha or none): read from the band's mask stream. */
class XAVIDEOMaskBand final : public GDALRasterBand
{
    int m_band; /* of the dataset, from 1 */

  public:
    XAVIDEOMaskBand(GDALDataset *ds, int band, int blockX, int blockY)
        : m_band(band)
    {
        poDS = ds;
        nBand = 0;
        eDataType = GDT_Byte;
        nRasterXSize = ds->GetRasterXSize();
        nRasterYSize = ds->GetRasterYSize();
        nBlockXSize = blockX;
        nBlockYSize = blockY;
    }
    CPLErr IReadBlock(int blockX, int blockY, void *image) override;
};

class XAVIDEORasterBand final : public GDALPamRasterBand
{
    std::unique_ptr<GDALColorTable> m_colorTable{};
    std::unique_ptr<XAVIDEOMaskBand> m_mask{};

    xav_dataset *core() const
    {
        return static_cast<XAVIDEODataset *>(poDS)->m_ds;
    }
    void FillSiblingBlocks(int blockX, int blockY);
    template <typename T> T NoDataAs(GDALDataType type, T none, int *success);
    double OffsetOrScale(int which, int *success);

  public:
    XAVIDEORasterBand(XAVIDEODataset *ds, int band);

    CPLErr IReadBlock(int blockX, int blockY, void *image) override;
    double GetNoDataValue(int *success) override;
    int64_t GetNoDataValueAsInt64(int *success) override;
    uint64_t GetNoDataValueAsUInt64(int *success) override;
    const char *GetUnitType() override;
    GDALColorInterp GetColorInterpretation() override;
    GDALColorTable *GetColorTable() override { return m_colorTable.get(); }
    char **GetCategoryNames() override;
    GDALRasterAttributeTable *GetDefaultRAT() override
    {
        return GDALRasterAttributeTable::FromHandle(
            xav_band_rat(core(), nBand - 1));
    }
    double GetOffset(int *success) override
    {
        return OffsetOrScale(0, success);
    }
    double GetScale(int *success) override { return OffsetOrScale(1, success); }
    int GetMaskFlags() override;
    GDALRasterBand *GetMaskBand() override;
};

/* ---- band -------------------------------------------------------------- */

XAVIDEORasterBand::XAVIDEORasterBand(XAVIDEODataset *ds, int band)
{
    poDS = ds;
    nBand = band;
    eDataType = xav_band_type(ds->m_ds, band - 1);
    /* one block is one tile: a tile's frame is decoded whole anyway */
    xav_block_size(ds->m_ds, &nBlockXSize, &nBlockYSize);
    GDALMajorObject::SetDescription(xav_band_description(ds->m_ds, band - 1));
    GDALMajorObject::SetMetadata(
        const_cast<char **>(xav_band_metadata(ds->m_ds, band - 1, nullptr)));
    for (const char *domain : {XAV_DRIVER_NAME, "IMAGE_STRUCTURE"})
        GDALMajorObject::SetMetadata(
            const_cast<char **>(xav_band_metadata(ds->m_ds, band - 1, domain)),
            domain);
    int count = 0;
    const short *rgba = xav_band_color_table(ds->m_ds, band - 1, &count);
    if (rgba != nullptr) {
        m_colorTable = std::make_unique<GDALColorTable>();
        for (int i = 0; i < count; i++) {
            const GDALColorEntry e = {rgba[4 * i], rgba[4 * i + 1],
                                      rgba[4 * i + 2], rgba[4 * i + 3]};
            m_colorTable->SetColorEntry(i, &e);
        }
    }
}

CPLErr XAVIDEORasterBand::IReadBlock(int blockX, int blockY, void *image)
{
    if (xav_read_block(core(), nBand - 1, blockX, blockY, image) != 0)
        return CE_Failure;
    FillSiblingBlocks(blockX, blockY);
    return CE_None;
}

/* The bands stored in the frame just decoded go to the block cache now, so
 * reading them next does not decode that frame again. */
void XAVIDEORasterBand::FillSiblingBlocks(int blockX, int blockY)
{
    std::vector<int> siblings(poDS->GetRasterCount());
    const int n = xav_band_siblings(core(), nBand - 1, siblings.data(),
                                    static_cast<int>(siblings.size()));
    for (int i = 0; i < n; i++) {
        if (siblings[i] == nBand - 1)
            continue;
        GDALRasterBand *band = poDS->GetRasterBand(siblings[i] + 1);
        GDALRasterBlock *block = band->TryGetLockedBlockRef(blockX, blockY);
        if (block != nullptr) {
            block->DropLock();
            continue;
        }
        block = band->GetLockedBlockRef(blockX, blockY, TRUE);
        if (block == nullptr)
            continue;
        if (xav_read_block(core(), siblings[i], blockX, blockY,
                           block->GetDataRef()) != 0)
            block->MarkClean(); /* left for a later read to report */
        block->DropLock();
    }
}

int XAVIDEORasterBand::GetMaskFlags()
{
    const int flags = xav_band_mask_flags(core(), nBand - 1);
    return flags < 0 ? GDALPamRasterBand::GetMaskFlags() : flags;
}

GDALRasterBand *XAVIDEORasterBand::GetMaskBand()
{
    if (xav_band_mask_flags(core(), nBand - 1) < 0)
        return GDALPamRasterBand::GetMaskBand(); /* nodata, or all valid */
    if (m_mask == nullptr)
        m_mask = std::make_unique<XAVIDEOMaskBand>(poDS, nBand, nBlockXSize,
                                                   nBlockYSize);
    return m_mask.get();
}

CPLErr XAVIDEOMaskBand::IReadBlock(int blockX, int blockY, void *image)
{
    xav_dataset *core = static_cast<XAVIDEODataset *>(poDS)->m_ds;
    return xav_read_mask_block(core, m_band - 1, blockX, blockY, image) == 0
               ? CE_None
               : CE_Failure;
}

double XAVIDEORasterBand::GetNoDataValue(int *success)
{
    double value = 0;
    const int has = xav_band_nodata(core(), nBand - 1, &value);
    if (success != nullptr)
        *success = has;
    return has ? value : GDALPamRasterBand::GetNoDataValue(success);
}

/* The nodata of an Int64 or UInt64 band (type), through GDAL's 64-bit
 * calls; none for other bands, which say theirs as a double. */
template <typename T>
T XAVIDEORasterBand::NoDataAs(GDALDataType type, T none, int *success)
{
    T value = none;
    const int has =
        eDataType == type && xav_band_nodata_raw(core(), nBand - 1, &value);
    if (success != nullptr)
        *success = has;
    return has ? value : none;
}

int64_t XAVIDEORasterBand::GetNoDataValueAsInt64(int *success)
{
    return NoDataAs<int64_t>(GDT_Int64, std::numeric_limits<int64_t>::min(),
                             success);
}

uint64_t XAVIDEORasterBand::GetNoDataValueAsUInt64(int *success)
{
    return NoDataAs<uint64_t>(GDT_UInt64, std::numeric_limits<uint64_t>::max(),
                              success);
}

const char *XAVIDEORasterBand::GetUnitType()
{
    const char *units = xav_band_units(core(), nBand - 1);
    return units != nullptr ? units : "";
}

GDALColorInterp XAVIDEORasterBand::GetColorInterpretation()
{
    return xav_band_color_interp(core(), nBand - 1);
}

char **XAVIDEORasterBand::GetCategoryNames()
{
    return const_cast<char **>(xav_band_category_names(core(), nBand - 1));
}

/* The source band's offset or scale (which = 0 or 1), or PAM's if the
 * sidecar has none. */
double XAVIDEORasterBand::OffsetOrScale(int which, int *success)
{
    double value[2] = {0, 1};
    if (!xav_band_offset_scale(core(), nBand - 1, &value[0], &value[1]))
        return which == 0 ? GDALPamRasterBand::GetOffset(success)
                          : GDALPamRasterBand::GetScale(success);
    if (success != nullptr)
        *success = TRUE;
    return value[which];
}

/* ---- dataset ----------------------------------------------------------- */

char **XAVIDEODataset::GetMetadata(const char *domain)
{
    if (domain != nullptr && EQUAL(domain, XAV_DRIVER_NAME)) {
        m_xavMetadata.Assign(xav_state_metadata(m_ds), TRUE);
        return m_xavMetadata.List();
    }
    return GDALPamDataset::GetMetadata(domain);
}

const char *XAVIDEODataset::GetMetadataItem(const char *name,
                                            const char *domain)
{
    if (domain != nullptr && EQUAL(domain, XAV_DRIVER_NAME))
        return CSLFetchNameValue(GetMetadata(domain), name);
    return GDALPamDataset::GetMetadataItem(name, domain);
}

int XAVIDEODataset::Identify(GDALOpenInfo *info)
{
    if (info->bIsDirectory)
        return XAVIDEOFolderIdentify(info);
    return xav_identify(info->pszFilename, info->pabyHeader,
                        info->nHeaderBytes);
}

GDALDataset *XAVIDEODataset::Open(GDALOpenInfo *info)
{
    if (!Identify(info))
        return nullptr;
    if (info->bIsDirectory)
        return XAVIDEOFolderOpen(info);
    if (info->eAccess == GA_Update) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO datasets are read-only: they are written whole, by "
                 "CreateCopy (gdal_translate -of XAVIDEO) or at the close of "
                 "a dataset made by Create; open %s without update access, "
                 "and write a new dataset to change it.",
                 info->pszFilename);
        return nullptr;
    }
    if (info->nOpenFlags & GDAL_OF_MULTIDIM_RASTER)
        return XAVIDEOOpenMultiDim(info);
    xav_dataset *core = xav_open(info->pszFilename, info->papszOpenOptions);
    if (core == nullptr)
        return nullptr;
    auto ds = std::make_unique<XAVIDEODataset>();
    ds->m_ds = core;
    ds->nRasterXSize = xav_width(core);
    ds->nRasterYSize = xav_height(core);
    ds->m_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (xav_crs_wkt(core) != nullptr &&
        ds->m_srs.importFromWkt(xav_crs_wkt(core)) != OGRERR_NONE) {
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: the CRS of %s cannot be read; ignoring it.",
                 info->pszFilename);
        ds->m_srs.Clear();
    }
    ds->GDALMajorObject::SetMetadata(
        const_cast<char **>(xav_metadata(core, nullptr)));
    ds->GDALMajorObject::SetMetadata(
        const_cast<char **>(xav_metadata(core, "IMAGE_STRUCTURE")),
        "IMAGE_STRUCTURE");
    for (CSLConstList domain = xav_metadata_domains(core);
         domain != nullptr && *domain != nullptr; domain++)
        ds->GDALMajorObject::SetMetadata(
            const_cast<char **>(xav_metadata(core, *domain)), *domain);
    for (int b = 1; b <= xav_band_count(core); b++)
        ds->SetBand(b, new XAVIDEORasterBand(ds.get(), b));
    ds->SetDescription(info->pszFilename);
    ds->TryLoadXML(info->GetSiblingFiles());
    /* external overviews (gdaladdo -ro): NAME.mkv.ovr */
    ds->oOvManager.Initialize(ds.get(), info->pszFilename,
                              info->GetSiblingFiles());
    return ds.release();
}

GDALDataset *XAVIDEODataset::CreateCopy(const char *filename, GDALDataset *src,
                                        int, char **options,
                                        GDALProgressFunc progress,
                                        void *progress_data)
{
    if (xav_create_copy(filename, GDALDataset::ToHandle(src), options, progress,
                        progress_data) != 0)
        return nullptr;
    GDALOpenInfo info(filename, GA_ReadOnly);
    GDALDataset *ds = Open(&info);
    /* Open says nothing of a file it does not recognise: without this, a
     * copy whose files were not what it wrote (lost to the disk after it)
     * ended in gdal_translate's exit 1 without a word */
    if (ds == nullptr)
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "XAVIDEO: %s was written but cannot be opened again.",
                 filename);
    return ds;
}

CPLErr DeleteDataset(const char *filename)
{
    return xav_delete(filename) == 0 ? CE_None : CE_Failure;
}

CPLErr RenameDataset(const char *new_name, const char *old_name)
{
    return xav_rename(new_name, old_name) == 0 ? CE_None : CE_Failure;
}

CPLErr CopyDatasetFiles(const char *new_name, const char *old_name)
{
    return xav_copy_files(new_name, old_name) == 0 ? CE_None : CE_Failure;
}

} // namespace

extern "C" void CPL_DLL GDALRegister_XAVIDEO();

extern "C" void GDALRegister_XAVIDEO()
{
    if (!GDAL_CHECK_VERSION(XAV_DRIVER_NAME))
        return;
    if (GDALGetDriverByName(XAV_DRIVER_NAME) != nullptr)
        return;
    auto *driver = new GDALDriver();
    driver->SetDescription(XAV_DRIVER_NAME);
    driver->SetMetadataItem(GDAL_DCAP_RASTER, "YES");
    driver->SetMetadataItem(GDAL_DCAP_MULTIDIM_RASTER, "YES");
    driver->SetMetadataItem(GDAL_DCAP_CREATECOPY_MULTIDIMENSIONAL, "YES");
    driver->SetMetadataItem(GDAL_DMD_LONGNAME,
                            "Earth-observation cubes as video (Matroska + "
                            "JSON sidecar)");
    driver->SetMetadataItem(GDAL_DMD_EXTENSIONS, "mkv json");
    driver->SetMetadataItem(GDAL_DMD_HELPTOPIC, "doc/xavideo.md");
    driver->SetMetadataItem(GDAL_DMD_CREATIONDATATYPES,
                            "Byte Int16 UInt16 Int32 UInt32 Int64 UInt64 "
                            "Float32 Float64");
    driver->SetMetadataItem(GDAL_DMD_CREATIONOPTIONLIST,
                            xav_creation_option_list());
    driver->SetMetadataItem(GDAL_DMD_OPENOPTIONLIST, xav_open_option_list());
    driver->SetMetadataItem(GDAL_DCAP_VIRTUALIO, "YES");
    driver->pfnIdentify = XAVIDEODataset::Identify;
    driver->pfnOpen = XAVIDEODataset::Open;
    /* Create buffers and encodes at flush or close (xavideocreate.cpp,
     * xavideowriter.cpp). Declaring it also keeps update access refused: a
     * client that finds CreateCopy without Create may emulate update on its own
     * (rasterio 1.3's 'r+' copied the dataset to MEM and wrote it back by
     * CreateCopy with no creation options at close: a lossless dataset came
     * back lossy); with a Create it asks GDAL for update access, which Open
     * refuses. */
    driver->pfnCreate = XAVIDEOCreate;
    driver->pfnCreateCopy = XAVIDEODataset::CreateCopy;
    driver->pfnDelete = DeleteDataset;
    driver->pfnRename = RenameDataset;
    driver->pfnCopyFiles = CopyDatasetFiles;
    GetGDALDriverManager()->RegisterDriver(driver);
}
