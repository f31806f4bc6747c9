/*
 * timeaxis: CF-convention time values ("<unit> since <date>") to ISO 8601
 * strings, for band descriptions and catalogs. Calendars: standard,
 * gregorian and proleptic_gregorian (all treated as proleptic Gregorian),
 * noleap/365_day, all_leap/366_day and 360_day.
 */
#ifndef XAV_TIMEAXIS_H
#define XAV_TIMEAXIS_H

#include <stddef.h>

/* Writes "YYYY-MM-DDTHH:MM:SS" into out. Returns 0, or -1 if units or
 * calendar are not understood (nothing is reported: callers decide). */
int xav_time_to_iso(double value, const char *units, const char *calendar,
                    char *out, size_t out_size);

#endif /* XAV_TIMEAXIS_H */
