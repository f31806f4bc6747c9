// Core tests: CF time units to ISO 8601.
#include <gtest/gtest.h>

extern "C" {
#include "timeaxis.h"
}

namespace
{

std::string iso(double v, const char *units, const char *cal = "standard")
{
    char out[64];
    if (xav_time_to_iso(v, units, cal, out, sizeof(out)) != 0)
        return "error";
    return out;
}

TEST(TimeAxis, NavyWindsFirstMonth)
{
    // monthly_navy_winds.cdf: TIME = 17598 "hour since 1980-01-14 14:00:00";
    // checked with Python datetime
    EXPECT_EQ(iso(17598, "hour since 1980-01-14 14:00:00"),
              "1982-01-16T20:00:00");
}

TEST(TimeAxis, DaysAcrossLeapYear)
{
    EXPECT_EQ(iso(59, "days since 2000-01-01"), "2000-02-29T00:00:00");
    EXPECT_EQ(iso(366, "days since 2000-01-01 00:00:00"),
              "2001-01-01T00:00:00");
}

TEST(TimeAxis, NoLeapAnd360DayCalendars)
{
    EXPECT_EQ(iso(59, "days since 2000-01-01", "noleap"),
              "2000-03-01T00:00:00");
    EXPECT_EQ(iso(30, "days since 2000-01-01", "360_day"),
              "2000-02-01T00:00:00");
    EXPECT_EQ(iso(360, "days since 2000-01-01", "360_day"),
              "2001-01-01T00:00:00");
}

TEST(TimeAxis, NegativeOffsetsAndSeconds)
{
    EXPECT_EQ(iso(-1, "days since 1970-01-01"), "1969-12-31T00:00:00");
    EXPECT_EQ(iso(90, "seconds since 2020-06-30T23:59:00"),
              "2020-07-01T00:00:30");
}

TEST(TimeAxis, RefusesWhatItDoesNotUnderstand)
{
    EXPECT_EQ(iso(1, "fortnights since 2000-01-01"), "error");
    EXPECT_EQ(iso(1, "days after 2000-01-01"), "error");
    EXPECT_EQ(iso(1, "days since 2000-13-01"), "error");
    EXPECT_EQ(iso(1, "days since 2000-01-01", "julian_moon"), "error");
}

} // namespace
