// Core tests: creation and open options, their defaults and their refusals
// (each names the option and what it takes).
#include <gtest/gtest.h>

#include <string>

#include "cpl_error.h"
#include "cpl_string.h"

extern "C" {
#include "options.h"
}

namespace
{

// Parses opts; on failure returns the message.
std::string refusal(std::initializer_list<const char *> opts)
{
    CPLStringList list;
    for (const char *o : opts)
        list.AddString(o);
    xav_create_options o;
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const int rc = xav_parse_create_options(list.List(), &o);
    CPLPopErrorHandler();
    return rc == 0 ? "" : CPLGetLastErrorMsg();
}

TEST(Options, DefaultsAreTheDocumentedOnes)
{
    xav_create_options o;
    ASSERT_EQ(0, xav_parse_create_options(nullptr, &o));
    EXPECT_EQ(XAV_CODEC_X265, o.codec);
    EXPECT_FALSE(o.lossless);
    EXPECT_EQ(XAV_DEFAULT_CRF, o.crf);
    EXPECT_EQ(-1, o.qp);
    EXPECT_STREQ("medium", o.preset);
    EXPECT_EQ(16, o.gop);
    EXPECT_EQ(XAV_DEFAULT_TILE_SIZE, o.tile_size);
    EXPECT_EQ(0, o.max_error);
    EXPECT_GE(o.threads, 1);
    const char *av1[] = {"CODEC=av1", nullptr};
    ASSERT_EQ(0, xav_parse_create_options(av1, &o));
    EXPECT_EQ(XAV_CODEC_AV1, o.codec) << "codec names in any case";
    EXPECT_EQ(XAV_DEFAULT_AV1_CRF, o.crf);
    const char *ffv1[] = {"CODEC=FFV1", nullptr};
    ASSERT_EQ(0, xav_parse_create_options(ffv1, &o));
    EXPECT_TRUE(o.lossless) << "FFV1 is lossless";
}

TEST(Options, BadValuesAreRefusedByName)
{
    EXPECT_NE(refusal({"CODEC=H264"}).find("CODEC=H264"), std::string::npos);
    EXPECT_NE(refusal({"LOSSLESS=maybe"}).find("YES or NO"), std::string::npos);
    EXPECT_NE(refusal({"CODEC=X265", "LOSSLESS=YES"}).find("FFV1"),
              std::string::npos);
    EXPECT_NE(refusal({"CRF=52"}).find("CRF=52"), std::string::npos);
    EXPECT_NE(refusal({"BITS=9"}).find("BITS=9"), std::string::npos);
    EXPECT_NE(refusal({"QP=5", "CODEC=AV1"}).find("X265"), std::string::npos);
    EXPECT_NE(refusal({"PRESET=quick"}).find("PRESET"), std::string::npos);
    EXPECT_NE(refusal({"TILE_SIZE=8"}).find("16"), std::string::npos);
    EXPECT_NE(refusal({"MAX_ERROR=-1"}).find("positive"), std::string::npos);
    EXPECT_EQ(refusal({"MAX_ERROR=-1"}).find("LOSSLESS"), std::string::npos);
    EXPECT_NE(refusal({"MAX_ERROR=0"}).find("LOSSLESS=YES"), std::string::npos)
        << "a bound of 0 asks for exact values: say how";
    EXPECT_NE(refusal({"TARGET_PSNR=nan"}).find("positive"), std::string::npos);
    EXPECT_NE(refusal({"NUM_THREADS=0"}).find("NUM_THREADS"),
              std::string::npos);
    EXPECT_EQ("", refusal({"NUM_THREADS=ALL_CPUS", "TILE_SIZE=0"}));
}

TEST(Options, ValidRangeOnceOrPerVariable)
{
    double lo[3], hi[3];
    ASSERT_EQ(0, xav_parse_valid_range("-50,60", 3, lo, hi));
    EXPECT_EQ(-50, lo[2]);
    EXPECT_EQ(60, hi[2]);
    ASSERT_EQ(0, xav_parse_valid_range("0,1;2,3;4,5", 3, lo, hi));
    EXPECT_EQ(4, lo[2]);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_parse_valid_range("0,1;2,3", 3, lo, hi));
    EXPECT_NE(0, xav_parse_valid_range("5,1", 1, lo, hi));
    EXPECT_NE(0, xav_parse_valid_range("0,inf", 1, lo, hi));
    CPLPopErrorHandler();
}

TEST(Options, OpenOptions)
{
    xav_open_options o;
    ASSERT_EQ(0, xav_parse_open_options(nullptr, &o));
    EXPECT_EQ(256, o.cache_mib);
    EXPECT_FALSE(o.allow_external);
    const char *bad[] = {"CACHE_SIZE=lots", nullptr};
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_parse_open_options(bad, &o));
    CPLPopErrorHandler();
}

} // namespace
