// pack: value tables as text, and back; what a damaged text gives.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

extern "C" {
#include "cpl_conv.h"
#include "pack.h"
}

namespace
{

std::string pack(const std::vector<uint64_t> &keys)
{
    char *text = xav_table_pack(keys.data(), (int)keys.size());
    std::string s = text != nullptr ? text : "";
    CPLFree(text);
    return s;
}

std::vector<uint64_t> unpack(const std::string &text, int n)
{
    uint64_t *keys = xav_table_unpack(text.c_str(), n);
    std::vector<uint64_t> v;
    if (keys != nullptr)
        v.assign(keys, keys + n);
    CPLFree(keys);
    return v;
}

} // namespace

TEST(Table, RoundTripsEveryKey)
{
    // the extremes of the key space, and a lattice's small steps
    std::vector<uint64_t> keys = {0, 1, 2, 0x7fffffffull};
    for (uint64_t k = 0x4000000000000000ull; keys.size() < 3000; k += 37)
        keys.push_back(k);
    keys.push_back(UINT64_MAX - 1);
    keys.push_back(UINT64_MAX);
    EXPECT_EQ(keys, unpack(pack(keys), (int)keys.size()));
}

TEST(Table, ALatticeTakesFewBytes)
{
    std::vector<uint64_t> keys;
    for (uint64_t k = 0; k < 65536; k++)
        keys.push_back(0xC000000000000000ull + 1000 * k);
    EXPECT_LT(pack(keys).size(), 2000u); // 8 bytes a value, unpacked
}

TEST(Table, OtherCountsAndDamageAreRefused)
{
    const std::vector<uint64_t> keys = {5, 9, 12};
    const std::string text = pack(keys);
    EXPECT_TRUE(unpack(text, 2).empty()); // bytes left over
    EXPECT_TRUE(unpack(text, 4).empty()); // too few
    EXPECT_TRUE(unpack(text, 0).empty());
    EXPECT_TRUE(unpack("!!!", 3).empty());
    // a repeated key (a difference of 0) is not ascending
    EXPECT_TRUE(unpack(pack({5, 5, 9}), 3).empty());
    // a difference that wraps around 2^64
    EXPECT_TRUE(unpack(pack({UINT64_MAX, 2}), 2).empty());
}
