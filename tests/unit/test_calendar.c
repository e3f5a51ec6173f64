/* test_calendar.c: working-day arithmetic (D-DL-5) against cases worked out
 * by hand from the State Council notices for 2025 and 2026, the flag for
 * dates outside the covered years, and refusals of broken files. */
#include <stdio.h>
#include <string.h>

#include <daiban/daiban.h>

static DbnCalendar *
shipped (void)
{
    const char *source = g_getenv ("DAIBAN_SOURCE_DIR");
    g_autofree char *path =
        g_build_filename (source ? source : DBN_SOURCE_DIR, "schemas", "data", "calendar.ini", NULL);
    g_autoptr (GError) error = NULL;
    DbnCalendar *calendar = dbn_calendar_load (path, &error);
    g_assert_no_error (error);
    return calendar;
}

static void
date_from_iso (GDate *date, const char *iso)
{
    int y = 0, m = 0, d = 0;
    g_assert_cmpint (sscanf (iso, "%d-%d-%d", &y, &m, &d), ==, 3);
    g_date_clear (date, 1);
    g_date_set_dmy (date, d, m, y);
}

static char *
iso (const GDate *date)
{
    return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (date), g_date_get_month (date),
                            g_date_get_day (date));
}

typedef struct {
    const char *from; /* counted from (not itself counted) */
    int n;            /* working days */
    const char *to;   /* the day they end on */
    const char *why;  /* the hand count */
} AddCase;

/* Every holiday and adjusted weekend of both years is crossed at least once. */
static const AddCase add_cases[] = {
    /* 2025 */
    { "2025-01-01", 1, "2025-01-02", "元旦 Wed 1 Jan off; Thu 2 Jan" },
    { "2025-01-24", 1, "2025-01-26", "Sat 25 off, Sun 26 Jan is worked (春节调休)" },
    { "2025-01-24", 2, "2025-01-27", "Sun 26, Mon 27" },
    { "2025-01-24", 3, "2025-02-05", "春节 Tue 28 Jan .. Tue 4 Feb off; Wed 5 Feb" },
    { "2025-01-24", 6, "2025-02-08", "Wed 5, Thu 6, Fri 7, Sat 8 Feb worked (春节调休)" },
    { "2025-04-03", 1, "2025-04-07", "清明 Fri 4 .. Sun 6 Apr off" },
    { "2025-04-25", 1, "2025-04-27", "Sun 27 Apr worked (劳动节调休)" },
    { "2025-04-25", 5, "2025-05-06", "27, 28, 29, 30 Apr; 劳动节 1..5 May off; Tue 6 May" },
    { "2025-05-30", 1, "2025-06-03", "端午 Sat 31 May .. Mon 2 Jun off" },
    { "2025-09-26", 1, "2025-09-28", "Sun 28 Sep worked (国庆调休)" },
    { "2025-09-26", 4, "2025-10-09", "28, 29, 30 Sep; 国庆·中秋 1..8 Oct off; Thu 9 Oct" },
    { "2025-09-26", 6, "2025-10-11", "Thu 9, Fri 10, Sat 11 Oct worked (国庆调休)" },
    { "2025-09-26", 7, "2025-10-13", "then Mon 13 Oct" },
    /* across the new year */
    { "2025-12-31", 1, "2026-01-04", "元旦 Thu 1 .. Sat 3 Jan off; Sun 4 Jan worked" },
    /* 2026 */
    { "2026-01-02", 1, "2026-01-04", "from inside the holiday" },
    { "2026-01-04", 1, "2026-01-05", "Mon 5 Jan" },
    { "2026-02-13", 5, "2026-02-27",
      "Sat 14 worked; 春节 15..23 off; 24, 25, 26, 27 Feb (the issue's case)" },
    { "2026-02-27", 1, "2026-02-28", "Sat 28 Feb worked (春节调休)" },
    { "2026-02-27", 2, "2026-03-02", "then Mon 2 Mar" },
    { "2026-04-02", 2, "2026-04-07", "Fri 3; 清明 Sat 4 .. Mon 6 Apr off; Tue 7" },
    { "2026-04-30", 1, "2026-05-06", "劳动节 Fri 1 .. Tue 5 May off; Wed 6" },
    { "2026-04-30", 4, "2026-05-09", "6, 7, 8 May, Sat 9 May worked (劳动节调休)" },
    { "2026-04-30", 5, "2026-05-11", "then Mon 11 May" },
    { "2026-06-18", 1, "2026-06-22", "端午 Fri 19 .. Sun 21 Jun off" },
    { "2026-09-18", 1, "2026-09-20", "Sun 20 Sep worked (国庆调休)" },
    { "2026-09-24", 1, "2026-09-28", "中秋 Fri 25 .. Sun 27 Sep off" },
    { "2026-09-24", 3, "2026-09-30", "28, 29, 30 Sep" },
    { "2026-09-24", 4, "2026-10-08", "国庆 Thu 1 .. Wed 7 Oct off; Thu 8" },
    { "2026-09-24", 6, "2026-10-10", "Thu 8, Fri 9, Sat 10 Oct worked (国庆调休)" },
    /* backwards */
    { "2026-02-24", -1, "2026-02-14", "the working day before Tue 24 Feb is Sat 14 Feb" },
    { "2025-10-09", -2, "2025-09-29", "Tue 30, Mon 29 Sep" },
    { "2026-03-02", 0, "2026-03-02", "zero days is the day itself" },
};

