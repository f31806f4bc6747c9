// Core tests: the one rule that makes variable names unique (varnames.h),
// for new datasets and for sidecars written before it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "cpl_conv.h"

extern "C" {
#include "varnames.h"
}

namespace
{

std::vector<std::string> unique(const std::vector<std::string> &names)
{
    xav_desc *d = xav_desc_new();
    d->nvars = static_cast<int>(names.size());
    d->vars = static_cast<xav_variable *>(
        CPLCalloc(names.size() + 1, sizeof(xav_variable)));
    for (size_t v = 0; v < names.size(); v++)
        d->vars[v].name = CPLStrdup(names[v].c_str());
    xav_unique_variable_names(d);
    std::vector<std::string> out;
    for (int v = 0; v < d->nvars; v++)
        out.push_back(d->vars[v].name);
    xav_desc_free(d);
    return out;
}

TEST(VariableNames, UniqueNamesStay)
{
    EXPECT_EQ(unique({"UWND", "VWND"}),
              (std::vector<std::string>{"UWND", "VWND"}));
}

TEST(VariableNames, SharedNamesAreNumberedInVariableOrder)
{
    // rioxarray's to_raster: every band described by the variable
    EXPECT_EQ(unique({"tas", "tas", "tas"}),
              (std::vector<std::string>{"tas_1", "tas_2", "tas_3"}));
    EXPECT_EQ(unique({"a", "b", "a"}),
              (std::vector<std::string>{"a_1", "b", "a_2"}));
}

TEST(VariableNames, NumberedNamesNeverTakeAnotherVariablesName)
{
    EXPECT_EQ(unique({"a", "a", "a_1"}),
              (std::vector<std::string>{"a_1_", "a_2", "a_1"}));
    EXPECT_EQ(unique({"a_1", "a_1", "a", "a"}),
              (std::vector<std::string>{"a_1_1", "a_1_2", "a_1", "a_2"}));
}

TEST(VariableNames, ManySharedNamesInLittleTime)
{
    const auto start = std::chrono::steady_clock::now();
    const auto out = unique(std::vector<std::string>(400000, "x"));
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    EXPECT_EQ(out[399999], "x_400000");
    // n log n: under a second here, 4 s for a quarter of the names under
    // valgrind (CI runs the core tests there too); n^2, 8e10 string
    // comparisons, would take many minutes even natively
    EXPECT_LT(seconds, 60.0) << "n log n, not n^2";
}

TEST(VariableNames, CountsOfEqualNames)
{
    char a[] = "a", b[] = "b", a2[] = "a";
    char *names[] = {a, b, a2};
    int *counts = xav_name_counts(names, 3);
    EXPECT_EQ(2, counts[0]);
    EXPECT_EQ(1, counts[1]);
    EXPECT_EQ(2, counts[2]);
    CPLFree(counts);
}

} // namespace
