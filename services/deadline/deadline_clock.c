/* deadline_clock.c: the clock rules (see deadline_clock.h).
 *
 * A clock counts whole working days. Started at any time on day s with
 * length n, it is due at the end of day D = s + n working days (s itself
 * not counted: acceptance on Friday afternoon does not eat a day). Stopped
 * on day t (D-DL-7) it keeps r = working days in (t, D]; resumed on day u it
 * is due at u + r working days: three working days of waiting move D by
 * exactly three working days. The instants are local midnights in UTC+8,
 * the office's civil time (dbn_clock).
 *
 * D-DL-3 gives station-scope matters "3 days" (篇7), not working days, so
 * each clock has a unit: working days (the calendar's C and inv, D-DL-5) or
 * calendar days (plain day numbers: due = s + n, remaining = D - t). The
 * same rules hold in either unit; only the counting differs. The grace
 * before a violation stays in working days: it is the office's time to
 * explain, not the applicant's promise.
 */
#include "deadline_clock.h"

#include <stdlib.h>
#include <string.h>

static const char *const clock_names[DEADLINE_N_CLOCKS] = {
    "centre", "progress", "station", "transfer", "department", "committed", "followup",
};
static const char *const clock_rules[DEADLINE_N_CLOCKS] = {
    "D-DL-1", "D-DL-2", "D-DL-3", "D-DL-3", "D-DL-3", "D-DL-4", "D-EV-7",
};
/* The defaults; committed 0 = the catalog entry's own limit. */
static const int default_lengths[DEADLINE_N_CLOCKS] = { 1, 5, 3, 2, 3, 0, 15 };
/* What the seed's text says for each (domain.md): D-DL-3's station-scope
 * clock is "3 days" (篇7); D-DL-1, D-DL-2, the rest of D-DL-3 say 工作日, and
 * the catalog's limits are working days (D-CAT-2). */
static const DeadlineUnit default_units[DEADLINE_N_CLOCKS] = {
    DEADLINE_UNIT_WORKING, DEADLINE_UNIT_WORKING, DEADLINE_UNIT_CALENDAR, DEADLINE_UNIT_WORKING,
    DEADLINE_UNIT_WORKING, DEADLINE_UNIT_WORKING, DEADLINE_UNIT_WORKING,
};

gboolean
deadline_settings_load (DeadlineSettings *settings, DbnConfig *config, GError **error)
{
    memcpy (settings->lengths, default_lengths, sizeof default_lengths);
    settings->grace = 1;
    settings->tick_ms = 200;
    struct {
        const char *key;
        int *slot;
        int min, max;
    } keys[] = {
        { "centre", &settings->lengths[DEADLINE_CLOCK_CENTRE], 0, 365 },
        { "progress", &settings->lengths[DEADLINE_CLOCK_PROGRESS], 0, 365 },
        { "station", &settings->lengths[DEADLINE_CLOCK_STATION], 0, 365 },
        { "transfer", &settings->lengths[DEADLINE_CLOCK_TRANSFER], 0, 365 },
        { "department", &settings->lengths[DEADLINE_CLOCK_DEPARTMENT], 0, 365 },
        { "committed", &settings->lengths[DEADLINE_CLOCK_COMMITTED], -1, 365 },
        { "followup", &settings->lengths[DEADLINE_CLOCK_FOLLOWUP], 0, 365 },
        { "grace", &settings->grace, 0, 60 },
        { "tick_ms", &settings->tick_ms, 10, 60000 },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
        const char *value = config ? dbn_config_get_setting (config, "deadline", keys[i].key) : NULL;
        if (value == NULL)
            continue;
        gint64 n = 0;
        if (!g_ascii_string_to_signed (value, 10, keys[i].min, keys[i].max, &n, NULL)) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                         "daiban.conf: [deadline] %s: \"%s\" is not a number %d..%d", keys[i].key, value,
                         keys[i].min, keys[i].max);
            return FALSE;
        }
        *keys[i].slot = (int) n;
    }
    memcpy (settings->units, default_units, sizeof default_units);
    for (int i = 0; i < DEADLINE_N_CLOCKS; i++) {
        g_autofree char *key = g_strdup_printf ("%s_unit", clock_names[i]);
        const char *value = config ? dbn_config_get_setting (config, "deadline", key) : NULL;
        if (value == NULL)
            continue;
        if (g_strcmp0 (value, "working") == 0)
            settings->units[i] = DEADLINE_UNIT_WORKING;
        else if (g_strcmp0 (value, "calendar") == 0)
            settings->units[i] = DEADLINE_UNIT_CALENDAR;
        else {
            g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                         "daiban.conf: [deadline] %s: \"%s\" is not working or calendar", key, value);
            return FALSE;
        }
    }
    return TRUE;
}

