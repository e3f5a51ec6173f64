/* dbn_promise.c: the promised date (see dbn_promise.h). Moved here from
 * deadline_clock.c so that intake's reply and deadline's committed clock
 * are one computation (D-DL-4). */
#include "daiban/dbn_promise.h"

#include "daiban/dbn_error.h"

#define MS_PER_DAY G_GINT64_CONSTANT (86400000)
/* China Standard Time, fixed (no daylight saving). */
#define OFFSET_MS G_GINT64_CONSTANT (8 * 3600 * 1000)
/* Day number (julian - 1) of 1970-01-01. */
#define EPOCH_DAY G_GINT64_CONSTANT (719162)

static gint64
floor_div (gint64 a, gint64 b)
{
    gint64 q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

gint64
dbn_promise_day_of_ms (gint64 ms)
{
    return EPOCH_DAY + floor_div (ms + OFFSET_MS, MS_PER_DAY);
}

gint64
dbn_promise_ms_of_day (gint64 day)
{
    return (day - EPOCH_DAY) * MS_PER_DAY - OFFSET_MS;
}

void
dbn_promise_date_of_day (GDate *date, gint64 day)
{
    g_date_clear (date, 1);
    g_date_set_julian (date, (guint32) CLAMP (day, 0, G_MAXUINT32 - 1) + 1);
}

gint64
dbn_promise_day_of_date (const GDate *date)
{
    return (gint64) g_date_get_julian (date) - 1;
}

char *
dbn_promise_day_to_iso (gint64 day)
{
    GDate date;
    dbn_promise_date_of_day (&date, day);
    return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&date), g_date_get_month (&date),
                            g_date_get_day (&date));
}

gint64
dbn_promise_due_day (DbnCalendar *calendar, const char *area, gboolean calendar_days, gint64 anchor, int n,
                     gboolean *covered)
{
    if (calendar_days) {
        if (covered != NULL)
            *covered = TRUE;
        return anchor + n;
    }
    GDate from, to;
    dbn_promise_date_of_day (&from, anchor);
    dbn_calendar_add_working_days (calendar, area, &from, n, &to, covered);
    return dbn_promise_day_of_date (&to);
}

int
dbn_promise_length (int setting, const DbnMatter *matter)
{
    if (setting != 0)
        return MAX (setting, 0);
    /* D-DL-4: the catalog entry carries the promised limit. */
    return matter ? matter->limit_days : 0;
}

gboolean
dbn_promise_settings_load (DbnConfig *config, int *setting, gboolean *calendar_days, GError **error)
{
    *setting = 0;
    *calendar_days = FALSE;
    const char *value = config ? dbn_config_get_setting (config, "deadline", "committed") : NULL;
    gint64 n = 0;
    if (value != NULL && !g_ascii_string_to_signed (value, 10, -1, 365, &n, NULL)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                     "daiban.conf: [deadline] committed: \"%s\" is not a number -1..365", value);
        return FALSE;
    }
    *setting = (int) n;
    value = config ? dbn_config_get_setting (config, "deadline", "committed_unit") : NULL;
    if (value == NULL || g_strcmp0 (value, "working") == 0)
        return TRUE;
    if (g_strcmp0 (value, "calendar") != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                     "daiban.conf: [deadline] committed_unit: \"%s\" is not working or calendar", value);
        return FALSE;
    }
    *calendar_days = TRUE;
    return TRUE;
}

char *
dbn_promise_dup_calendar_path (DbnConfig *config)
{
    const char *set = dbn_config_get_setting (config, "deadline", "calendar");
    if (set != NULL && *set != '\0')
        return g_path_is_absolute (set) ? g_strdup (set)
                                        : g_build_filename (dbn_config_get_data_dir (config), set, NULL);
    return dbn_calendar_dup_default_path (dbn_config_get_data_dir (config));
}

gboolean
dbn_promise_applies (DbnHandlingKind kind)
{
    return kind == DBN_KIND_COMMITTED || kind == DBN_KIND_ESCALATED;
}

gint64
dbn_promise_day (DbnCalendar *calendar, const char *area, int setting, gboolean calendar_days,
                 const DbnMatter *matter, gint64 accepted_at, gboolean *covered)
{
    if (matter == NULL || !dbn_promise_applies (matter->kind))
        return -1;
    int n = dbn_promise_length (setting, matter);
    if (n <= 0)
        return -1;
    /* The acceptance day itself is not counted (deadline_clock.c). */
    return dbn_promise_due_day (calendar, area, calendar_days, dbn_promise_day_of_ms (accepted_at), n,
                                covered);
}
