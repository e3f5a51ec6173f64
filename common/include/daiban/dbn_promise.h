/* dbn_promise.h: the date promised to the applicant (D-DL-4), computed the
 * one way both intake (its reply at acceptance, the 承办单) and deadline
 * (the committed clock) compute it, so the paper and the clock never
 * disagree. Days are civil days of the office (UTC+8), numbered as the
 * calendar numbers them (GDate julian - 1). */
#pragma once

#include <glib.h>

#include "dbn_calendar.h"
#include "dbn_catalog.h"
#include "dbn_config.h"

G_BEGIN_DECLS

/* The civil day (UTC+8) of an instant in ms since the epoch. */
gint64 dbn_promise_day_of_ms (gint64 ms);
/* The instant the day begins (local midnight), ms since the epoch. */
gint64 dbn_promise_ms_of_day (gint64 day);
void dbn_promise_date_of_day (GDate *date, gint64 day);
gint64 dbn_promise_day_of_date (const GDate *date);
/* "YYYY-MM-DD". Caller owns it. */
char *dbn_promise_day_to_iso (gint64 day);

/* The due day: n days after anchor, working days of the calendar (D-DL-5)
 * or, with calendar_days, every day. *covered (may be NULL) as in
 * dbn_calendar (always TRUE for calendar days). */
gint64 dbn_promise_due_day (DbnCalendar *calendar, const char *area, gboolean calendar_days, gint64 anchor,
                            int n, gboolean *covered);

/* The committed clock's length for matter: setting is [deadline] committed
 * (0 = the catalog entry's own limit, -1 = no promise). 0 when no promise
 * is made. */
int dbn_promise_length (int setting, const DbnMatter *matter);

/* [deadline] committed and committed_unit of daiban.conf (D-DL-4: 0 and
 * working days when not set). FALSE with DBN_ERROR_CONFIG naming the key
 * for a value out of range. */
gboolean dbn_promise_settings_load (DbnConfig *config, int *setting, gboolean *calendar_days, GError **error);

/* The calendar file of [deadline] calendar (relative to the data folder),
 * else dbn_calendar_dup_default_path. Caller owns it. */
char *dbn_promise_dup_calendar_path (DbnConfig *config);

/* D-RTE-2, D-DL-4: a promised date is made for 承办件 and 上报件 only. */
gboolean dbn_promise_applies (DbnHandlingKind kind);

/* D-DL-4: the day promised for a case of matter accepted at accepted_at
 * (ms): the acceptance day plus its length, as the committed clock counts
 * it. -1 when no promise is made (the entry's kind is neither committed nor
 * escalated, or the length is 0). */
gint64 dbn_promise_day (DbnCalendar *calendar, const char *area, int setting, gboolean calendar_days,
                        const DbnMatter *matter, gint64 accepted_at, gboolean *covered);

G_END_DECLS