const char *
deadline_clock_name_to_string (DeadlineClockName name)
{
    g_return_val_if_fail ((guint) name < DEADLINE_N_CLOCKS, "?");
    return clock_names[name];
}

int
deadline_clock_name_from_string (const char *name)
{
    for (int i = 0; i < DEADLINE_N_CLOCKS; i++)
        if (g_strcmp0 (name, clock_names[i]) == 0)
            return i;
    return -1;
}

const char *
deadline_clock_rule (DeadlineClockName name)
{
    g_return_val_if_fail ((guint) name < DEADLINE_N_CLOCKS, "?");
    return clock_rules[name];
}

const char *
deadline_state_to_string (DeadlineState state)
{
    static const char *const names[] = { "running", "stopped", "met", "cancelled" };
    g_return_val_if_fail ((guint) state < G_N_ELEMENTS (names), "?");
    return names[state];
}

const char *
deadline_unit_to_string (DeadlineUnit unit)
{
    return unit == DEADLINE_UNIT_CALENDAR ? "calendar" : "working";
}

const char *
deadline_stage_to_string (DeadlineStage stage)
{
    static const char *const names[] = { "none", "warning", "overdue", "violation" };
    g_return_val_if_fail ((guint) stage < G_N_ELEMENTS (names), "?");
    return names[stage];
}

/* The days and the due day are common/dbn_promise's: intake promises the
 * committed date at acceptance with the same computation (D-DL-4). */
gint64
deadline_day_of_ms (gint64 ms)
{
    return dbn_promise_day_of_ms (ms);
}

gint64
deadline_ms_of_day (gint64 day)
{
    return dbn_promise_ms_of_day (day);
}

void
deadline_date_of_day (GDate *date, gint64 day)
{
    dbn_promise_date_of_day (date, day);
}

gint64
deadline_day_of_date (const GDate *date)
{
    return dbn_promise_day_of_date (date);
}

char *
deadline_day_to_iso (gint64 day)
{
    return dbn_promise_day_to_iso (day);
}

gint64
deadline_due_day (DbnCalendar *calendar, const char *area, DeadlineUnit unit, gint64 anchor, int n,
                  gboolean *covered)
{
    return dbn_promise_due_day (calendar, area, unit == DEADLINE_UNIT_CALENDAR, anchor, n, covered);
}

int
deadline_remaining (DbnCalendar *calendar, const char *area, DeadlineUnit unit, gint64 day, gint64 due)
{
    if (unit == DEADLINE_UNIT_CALENDAR)
        return (int) CLAMP (due - day, G_MININT, G_MAXINT);
    GDate a, b;
    deadline_date_of_day (&a, day);
    deadline_date_of_day (&b, due);
    return dbn_calendar_working_days_between (calendar, area, &a, &b, NULL);
}

gint64
deadline_next_at (DbnCalendar *calendar, const char *area, DeadlineUnit unit, gint64 due, gint64 started,
                  DeadlineStage stage, gboolean explained, int grace)
{
    switch (stage) {
    case DEADLINE_STAGE_NONE: {
        gint64 before = deadline_due_day (calendar, area, unit, due, -1, NULL);
        return MAX (deadline_ms_of_day (before + 1), started);
    }
    case DEADLINE_STAGE_WARNING: return deadline_ms_of_day (due + 1);
    case DEADLINE_STAGE_OVERDUE:
        if (explained)
            return 0;
        return deadline_ms_of_day (deadline_due_day (calendar, area, DEADLINE_UNIT_WORKING, due, grace, NULL)
                                   + 1);
    case DEADLINE_STAGE_VIOLATION:
    default: return 0;
    }
}
