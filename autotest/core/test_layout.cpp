// Core tests: the stream layout (one rule for which stream and channel carry
// each variable in each tile) and the file names it derives from the
// dataset's name.
#include <gtest/gtest.h>

#include <string>

#include "cpl_conv.h"
#include "cpl_error.h"

extern "C" {
#include "layout.h"
#include "names.h"
#include "options.h"
#include "sidecar.h"
}

namespace
{

// nvars lossy Float32 variables (the first `masked` with a mask), in a
// width x height raster of tile x tile tiles, before their streams.
xav_desc *described(int nvars, int masked, int width, int height, int tile)
{
    xav_desc *d = xav_desc_new();
    d->width = width;
    d->height = height;
    d->tile_width = d->tile_height = tile;
    d->nvars = nvars;
    d->vars =
        static_cast<xav_variable *>(CPLCalloc(nvars, sizeof(xav_variable)));
    for (int v = 0; v < nvars; v++) {
        xav_variable *var = &d->vars[v];
        var->name = CPLStrdup(("v" + std::to_string(v)).c_str());
        var->type = GDT_Float32;
        var->quant = XAV_QUANT_LINEAR;
        var->q_scale = 0.01;
        var->words = 1;
        var->bits = 12;
        var->has_mask = v < masked;
        var->max_error = 0.5;
        var->corr_step = 0.9;
    }
    return d;
}

// The same, planned as CreateCopy does, with these creation options.
xav_desc *planned(int nvars, int masked, int width, int height, int tile,
                  const char *const *options = nullptr)
{
    xav_create_options o;
    EXPECT_EQ(0, xav_parse_create_options(options, &o));
    xav_desc *d = described(nvars, masked, width, height, tile);
    EXPECT_EQ(0, xav_layout_plan(d, &o));
    return d;
}

TEST(Layout, VariablesInTriplesThenGrayThenMasksThenCorrections)
{
    xav_desc *d = planned(5, 1, 100, 80, 0);
    ASSERT_EQ(0, xav_desc_validate(d));
    // 5 lossy variables: one gbrp stream (0, 1, 2), two gray ones (3, 4),
    // the mask of 0, then the corrections of each data stream, alike
    ASSERT_EQ(3 + 1 + 3, d->nstreams);
    EXPECT_EQ(3, d->streams[4].channels);
    EXPECT_STREQ("gbrp12le", d->streams[4].pix_fmt);
    EXPECT_EQ(2, d->streams[4].var[2]);
    EXPECT_EQ(3, d->streams[0].channels);
    EXPECT_STREQ("gbrp12le", d->streams[0].pix_fmt);
    EXPECT_STREQ("gray12le", d->streams[1].pix_fmt);
    EXPECT_EQ(XAV_ROLE_MASK, d->streams[3].role);
    EXPECT_EQ(XAV_ROLE_CORRECTION, d->streams[4].role);
    // exact side streams: x265 lossless up to 12 bits
    EXPECT_EQ(XAV_CODEC_X265, d->streams[3].codec);
    EXPECT_TRUE(d->streams[3].lossless);
    EXPECT_EQ(12, d->streams[4].bits);
    for (int s = 0; s < d->nstreams; s++)
        EXPECT_TRUE(d->streams[s].checksums) << s;
    int s = -1, c = -1;
    ASSERT_EQ(0, xav_layout_find(d, 4, 0, XAV_ROLE_DATA, 0, 0, &s, &c));
    EXPECT_EQ(2, s);
    EXPECT_EQ(0, c);
    EXPECT_EQ(-1, xav_layout_find(d, 1, 0, XAV_ROLE_MASK, 0, 0, &s, &c));
    xav_desc_free(d);
}

TEST(Layout, EveryTileHasItsStreamsTogetherInTileOrder)
{
    // 100 x 80 in 32-pixel tiles: 4 x 3 tiles
    xav_desc *d = planned(2, 2, 100, 80, 32);
    ASSERT_EQ(0, xav_desc_validate(d));
    ASSERT_EQ(12, xav_desc_tile_count(d));
    const int per_tile = d->nstreams / 12;
    for (int k = 0; k < 12; k++) {
        int first = -1, count = -1;
        xav_layout_tile_streams(d, k, &first, &count);
        EXPECT_EQ(k * per_tile, first);
        EXPECT_EQ(per_tile, count);
        int s, c;
        ASSERT_EQ(0, xav_layout_find(d, 1, 0, XAV_ROLE_MASK, k, 0, &s, &c));
        EXPECT_EQ(k, d->streams[s].tile);
    }
    // a tile's streams out of their place is refused
    std::swap(d->streams[0].tile, d->streams[d->nstreams - 1].tile);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_desc_validate(d));
    CPLPopErrorHandler();
    xav_desc_free(d);
}