static void
test_add_table (void)
{
    g_autoptr (DbnCalendar) calendar = shipped ();
    for (gsize i = 0; i < G_N_ELEMENTS (add_cases); i++) {
        const AddCase *c = &add_cases[i];
        GDate from, to;
        date_from_iso (&from, c->from);
        gboolean covered = FALSE;
        dbn_calendar_add_working_days (calendar, NULL, &from, c->n, &to, &covered);
        g_autofree char *got = iso (&to);
        if (g_strcmp0 (got, c->to) != 0)
            g_error ("%s %+d: got %s, want %s (%s)", c->from, c->n, got, c->to, c->why);
        g_assert_true (covered);
        /* between() is the inverse for forward counts ending on a working day. */
        if (c->n > 0)
            g_assert_cmpint (dbn_calendar_working_days_between (calendar, NULL, &from, &to, NULL), ==, c->n);
    }
}

static void
test_is_workday (void)
{
    g_autoptr (DbnCalendar) calendar = shipped ();
    struct {
        const char *date;
        gboolean work;
        DbnDayKind kind;
    } days[] = {
        { "2025-01-01", FALSE, DBN_DAY_HOLIDAY }, { "2025-01-26", TRUE, DBN_DAY_ADJUSTED },
        { "2025-02-04", FALSE, DBN_DAY_HOLIDAY }, { "2025-02-08", TRUE, DBN_DAY_ADJUSTED },
        { "2025-04-27", TRUE, DBN_DAY_ADJUSTED }, { "2025-05-05", FALSE, DBN_DAY_HOLIDAY },
        { "2025-06-02", FALSE, DBN_DAY_HOLIDAY }, { "2025-09-28", TRUE, DBN_DAY_ADJUSTED },
        { "2025-10-08", FALSE, DBN_DAY_HOLIDAY }, { "2025-10-11", TRUE, DBN_DAY_ADJUSTED },
        { "2026-01-03", FALSE, DBN_DAY_HOLIDAY }, { "2026-01-04", TRUE, DBN_DAY_ADJUSTED },
        { "2026-02-14", TRUE, DBN_DAY_ADJUSTED }, { "2026-02-23", FALSE, DBN_DAY_HOLIDAY },
        { "2026-02-28", TRUE, DBN_DAY_ADJUSTED }, { "2026-04-06", FALSE, DBN_DAY_HOLIDAY },
        { "2026-05-09", TRUE, DBN_DAY_ADJUSTED }, { "2026-06-19", FALSE, DBN_DAY_HOLIDAY },
        { "2026-09-20", TRUE, DBN_DAY_ADJUSTED }, { "2026-09-27", FALSE, DBN_DAY_HOLIDAY },
        { "2026-10-07", FALSE, DBN_DAY_HOLIDAY }, { "2026-10-10", TRUE, DBN_DAY_ADJUSTED },
        { "2026-03-07", FALSE, DBN_DAY_WEEKEND }, { "2026-03-09", TRUE, DBN_DAY_WORKDAY },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (days); i++) {
        GDate d;
        date_from_iso (&d, days[i].date);
        gboolean covered = FALSE;
        if (dbn_calendar_is_workday (calendar, NULL, &d, &covered) != days[i].work)
            g_error ("%s: wrong working-day answer", days[i].date);
        g_assert_true (covered);
        const char *name = NULL;
        g_assert_cmpint (dbn_calendar_get_day (calendar, NULL, &d, &name, NULL), ==, days[i].kind);
        g_assert_true ((name != NULL)
                       == (days[i].kind == DBN_DAY_HOLIDAY || days[i].kind == DBN_DAY_ADJUSTED));
    }
}

