// Core tests: the sidecar parser accepts what the writer writes and refuses
// anything malformed with a message that names the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "cpl_conv.h"
#include "cpl_error.h"
#include "cpl_string.h"

extern "C" {
#include "sidecar.h"
#include "xavideo.h"
}

namespace
{

// A small but complete description: 2 variables x 3 times.
xav_desc *sample()
{
    xav_desc *d = xav_desc_new();
    d->width = 4;
    d->height = 3;
    d->has_geotransform = 1;
    double gt[6] = {10, 1, 0, 20, 0, -1};
    memcpy(d->geotransform, gt, sizeof(gt));
    d->nvars = 2;
    d->vars = static_cast<xav_variable *>(CPLCalloc(2, sizeof(xav_variable)));
    d->vars[0].name = CPLStrdup("SST");
    d->vars[0].type = GDT_Float32;
    d->vars[0].has_nodata = 1;
    d->vars[0].nodata = NAN;
    d->vars[0].quant = XAV_QUANT_LINEAR;
    d->vars[0].q_offset = -2;
    d->vars[0].q_scale = 0.01;
    d->vars[0].words = 1;
    d->vars[0].has_mask = 1;
    d->vars[1].name = CPLStrdup("class");
    d->vars[1].type = GDT_Byte;
    d->vars[1].quant = XAV_QUANT_INTEGER;
    d->vars[1].q_scale = 1;
    d->vars[1].words = 1;
    d->vars[1].color_count = 1;
    d->vars[1].colors = static_cast<short *>(CPLCalloc(4, sizeof(short)));
    d->vars[1].colors[0] = 255;
    d->ntimes = 3;
    d->time_values = static_cast<double *>(CPLCalloc(3, sizeof(double)));
    d->time_values[1] = 31;
    d->time_values[2] = 59;
    d->time_name = CPLStrdup("time");
    d->time_units = CPLStrdup("days since 2000-01-01");
    d->nstreams = 3;
    d->streams = static_cast<xav_stream *>(CPLCalloc(3, sizeof(xav_stream)));
    for (int s = 0; s < 3; s++) {
        d->streams[s].file = CPLStrdup("x.mkv");
        d->streams[s].index = s;
        d->streams[s].pix_fmt = CPLStrdup("gray");
        d->streams[s].bits = 8;
        d->streams[s].channels = 1;
        d->streams[s].gop = 16;
        d->streams[s].frames = 3;
        d->streams[s].var[0] = s == 1 ? 1 : 0;
    }
    d->streams[2].role = XAV_ROLE_MASK;
    return d;
}

std::string to_json(const xav_desc *d)
{
    char *json = xav_sidecar_to_json(d, 0);
    std::string s(json);
    CPLFree(json);
    return s;
}

// Parses text; returns whether it parsed and the error message.
bool parses(const std::string &text, std::string *message)
{
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    xav_desc *d = xav_sidecar_from_json(text.data(), text.size(), "test");
    CPLPopErrorHandler();
    *message = CPLGetLastErrorMsg();
    xav_desc_free(d);
    return d != nullptr;
}

std::string replaced(std::string s, const std::string &from,
                     const std::string &to)
{
    size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? s : s.replace(at, from.size(), to);
}

TEST(Sidecar, RoundTripsEveryField)
{
    xav_desc *d = sample();
    std::string json = to_json(d);
    xav_desc_free(d);
    xav_desc *e = xav_sidecar_from_json(json.data(), json.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    EXPECT_EQ(4, e->width);
    EXPECT_EQ(3, e->ntimes);
    EXPECT_EQ(59, e->time_values[2]);
    EXPECT_STREQ("days since 2000-01-01", e->time_units);
    EXPECT_TRUE(std::isnan(e->vars[0].nodata)) << "NaN travels as a string";
    EXPECT_EQ(0.01, e->vars[0].q_scale);
    EXPECT_EQ(255, e->vars[1].colors[0]);
    EXPECT_EQ(XAV_ROLE_MASK, e->streams[2].role);
    EXPECT_EQ(20, e->geotransform[3]);
    EXPECT_EQ(to_json(e), json) << "writing what was read changes nothing";
    xav_desc_free(e);
}

class SidecarErrors : public ::testing::Test
{
  protected:
    std::string good;
    void SetUp() override
    {
        xav_desc *d = sample();
        good = to_json(d);
        xav_desc_free(d);
    }
};

TEST_F(SidecarErrors, TruncatedOrMalformedJson)
{
    std::string msg;
    EXPECT_FALSE(parses(good.substr(0, good.size() / 2), &msg));
    EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
    EXPECT_FALSE(parses("[1, 2]", &msg));
    EXPECT_FALSE(parses("", &msg));
}

TEST_F(SidecarErrors, UnknownSchemaVersionIsRefusedByName)
{
    std::string msg;
    // a dataset of neither tables nor parts is written as version 3
    EXPECT_FALSE(
        parses(replaced(good, "\"schema_version\":3", "\"schema_version\":999"),
               &msg));
    EXPECT_NE(msg.find("schema version 999"), std::string::npos) << msg;
}

TEST_F(SidecarErrors, NotOurFormat)
{
    std::string msg;
    EXPECT_FALSE(parses(replaced(good, "\"xavideo\"", "\"other\""), &msg));
    EXPECT_NE(msg.find("format"), std::string::npos) << msg;
}

TEST_F(SidecarErrors, MissingOrMistypedKeysAreNamed)
{
    std::string msg;
    EXPECT_FALSE(parses(replaced(good, "\"width\"", "\"widht\""), &msg));
    EXPECT_NE(msg.find("'width'"), std::string::npos) << msg;
    EXPECT_FALSE(
        parses(replaced(good, "\"height\":3", "\"height\":\"3\""), &msg));
    EXPECT_NE(msg.find("'height'"), std::string::npos) << msg;
}

TEST_F(SidecarErrors, InconsistentDescriptions)
{
    std::string msg;
    EXPECT_FALSE(parses(replaced(good, "\"width\":4", "\"width\":0"), &msg));
    EXPECT_NE(msg.find("raster size"), std::string::npos) << msg;
    // a channel pointing at a variable that does not exist
    EXPECT_FALSE(
        parses(replaced(good, "\"variable\":1", "\"variable\":7"), &msg));
    EXPECT_NE(msg.find("inconsistent"), std::string::npos) << msg;
    EXPECT_FALSE(parses(
        replaced(good, "\"data_type\":\"Byte\"", "\"data_type\":\"CFloat32\""),
        &msg));
}

// sample() with a depth of two levels, its two variables the slices of one
// array at each.
xav_desc *sliced()
{
    xav_desc *d = sample();
    d->ndims = 1;
    d->dims = static_cast<xav_dim *>(CPLCalloc(1, sizeof(xav_dim)));
    d->dims[0].name = CPLStrdup("depth");
    d->dims[0].units = CPLStrdup("m");
    d->dims[0].size = 2;
    d->dims[0].values = static_cast<double *>(CPLCalloc(2, sizeof(double)));
    d->dims[0].values[1] = 12.5;
    for (int v = 0; v < 2; v++) {
        d->vars[v].array = CPLStrdup("T");
        d->vars[v].coords = static_cast<int *>(CPLCalloc(1, sizeof(int)));
        d->vars[v].coords[0] = v;
    }
    return d;
}

TEST(Sidecar, ExtraDimensionsRoundTrip)
{
    xav_desc *d = sliced();
    std::string json = to_json(d);
    xav_desc_free(d);
    xav_desc *e = xav_sidecar_from_json(json.data(), json.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    ASSERT_EQ(1, e->ndims);
    EXPECT_STREQ("depth", e->dims[0].name);
    EXPECT_STREQ("m", e->dims[0].units);
    ASSERT_EQ(2, e->dims[0].size);
    EXPECT_EQ(12.5, e->dims[0].values[1]);
    EXPECT_STREQ("T", e->vars[1].array);
    EXPECT_EQ(1, e->vars[1].coords[0]);
    EXPECT_EQ(to_json(e), json) << "writing what was read changes nothing";
    xav_desc_free(e);
}

TEST(Sidecar, ExtraDimensionsAreChecked)
{
    xav_desc *d = sliced();
    const std::string good = to_json(d);
    xav_desc_free(d);
    std::string msg;
    EXPECT_FALSE(parses(
        replaced(good, "\"coordinates\":[1]", "\"coordinates\":[2]"), &msg));
    EXPECT_NE(msg.find("coordinate is out of its dimension"), std::string::npos)
        << msg;
    EXPECT_FALSE(parses(
        replaced(good, "\"coordinates\":[1]", "\"coordinates\":[0,1]"), &msg));
    EXPECT_NE(msg.find("'coordinates'"), std::string::npos) << msg;
    EXPECT_FALSE(parses(
        replaced(good, "\"name\":\"depth\"", "\"name\":\"time\""), &msg));
    EXPECT_NE(msg.find("time axis"), std::string::npos) << msg;
    EXPECT_FALSE(parses(
        replaced(good, "\"values\":[0,12.5]", "\"values\":[0,\"nan\"]"), &msg));
    EXPECT_NE(msg.find("finite"), std::string::npos) << msg;
}

} // namespace

// Three variables as principal components (schema 7): their weights and
// the variables they weigh round-trip, and the stream that carries them
// must carry all three.
xav_desc *mixed_sample()
{
    xav_desc *d = xav_desc_new();
    d->width = 4;
    d->height = 3;
    d->nvars = 3;
    d->vars = static_cast<xav_variable *>(CPLCalloc(3, sizeof(xav_variable)));
    for (int v = 0; v < 3; v++) {
        d->vars[v].name = CPLStrdup(CPLSPrintf("band_%d", v + 1));
        d->vars[v].type = GDT_Byte;
        d->vars[v].quant = XAV_QUANT_MIXED;
        d->vars[v].q_offset = -100.5 + v;
        d->vars[v].q_scale = 0.0875;
        d->vars[v].words = 1;
        for (int k = 0; k < 3; k++) {
            d->vars[v].mix_vars[k] = k;
            d->vars[v].mix[k] = 0.045 * (k + 1) * (v == k ? -1 : 1);
        }
    }
    d->nstreams = 1;
    d->streams = static_cast<xav_stream *>(CPLCalloc(1, sizeof(xav_stream)));
    d->streams[0].file = CPLStrdup("x.mkv");
    d->streams[0].pix_fmt = CPLStrdup("gbrp12le");
    d->streams[0].bits = 12;
    d->streams[0].channels = 3;
    d->streams[0].gop = 16;
    d->streams[0].frames = 1;
    for (int c = 0; c < 3; c++)
        d->streams[0].var[c] = 2 - c;
    return d;
}

TEST(Sidecar, MixedVariablesRoundTrip)
{
    xav_desc *d = mixed_sample();
    ASSERT_EQ(0, xav_desc_validate(d)) << CPLGetLastErrorMsg();
    std::string json = to_json(d);
    xav_desc_free(d);
    EXPECT_NE(std::string::npos, json.find("\"schema_version\":7")) << json;
    xav_desc *e = xav_sidecar_from_json(json.data(), json.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    EXPECT_EQ(XAV_QUANT_MIXED, e->vars[1].quant);
    EXPECT_EQ(-0.09, e->vars[1].mix[1]);
    EXPECT_EQ(2, e->vars[1].mix_vars[2]);
    EXPECT_EQ(to_json(e), json);
    xav_desc_free(e);
}

TEST(Sidecar, MixedVariablesNeedTheirStreamToCarryThemAll)
{
    xav_desc *d = mixed_sample();
    std::string message;
    d->vars[0].mix_vars[1] = 3; // no such variable in the stream
    EXPECT_FALSE(parses(to_json(d), &message));
    EXPECT_NE(std::string::npos, message.find("lacks a variable")) << message;
    d->vars[0].mix_vars[1] = 1;
    d->streams[0].lossless = 1;
    EXPECT_FALSE(parses(to_json(d), &message));
    EXPECT_NE(std::string::npos, message.find("lossy")) << message;
    xav_desc_free(d);
}

namespace
{

TEST(Sidecar, GridNamesRoundTripAndAreChecked)
{
    xav_desc *d = sample();
    d->grid_names[0] = CPLStrdup("lat");
    d->grid_names[1] = CPLStrdup("lon");
    const std::string json = to_json(d);
    xav_desc_free(d);
    ASSERT_NE(json.find("\"grid_dimensions\":[\"lat\",\"lon\"]"),
              std::string::npos);
    xav_desc *e = xav_sidecar_from_json(json.data(), json.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    EXPECT_STREQ("lat", e->grid_names[0]);
    EXPECT_STREQ("lon", e->grid_names[1]);
    EXPECT_EQ(to_json(e), json) << "writing what was read changes nothing";
    xav_desc_free(e);
    std::string msg;
    for (const char *bad :
         {"[\"lat\"]", "[\"lat\",\"lat\"]", "[\"\",\"lon\"]", "[\"lat\",3]"}) {
        EXPECT_FALSE(
            parses(replaced(json, "[\"lat\",\"lon\"]", std::string(bad)), &msg))
            << bad;
        EXPECT_NE(msg.find("grid_dimensions"), std::string::npos) << msg;
    }
}

TEST(Sidecar, MaskBandsRoundTripAndNeedVersion8)
{
    xav_desc *d = sample();
    std::string json = to_json(d);
    EXPECT_EQ(std::string::npos, json.find("mask_band")) << json;
    EXPECT_EQ(std::string::npos, json.find("\"schema_version\":8")) << json;
    d->vars[0].mask_band = XAV_MASK_BAND_PER_DATASET;
    d->vars[1].mask_band = XAV_MASK_BAND_OWN;
    json = to_json(d);
    xav_desc_free(d);
    EXPECT_NE(std::string::npos, json.find("\"schema_version\":8")) << json;
    xav_desc *e = xav_sidecar_from_json(json.data(), json.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    EXPECT_EQ(XAV_MASK_BAND_PER_DATASET, e->vars[0].mask_band);
    EXPECT_EQ(XAV_MASK_BAND_OWN, e->vars[1].mask_band);
    EXPECT_EQ(to_json(e), json) << "writing what was read changes nothing";
    xav_desc_free(e);
    std::string msg;
    EXPECT_FALSE(parses(replaced(json, "\"per_dataset\"", "\"alpha\""), &msg));
    EXPECT_NE(msg.find("mask_band"), std::string::npos) << msg;
}

TEST(Sidecar, JoinedMasksTakeTheMoreGeneralBand)
{
    xav_variable a{}, b{};
    b.has_mask = 1;
    b.mask_band = XAV_MASK_BAND_PER_DATASET;
    xav_variable_join_masks(&a, &b);
    EXPECT_EQ(1, a.has_mask);
    EXPECT_EQ(XAV_MASK_BAND_PER_DATASET, a.mask_band);
    b.has_mask = 0;
    b.mask_band = XAV_MASK_BAND_OWN;
    xav_variable_join_masks(&a, &b);
    EXPECT_EQ(1, a.has_mask) << "a mask stays";
    EXPECT_EQ(XAV_MASK_BAND_OWN, a.mask_band);
}

TEST(Sidecar, MetadataDomainsRoundTripAndAreChecked)
{
    xav_desc *d = sample();
    const char *rpc[] = {"LINE_OFF=176", "SAMP_OFF= 174", nullptr};
    const char *xmp[] = {"<x:xmpmeta a=\"1\"/>", nullptr};
    d->domains = CSLAddString(CSLAddString(nullptr, "RPC"), "xml:XMP");
    d->domain_metadata = static_cast<char ***>(CPLCalloc(3, sizeof(char **)));
    d->domain_metadata[0] = CSLDuplicate(const_cast<char **>(rpc));
    d->domain_metadata[1] = CSLDuplicate(const_cast<char **>(xmp));
    const std::string json = to_json(d);
    xav_desc_free(d);
    EXPECT_NE(std::string::npos, json.find("\"schema_version\":8")) << json;
    EXPECT_NE(std::string::npos, json.find("\"RPC\":{\"LINE_OFF\":\"176\""))
        << json;
    xav_desc *e = xav_sidecar_from_json(json.data(), json.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    EXPECT_STREQ(
        " 174", CSLFetchNameValue(
                    const_cast<char **>(xav_desc_domain(e, "RPC")), "SAMP_OFF"))
        << "values verbatim";
    CSLConstList x = xav_desc_domain(e, "xml:XMP");
    ASSERT_NE(x, nullptr);
    EXPECT_STREQ(xmp[0], x[0]);
    EXPECT_EQ(nullptr, xav_desc_domain(e, "IMAGERY"));
    EXPECT_EQ(to_json(e), json) << "writing what was read changes nothing";
    xav_desc_free(e);
    std::string msg;
    for (const char *bad : {"\"IMAGE_STRUCTURE\"", "\"GEOLOCATION\"", "\"\""}) {
        EXPECT_FALSE(parses(replaced(json, "\"RPC\"", bad), &msg)) << bad;
        EXPECT_NE(msg.find("metadata_domains"), std::string::npos) << msg;
    }
    EXPECT_FALSE(parses(replaced(json, "\"RPC\"", "\"xml:XMP\""), &msg));
    EXPECT_FALSE(
        parses(replaced(json, "{\"LINE_OFF\"", "{\"LINE_OFF\":3,\"X\""), &msg));
}

TEST(Sidecar, SignedBytesRoundTripAndNeedVersion8)
{
    xav_desc *d = sample();
    d->vars[1].signed_byte = 1;
    const std::string json = to_json(d);
    xav_desc_free(d);
    EXPECT_NE(std::string::npos, json.find("\"schema_version\":8")) << json;
    xav_desc *e = xav_sidecar_from_json(json.data(), json.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    EXPECT_EQ(0, e->vars[0].signed_byte);
    EXPECT_EQ(1, e->vars[1].signed_byte);
    EXPECT_EQ(to_json(e), json);
    xav_desc_free(e);
    std::string msg;
    EXPECT_FALSE(parses(replaced(json, "\"SIGNEDBYTE\"", "\"INT8\""), &msg));
    EXPECT_NE(msg.find("pixel_type"), std::string::npos) << msg;
}

} // namespace
