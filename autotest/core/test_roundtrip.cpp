// Core tests: xav_create_copy then xav_open/xav_read_band on real data, in
// /vsimem/, compared with the source read through GDAL.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "cpl_conv.h"
#include "cpl_vsi.h"
#include "gdal.h"
#include "xavideo.h"

namespace
{

const std::string kData = XAV_DATA_DIR;

struct GdalInit {
    GdalInit() { GDALAllRegister(); }
};
const GdalInit init;

std::vector<GByte> read_source(GDALDatasetH ds, int band)
{
    GDALRasterBandH b = GDALGetRasterBand(ds, band + 1);
    const GDALDataType type = GDALGetRasterDataType(b);
    const int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    std::vector<GByte> buf(static_cast<size_t>(w) * h *
                           GDALGetDataTypeSizeBytes(type));
    EXPECT_EQ(CE_None, GDALRasterIO(b, GF_Read, 0, 0, w, h, buf.data(), w, h,
                                    type, 0, 0));
    return buf;
}

std::vector<GByte> read_copy(xav_dataset *ds, int band)
{
    std::vector<GByte> buf(static_cast<size_t>(xav_width(ds)) * xav_height(ds) *
                           GDALGetDataTypeSizeBytes(xav_band_type(ds, band)));
    EXPECT_EQ(0, xav_read_band(ds, band, buf.data()));
    return buf;
}

// The 132 monthly Float32 fields of the Navy wind series.
GDALDatasetH open_uwnd()
{
    const std::string name =
        "NETCDF:\"" + kData + "/monthly_navy_winds.cdf\":UWND";
    return GDALOpen(name.c_str(), GA_ReadOnly);
}

class RoundTrip : public ::testing::Test
{
  protected:
    const char *out = "/vsimem/core_roundtrip.mkv";
    void TearDown() override
    {
        CPLPushErrorHandler(CPLQuietErrorHandler); /* may be gone already */
        xav_delete(out);
        CPLPopErrorHandler();
    }
};

TEST_F(RoundTrip, LosslessFloat32WindsAreBitExact)
{
    GDALDatasetH src = open_uwnd();
    ASSERT_NE(src, nullptr);
    const char *opts[] = {"LOSSLESS=YES", nullptr};
    ASSERT_EQ(0, xav_create_copy(out, src, opts, nullptr, nullptr));
    xav_dataset *ds = xav_open(out, nullptr);
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(1, xav_variable_count(ds));
    EXPECT_EQ(132, xav_time_count(ds));
    for (int b : {0, 1, 65, 131})
        EXPECT_EQ(read_source(src, b), read_copy(ds, b)) << "band " << b;
    xav_close(ds);
    GDALClose(src);
}

// Reading time t from a fresh open decodes at most one GOP per stream, and
// reading forward decodes each frame once.
TEST_F(RoundTrip, RandomAccessCostsAtMostOneGop)
{
    GDALDatasetH src = open_uwnd();
    ASSERT_NE(src, nullptr);
    const char *opts[] = {"GOP=8", nullptr};
    ASSERT_EQ(0, xav_create_copy(out, src, opts, nullptr, nullptr));
    GDALClose(src);

    xav_dataset *ds = xav_open(out, nullptr);
    ASSERT_NE(ds, nullptr);
    // UWND has no invalid pixel: its data and the corrections of its
    // error bound
    const unsigned streams = 2;
    read_copy(ds, 100);
    // 100 = 12 * 8 + 4: the keyframe at 96, then 97..100
    EXPECT_LE(xav_decoded_frame_count(ds), 8u * streams);
    EXPECT_GE(xav_decoded_frame_count(ds), 5u * streams);
    const uint64_t before = xav_decoded_frame_count(ds);
    for (int b = 101; b < 120; b++)
        read_copy(ds, b);
    EXPECT_EQ(before + 19 * streams, xav_decoded_frame_count(ds))
        << "forward reads decode each frame once";
    const uint64_t at = xav_decoded_frame_count(ds);
    read_copy(ds, 3); // backwards: seek to the keyframe at 0
    EXPECT_LE(xav_decoded_frame_count(ds) - at, 8u * streams);
    xav_close(ds);
}

// The variables x time accessors of the multidimensional view: the time
// values are the source's, exactly; (variable, time) names a band.
TEST_F(RoundTrip, VariablesAndTimeAxisAreTheSources)
{
    GDALDatasetH src = open_uwnd();
    ASSERT_NE(src, nullptr);
    ASSERT_EQ(0, xav_create_copy(out, src, nullptr, nullptr, nullptr));
    xav_dataset *ds = xav_open(out, nullptr);
    ASSERT_NE(ds, nullptr);
    EXPECT_STREQ("UWND", xav_variable_name(ds, 0));
    EXPECT_STREQ("TIME", xav_time_name(ds));
    EXPECT_STREQ(GDALGetMetadataItem(src, "TIME#units", nullptr),
                 xav_time_units(ds));
    ASSERT_NE(xav_time_values(ds), nullptr);
    for (int t = 0; t < xav_time_count(ds); t++) {
        GDALRasterBandH b = GDALGetRasterBand(src, t + 1);
        EXPECT_EQ(CPLAtof(GDALGetMetadataItem(b, "NETCDF_DIM_TIME", nullptr)),
                  xav_time_values(ds)[t])
            << "time " << t;
        EXPECT_EQ(t, xav_band_of(ds, 0, t));
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_EQ(-1, xav_band_of(ds, 1, 0));
    EXPECT_EQ(-1, xav_band_of(ds, 0, 132));
    CPLPopErrorHandler();
    char **state = xav_state_metadata(ds);
    EXPECT_STREQ("0", CSLFetchNameValue(state, "DECODED_FRAMES"));
    CSLDestroy(state);
    read_copy(ds, 0);
    state = xav_state_metadata(ds);
    // the data's frame and its corrections' (the default error bound)
    EXPECT_STREQ("2", CSLFetchNameValue(state, "DECODED_FRAMES"));
    CSLDestroy(state);
    xav_close(ds);
    GDALClose(src);
}

TEST_F(RoundTrip, EmbeddedDescriptionAloneOpens)
{
    GDALDatasetH src = GDALOpen((kData + "/L7_ETMs.tif").c_str(), GA_ReadOnly);
    ASSERT_NE(src, nullptr);
    const char *opts[] = {"LOSSLESS=YES", nullptr};
    ASSERT_EQ(0, xav_create_copy(out, src, opts, nullptr, nullptr));
    ASSERT_EQ(0, VSIUnlink((std::string(out) + ".json").c_str()));
    xav_dataset *ds = xav_open(out, nullptr);
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(6, xav_band_count(ds));
    EXPECT_EQ(read_source(src, 5), read_copy(ds, 5));
    xav_close(ds);
    GDALClose(src);
}

// Tiles encoded by three worker threads, lossless and lossy with a bound:
// what a reader gets is the source (within the bound), tile by tile, and a
// progress callback that says stop leaves no file behind.
TEST_F(RoundTrip, TilesEncodedOnThreadsReadBack)
{
    GDALDatasetH src = GDALOpen((kData + "/L7_ETMs.tif").c_str(), GA_ReadOnly);
    ASSERT_NE(src, nullptr);
    const char *lossless[] = {"LOSSLESS=YES", "TILE_SIZE=128", "NUM_THREADS=3",
                              nullptr};
    ASSERT_EQ(0, xav_create_copy(out, src, lossless, nullptr, nullptr));
    xav_dataset *ds = xav_open(out, nullptr);
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(1 + 9, CSLCount(xav_file_list(ds))); // sidecar, 3 x 3 tiles
    for (int b = 0; b < 6; b++)
        EXPECT_EQ(read_source(src, b), read_copy(ds, b)) << "band " << b;
    xav_close(ds);
    ASSERT_EQ(0, xav_delete(out));

    const char *bounded[] = {"MAX_ERROR=2", "TILE_SIZE=128", "NUM_THREADS=3",
                             nullptr};
    ASSERT_EQ(0, xav_create_copy(out, src, bounded, nullptr, nullptr));
    ds = xav_open(out, nullptr);
    ASSERT_NE(ds, nullptr);
    for (int b = 0; b < 6; b++) {
        const std::vector<GByte> a = read_source(src, b), c = read_copy(ds, b);
        ASSERT_EQ(a.size(), c.size());
        int worst = 0;
        for (size_t i = 0; i < a.size(); i++)
            worst = std::max(worst, std::abs(int(a[i]) - int(c[i])));
        EXPECT_LE(worst, 2) << "band " << b;
    }
    xav_close(ds);
}

int stop_at_once(double, const char *, void *)
{
    return FALSE;
}

TEST_F(RoundTrip, InterruptedThreadedCopyLeavesNothing)
{
    GDALDatasetH src = GDALOpen((kData + "/L7_ETMs.tif").c_str(), GA_ReadOnly);
    ASSERT_NE(src, nullptr);
    const char *opts[] = {"TILE_SIZE=64", "NUM_THREADS=2", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_create_copy(out, src, opts, stop_at_once, nullptr));
    CPLPopErrorHandler();
    EXPECT_EQ(CPLE_UserInterrupt, CPLGetLastErrorNo());
    char **left = VSIReadDir("/vsimem/");
    for (char **f = left; f != nullptr && *f != nullptr; f++)
        EXPECT_EQ(nullptr, strstr(*f, "core_roundtrip")) << *f;
    CSLDestroy(left);
    GDALClose(src);
}

} // namespace

namespace
{

// Reads of bands that do not exist are refused before anything is looked
// up by their number (xav_read_block read the type of band -1 first: a
// heap overflow under AddressSanitizer).
TEST_F(RoundTrip, ReadsOfBandsThatDoNotExistAreRefused)
{
    GDALDatasetH src = open_uwnd();
    ASSERT_NE(src, nullptr);
    const char *opts[] = {"LOSSLESS=YES", nullptr};
    ASSERT_EQ(0, xav_create_copy(out, src, opts, nullptr, nullptr));
    GDALClose(src);
    xav_dataset *ds = xav_open(out, nullptr);
    ASSERT_NE(ds, nullptr);
    std::vector<float> buf(144 * 73);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    for (int band : {-1, 132, 1 << 30}) {
        CPLErrorReset();
        EXPECT_EQ(-1, xav_read_block(ds, band, 0, 0, buf.data())) << band;
        EXPECT_NE(nullptr, strstr(CPLGetLastErrorMsg(), "no band")) << band;
        EXPECT_EQ(-1, xav_read_band(ds, band, buf.data())) << band;
    }
    EXPECT_EQ(-1, xav_read_block(ds, 0, 1, 0, buf.data()));
    CPLPopErrorHandler();
    EXPECT_EQ(0, xav_read_block(ds, 131, 0, 0, buf.data()));
    xav_close(ds);
}

} // namespace
