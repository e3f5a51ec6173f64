/* test_deadline_timers: the timer heap of daiban-deadline and the instants
 * a clock fires at (D-DL-1..7), without a process. */
#include <stdlib.h>
#include <glib/gstdio.h>

#include "deadline_clock.h"
#include "deadline_timers.h"

typedef struct {
    gint64 at, id;
} Pair;

static int
compare_pairs (gconstpointer a, gconstpointer b)
{
    const Pair *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Pops come out in (instant, id) order whatever the pushes' order,
 * including repeated instants, interleaved with further pushes. */
static void
test_heap_order (void)
{
    g_autoptr (DeadlineTimers) timers = deadline_timers_new ();
    GRand *rand = g_rand_new_with_seed (5);
    g_autoptr (GArray) reference = g_array_new (FALSE, FALSE, sizeof (Pair));
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 20000; i++) {
            Pair p = { g_rand_int_range (rand, 0, 5000), round * 100000 + i };
            deadline_timers_push (timers, p.at, p.id);
            g_array_append_val (reference, p);
        }
        g_array_sort (reference, compare_pairs);
        /* Pop half, keep the rest for the next round. */
        guint half = reference->len / 2;
        for (guint i = 0; i < half; i++) {
            gint64 at = 0, id = 0;
            g_assert_true (deadline_timers_pop (timers, &at, &id));
            g_assert_cmpint (at, ==, g_array_index (reference, Pair, i).at);
            g_assert_cmpint (id, ==, g_array_index (reference, Pair, i).id);
        }
        g_array_remove_range (reference, 0, half);
        g_assert_cmpuint (deadline_timers_size (timers), ==, reference->len);
    }
    g_rand_free (rand);
    gint64 at, id;
    while (deadline_timers_pop (timers, &at, &id))
        ;
    g_assert_false (deadline_timers_peek (timers, &at, &id));
}

/* Sorted rows (a restart) make a heap as they are. */
static void
test_append_sorted (void)
{
    g_autoptr (DeadlineTimers) timers = deadline_timers_new ();
    for (int i = 0; i < 1000; i++)
        deadline_timers_append_sorted (timers, i / 3, i);
    deadline_timers_push (timers, -1, 5000);
    gint64 at = 0, id = 0;
    g_assert_true (deadline_timers_pop (timers, &at, &id));
    g_assert_cmpint (id, ==, 5000);
    for (int i = 0; i < 1000; i++) {
        g_assert_true (deadline_timers_pop (timers, &at, &id));
        g_assert_cmpint (id, ==, i);
    }
}

static gint64
cst (int year, int month, int day, int hour)
{
    g_autoptr (GDateTime) t = g_date_time_new_utc (year, month, day, hour, 0, 0);
    return g_date_time_to_unix (t) * 1000 - 8 * 3600 * 1000;
}

static gint64
day_of (int year, int month, int day)
{
    GDate d;
    g_date_clear (&d, 1);
    g_date_set_dmy (&d, day, month, year);
    return deadline_day_of_date (&d);
}

/* Civil days in UTC+8: 23:59 and 00:00 China time fall on different days. */
static void
test_days (void)
{
    g_assert_cmpint (deadline_day_of_ms (cst (2026, 2, 13, 0)), ==, day_of (2026, 2, 13));
    g_assert_cmpint (deadline_day_of_ms (cst (2026, 2, 13, 0) - 1), ==, day_of (2026, 2, 12));
    g_assert_cmpint (deadline_ms_of_day (day_of (2026, 2, 13)), ==, cst (2026, 2, 13, 0));
    g_autofree char *iso = deadline_day_to_iso (day_of (2026, 2, 27));
    g_assert_cmpstr (iso, ==, "2026-02-27");
}

static DbnCalendar *
shipped (void)
{
    g_autoptr (GError) error = NULL;
    DbnCalendar *c = dbn_calendar_load (DBN_SOURCE_DIR "/schemas/data/calendar.ini", &error);
    g_assert_no_error (error);
    return c;
}

/* D-DL-1, D-DL-6: yellow at the end of the working day before the due day,
 * red at the end of the due day, violation after the grace; across the
 * 春节 holiday the working day before Tue 24 Feb is Sat 14 Feb. */
