/* deadline_clock.h: which clocks a case has, how long they run, and when
 * each one fires (D-DL-1..7). Pure functions over a calendar: no store, no
 * bus, so the rules are tested without a process. */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

/* The clocks (D-DL-1..4), in a fixed order. */
typedef enum {
    DEADLINE_CLOCK_CENTRE,     /* D-DL-1: township matter done within N working days of reaching the centre */
    DEADLINE_CLOCK_PROGRESS,   /* D-DL-2: county matter: progress told in writing within N working days */
    DEADLINE_CLOCK_STATION,    /* D-DL-3: station-scope (village) matter done within N days */
    DEADLINE_CLOCK_TRANSFER,   /* D-DL-3: a transferred matter reported back within N working days */
    DEADLINE_CLOCK_DEPARTMENT, /* D-DL-3: a county department answers within N working days */
    DEADLINE_CLOCK_COMMITTED,  /* D-DL-4: the date promised at acceptance (承办/上报) */
    DEADLINE_CLOCK_FOLLOWUP,   /* D-EV-7: a bad rating followed up within N working days (evaluation's
                                * eval.followup.opened starts it, .recorded meets it); it runs after
                                * the case is closed, and the case's own ends leave it alone */
    DEADLINE_N_CLOCKS,
} DeadlineClockName;

typedef enum {
    DEADLINE_STATE_RUNNING,
    DEADLINE_STATE_STOPPED, /* D-DL-7: awaiting the applicant's materials */
    DEADLINE_STATE_MET,
    DEADLINE_STATE_CANCELLED, /* no longer applies (the kind changed) */
} DeadlineState;

typedef enum {
    DEADLINE_STAGE_NONE,
    DEADLINE_STAGE_WARNING,   /* yellow: one working day before due */
    DEADLINE_STAGE_OVERDUE,   /* red */
    DEADLINE_STAGE_VIOLATION, /* D-DL-6: overdue past the grace, not explained */
} DeadlineStage;

/* What a clock's days are (D-DL-3: the seed gives station-scope matters
 * "3 days", every other limit in working days). */
typedef enum {
    DEADLINE_UNIT_WORKING,  /* working days of the calendar (D-DL-5) */
    DEADLINE_UNIT_CALENDAR, /* every day counts, weekends and holidays too */
} DeadlineUnit;

/* [deadline] of daiban.conf, with the defaults. */
typedef struct {
    int lengths[DEADLINE_N_CLOCKS];        /* days in units[]; 0 = the clock does not apply
                                     * (committed: 0 = the catalog entry's limit, -1 = off) */
    DeadlineUnit units[DEADLINE_N_CLOCKS]; /* <clock>_unit = working|calendar */
    int grace;                             /* working days from overdue to violation */
    int tick_ms;                           /* how often the timers are looked at */
} DeadlineSettings;

/* Reads [deadline] (defaults for keys not set). FALSE with DBN_ERROR_CONFIG
 * naming the key for a value that is not a number in range. */
gboolean deadline_settings_load (DeadlineSettings *settings, DbnConfig *config, GError **error);

const char *deadline_clock_name_to_string (DeadlineClockName name);
/* -1 for an unknown name. */
int deadline_clock_name_from_string (const char *name);
const char *deadline_clock_rule (DeadlineClockName name);
const char *deadline_state_to_string (DeadlineState state);
const char *deadline_stage_to_string (DeadlineStage stage);
/* "working" or "calendar". */
const char *deadline_unit_to_string (DeadlineUnit unit);

/* Civil days in the office's time zone (UTC+8), numbered as the calendar
 * numbers them (GDate julian - 1). */
gint64 deadline_day_of_ms (gint64 ms);
/* The instant the day begins (local midnight), ms since the epoch. */
gint64 deadline_ms_of_day (gint64 day);
void deadline_date_of_day (GDate *date, gint64 day);
gint64 deadline_day_of_date (const GDate *date);
/* "YYYY-MM-DD". Caller owns it. */
char *deadline_day_to_iso (gint64 day);

/* The due day: n days in unit after anchor (working days: D-DL-5).
 * *covered as in dbn_calendar (always TRUE for calendar days: no calendar
 * is needed to count them). */
gint64 deadline_due_day (DbnCalendar *calendar, const char *area, DeadlineUnit unit, gint64 anchor, int n,
                         gboolean *covered);
/* Days in unit in (day, due]; negative when due is before day. */
int deadline_remaining (DbnCalendar *calendar, const char *area, DeadlineUnit unit, gint64 day, gint64 due);

/* When a running clock due on day `due` fires its next stage after `stage`:
 *   warning   at the end of the day (in unit) before the due day (not before
 *             `started`: a clock started on its last day warns at once),
 *   overdue   at the end of the due day,
 *   violation at the end of the grace-th working day after it (grace is
 *             in working days whatever the clock's unit),
 * or 0 when nothing follows (violation fired, or overdue and explained). */
gint64 deadline_next_at (DbnCalendar *calendar, const char *area, DeadlineUnit unit, gint64 due,
                         gint64 started, DeadlineStage stage, gboolean explained, int grace);

G_END_DECLS
