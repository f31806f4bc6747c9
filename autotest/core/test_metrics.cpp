// Core tests: the error bound's corrections and the quality figures, on
// rows of codes as a decoder gives them.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

extern "C" {
#include "metrics.h"
#include "quantize.h"
}

namespace
{

xav_variable linear(GDALDataType type, double lo, double hi, double bound)
{
    xav_variable v{};
    v.type = type;
    v.valid_min = lo;
    v.valid_max = hi;
    xav_quant_plan(&v, type == GDT_Byte ? 8 : 12); // as the writer plans
    v.max_error = bound;
    v.corr_step = xav_correction_step(type, bound, std::fmax(fabs(lo), hi));
    return v;
}

// What verify_row leaves in the row: values a reader gets, and the errors.
struct Verified {
    std::vector<uint16_t> corrections;
    std::vector<double> got;
    xav_error_sum sum{};
    size_t beyond = 0;
};

Verified verify(const xav_variable &v, const std::vector<double> &x,
                const std::vector<uint16_t> &codes, std::vector<uint8_t> mask,
                int zero)
{
    Verified r;
    const size_t n = x.size();
    r.corrections.resize(n);
    r.got.resize(n);
    std::vector<double> scratch(n);
    std::vector<double> typed(n);
    xav_verify_in in{x.data(), mask.data(),          codes.data(),
                     2,        r.corrections.data(), zero};
    r.beyond = xav_verify_row(&v, &in, n, scratch.data(), typed.data(),
                              r.got.data(), &r.sum);
    return r;
}

TEST(Metrics, CorrectionsBringEveryValidPixelWithinTheBound)
{
    const xav_variable v = linear(GDT_Float32, -20, 20, 0.1);
    std::vector<double> x;
    std::vector<uint16_t> codes;
    for (int i = 0; i < 200; i++) {
        x.push_back(-20 + 40.0 * i / 199);
        // a decoder that is 0, 3, or 300 codes off
        const int off = i % 3 == 0 ? 0 : i % 3 == 1 ? 3 : 300;
        const double c = std::round((x.back() + 20) / v.q_scale) + off;
        codes.push_back(static_cast<uint16_t>(std::fmin(c, 4095)));
    }
    std::vector<uint8_t> mask(x.size(), XAV_MASK_VALID);
    const Verified r = verify(v, x, codes, mask, xav_correction_zero(12));
    EXPECT_EQ(0u, r.beyond);
    for (size_t i = 0; i < x.size(); i++)
        ASSERT_LE(std::fabs(r.got[i] - x[i]), v.max_error) << i;
    EXPECT_LE(r.sum.max_abs, v.max_error);
    EXPECT_EQ(200, r.sum.count);
}

TEST(Metrics, InvalidPixelsAreNotMeasuredNorCorrected)
{
    const xav_variable v = linear(GDT_Float32, 0, 10, 0.05);
    std::vector<double> x = {1, 2, 3};
    std::vector<uint16_t> codes = {0, 0, 0}; // far off
    std::vector<uint8_t> mask = {XAV_MASK_NODATA, XAV_MASK_VALID, XAV_MASK_NAN};
    const int zero = xav_correction_zero(12);
    const Verified r = verify(v, x, codes, mask, zero);
    EXPECT_EQ(1, r.sum.count);
    EXPECT_EQ(zero, r.corrections[0]);
    EXPECT_EQ(zero, r.corrections[2]);
    EXPECT_NE(zero, r.corrections[1]);
}

TEST(Metrics, ValidPixelLandingOnNodataGoesWhereTheBoundAllows)
{
    // Byte, nodata 60, bound 1: a pixel of 59 decoded as 60 cannot read 60
    // (the mask says valid) nor 61 (2 away): it reads 59's side of 60.
    xav_variable v = linear(GDT_Byte, 0, 255, 1);
    v.has_nodata = 1;
    v.nodata = 60;
    ASSERT_EQ(XAV_QUANT_INTEGER, v.quant);
    std::vector<double> x = {59, 61, 60.0 + 1};
    std::vector<uint16_t> codes = {60, 60, 62};
    std::vector<uint8_t> mask(3, XAV_MASK_VALID);
    const Verified r = verify(v, x, codes, mask, xav_correction_zero(12));
    EXPECT_EQ(0u, r.beyond);
    for (size_t i = 0; i < x.size(); i++) {
        EXPECT_NE(60, r.got[i]) << i;
        EXPECT_LE(std::fabs(r.got[i] - x[i]), 1) << i;
    }
}

TEST(Metrics, StepsHoldTheBoundInTheType)
{
    EXPECT_EQ(3, xav_correction_step(GDT_Int16, 1.5, 1000));
    EXPECT_EQ(1, xav_correction_step(GDT_Byte, 0.5, 255));
    const double f = xav_correction_step(GDT_Float32, 0.01, 25);
    EXPECT_GT(f, 0);
    EXPECT_LT(f, 0.02);
    // finer than Float32 holds at 25: refused by the caller (0)
    EXPECT_EQ(0, xav_correction_step(GDT_Float32, 1e-7, 25));
}

TEST(Metrics, PsnrAndSums)
{
    xav_error_sum a{4, 1, 4}, b{0, 0.5, 4};
    xav_error_sum_add(&a, &b);
    EXPECT_EQ(8, a.count);
    EXPECT_EQ(1, a.max_abs);
    EXPECT_NEAR(10 * std::log10(100.0 * 100.0 / 0.5), xav_error_psnr(&a, 100),
                1e-9);
    xav_error_sum exact{0, 0, 10};
    EXPECT_TRUE(std::isinf(xav_error_psnr(&exact, 100)));
}

} // namespace