static void
test_instants (void)
{
    g_autoptr (DbnCalendar) cal = shipped ();
    gint64 started = cst (2026, 2, 13, 10);
    gint64 due = deadline_due_day (cal, NULL, DEADLINE_UNIT_WORKING, day_of (2026, 2, 13), 5, NULL);
    g_assert_cmpint (due, ==, day_of (2026, 2, 27));
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_WORKING, due, started, DEADLINE_STAGE_NONE, FALSE, 1), ==,
        cst (2026, 2, 27, 0)); /* end of Thu 26 */
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_WORKING, due, started, DEADLINE_STAGE_WARNING, FALSE, 1),
        ==, cst (2026, 2, 28, 0));
    /* Grace 1 working day: Sat 28 Feb is worked (春节调休). */
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_WORKING, due, started, DEADLINE_STAGE_OVERDUE, FALSE, 1),
        ==, cst (2026, 3, 1, 0));
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_WORKING, due, started, DEADLINE_STAGE_OVERDUE, TRUE, 1),
        ==, 0);
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_WORKING, due, started, DEADLINE_STAGE_VIOLATION, FALSE, 1),
        ==, 0);
    gint64 tue = day_of (2026, 2, 24);
    g_assert_cmpint (deadline_next_at (cal, NULL, DEADLINE_UNIT_WORKING, tue, cst (2026, 2, 13, 10),
                                       DEADLINE_STAGE_NONE, FALSE, 1),
                     ==, cst (2026, 2, 15, 0)); /* end of Sat 14 Feb */
    /* A clock started on its last day warns at once, not in the past. */
    gint64 late = cst (2026, 2, 23, 15);
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_WORKING, tue, late, DEADLINE_STAGE_NONE, FALSE, 1), ==,
        late);
}

/* D-DL-7: stopped on day t with r = working days in (t, due] left;
 * resumed on day u, due at u + r: the stopped working days are added. */
static void
test_stop_arithmetic (void)
{
    g_autoptr (DbnCalendar) cal = shipped ();
    gint64 due = deadline_due_day (cal, NULL, DEADLINE_UNIT_WORKING, day_of (2026, 4, 1), 5,
                                   NULL); /* 2, 3, 7, 8, 9 Apr */
    g_assert_cmpint (due, ==, day_of (2026, 4, 9));
    int r = deadline_remaining (cal, NULL, DEADLINE_UNIT_WORKING, day_of (2026, 4, 2), due);
    g_assert_cmpint (r, ==, 4);
    /* Stopped Thu 2 Apr, resumed Wed 8 Apr: Fri 3, Tue 7, Wed 8 did not count. */
    gint64 again = deadline_due_day (cal, NULL, DEADLINE_UNIT_WORKING, day_of (2026, 4, 8), r, NULL);
    g_assert_cmpint (again, ==, deadline_due_day (cal, NULL, DEADLINE_UNIT_WORKING, due, 3, NULL));
    g_assert_cmpint (again, ==, day_of (2026, 4, 14));
}

/* D-DL-3: a clock in calendar days counts weekends and holidays: 3 days
 * from Wed 29 Apr 2026 end on Sat 2 May (劳动节, 1–5 May off), where 3
 * working days end on Thu 7 May. It warns at the end of the calendar day
 * before; the grace before a violation stays a working day (Wed 6 May). */
static void
test_calendar_days (void)
{
    g_autoptr (DbnCalendar) cal = shipped ();
    gboolean covered = FALSE;
    gint64 from = day_of (2026, 4, 29);
    gint64 due = deadline_due_day (cal, NULL, DEADLINE_UNIT_CALENDAR, from, 3, &covered);
    g_assert_cmpint (due, ==, day_of (2026, 5, 2));
    g_assert_true (covered);
    g_assert_cmpint (deadline_due_day (cal, NULL, DEADLINE_UNIT_WORKING, from, 3, NULL), ==,
                     day_of (2026, 5, 7));
    gint64 started = cst (2026, 4, 29, 10);
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_CALENDAR, due, started, DEADLINE_STAGE_NONE, FALSE, 1), ==,
        cst (2026, 5, 2, 0)); /* end of Fri 1 May, a holiday */
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_CALENDAR, due, started, DEADLINE_STAGE_WARNING, FALSE, 1),
        ==, cst (2026, 5, 3, 0));
    g_assert_cmpint (
        deadline_next_at (cal, NULL, DEADLINE_UNIT_CALENDAR, due, started, DEADLINE_STAGE_OVERDUE, FALSE, 1),
        ==, cst (2026, 5, 7, 0));
    /* D-DL-7 in calendar days: stopped Thu 30 Apr with 2 left, resumed Wed
     * 6 May: due Fri 8 May, the 6 days stopped added. */
    int r = deadline_remaining (cal, NULL, DEADLINE_UNIT_CALENDAR, day_of (2026, 4, 30), due);
    g_assert_cmpint (r, ==, 2);
    g_assert_cmpint (deadline_due_day (cal, NULL, DEADLINE_UNIT_CALENDAR, day_of (2026, 5, 6), r, NULL), ==,
                     day_of (2026, 5, 8));
    g_assert_cmpint (deadline_remaining (cal, NULL, DEADLINE_UNIT_CALENDAR, day_of (2026, 5, 4), due), ==,
                     -2);
}

