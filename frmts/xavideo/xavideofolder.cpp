/*
 * The folders of the seed library xarrayvideo, read-only, as a
 * GDALPamDataset: the core's xav_xv (include/xavideo.h) decides everything;
 * a band is one block, read whole.
 */
#include <memory>

#include "gdal_pam.h"
#include "gdal_priv.h"
#include "ogr_spatialref.h"
#include "xavideo.h"
#include "xavideofolder.h"

namespace
{

class XAVIDEOFolderDataset final : public GDALPamDataset
{
    friend class XAVIDEOFolderBand;

    xav_xv *m_xv = nullptr;
    OGRSpatialReference m_srs{};
    CPLStringList m_xavMetadata{};

  public:
    explicit XAVIDEOFolderDataset(xav_xv *xv) : m_xv(xv)
    {
        nRasterXSize = xav_xv_width(xv);
        nRasterYSize = xav_xv_height(xv);
        m_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    }
    ~XAVIDEOFolderDataset() override
    {
        FlushCache(true);
        xav_xv_close(m_xv);
    }

    CPLErr GetGeoTransform(double *gt) override
    {
        return xav_xv_geotransform(m_xv, gt) == 0 ? CE_None : CE_Failure;
    }
    const OGRSpatialReference *GetSpatialRef() const override
    {
        return m_srs.IsEmpty() ? nullptr : &m_srs;
    }
    char **GetFileList() override
    {
        return CSLDuplicate(xav_xv_file_list(m_xv));
    }
    char **GetMetadata(const char *domain) override
    {
        if (domain != nullptr && EQUAL(domain, XAV_DRIVER_NAME)) {
            m_xavMetadata.SetNameValue(
                "DECODED_FRAMES",
                CPLSPrintf("%llu", static_cast<unsigned long long>(
                                       xav_xv_decoded_frames(m_xv))));
            m_xavMetadata.SetNameValue("SOURCE", "xarrayvideo");
            return m_xavMetadata.List();
        }
        return GDALPamDataset::GetMetadata(domain);
    }
    const char *GetMetadataItem(const char *name, const char *domain) override
    {
        if (domain != nullptr && EQUAL(domain, XAV_DRIVER_NAME))
            return CSLFetchNameValue(GetMetadata(domain), name);
        return GDALPamDataset::GetMetadataItem(name, domain);
    }

    static GDALDataset *Open(xav_xv *xv, const char *folder);
};

class XAVIDEOFolderBand final : public GDALPamRasterBand
{
  public:
    XAVIDEOFolderBand(XAVIDEOFolderDataset *ds, int band)
    {
        poDS = ds;
        nBand = band;
        eDataType = xav_xv_band_type(ds->m_xv, band - 1);
        nBlockXSize = ds->GetRasterXSize();
        nBlockYSize = ds->GetRasterYSize();
        SetDescription(xav_xv_band_description(ds->m_xv, band - 1));
        GDALMajorObject::SetMetadata(
            const_cast<char **>(xav_xv_band_metadata(ds->m_xv, band - 1)));
    }

    CPLErr IReadBlock(int, int, void *buffer) override
    {
        auto *ds = static_cast<XAVIDEOFolderDataset *>(poDS);
        return xav_xv_read_band(ds->m_xv, nBand - 1, buffer) == 0 ? CE_None
                                                                  : CE_Failure;
    }
};

GDALDataset *XAVIDEOFolderDataset::Open(xav_xv *xv, const char *folder)
{
    auto ds = std::make_unique<XAVIDEOFolderDataset>(xv);
    const char *wkt = xav_xv_crs_wkt(xv);
    if (wkt != nullptr && ds->m_srs.importFromWkt(wkt) != OGRERR_NONE) {
        CPLError(CE_Warning, CPLE_AppDefined,
                 "XAVIDEO: the CRS in %s/x.nc cannot be read; ignoring it.",
                 folder);
        ds->m_srs.Clear();
    }
    ds->GDALMajorObject::SetMetadata(const_cast<char **>(xav_xv_metadata(xv)));
    for (int b = 1; b <= xav_xv_band_count(xv); b++)
        ds->SetBand(b, new XAVIDEOFolderBand(ds.get(), b));
    ds->SetDescription(folder);
    ds->TryLoadXML();
    return ds.release();
}

} // namespace

int XAVIDEOFolderIdentify(GDALOpenInfo *info)
{
    return info->bIsDirectory && xav_xv_identify(info->pszFilename);
}

GDALDataset *XAVIDEOFolderOpen(GDALOpenInfo *info)
{
    if (info->eAccess == GA_Update ||
        (info->nOpenFlags & GDAL_OF_MULTIDIM_RASTER)) {
        CPLError(CE_Failure, CPLE_NotSupported,
                 "XAVIDEO: xarrayvideo folders are read-only and have only "
                 "the classic raster view: open %s read-only, as a raster.",
                 info->pszFilename);
        return nullptr;
    }
    xav_xv *xv = xav_xv_open(info->pszFilename);
    return xv != nullptr ? XAVIDEOFolderDataset::Open(xv, info->pszFilename)
                         : nullptr;
}