TEST(Layout, TilesOfOneListAreDescribedByItOnce)
{
    // 4 x 3 tiles with the same streams: the sidecar lists them once, and
    // reads back as every tile's
    xav_desc *d = planned(2, 1, 100, 80, 32);
    const int per_tile = d->nstreams / 12;
    ASSERT_EQ(per_tile, xav_desc_shared_tile_streams(d));
    char *json = xav_sidecar_to_json(d, 0);
    std::string text(json);
    CPLFree(json);
    EXPECT_NE(text.find("\"tile_streams\""), std::string::npos);
    EXPECT_EQ(text.find("\"streams\""), std::string::npos);
    EXPECT_EQ(text.find("\"tile\""), std::string::npos);
    xav_desc *e = xav_sidecar_from_json(text.data(), text.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    ASSERT_EQ(d->nstreams, e->nstreams);
    for (int s = 0; s < d->nstreams; s++) {
        EXPECT_EQ(d->streams[s].tile, e->streams[s].tile);
        EXPECT_EQ(d->streams[s].index, e->streams[s].index);
        EXPECT_EQ(d->streams[s].role, e->streams[s].role);
    }
    xav_desc_free(e);
    // a tile that differs (its own coding, or a piece's file): every tile
    // is listed
    d->streams[per_tile + 1].crf = 9;
    EXPECT_EQ(0, xav_desc_shared_tile_streams(d));
    d->streams[per_tile + 1].crf = d->streams[1].crf;
    CPLFree(d->streams[per_tile].file);
    d->streams[per_tile].file = CPLStrdup("pieces/a.mkv");
    EXPECT_EQ(0, xav_desc_shared_tile_streams(d));
    xav_desc_free(d);
}

TEST(Layout, EmptyTilesHaveNoStreamsAndKeepTheSharedList)
{
    // tiles 3 and 7 of 4 x 3 left out: the others keep their streams in
    // order, the sidecar lists the rest once and reads back the same
    xav_desc *d = planned(2, 2, 100, 80, 32);
    const int per_tile = d->nstreams / 12;
    xav_desc_empty_tile(d, 3);
    xav_desc_empty_tile(d, 7);
    ASSERT_EQ(0, xav_desc_validate(d));
    ASSERT_EQ(10 * per_tile, d->nstreams);
    EXPECT_EQ(2, xav_desc_empty_tile_count(d));
    int first = -1, count = -1, s, c;
    xav_layout_tile_streams(d, 3, &first, &count);
    EXPECT_EQ(0, count);
    EXPECT_EQ(-1, xav_layout_find(d, 0, 0, XAV_ROLE_DATA, 7, 0, &s, &c));
    ASSERT_EQ(0, xav_layout_find(d, 0, 0, XAV_ROLE_DATA, 8, 0, &s, &c));
    EXPECT_EQ(8, d->streams[s].tile);
    ASSERT_EQ(per_tile, xav_desc_shared_tile_streams(d));
    char *json = xav_sidecar_to_json(d, 0);
    std::string text(json);
    CPLFree(json);
    EXPECT_NE(text.find("\"empty_tiles\":[3,7]"), std::string::npos) << text;
    EXPECT_NE(text.find("\"schema_version\":6"), std::string::npos);
    xav_desc *e = xav_sidecar_from_json(text.data(), text.size(), "test");
    ASSERT_NE(e, nullptr) << CPLGetLastErrorMsg();
    ASSERT_EQ(d->nstreams, e->nstreams);
    for (s = 0; s < d->nstreams; s++)
        EXPECT_EQ(d->streams[s].tile, e->streams[s].tile) << s;
    xav_desc_free(e);
    // a tile without streams that is not said to be empty is refused, and
    // so is an empty tile where a variable has no mask
    d->tile_empty[7] = 0;
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_desc_validate(d));
    CPLPopErrorHandler();
    xav_desc_free(d);
    xav_desc *u = planned(2, 1, 100, 80, 32); // variable 1 has no mask
    xav_desc_empty_tile(u, 3);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_desc_validate(u));
    CPLPopErrorHandler();
    EXPECT_NE(std::string(CPLGetLastErrorMsg()).find("without a mask"),
              std::string::npos);
    xav_desc_free(u);
}

