/* timeaxis: see timeaxis.h. */
#include "timeaxis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

typedef enum { CAL_GREGORIAN, CAL_NOLEAP, CAL_ALL_LEAP, CAL_360 } calendar;

static const int cum_days[2][13] = {
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
    {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}};

static int parse_calendar(const char *name, calendar *cal)
{
    if (name == NULL || *name == '\0' || !strcasecmp(name, "standard") ||
        !strcasecmp(name, "gregorian") ||
        !strcasecmp(name, "proleptic_gregorian"))
        *cal = CAL_GREGORIAN;
    else if (!strcasecmp(name, "noleap") || !strcasecmp(name, "365_day"))
        *cal = CAL_NOLEAP;
    else if (!strcasecmp(name, "all_leap") || !strcasecmp(name, "366_day"))
        *cal = CAL_ALL_LEAP;
    else if (!strcasecmp(name, "360_day"))
        *cal = CAL_360;
    else
        return -1;
    return 0;
}

/* Seconds per unit, or 0 if unknown. */
static double unit_seconds(const char *u)
{
    static const struct {
        const char *name;
        double seconds;
    } units[] = {{"seconds", 1},  {"second", 1},  {"secs", 1},
                 {"sec", 1},      {"s", 1},       {"minutes", 60},
                 {"minute", 60},  {"mins", 60},   {"min", 60},
                 {"hours", 3600}, {"hour", 3600}, {"hrs", 3600},
                 {"hr", 3600},    {"h", 3600},    {"days", 86400},
                 {"day", 86400},  {"d", 86400}};
    size_t i;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcasecmp(u, units[i].name))
            return units[i].seconds;
    return 0;
}

/* Day number of a date in the calendar (any fixed origin). */
static long days_from_date(calendar cal, long y, int m, int d)
{
    switch (cal) {
    case CAL_360:
        return y * 360 + (m - 1) * 30 + (d - 1);
    case CAL_NOLEAP:
        return y * 365 + cum_days[0][m - 1] + (d - 1);
    case CAL_ALL_LEAP:
        return y * 366 + cum_days[1][m - 1] + (d - 1);
    default: { /* days from civil, proleptic Gregorian */
        long yy = m <= 2 ? y - 1 : y;
        long era = (yy >= 0 ? yy : yy - 399) / 400;
        long yoe = yy - era * 400;
        long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe;
    }
    }
}

static void date_from_days(calendar cal, long n, long *y, int *m, int *d)
{
    if (cal == CAL_GREGORIAN) {
        long era = (n >= 0 ? n : n - 146096) / 146097;
        long doe = n - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        *d = (int)(doy - (153 * mp + 2) / 5 + 1);
        *m = (int)(mp < 10 ? mp + 3 : mp - 9);
        *y = yoe + era * 400 + (*m <= 2);
    } else if (cal == CAL_360) {
        *y = (long)floor(n / 360.0);
        n -= *y * 360;
        *m = (int)(n / 30) + 1;
        *d = (int)(n % 30) + 1;
    } else {
        int len = cal == CAL_NOLEAP ? 365 : 366, k = 0;
        const int *cum = cum_days[cal == CAL_ALL_LEAP];
        *y = (long)floor((double)n / len);
        n -= *y * len;
        while (k < 11 && n >= cum[k + 1])
            k++;
        *m = k + 1;
        *d = (int)(n - cum[k]) + 1;
    }
}

int xav_time_to_iso(double value, const char *units, const char *calendar_name,
                    char *out, size_t out_size)
{
    char unit[32], since[16];
    long y;
    int m, d, hh = 0, mm = 0, consumed = 0, n;
    double ss = 0, per, total, frac;
    long day;
    calendar cal;

    if (units == NULL || parse_calendar(calendar_name, &cal) != 0 ||
        !isfinite(value))
        return -1;
    n = sscanf(units, " %31s %15s %ld-%d-%d%n", unit, since, &y, &m, &d,
               &consumed);
    if (n < 5 || strcasecmp(since, "since") != 0 || m < 1 || m > 12 || d < 1 ||
        d > 31 || (per = unit_seconds(unit)) == 0)
        return -1;
    /* optional time of day, after a space or a 'T' */
    units += consumed;
    if (*units == 'T' || *units == ' ')
        sscanf(units + 1, "%d:%d:%lf", &hh, &mm, &ss);
    total = (double)days_from_date(cal, y, m, d) * 86400.0 + hh * 3600.0 +
            mm * 60.0 + ss + value * per;
    day = (long)floor(total / 86400.0);
    frac = floor(total - day * 86400.0 + 0.5); /* whole seconds */
    if (frac >= 86400) {
        day++;
        frac -= 86400;
    }
    date_from_days(cal, day, &y, &m, &d);
    snprintf(out, out_size, "%04ld-%02d-%02dT%02d:%02d:%02d", y, m, d,
             (int)(frac / 3600), (int)fmod(frac / 60, 60), (int)fmod(frac, 60));
    return 0;
}
