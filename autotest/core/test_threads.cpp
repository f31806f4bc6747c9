// Concurrency contract of the core: one xav_dataset serves one thread at a
// time, and handles opened separately on the same files may be read from
// different threads at once. 8 threads, 4 handles per file, read every
// block of an untiled lossless cube and of a tiled lossy one in orders of
// their own, all at once, and must get the bytes of a serial read. Run
// under ThreadSanitizer or helgrind to find races (the CI's sanitizer jobs
// do); here it proves the results.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "cpl_conv.h"
#include "gdal.h"
#include "xavideo.h"

namespace
{

const std::string kData = XAV_DATA_DIR;
constexpr int kThreads = 8;

struct GdalInit {
    GdalInit() { GDALAllRegister(); }
};
const GdalInit init;

using Bytes = std::vector<GByte>;

struct Block {
    int band, bx, by;
};

// Every (band, block) of a dataset, band after band, row after row.
std::vector<Block> all_blocks(xav_dataset *ds)
{
    int bw, bh;
    xav_block_size(ds, &bw, &bh);
    const int nx = (xav_width(ds) + bw - 1) / bw;
    const int ny = (xav_height(ds) + bh - 1) / bh;
    std::vector<Block> blocks;
    for (int b = 0; b < xav_band_count(ds); b++)
        for (int y = 0; y < ny; y++)
            for (int x = 0; x < nx; x++)
                blocks.push_back({b, x, y});
    return blocks;
}

Bytes read_block(xav_dataset *ds, const Block &k, int *rc)
{
    int bw, bh;
    xav_block_size(ds, &bw, &bh);
    Bytes buf(static_cast<size_t>(bw) * bh *
              GDALGetDataTypeSizeBytes(xav_band_type(ds, k.band)));
    *rc = xav_read_block(ds, k.band, k.bx, k.by, buf.data());
    return buf;
}

// A dataset written once into a temporary folder of the test's own.
class Threads : public ::testing::Test
{
  protected:
    static std::filesystem::path dir;
    static std::string uwnd, maxt;

    static void SetUpTestSuite()
    {
        dir = std::filesystem::temp_directory_path() /
              ("xav_threads_" + std::to_string(getpid()));
        std::filesystem::create_directories(dir);
        uwnd = write("NETCDF:\"" + kData + "/monthly_navy_winds.cdf\":UWND",
                     "uwnd.mkv", {"LOSSLESS=YES"});
        maxt = write(kData + "/ds.maxt.bin", "maxt.mkv",
                     {"TILE_SIZE=256", "PRESET=ultrafast"});
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir); }

    static std::string write(const std::string &src_name, const char *name,
                             std::vector<const char *> options)
    {
        const std::string out = (dir / name).string();
        GDALDatasetH src = GDALOpen(src_name.c_str(), GA_ReadOnly);
        options.push_back(nullptr);
        EXPECT_NE(nullptr, src) << src_name;
        if (src == nullptr)
            return out;
        EXPECT_EQ(0, xav_create_copy(out.c_str(), src,
                                     const_cast<char **>(options.data()),
                                     nullptr, nullptr));
        GDALClose(src);
        return out;
    }
};
std::filesystem::path Threads::dir;
std::string Threads::uwnd, Threads::maxt;

// One file's serial read: its blocks and their bytes.
struct Serial {
    std::string path;
    std::vector<Block> blocks;
    std::vector<Bytes> bytes;
};

Serial read_serially(const std::string &path)
{
    Serial s{path, {}, {}};
    xav_dataset *ds = xav_open(path.c_str(), nullptr);
    EXPECT_NE(nullptr, ds) << path << ": " << CPLGetLastErrorMsg();
    if (ds == nullptr)
        return s;
    s.blocks = all_blocks(ds);
    for (const Block &k : s.blocks) {
        int rc;
        s.bytes.push_back(read_block(ds, k, &rc));
        EXPECT_EQ(0, rc) << path << " band " << k.band;
    }
    xav_close(ds);
    return s;
}