TEST(Layout, OwnFilesAreNamedFromTheDatasetsCurrentName)
{
    xav_desc *d = planned(1, 0, 100, 80, 32);
    int first, count;
    xav_layout_tile_streams(d, 5, &first, &count); // row 1, column 1
    char *file = xav_layout_stream_file(d, first, "renamed.mkv");
    EXPECT_STREQ("renamed.mkv.tiles/r0001_c0001.mkv", file);
    CPLFree(file);
    file = xav_layout_stream_file(d, 0, "dir/b.mkv");
    EXPECT_STREQ("dir/b.mkv", file);
    CPLFree(file);
    // a reference (an assembled dataset's piece) is kept as it is
    CPLFree(d->streams[first].file);
    d->streams[first].file = CPLStrdup("pieces/p.mkv");
    file = xav_layout_stream_file(d, first, "renamed.mkv");
    EXPECT_STREQ("pieces/p.mkv", file);
    CPLFree(file);
    xav_desc_free(d);
}

TEST(Layout, CorrectionsOfFineBoundsAreSixteenBits)
{
    xav_variable v{};
    v.q_scale = 0.01;
    v.max_error = 0.005;
    EXPECT_EQ(12, xav_layout_correction_bits(&v));
    v.max_error = 0.004;
    EXPECT_EQ(16, xav_layout_correction_bits(&v));
}

TEST(Layout, GroupsOptionIsHonouredAndChecked)
{
    const char *ok[] = {"GROUPS=1;2,3,4", nullptr};
    xav_desc *d = planned(4, 0, 64, 64, 0, ok);
    EXPECT_EQ(1, d->streams[0].channels);
    EXPECT_EQ(3, d->streams[1].channels);
    EXPECT_EQ(3, d->streams[1].var[2]);
    xav_desc_free(d);
    const char *bad[] = {"GROUPS=1,2;3,4", nullptr};
    xav_create_options o;
    ASSERT_EQ(0, xav_parse_create_options(bad, &o));
    xav_desc *e = described(4, 0, 64, 64, 0);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_layout_plan(e, &o));
    CPLPopErrorHandler();
    EXPECT_NE(std::string(CPLGetLastErrorMsg()).find("1 or 3"),
              std::string::npos)
        << CPLGetLastErrorMsg();
    xav_desc_free(e);
}

TEST(Layout, NoFileOfMoreStreamsThanFFmpegTakes)
{
    // 1500 lossy variables: 500 data and 500 correction streams fit; 1503
    // need 1002, which FFmpeg would refuse after every encoder was open
    const char *none[] = {nullptr};
    xav_create_options o;
    ASSERT_EQ(0, xav_parse_create_options(none, &o));
    xav_desc *fits = described(1500, 0, 16, 16, 0);
    EXPECT_EQ(0, xav_layout_plan(fits, &o));
    EXPECT_EQ(XAV_MAX_STREAMS_PER_FILE, fits->nstreams);
    xav_desc_free(fits);
    xav_desc *d = described(1503, 0, 16, 16, 0);
    CPLPushErrorHandler(CPLQuietErrorHandler);
    EXPECT_NE(0, xav_layout_plan(d, &o));
    CPLPopErrorHandler();
    const std::string msg = CPLGetLastErrorMsg();
    EXPECT_NE(msg.find("1002 video streams"), std::string::npos) << msg;
    EXPECT_NE(msg.find("max_streams"), std::string::npos) << msg;
    xav_desc_free(d);
}

TEST(Names, EveryFileOfADatasetFromItsVideo)
{
    char *s = xav_name_sidecar("/data/a.mkv");
    EXPECT_STREQ("/data/a.mkv.json", s);
    char *v = xav_name_video(s);
    EXPECT_STREQ("/data/a.mkv", v);
    EXPECT_TRUE(xav_name_is_sidecar(s));
    EXPECT_FALSE(xav_name_is_sidecar(v));
    char *t = xav_name_temp(s);
    EXPECT_STREQ("/data/a.mkv.json.xavpart", t);
    char *dir = xav_name_tile_dir(v);
    EXPECT_STREQ("/data/a.mkv.tiles", dir);
    char *tile = xav_name_tile_file(v, 0, 0);
    EXPECT_STREQ("/data/a.mkv", tile);
    CPLFree(s);
    CPLFree(v);
    CPLFree(t);
    CPLFree(dir);
    CPLFree(tile);
}

} // namespace
