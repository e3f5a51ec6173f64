/* dbn_calendar.h: working days (D-DL-5), from schemas/data/calendar.ini
 * (format described there).
 *
 * Weekends are off, the published public holidays are off, and the adjusted
 * working weekends (调休上班) are on; an area may add closures of its own. A
 * calendar covers a run of consecutive years. Outside them the answer is
 * computed on weekends only and every function says so through *covered
 * (FALSE): the caller flags it, never guesses silently.
 *
 * Dates are GDate (valid, civil dates in the office's time zone). Every
 * function is a table lookup: no loop over the days between two dates.
 * A calendar is immutable once loaded; a reload builds a new one.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define DBN_CALENDAR_ERROR (dbn_calendar_error_quark ())
GQuark dbn_calendar_error_quark (void);

/* The codes (DbnCalendarError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

/* What a day is, for `daiban calendar show`. */
typedef enum {
    DBN_DAY_WORKDAY,  /* an ordinary weekday */
    DBN_DAY_WEEKEND,  /* an ordinary Saturday or Sunday */
    DBN_DAY_HOLIDAY,  /* a public holiday (off) */
    DBN_DAY_ADJUSTED, /* an adjusted working weekend day (调休上班, on) */
    DBN_DAY_CLOSURE,  /* the area's own closure (off) */
} DbnDayKind;

typedef struct _DbnCalendar DbnCalendar;

/* Loads and validates path. NULL with DBN_CALENDAR_ERROR on any problem;
 * the message names the file, the line and the reason. Caller owns it. */
DbnCalendar *dbn_calendar_load (const char *path, GError **error);
/* The same from text in memory; name stands for the file in messages. */
DbnCalendar *dbn_calendar_load_from_data (const char *text, gssize length, const char *name, GError **error);
void dbn_calendar_free (DbnCalendar *self);

/* The calendar file to use for data_dir: DIR/calendar.ini when it exists,
 * else the shipped one (the source tree's, else the installed one).
 * Caller owns the result. */
char *dbn_calendar_dup_default_path (const char *data_dir);

/* The file it was loaded from (or the name given). Borrowed. */
const char *dbn_calendar_get_path (DbnCalendar *self);
/* The first and last covered year. */
void dbn_calendar_get_years (DbnCalendar *self, guint *first, guint *last);
/* TRUE when date lies in a covered year. */
gboolean dbn_calendar_covers (DbnCalendar *self, const GDate *date);
/* TRUE when the area has closures of its own in the file. */
gboolean dbn_calendar_has_area (DbnCalendar *self, const char *area);

/* In every call below, area NULL, empty or unknown means the national
 * calendar, and covered (may be NULL) gets FALSE when the answer used a day
 * outside the covered years (weekends only there). */

/* TRUE when date is a working day. */
gboolean dbn_calendar_is_workday (DbnCalendar *self, const char *area, const GDate *date, gboolean *covered);
/* What date is and, for holidays, adjusted days and closures, its name
 * (borrowed, NULL otherwise). */
DbnDayKind dbn_calendar_get_day (DbnCalendar *self, const char *area, const GDate *date, const char **name,
                                 gboolean *covered);
/* n > 0: the n-th working day after date (date itself not counted: 5
 * working days from Fri 13 Feb 2026 end on Fri 27 Feb 2026). n < 0: the
 * |n|-th working day before date. n = 0: date. Writes *out. */
void dbn_calendar_add_working_days (DbnCalendar *self, const char *area, const GDate *date, int n, GDate *out,
                                    gboolean *covered);
/* The working days in (from, to]: after from, up to and including to;
 * negative when to is before from. */
int dbn_calendar_working_days_between (DbnCalendar *self, const char *area, const GDate *from,
                                       const GDate *to, gboolean *covered);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnCalendar, dbn_calendar_free)

G_END_DECLS
