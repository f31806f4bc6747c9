/* timeaxis: see timeaxis.h. */
#include "timeaxis.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum {
    CAL_STANDARD, /* Julian before 1582-10-15, Gregorian from then on */
    CAL_PROLEPTIC,
    CAL_JULIAN,
    CAL_NOLEAP,
    CAL_ALL_LEAP,
    CAL_360
} calendar;

static const int cum_days[2][13] = {
    {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
    {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}};

static int parse_calendar(const char *name, calendar *cal)
{
    static const struct {
        const char *name;
        calendar cal;
    } names[] = {{"standard", CAL_STANDARD},
                 {"gregorian", CAL_STANDARD},
                 {"proleptic_gregorian", CAL_PROLEPTIC},
                 {"julian", CAL_JULIAN},
                 {"noleap", CAL_NOLEAP},
                 {"365_day", CAL_NOLEAP},
                 {"all_leap", CAL_ALL_LEAP},
                 {"366_day", CAL_ALL_LEAP},
                 {"360_day", CAL_360}};
    size_t i;
    if (name == NULL || *name == '\0') {
        *cal = CAL_STANDARD; /* CF's default */
        return 0;
    }
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (!strcasecmp(name, names[i].name)) {
            *cal = names[i].cal;
            return 0;
        }
    return -1;
}

int xav_calendar_known(const char *name)
{
    calendar cal;
    return parse_calendar(name, &cal) == 0;
}

/* Seconds per unit; 0 if unknown, -1 for months and -12 for years, which
 * are calendar months and years (see timeaxis.h). */
static double unit_seconds(const char *u)
{
    static const struct {
        const char *name;
        double seconds;
    } units[] = {
        {"seconds", 1}, {"second", 1},   {"secs", 1},     {"sec", 1},
        {"s", 1},       {"minutes", 60}, {"minute", 60},  {"mins", 60},
        {"min", 60},    {"hours", 3600}, {"hour", 3600},  {"hrs", 3600},
        {"hr", 3600},   {"h", 3600},     {"days", 86400}, {"day", 86400},
        {"d", 86400},   {"months", -1},  {"month", -1},   {"mons", -1},
        {"mon", -1},    {"years", -12},  {"year", -12},   {"yrs", -12},
        {"yr", -12}};
    size_t i;
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcasecmp(u, units[i].name))
            return units[i].seconds;
    return 0;
}

static long floor_div(long a, long b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Julian day numbers of the Gregorian and Julian calendars. */
static long jdn_gregorian(long y, int m, int d)
{
    const long a = (14 - m) / 12, yy = y + 4800 - a, mm = m + 12 * a - 3;
    return d + (153 * mm + 2) / 5 + 365 * yy + floor_div(yy, 4) -
           floor_div(yy, 100) + floor_div(yy, 400) - 32045;
}

static long jdn_julian(long y, int m, int d)
{
    const long a = (14 - m) / 12, yy = y + 4800 - a, mm = m + 12 * a - 3;
    return d + (153 * mm + 2) / 5 + 365 * yy + floor_div(yy, 4) - 32083;
}

static void date_gregorian(long n, long *y, int *m, int *d)
{
    const long a = n + 32044, b = floor_div(4 * a + 3, 146097);
    const long c = a - floor_div(146097 * b, 4);
    const long e = floor_div(4 * c + 3, 1461), f = c - floor_div(1461 * e, 4);
    const long g = (5 * f + 2) / 153;
    *d = (int)(f - (153 * g + 2) / 5 + 1);
    *m = (int)(g + 3 - 12 * (g / 10));
    *y = 100 * b + e - 4800 + g / 10;
}

static void date_julian(long n, long *y, int *m, int *d)
{
    const long c = n + 32082, e = floor_div(4 * c + 3, 1461);
    const long f = c - floor_div(1461 * e, 4), g = (5 * f + 2) / 153;
    *d = (int)(f - (153 * g + 2) / 5 + 1);
    *m = (int)(g + 3 - 12 * (g / 10));
    *y = e - 4800 + g / 10;
}

/* The first day of the Gregorian calendar in the standard one. */
#define GREGORIAN_START 2299161L /* 1582-10-15 */

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
    case CAL_JULIAN:
        return jdn_julian(y, m, d);
    case CAL_PROLEPTIC:
        return jdn_gregorian(y, m, d);
    default:
        return jdn_gregorian(y, m, d) >= GREGORIAN_START
                   ? jdn_gregorian(y, m, d)
                   : jdn_julian(y, m, d);
    }
}

