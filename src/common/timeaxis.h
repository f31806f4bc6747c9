/*
 * timeaxis: CF-convention time values ("<unit> since <date>") to ISO 8601
 * strings, for band descriptions and catalogs. Calendars: standard and
 * gregorian (Julian before 1582-10-15, Gregorian after, as CF says),
 * proleptic_gregorian, julian, noleap/365_day, all_leap/366_day and
 * 360_day. Units: seconds to days, and months and years, which are
 * calendar months and years (whole ones move the date, a fraction is that
 * share of the month or year reached): what "months since 1960-01-01" with
 * values 0, 1, 2 means to whoever wrote it, and CF's 30-day month in the
 * 360_day calendar. (udunits' month, a twelfth of a tropical year, lands
 * mid-month dates on other days.)
 */
#ifndef XAV_TIMEAXIS_H
#define XAV_TIMEAXIS_H

#include <stddef.h>

#include <cpl_port.h>

/* Writes "YYYY-MM-DDTHH:MM:SS" into out. Returns 0, or -1 if units or
 * calendar are not understood (nothing is reported: callers decide). */
int xav_time_to_iso(double value, const char *units, const char *calendar,
                    char *out, size_t out_size);

/* The shortest prefix of these ISO strings that still tells every two
 * apart: 10 (the date), 16 (to the minute) or 19 (the whole string, also
 * when some are equal). Band descriptions print that much, so that a
 * 3-hourly series does not label eight bands of a day alike, while a
 * monthly one keeps its dates. */
int xav_time_label_length(CSLConstList iso);

/* Whether units are of the form "<unit> since <...>", what a time axis
 * says; a frame axis of other units (levels in hPa) is not a time. */
int xav_time_units_are_time(const char *units);

/* Whether the calendar is one of the above (NULL or "": standard). */
int xav_calendar_known(const char *calendar);

#endif /* XAV_TIMEAXIS_H */
