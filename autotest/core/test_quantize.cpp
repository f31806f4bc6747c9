// Core tests: quantization, lossless byte planes, smooth fill.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

extern "C" {
#include "quantize.h"
}

namespace
{

// Values a scientist's float data can hold, edge cases first.
const std::vector<float> kFloats = {0.0f,
                                    -0.0f,
                                    1.0f,
                                    -1.0f,
                                    0.1f,
                                    -0.1f,
                                    1e-40f /* subnormal */,
                                    -1e-40f,
                                    std::numeric_limits<float>::max(),
                                    std::numeric_limits<float>::lowest(),
                                    std::numeric_limits<float>::infinity(),
                                    -std::numeric_limits<float>::infinity(),
                                    std::numeric_limits<float>::quiet_NaN(),
                                    -99.9f,
                                    -1e34f,
                                    3.14159f};

template <typename T>
std::vector<T> roundtrip_bits(GDALDataType type, const std::vector<T> &in)
{
    const int words = xav_bits_words(type);
    std::vector<std::vector<uint16_t>> codes(words,
                                             std::vector<uint16_t>(in.size()));
    std::vector<std::vector<uint8_t>> bytes(words,
                                            std::vector<uint8_t>(in.size()));
    std::vector<const uint8_t *> rows(words);
    for (int w = 0; w < words; w++) {
        xav_bits_encode_row(type, in.data(), in.size(), w, codes[w].data());
        for (size_t i = 0; i < in.size(); i++) {
            EXPECT_LE(codes[w][i], 255) << "a byte plane holds bytes";
            bytes[w][i] = static_cast<uint8_t>(codes[w][i]);
        }
        rows[w] = bytes[w].data();
    }
    std::vector<T> out(in.size());
    xav_bits_decode_row(type, rows.data(), in.size(), out.data());
    return out;
}

TEST(Bits, Float32IsBitExactIncludingNaNAndNegativeZero)
{
    auto out = roundtrip_bits(GDT_Float32, kFloats);
    ASSERT_EQ(0, std::memcmp(out.data(), kFloats.data(),
                             kFloats.size() * sizeof(float)));
}

TEST(Bits, Float64AndWideIntegersAreBitExact)
{
    std::vector<double> d = {0.0, -0.0, 1e-310, -1e300, NAN, -INFINITY, 42.5};
    auto od = roundtrip_bits(GDT_Float64, d);
    EXPECT_EQ(0, std::memcmp(od.data(), d.data(), d.size() * sizeof(double)));
    std::vector<int32_t> i32 = {0, -1, 1, INT32_MIN, INT32_MAX, -32768};
    EXPECT_EQ(roundtrip_bits(GDT_Int32, i32), i32);
    std::vector<uint32_t> u32 = {0, 1, UINT32_MAX, 65536};
    EXPECT_EQ(roundtrip_bits(GDT_UInt32, u32), u32);
    std::vector<int64_t> i64 = {0, -1, INT64_MIN, INT64_MAX};
    EXPECT_EQ(roundtrip_bits(GDT_Int64, i64), i64);
}

// Codes are ordered like the values, so a smooth field stays smooth in its
// most significant byte plane (raw IEEE bits jump at every sign change).
TEST(Bits, Float32MapIsOrderPreserving)
{
    std::vector<float> sorted;
    for (float f : kFloats) // -0.0 == 0.0 would make the sort ambiguous
        if (!std::isnan(f) && !(f == 0 && std::signbit(f)))
            sorted.push_back(f);
    std::sort(sorted.begin(), sorted.end());
    std::vector<uint16_t> hi(sorted.size());
    xav_bits_encode_row(GDT_Float32, sorted.data(), sorted.size(), 0,
                        hi.data());
    EXPECT_TRUE(std::is_sorted(hi.begin(), hi.end()));
}

xav_variable variable(GDALDataType type, double lo, double hi)
{
    xav_variable v{};
    v.type = type;
    v.valid_min = lo;
    v.valid_max = hi;
    return v;
}

TEST(Plan, IntegersThatFitAreCodedAsIs)
{
    xav_variable b = variable(GDT_Byte, 3, 250);
    EXPECT_EQ(8, xav_quant_plan(&b, 8));
    EXPECT_EQ(XAV_QUANT_INTEGER, b.quant);
    EXPECT_EQ(0, b.q_offset);
    // Int16 with a negative but narrow range: shifted, still exact
    xav_variable s = variable(GDT_Int16, -100, 3000);
    xav_quant_plan(&s, 12);
    EXPECT_EQ(XAV_QUANT_INTEGER, s.quant);
    EXPECT_EQ(-100, s.q_offset);
    EXPECT_EQ(1, s.q_scale);
}

TEST(Plan, NarrowIntegersAreStretchedOverEveryCode)
{
    // Landsat 8's cirrus band: 81 values in 12 bits. Coded as is, the
    // codec's few codes of error were most of its range.
    xav_variable s = variable(GDT_Int16, 5033, 5113);
    ASSERT_EQ(12, xav_quant_plan(&s, 12));
    EXPECT_EQ(XAV_QUANT_LINEAR, s.quant);
    EXPECT_DOUBLE_EQ(80.0 / 4095, s.q_scale);
    // exact codes still give every integer back once rounded
    std::vector<double> x, back(81);
    for (int i = 5033; i <= 5113; i++)
        x.push_back(i);
    std::vector<uint16_t> codes(x.size());
    xav_quant_encode_row(&s, 12, x.data(), x.size(), codes.data());
    xav_quant_decode_row(&s, codes.data(), 2, x.size(), back.data());
    for (size_t i = 0; i < x.size(); i++)
        EXPECT_EQ(x[i], std::floor(back[i] + 0.5)) << i;
}

TEST(Plan, WideRangesAndFloatsAreLinear)
{
    xav_variable s = variable(GDT_Int16, 0, 20000);
    xav_quant_plan(&s, 12);
    EXPECT_EQ(XAV_QUANT_LINEAR, s.quant);
    xav_variable f = variable(GDT_Float32, -20, 20);
    xav_quant_plan(&f, 12);
    EXPECT_EQ(XAV_QUANT_LINEAR, f.quant);
    EXPECT_DOUBLE_EQ(40.0 / 4095, f.q_scale);
}

TEST(Plan, LosslessChoosesIntegersOrBytes)
{
    xav_variable s = variable(GDT_Int16, 0, 0);
    EXPECT_EQ(16, (s.lossless = 1, xav_quant_plan(&s, 12)));
    EXPECT_EQ(-32768, s.q_offset);
    xav_variable f = variable(GDT_Float32, 0, 0);
    EXPECT_EQ(8, (f.lossless = 1, xav_quant_plan(&f, 12)));
    EXPECT_EQ(XAV_QUANT_BITS, f.quant);
    EXPECT_EQ(4, f.words);
}

TEST(Linear, ErrorIsAtMostHalfAStep)
{
    xav_variable f = variable(GDT_Float32, -33.7, 41.2);
    xav_quant_plan(&f, 12);
    std::vector<double> in, out(1000);
    for (int i = 0; i < 1000; i++)
        in.push_back(-33.7 + 74.9 * i / 999.0);
    std::vector<uint16_t> codes(in.size());
    xav_quant_encode_row(&f, 12, in.data(), in.size(), codes.data());
    xav_quant_decode_row(&f, codes.data(), 2, in.size(), out.data());
    for (size_t i = 0; i < in.size(); i++)
        ASSERT_LE(std::fabs(in[i] - out[i]), f.q_scale / 2 + 1e-12) << i;
    EXPECT_EQ(0, codes.front());
    EXPECT_EQ(4095, codes.back());
}

TEST(Fill, KeepsValidPixelsAndFillsHolesSmoothly)
{
    const int w = 64, h = 48;
    std::vector<double> v(w * h);
    std::vector<uint8_t> valid(w * h, 1);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            v[y * w + x] = 2.0 * x + 0.5 * y; // a plane
            if (x > 20 && x < 40 && y > 10 && y < 30)
                valid[y * w + x] = 0, v[y * w + x] = -1e34;
        }
    std::vector<double> orig = v;
    xav_fill_invalid(v.data(), valid.data(), w, h);
    double worst = 0;
    for (int i = 0; i < w * h; i++) {
        if (valid[i])
            ASSERT_EQ(orig[i], v[i]);
        else
            worst = std::max(worst,
                             std::fabs(v[i] - (2.0 * (i % w) + 0.5 * (i / w))));
    }
    // no trace of the -1e34 fill, and close to the plane it interrupts
    EXPECT_LT(worst, 20.0);
}