static void date_from_days(calendar cal, long n, long *y, int *m, int *d)
{
    if (cal == CAL_PROLEPTIC || (cal == CAL_STANDARD && n >= GREGORIAN_START)) {
        date_gregorian(n, y, m, d);
    } else if (cal == CAL_JULIAN || cal == CAL_STANDARD) {
        date_julian(n, y, m, d);
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

/* Days in month m of year y. */
static int month_days(calendar cal, long y, int m)
{
    const long next_y = m == 12 ? y + 1 : y;
    const int next_m = m == 12 ? 1 : m + 1;
    return (int)(days_from_date(cal, next_y, next_m, 1) -
                 days_from_date(cal, y, m, 1));
}

/* A CF time unit and its origin. */
typedef struct {
    double per; /* seconds per unit, or -1 (months) or -12 (years) */
    long y;
    int m, d, hh, mm;
    double ss;
} origin;

static int parse_units(const char *units, origin *o)
{
    char unit[32], since[16];
    int consumed = 0;
    memset(o, 0, sizeof(*o));
    if (sscanf(units, " %31s %15s %ld-%d-%d%n", unit, since, &o->y, &o->m,
               &o->d, &consumed) < 5 ||
        strcasecmp(since, "since") != 0 || o->m < 1 || o->m > 12 || o->d < 1 ||
        o->d > 31 || (o->per = unit_seconds(unit)) == 0)
        return -1;
    /* optional time of day, after a space or a 'T' */
    units += consumed;
    if (*units == 'T' || *units == ' ')
        sscanf(units + 1, "%d:%d:%lf", &o->hh, &o->mm, &o->ss);
    return 0;
}

/* Calendar months (or years: 12 months) after the origin: whole ones move
 * the date, the day clamped to the month's length (January 31 + 1 month is
 * the end of February); a fraction is that share of the month reached (of
 * its year, for years). In the 360_day calendar this is CF's 30-day month
 * exactly. Returns the day number; *seconds gets the time of day. */
static long add_months(calendar cal, const origin *o, double value,
                       double *seconds)
{
    const double months = o->per == -12 ? value * 12 : value;
    const double whole = floor(o->per == -12 ? floor(value) * 12 : months);
    const double frac = o->per == -12 ? value - floor(value) : months - whole;
    const long index = o->y * 12 + (o->m - 1) + (long)whole;
    const long y = floor_div(index, 12);
    const int m = (int)(index - y * 12) + 1;
    const int len = month_days(cal, y, m);
    const double span = o->per == -12
                            ? (double)(days_from_date(cal, y + 1, m, 1) -
                                       days_from_date(cal, y, m, 1))
                            : len;
    *seconds = o->hh * 3600.0 + o->mm * 60.0 + o->ss + frac * span * 86400.0;
    return days_from_date(cal, y, m, o->d < len ? o->d : len);
}

int xav_time_units_are_time(const char *units)
{
    char unit[32], since[16];
    return units != NULL && sscanf(units, " %31s %15s", unit, since) == 2 &&
           strcasecmp(since, "since") == 0;
}

int xav_time_to_iso(double value, const char *units, const char *calendar_name,
                    char *out, size_t out_size)
{
    origin o;
    long y, day;
    int m, d;
    double total, frac;
    calendar cal;

    if (units == NULL || parse_calendar(calendar_name, &cal) != 0 ||
        !isfinite(value) || parse_units(units, &o) != 0)
        return -1;
    if (o.per < 0) {
        day = add_months(cal, &o, value, &total);
        total += (double)day * 86400.0;
    } else {
        total = (double)days_from_date(cal, o.y, o.m, o.d) * 86400.0 +
                o.hh * 3600.0 + o.mm * 60.0 + o.ss + value * o.per;
    }
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

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int xav_time_label_length(CSLConstList iso)
{
    static const size_t lengths[] = {10, 16};
    const int count = CSLCount(iso);
    const char **sorted;
    size_t k, found = 19;
    int i;
    if (count < 2)
        return 10;
    /* sorted whole, strings alike in any prefix are neighbours */
    sorted = (const char **)CPLMalloc(sizeof(*sorted) * (size_t)count);
    memcpy(sorted, iso, sizeof(*sorted) * (size_t)count);
    qsort(sorted, (size_t)count, sizeof(*sorted), compare_strings);
    for (k = 0; k < sizeof(lengths) / sizeof(lengths[0]) && found == 19; k++) {
        for (i = 1; i < count; i++)
            if (strncmp(sorted[i - 1], sorted[i], lengths[k]) == 0)
                break;
        if (i == count)
            found = lengths[k];
    }
    CPLFree(sorted);
    return (int)found;
}
