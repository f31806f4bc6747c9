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

TEST(TimeAxis, JulianCalendar)
{
    // every fourth year is a leap year, 1900 too; checked with cftime 1.6
    EXPECT_EQ(iso(10, "days since 2000-02-20", "julian"),
              "2000-03-01T00:00:00");
    EXPECT_EQ(iso(13, "days since 1900-02-20", "julian"),
              "1900-03-04T00:00:00");
    EXPECT_EQ(iso(365 * 2000 + 400, "days since 0001-01-01", "julian"),
              "2000-09-23T00:00:00");
}

TEST(TimeAxis, StandardIsJulianBefore1582)
{
    // CF's standard calendar skips 1582-10-05 to 1582-10-14 (cftime 1.6)
    EXPECT_EQ(iso(1, "days since 1582-10-04"), "1582-10-15T00:00:00");
    EXPECT_EQ(iso(-1, "days since 1582-10-15", "gregorian"),
              "1582-10-04T00:00:00");
    EXPECT_EQ(iso(1, "days since 1582-10-04", "proleptic_gregorian"),
              "1582-10-05T00:00:00");
    // Julian leap day 1500-02-29 exists in the standard calendar
    EXPECT_EQ(iso(59, "days since 1500-01-01"), "1500-02-29T00:00:00");
}

TEST(TimeAxis, CalendarMonthsAndYears)
{
    EXPECT_EQ(iso(0, "months since 1960-01-01"), "1960-01-01T00:00:00");
    EXPECT_EQ(iso(13, "months since 1960-01-01"), "1961-02-01T00:00:00");
    EXPECT_EQ(iso(-1, "months since 1960-01-15"), "1959-12-15T00:00:00");
    // a fraction is that share of the month reached: half of February 2000
    EXPECT_EQ(iso(1.5, "months since 2000-01-01"), "2000-02-15T12:00:00");
    // the end of a shorter month, not an overflow into the next
    EXPECT_EQ(iso(1, "months since 2001-01-31"), "2001-02-28T00:00:00");
    // 360_day: CF's 30-day month exactly (cftime 1.6)
    EXPECT_EQ(iso(1.5, "months since 2000-01-01", "360_day"),
              "2000-02-16T00:00:00");
    EXPECT_EQ(iso(2, "years since 2000-02-29"), "2002-02-28T00:00:00");
    EXPECT_EQ(iso(0.5, "years since 2001-01-01", "noleap"),
              "2001-07-02T12:00:00");
}

TEST(TimeAxis, RefusesWhatItDoesNotUnderstand)
{
    EXPECT_EQ(iso(1, "fortnights since 2000-01-01"), "error");
    EXPECT_EQ(iso(1, "days after 2000-01-01"), "error");
    EXPECT_EQ(iso(1, "days since 2000-13-01"), "error");
    EXPECT_EQ(iso(1, "days since 2000-01-01", "julian_moon"), "error");
}

} // namespace

TEST(TimeAxis, LabelLengthTellsStepsApart)
{
    const char *monthly[] = {"1982-01-16T20:00:00", "1982-02-15T08:00:00",
                             NULL};
    const char *hourly[] = {"2010-03-08T15:00:00", "2010-03-08T12:00:00",
                            "2010-03-09T12:00:00", NULL};
    const char *seconds[] = {"2010-03-08T12:00:30", "2010-03-08T12:00:00",
                             NULL};
    const char *repeated[] = {"2000-01-01T00:00:00", "2000-01-01T00:00:00",
                              NULL};
    const char *one[] = {"2000-01-01T06:00:00", NULL};
    EXPECT_EQ(10, xav_time_label_length(monthly));
    EXPECT_EQ(16, xav_time_label_length(hourly));
    EXPECT_EQ(19, xav_time_label_length(seconds));
    EXPECT_EQ(19, xav_time_label_length(repeated));
    EXPECT_EQ(10, xav_time_label_length(one));
    EXPECT_EQ(10, xav_time_label_length(NULL));
}