// What one thread saw: blocks read, blocks that differ, reads that failed.
struct Outcome {
    int read = 0, differ = 0, failed = 0, opened = 0;
};

// Thread i: its own handle on file i % 2, every block in an order of its
// own (shuffled, seeded by i), compared with the serial bytes. Half the
// handles decode with one thread, half with FFmpeg's default.
void reader(int i, const Serial &s, std::atomic<int> &ready, Outcome *out)
{
    const char *one[] = {"NUM_THREADS=1", nullptr};
    std::vector<size_t> order(s.blocks.size());
    for (size_t k = 0; k < order.size(); k++)
        order[k] = k;
    std::shuffle(order.begin(), order.end(), std::mt19937(1000 + i));
    ready--;
    while (ready > 0) /* start together */
        std::this_thread::yield();
    xav_dataset *ds = xav_open(s.path.c_str(), i % 4 < 2 ? one : nullptr);
    if (ds == nullptr)
        return;
    out->opened = 1;
    for (size_t k : order) {
        int rc;
        Bytes got = read_block(ds, s.blocks[k], &rc);
        out->read++;
        if (rc != 0)
            out->failed++;
        else if (got != s.bytes[k])
            out->differ++;
    }
    xav_close(ds);
}

TEST_F(Threads, EightThreadsOnTwoFilesReadTheSerialBytes)
{
    const Serial serial[2] = {read_serially(uwnd), read_serially(maxt)};
    ASSERT_FALSE(serial[0].blocks.empty());
    ASSERT_FALSE(serial[1].blocks.empty());
    // the tiled file has several blocks per band, the untiled one one
    ASSERT_GT(serial[1].blocks.size(), 4u * 4);
    ASSERT_EQ(132u, serial[0].blocks.size());

    std::atomic<int> ready{kThreads};
    std::vector<Outcome> outcomes(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; i++)
        threads.emplace_back(reader, i, std::cref(serial[i % 2]),
                             std::ref(ready), &outcomes[i]);
    for (std::thread &t : threads)
        t.join();
    for (int i = 0; i < kThreads; i++) {
        const Outcome &o = outcomes[i];
        EXPECT_EQ(1, o.opened) << "thread " << i;
        EXPECT_EQ(serial[i % 2].blocks.size(), static_cast<size_t>(o.read))
            << "thread " << i;
        EXPECT_EQ(0, o.failed)
            << "thread " << i << " on " << serial[i % 2].path;
        EXPECT_EQ(0, o.differ)
            << "thread " << i << " on " << serial[i % 2].path;
    }
}

// The serial read of the lossless cube is the source, so the concurrent
// reads above are compared with real data, not with our own output only.
TEST_F(Threads, SerialReadOfTheLosslessCubeIsTheSource)
{
    const Serial s = read_serially(uwnd);
    const std::string name =
        "NETCDF:\"" + kData + "/monthly_navy_winds.cdf\":UWND";
    GDALDatasetH src = GDALOpen(name.c_str(), GA_ReadOnly);
    ASSERT_NE(nullptr, src);
    ASSERT_EQ(static_cast<size_t>(GDALGetRasterCount(src)), s.blocks.size());
    const int w = GDALGetRasterXSize(src), h = GDALGetRasterYSize(src);
    for (size_t k = 0; k < s.blocks.size(); k++) {
        Bytes want(static_cast<size_t>(w) * h * 4);
        ASSERT_EQ(CE_None,
                  GDALRasterIO(GDALGetRasterBand(src, s.blocks[k].band + 1),
                               GF_Read, 0, 0, w, h, want.data(), w, h,
                               GDT_Float32, 0, 0));
        EXPECT_EQ(want, s.bytes[k]) << "band " << s.blocks[k].band;
    }
    GDALClose(src);
}

} // namespace