static void
test_settings (void)
{
    DeadlineSettings s;
    g_autoptr (GError) error = NULL;
    g_assert_true (deadline_settings_load (&s, NULL, &error));
    g_assert_cmpint (s.lengths[DEADLINE_CLOCK_CENTRE], ==, 1);
    g_assert_cmpint (s.lengths[DEADLINE_CLOCK_PROGRESS], ==, 5);
    g_assert_cmpint (s.lengths[DEADLINE_CLOCK_STATION], ==, 3);
    g_assert_cmpint (s.lengths[DEADLINE_CLOCK_TRANSFER], ==, 2);
    g_assert_cmpint (s.lengths[DEADLINE_CLOCK_DEPARTMENT], ==, 3);
    g_assert_cmpint (s.lengths[DEADLINE_CLOCK_COMMITTED], ==, 0);
    g_assert_cmpint (s.grace, ==, 1);
    /* D-DL-3: the seed's "3 days" for station-scope matters; 工作日 elsewhere. */
    for (int i = 0; i < DEADLINE_N_CLOCKS; i++)
        g_assert_cmpint (s.units[i], ==,
                         i == DEADLINE_CLOCK_STATION ? DEADLINE_UNIT_CALENDAR : DEADLINE_UNIT_WORKING);

    g_autofree char *dir = g_dir_make_tmp ("dbn-deadline-conf-XXXXXX", NULL);
    g_autofree char *conf = g_build_filename (dir, "daiban.conf", NULL);
    g_assert_true (g_file_set_contents (conf, "[deadline]\nprogress = 7\ngrace = 0\n", -1, NULL));
    g_autoptr (DbnConfig) config = dbn_config_load (dir, &error);
    g_assert_no_error (error);
    g_assert_true (deadline_settings_load (&s, config, &error));
    g_assert_cmpint (s.lengths[DEADLINE_CLOCK_PROGRESS], ==, 7);
    g_assert_cmpint (s.grace, ==, 0);
    g_assert_true (
        g_file_set_contents (conf, "[deadline]\nstation_unit = working\ncentre_unit = calendar\n", -1, NULL));
    g_autoptr (DbnConfig) units = dbn_config_load (dir, &error);
    g_assert_no_error (error);
    g_assert_true (deadline_settings_load (&s, units, &error));
    g_assert_cmpint (s.units[DEADLINE_CLOCK_STATION], ==, DEADLINE_UNIT_WORKING);
    g_assert_cmpint (s.units[DEADLINE_CLOCK_CENTRE], ==, DEADLINE_UNIT_CALENDAR);
    g_assert_true (g_file_set_contents (conf, "[deadline]\nstation_unit = fortnight\n", -1, NULL));
    g_autoptr (DbnConfig) bad_unit = dbn_config_load (dir, &error);
    g_assert_no_error (error);
    g_assert_false (deadline_settings_load (&s, bad_unit, &error));
    g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
    g_assert_nonnull (strstr (error->message, "station_unit"));
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (conf, "[deadline]\nprogress = soon\n", -1, NULL));
    g_autoptr (DbnConfig) bad = dbn_config_load (dir, &error);
    g_assert_no_error (error);
    g_assert_false (deadline_settings_load (&s, bad, &error));
    g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
    g_clear_error (&error);
    g_assert_true (g_file_set_contents (conf, "[deadline]\nprogres = 7\n", -1, NULL));
    g_assert_null (dbn_config_load (dir, &error));
    g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
    g_unlink (conf);
    g_rmdir (dir);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/deadline/timers/heap-order", test_heap_order);
    g_test_add_func ("/deadline/timers/append-sorted", test_append_sorted);
    g_test_add_func ("/deadline/clock/civil-days-utc8", test_days);
    g_test_add_func ("/deadline/clock/D-DL-6/stage-instants", test_instants);
    g_test_add_func ("/deadline/clock/D-DL-7/stop-arithmetic", test_stop_arithmetic);
    g_test_add_func ("/deadline/clock/D-DL-3/calendar-days", test_calendar_days);
    g_test_add_func ("/deadline/clock/settings", test_settings);
    return g_test_run ();
}
