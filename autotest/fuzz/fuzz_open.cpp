/*
 * libFuzzer target: an arbitrary video plus sidecar pair opened and read
 * through the GDAL driver (shim and core), from /vsimem/.
 *
 * Input: SIDECAR XAV_FUZZ_SEPARATOR VIDEO. The sidecar goes to
 * /vsimem/fuzz/v.mkv.json and is opened; its streams name "v.mkv", the
 * video. Without the separator the whole input is a video that has to carry
 * its own description (the embedded tag), and the video is opened.
 * Built with XAV_FUZZ=ON (doc/testing.md); seeds: scripts/fuzz.sh.
 */
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"
#include "cpl_vsi.h"
#include "gdal.h"

extern "C" void GDALRegister_XAVIDEO();

namespace
{

const char kSeparator[] = "\n--XAVIDEO-FUZZ-VIDEO--\n";
const char kVideo[] = "/vsimem/fuzz/v.mkv";
const char kSidecar[] = "/vsimem/fuzz/v.mkv.json";
// One input must not take seconds: a cube that claims millions of blocks is
// read only in part, and a block larger than this is not read at all.
const int kMaxBlocks = 64;
const size_t kMaxBlockBytes = 64 << 20;

void put(const char *name, const uint8_t *data, size_t size)
{
    VSILFILE *fp = VSIFileFromMemBuffer(name, const_cast<GByte *>(data),
                                        static_cast<vsi_l_offset>(size), FALSE);
    VSIFCloseL(fp);
}

// What a program looking at the dataset asks for, without pixels.
void describe(GDALDatasetH ds)
{
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    GDALGetSpatialRef(ds);
    GDALGetGCPCount(ds);
    GDALGetMetadata(ds, nullptr);
    GDALGetMetadata(ds, "XAVIDEO");
    CSLDestroy(GDALGetFileList(ds));
    for (int b = 1; b <= GDALGetRasterCount(ds); b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b);
        int has = 0;
        GDALGetRasterNoDataValue(band, &has);
        GDALGetMetadata(band, nullptr);
        GDALGetMetadata(band, "XAVIDEO");
        GDALGetRasterColorTable(band);
        GDALGetDefaultRAT(band);
        GDALGetRasterCategoryNames(band);
        GDALGetRasterUnitType(band);
        GDALGetRasterOffset(band, &has);
    }
}

// Every block of every band, up to kMaxBlocks reads in all.
void read_blocks(GDALDatasetH ds)
{
    std::vector<uint8_t> buffer;
    int reads = 0;
    for (int b = 1; b <= GDALGetRasterCount(ds) && reads < kMaxBlocks; b++) {
        GDALRasterBandH band = GDALGetRasterBand(ds, b);
        int bw = 0, bh = 0;
        GDALGetBlockSize(band, &bw, &bh);
        const size_t bytes =
            static_cast<size_t>(bw) * bh *
            GDALGetDataTypeSizeBytes(GDALGetRasterDataType(band));
        if (bw <= 0 || bh <= 0 || bytes > kMaxBlockBytes)
            return;
        buffer.resize(bytes);
        const int nx = (GDALGetRasterXSize(ds) + bw - 1) / bw;
        const int ny = (GDALGetRasterYSize(ds) + bh - 1) / bh;
        for (int y = 0; y < ny && reads < kMaxBlocks; y++)
            for (int x = 0; x < nx && reads < kMaxBlocks; x++, reads++)
                (void)GDALReadBlock(band, x, y, buffer.data());
    }
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    if (getenv("XAV_FUZZ_VERBOSE") == nullptr) // as in fuzz_sidecar.c
        CPLSetErrorHandler(CPLQuietErrorHandler);
    CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    CPLSetConfigOption("GDAL_CACHEMAX", "64");
    GDALRegister_XAVIDEO(); // the only driver: nothing else claims the bytes
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *end = data + size;
    const uint8_t *sep =
        std::search(data, end, kSeparator, kSeparator + sizeof(kSeparator) - 1);
    const char *open_name = kVideo;
    if (sep != end) {
        put(kSidecar, data, sep - data);
        const uint8_t *video = sep + sizeof(kSeparator) - 1;
        put(kVideo, video, end - video);
        open_name = kSidecar;
    } else {
        put(kVideo, data, size);
    }
    GDALDatasetH ds = GDALOpenEx(open_name, GDAL_OF_RASTER | GDAL_OF_READONLY,
                                 nullptr, nullptr, nullptr);
    if (ds != nullptr) {
        describe(ds);
        read_blocks(ds);
        GDALClose(ds);
    }
    VSIUnlink(kSidecar);
    VSIUnlink(kVideo);
    return 0;
}