static void
test_between (void)
{
    g_autoptr (DbnCalendar) calendar = shipped ();
    GDate a, b;
    date_from_iso (&a, "2025-09-26");
    date_from_iso (&b, "2025-10-13");
    g_assert_cmpint (dbn_calendar_working_days_between (calendar, NULL, &a, &b, NULL), ==, 7);
    g_assert_cmpint (dbn_calendar_working_days_between (calendar, NULL, &b, &a, NULL), ==, -7);
    /* A whole year, counted by hand from the notice: 2026 has 261 weekdays;
     * 19 holidays fall on weekdays (元旦 2, 春节 6, 清明 1, 劳动节 3, 端午 1,
     * 中秋 1, 国庆 5) and 6 weekend days are worked: 261 - 19 + 6 = 248. */
    date_from_iso (&a, "2025-12-31");
    date_from_iso (&b, "2026-12-31");
    g_assert_cmpint (dbn_calendar_working_days_between (calendar, NULL, &a, &b, NULL), ==, 248);
}

/* D-DL-5: a date the data does not cover is computed on weekends only and flagged. */
static void
test_uncovered_2027 (void)
{
    g_autoptr (DbnCalendar) calendar = shipped ();
    GDate from, to;
    gboolean covered = TRUE;
    date_from_iso (&from, "2026-12-31");
    dbn_calendar_add_working_days (calendar, NULL, &from, 1, &to, &covered);
    g_autofree char *one = iso (&to);
    g_assert_cmpstr (one, ==, "2027-01-01"); /* weekends only: Fri 1 Jan 2027 */
    g_assert_false (covered);
    date_from_iso (&from, "2026-12-28");
    dbn_calendar_add_working_days (calendar, NULL, &from, 5, &to, &covered);
    g_autofree char *five = iso (&to);
    g_assert_cmpstr (five, ==, "2027-01-04"); /* 29, 30, 31 Dec, Fri 1, Mon 4 Jan */
    g_assert_false (covered);
    /* Inside the data the same call is covered. */
    dbn_calendar_add_working_days (calendar, NULL, &from, 3, &to, &covered);
    g_assert_true (covered);
    date_from_iso (&from, "2027-01-01");
    g_assert_true (dbn_calendar_is_workday (calendar, NULL, &from, &covered));
    g_assert_false (covered);
    g_assert_false (dbn_calendar_covers (calendar, &from));
    /* And before the first year. */
    date_from_iso (&from, "2024-12-31");
    dbn_calendar_add_working_days (calendar, NULL, &from, 1, &to, &covered);
    g_autofree char *before = iso (&to);
    g_assert_cmpstr (before, ==, "2025-01-02");
    g_assert_false (covered);
    guint first = 0, last = 0;
    dbn_calendar_get_years (calendar, &first, &last);
    g_assert_cmpuint (first, ==, 2025);
    g_assert_cmpuint (last, ==, 2026);
}

/* A later year is added as data: the 2027 question becomes covered. */
static void
test_added_year (void)
{
    static const char text[] = "[year 2026]\nholiday = 2026-10-01..2026-10-07 国庆节\n"
                               "[year 2027]\nholiday = 2027-01-01 元旦\n";
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCalendar) calendar = dbn_calendar_load_from_data (text, -1, "test.ini", &error);
    g_assert_no_error (error);
    GDate from, to;
    gboolean covered = FALSE;
    date_from_iso (&from, "2026-12-31");
    dbn_calendar_add_working_days (calendar, NULL, &from, 1, &to, &covered);
    g_autofree char *got = iso (&to);
    g_assert_cmpstr (got, ==, "2027-01-04");
    g_assert_true (covered);
}

/* A township's own closure counts in its area only. */
static void
test_area_closure (void)
{
    static const char text[] = "[year 2026]\n[area east]\nclosed = 2026-03-16 集中培训\n";
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnCalendar) calendar = dbn_calendar_load_from_data (text, -1, "test.ini", &error);
    g_assert_no_error (error);
    GDate from, to;
    date_from_iso (&from, "2026-03-13");
    dbn_calendar_add_working_days (calendar, NULL, &from, 1, &to, NULL);
    g_assert_cmpint (g_date_get_day (&to), ==, 16);
    dbn_calendar_add_working_days (calendar, "east", &from, 1, &to, NULL);
    g_assert_cmpint (g_date_get_day (&to), ==, 17);
    dbn_calendar_add_working_days (calendar, "west", &from, 1, &to, NULL);
    g_assert_cmpint (g_date_get_day (&to), ==, 16);
    g_assert_true (dbn_calendar_has_area (calendar, "east"));
    date_from_iso (&from, "2026-03-16");
    g_assert_cmpint (dbn_calendar_get_day (calendar, "east", &from, NULL, NULL), ==, DBN_DAY_CLOSURE);
}