TEST(Fill, AllInvalidBecomesZero)
{
    std::vector<double> v(9, -1e34);
    std::vector<uint8_t> valid(9, 0);
    xav_fill_invalid(v.data(), valid.data(), 3, 3);
    for (double x : v)
        EXPECT_EQ(0, x);
}

} // namespace

// Three variables coded as a rotation of their values (XAV_QUANT_MIXED), in
// a stream whose channels are in another order than the variables: what
// the encoder codes, the reader turns back into each value within half a
// code of each component.
TEST(Mixed, CodesOfTheInverseTransformReadBackWithinHalfACode)
{
    const double range[3] = {10, 4, 200}, lo[3] = {0, -2, 100};
    const double c = std::cos(0.4), s = std::sin(0.4);
    // an orthonormal basis: rotations about two axes
    const double rot[3][3] = {
        {c, -s * c, s * s}, {s, c * c, -c * s}, {0, s, c}};
    const double step = 1.0 / 1000;
    std::vector<xav_variable> vars(3);
    for (int b = 0; b < 3; b++) {
        vars[b] = variable(GDT_Float64, lo[b], lo[b] + range[b]);
        vars[b].quant = XAV_QUANT_MIXED;
        vars[b].q_offset = lo[b] - range[b] * 1.5; // codes stay positive
        for (int k = 0; k < 3; k++) {
            vars[b].mix_vars[k] = k;
            vars[b].mix[k] = range[b] * rot[b][k] * step;
        }
    }
    xav_desc d{};
    d.nvars = 3;
    d.vars = vars.data();
    xav_stream st{};
    st.channels = 3;
    st.bits = 12;
    st.var[0] = 2;
    st.var[1] = 0;
    st.var[2] = 1;
    const size_t n = 500;
    std::vector<double> x[3];
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 3; b++)
            x[b].push_back(lo[b] + range[b] * std::fmod(0.37 * i * (b + 1), 1));
    const double *values[3] = {x[2].data(), x[0].data(), x[1].data()};
    std::vector<uint16_t> codes[3] = {std::vector<uint16_t>(n),
                                      std::vector<uint16_t>(n),
                                      std::vector<uint16_t>(n)};
    uint16_t *planes[3] = {codes[0].data(), codes[1].data(), codes[2].data()};
    xav_mix_encode_rows(&d, &st, values, n, planes);
    for (int b = 0; b < 3; b++) {
        std::vector<double> out(n), scratch(n);
        xav_row_in row{};
        row.bytes_per_code = 2;
        for (int k = 0; k < 3; k++) // the codes of variable k: its channel
            row.mixed[k] = codes[xav_stream_channel_of(&st, k)].data();
        xav_reconstruct_row(&vars[b], &row, n, scratch.data(), out.data());
        double bound = 0;
        for (int k = 0; k < 3; k++)
            bound += std::fabs(vars[b].mix[k]) / 2;
        for (size_t i = 0; i < n; i++)
            ASSERT_LE(std::fabs(out[i] - x[b][i]), bound + 1e-9)
                << "variable " << b << " pixel " << i;
    }
}
