/*
 * GDAL driver XAVIDEO: Create (see xavideocreate.h). Checks what can be
 * checked before any pixel is written, then makes the buffer that holds
 * the pixels until the writer (xavideowriter.cpp) encodes them.
 */
#include "xavideocreate.h"

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <memory>
#include <string>

#include "cpl_string.h"
#include "cpl_vsi.h"
#include "xavideo.h"
#include "xavideowriter.h"

namespace
{

/* Bytes of raster Create keeps in memory: XAVIDEO_CREATE_MEMORY (MiB), by
 * default a quarter of the memory this process may use. Returns -1 with a
 * CPLError if the setting is not a number. */
GIntBig MemoryBudget()
{
    const char *mib = CPLGetConfigOption("XAVIDEO_CREATE_MEMORY", nullptr);
    if (mib == nullptr) {
        const GIntBig ram = CPLGetUsablePhysicalRAM();
        return ram > 0 ? ram / 4 : static_cast<GIntBig>(1) << 30;
    }
    char *end = nullptr;
    errno = 0;
    const long long v = strtoll(mib, &end, 10);
    if (end == mib || *end != '\0' || v < 0 || errno != 0 ||
        v > (std::numeric_limits<GIntBig>::max() >> 20)) {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: XAVIDEO_CREATE_MEMORY=%s is not a number of MiB.",
                 mib);
        return -1;
    }
    return static_cast<GIntBig>(v) << 20;
}

/* The name checks Create can make at once. */
bool CheckName(const char *filename)
{
    if (filename == nullptr || *filename == '\0') {
        CPLError(CE_Failure, CPLE_IllegalArg,
                 "XAVIDEO: Create needs the name of the video to write "
                 "(NAME.mkv).");
        return false;
    }
    if (STARTS_WITH(filename, "/vsi"))
        return true;
    const std::string dir = CPLGetPath(filename);
    VSIStatBufL st;
    if (VSIStatL(dir.empty() ? "." : dir.c_str(), &st) != 0 ||
        !VSI_ISDIR(st.st_mode)) {
        CPLError(CE_Failure, CPLE_OpenFailed,
                 "XAVIDEO: cannot write %s: folder %s does not exist.",
                 filename, dir.c_str());
        return false;
    }
    return true;
}

/* The buffer of the pixels: MEM if they fit the budget, else a tiled,
 * uncompressed, sparse GTiff next to the output (same file system, which
 * has room for the output; /vsimem/ for an output in /vsimem/). */
std::unique_ptr<GDALDataset> CreateBuffer(const char *filename, int xsize,
                                          int ysize, int bands,
                                          GDALDataType type, std::string *file)
{
    const GIntBig budget = MemoryBudget();
    if (budget < 0)
        return nullptr;
    const double bytes = static_cast<double>(xsize) * ysize * bands *
                         GDALGetDataTypeSizeBytes(type);
    const char *driver = bytes <= static_cast<double>(budget) ? "MEM" : "GTiff";
    GDALDriver *drv = GetGDALDriverManager()->GetDriverByName(driver);
    if (drv == nullptr) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: GDAL's %s driver, which buffers what is written to "
                 "a dataset made by Create, is missing.",
                 driver);
        return nullptr;
    }
    CPLStringList options;
    std::string name;
    if (EQUAL(driver, "GTiff")) {
        name = std::string(filename) + kXAVIDEOWriterBufferSuffix;
        options.SetNameValue("TILED", "YES");
        options.SetNameValue("BLOCKXSIZE",
                             CPLSPrintf("%d", kXAVIDEOWriterBlockSize));
        options.SetNameValue("BLOCKYSIZE",
                             CPLSPrintf("%d", kXAVIDEOWriterBlockSize));
        options.SetNameValue("INTERLEAVE", "BAND");
        options.SetNameValue("SPARSE_OK", "YES");
        options.SetNameValue("BIGTIFF", "IF_NEEDED");
    }
    std::unique_ptr<GDALDataset> ds(
        drv->Create(name.c_str(), xsize, ysize, bands, type, options.List()));
    if (ds == nullptr) {
        CPLError(CE_Failure, CPLE_AppDefined,
                 "XAVIDEO: cannot buffer the %d x %d x %d %s pixels of %s "
                 "(%.0f MiB) %s%s.",
                 xsize, ysize, bands, GDALGetDataTypeName(type), filename,
                 bytes / 1048576.0, name.empty() ? "in memory" : "in ",
                 name.c_str());
        if (!name.empty())
            VSIUnlink(name.c_str());
        return nullptr;
    }
    *file = name;
    return ds;
}

} // namespace

GDALDataset *XAVIDEOCreate(const char *filename, int xsize, int ysize,
                           int bands, GDALDataType type, char **options)
{
    if (!CheckName(filename) ||
        xav_check_create(filename, xsize, ysize, bands, type, options) != 0)
        return nullptr;
    std::string bufferFile;
    auto buffer =
        CreateBuffer(filename, xsize, ysize, bands, type, &bufferFile);
    if (buffer == nullptr)
        return nullptr;
    return XAVIDEOWriterNew(filename, options, std::move(buffer), bufferFile);
}