typedef struct {
    const char *text;
    int code;
    const char *line_and_reason; /* expected in the message */
} Broken;

static void
test_refuses_broken (void)
{
    static const Broken broken[] = {
        { "[year 2026]\nholiday = 2026-02-30 x\n", DBN_CALENDAR_ERROR_INVALID,
          "test.ini:2: \"2026-02-30\" is not a date" },
        { "[year 2026]\nholiday = 2025-05-01 x\n", DBN_CALENDAR_ERROR_INVALID,
          "test.ini:2: the date is not in the section's year" },
        { "[year 2026]\nworkday = 2026-01-05 x\n", DBN_CALENDAR_ERROR_INVALID,
          "test.ini:2: an adjusted working day" },
        { "[year 2026]\nholiday = 2026-01-01\n\nholiday = 2026-01-01\n", DBN_CALENDAR_ERROR_INVALID,
          "test.ini:4: a day is listed twice (also on line 2)" },
        { "[year 2025]\n[year 2027]\n", DBN_CALENDAR_ERROR_INVALID, "have a gap" },
        { "[year 2026]\n[year 2026]\n", DBN_CALENDAR_ERROR_INVALID, "test.ini:2: year 2026 appears twice" },
        { "holiday = 2026-01-01\n", DBN_CALENDAR_ERROR_PARSE, "test.ini:1: \"holiday\" before any section" },
        { "[year 2026]\nferie = 2026-01-01\n", DBN_CALENDAR_ERROR_INVALID, "test.ini:2: unknown key" },
        { "[year 2026]\nholiday 2026-01-01\n", DBN_CALENDAR_ERROR_PARSE, "test.ini:2: expected key = value" },
        { "[year 2026\n", DBN_CALENDAR_ERROR_PARSE, "test.ini:1: a section line" },
        { "[month 2026]\n", DBN_CALENDAR_ERROR_PARSE, "test.ini:1: unknown section" },
        { "[year 2026]\nholiday = 2026-03-05..2026-03-01\n", DBN_CALENDAR_ERROR_INVALID,
          "test.ini:2: the range ends before it starts" },
        { "[year 2026]\n[area east]\nclosed = 2027-01-04\n", DBN_CALENDAR_ERROR_INVALID,
          "test.ini:3: a closure lies outside" },
        { "# nothing\n", DBN_CALENDAR_ERROR_INVALID, "no [year YYYY] section" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (broken); i++) {
        g_autoptr (GError) error = NULL;
        g_autoptr (DbnCalendar) calendar =
            dbn_calendar_load_from_data (broken[i].text, -1, "test.ini", &error);
        g_assert_null (calendar);
        g_assert_error (error, DBN_CALENDAR_ERROR, broken[i].code);
        if (strstr (error->message, broken[i].line_and_reason) == NULL)
            g_error ("case %" G_GSIZE_FORMAT ": \"%s\" lacks \"%s\"", i, error->message,
                     broken[i].line_and_reason);
    }
    g_autoptr (GError) error = NULL;
    g_assert_null (dbn_calendar_load ("/nonexistent/calendar.ini", &error));
    g_assert_error (error, DBN_CALENDAR_ERROR, DBN_CALENDAR_ERROR_READ);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/calendar/D-DL-5/add-working-days-2025-2026", test_add_table);
    g_test_add_func ("/calendar/D-DL-5/is-workday-holidays-and-adjusted-weekends", test_is_workday);
    g_test_add_func ("/calendar/D-DL-5/working-days-between", test_between);
    g_test_add_func ("/calendar/D-DL-5/uncovered-2027-is-flagged", test_uncovered_2027);
    g_test_add_func ("/calendar/D-DL-5/later-year-added-as-data", test_added_year);
    g_test_add_func ("/calendar/D-DL-5/area-closure", test_area_closure);
    g_test_add_func ("/calendar/load/refuses-broken-file-with-line", test_refuses_broken);
    return g_test_run ();
}
