/* test_clock.c: manual, file and wall clocks, and UTC+8 local time. */
#include <glib/gstdio.h>

#include "daiban/dbn_clock.h"

/* 2025-12-31T15:59:59.999Z = 2025-12-31 23:59:59.999 in Beijing. */
#define NEW_YEAR_MINUS_1MS G_GINT64_CONSTANT (1767196799999)

static void
test_manual_set_advance (void)
{
    g_autoptr (DbnClock) clock = dbn_clock_new_manual (1000);
    g_assert_true (dbn_clock_is_manual (clock));
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 1000);
    /* It does not move by itself. */
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 1000);
    dbn_clock_advance_ms (clock, 5 * 24 * 3600 * 1000LL);
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 1000 + 5 * 24 * 3600 * 1000LL);
    dbn_clock_set_ms (clock, 42);
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 42);
    dbn_clock_advance_ms (clock, -2);
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 40);
}

static void
test_wall (void)
{
    g_autoptr (DbnClock) clock = dbn_clock_new_wall ();
    g_assert_false (dbn_clock_is_manual (clock));
    gint64 before = g_get_real_time () / 1000;
    gint64 now = dbn_clock_now_ms (clock);
    gint64 after = g_get_real_time () / 1000;
    g_assert_cmpint (now, >=, before);
    g_assert_cmpint (now, <=, after);

    /* Moving a wall clock is a programmer error. */
    g_test_expect_message ("daiban-clock", G_LOG_LEVEL_CRITICAL, "*CLOCK_MANUAL*");
    dbn_clock_set_ms (clock, 1);
    g_test_assert_expected_messages ();
}

typedef struct {
    char *dir;  /* temporary folder */
    char *path; /* dir/clock */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->dir = g_dir_make_tmp ("daiban-clock-XXXXXX", &error);
    g_assert_no_error (error);
    f->path = g_build_filename (f->dir, "clock", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    g_unlink (f->path);
    g_rmdir (f->dir);
    g_free (f->path);
    g_free (f->dir);
}

static void
write_clock (const char *path, const char *text)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (g_file_set_contents (path, text, -1, &error));
    g_assert_no_error (error);
}

/* Waits (polling, bounded at 5 s) until the clock shows expected. */
static void
wait_for_ms (DbnClock *clock, gint64 expected)
{
    gint64 give_up = g_get_monotonic_time () + 5 * G_TIME_SPAN_SECOND;
    while (dbn_clock_now_ms (clock) != expected) {
        g_assert_cmpint (g_get_monotonic_time (), <, give_up);
        g_usleep (5 * 1000);
    }
}

static void
test_file_moves (Fixture *f, gconstpointer data)
{
    write_clock (f->path, "1000\n");
    gint64 t0 = g_get_monotonic_time ();
    g_autoptr (DbnClock) clock = dbn_clock_new_file (f->path);
    g_assert_true (dbn_clock_is_manual (clock));
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 1000);

    write_clock (f->path, "2000");
    gint64 value = dbn_clock_now_ms (clock);
    /* Within 50 ms of the first read the file is not read again. Only
     * checkable when this machine was quick enough. */
    if (g_get_monotonic_time () - t0 < 50 * G_TIME_SPAN_MILLISECOND)
        g_assert_cmpint (value, ==, 1000);
    else
        g_test_message ("too slow to check the 50 ms re-read interval");

    wait_for_ms (clock, 2000);
    write_clock (f->path, "  1767196799999  \n");
    wait_for_ms (clock, NEW_YEAR_MINUS_1MS);
    g_autoptr (GDateTime) local = dbn_clock_dup_local_now (clock);
    g_assert_cmpint (g_date_time_get_year (local), ==, 2025);
    g_assert_cmpint (g_date_time_get_hour (local), ==, 23);
}

static void
test_file_bad_keeps_last_good (Fixture *f, gconstpointer data)
{
    write_clock (f->path, "5000");
    g_autoptr (DbnClock) clock = dbn_clock_new_file (f->path);
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 5000);

    write_clock (f->path, "five thousand and one");
    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*clock file unusable*last good*");
    /* The condition is "50 ms of monotonic time passed": sleeping is the wait. */
    g_usleep (60 * 1000);
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 5000);
    g_test_assert_expected_messages ();

    /* Logged once only: a second bad read is silent (an unexpected warning
     * would abort the test). */
    write_clock (f->path, "-7");
    g_usleep (60 * 1000);
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 5000);
    g_unlink (f->path);
    g_usleep (60 * 1000);
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 5000);

    write_clock (f->path, "6000");
    wait_for_ms (clock, 6000);
}

static void
test_file_missing_follows_wall (Fixture *f, gconstpointer data)
{
    g_autoptr (DbnClock) clock = dbn_clock_new_file (f->path);
    g_test_expect_message (NULL, G_LOG_LEVEL_WARNING, "*clock file unusable*wall clock*");
    gint64 before = g_get_real_time () / 1000;
    gint64 now = dbn_clock_now_ms (clock);
    g_test_assert_expected_messages ();
    g_assert_cmpint (now, >=, before);
    g_assert_cmpint (now, <=, g_get_real_time () / 1000);

    write_clock (f->path, "123");
    wait_for_ms (clock, 123);
}

static void
test_from_env (Fixture *f, gconstpointer data)
{
    write_clock (f->path, "777");
    g_setenv ("DAIBAN_CLOCK_FILE", f->path, TRUE);
    DbnClock *clock = dbn_clock_new_from_env ();
    g_assert_true (dbn_clock_is_manual (clock));
    g_assert_cmpint (dbn_clock_now_ms (clock), ==, 777);
    dbn_clock_free (clock);

    g_unsetenv ("DAIBAN_CLOCK_FILE");
    clock = dbn_clock_new_from_env ();
    g_assert_false (dbn_clock_is_manual (clock));
    dbn_clock_free (clock);

    clock = dbn_clock_new_file (NULL);
    g_assert_false (dbn_clock_is_manual (clock));
    dbn_clock_free (clock);
}

static void
assert_local (GDateTime *dt, int year, int month, int day, int hour, int minute, int second, int ms)
{
    g_assert_nonnull (dt);
    g_assert_cmpint (g_date_time_get_year (dt), ==, year);
    g_assert_cmpint (g_date_time_get_month (dt), ==, month);
    g_assert_cmpint (g_date_time_get_day_of_month (dt), ==, day);
    g_assert_cmpint (g_date_time_get_hour (dt), ==, hour);
    g_assert_cmpint (g_date_time_get_minute (dt), ==, minute);
    g_assert_cmpint (g_date_time_get_second (dt), ==, second);
    g_assert_cmpint (g_date_time_get_microsecond (dt), ==, ms * 1000);
    g_assert_cmpint (g_date_time_get_utc_offset (dt), ==, 8 * G_TIME_SPAN_HOUR);
}

/* Midnight in Beijing is 16:00 UTC the day before: the date changes there,
 * not at UTC midnight. */
static void
test_local_midnight (void)
{
    g_autoptr (DbnClock) clock = dbn_clock_new_manual (NEW_YEAR_MINUS_1MS);
    GDateTime *dt = dbn_clock_dup_local_now (clock);
    assert_local (dt, 2025, 12, 31, 23, 59, 59, 999);
    g_date_time_unref (dt);

    dbn_clock_advance_ms (clock, 1);
    dt = dbn_clock_dup_local_now (clock);
    assert_local (dt, 2026, 1, 1, 0, 0, 0, 0);
    g_date_time_unref (dt);

    /* UTC midnight is 08:00 local, the same local day. */
    dbn_clock_advance_ms (clock, 8 * 3600 * 1000LL - 1);
    dt = dbn_clock_dup_local_now (clock);
    assert_local (dt, 2026, 1, 1, 7, 59, 59, 999);
    g_date_time_unref (dt);
    dbn_clock_advance_ms (clock, 1);
    dt = dbn_clock_dup_local_now (clock);
    assert_local (dt, 2026, 1, 1, 8, 0, 0, 0);
    g_date_time_unref (dt);

    /* The same conversion without a clock; before 1970 too. */
    dt = dbn_clock_local_from_ms (0);
    assert_local (dt, 1970, 1, 1, 8, 0, 0, 0);
    g_date_time_unref (dt);
    dt = dbn_clock_local_from_ms (-1);
    assert_local (dt, 1970, 1, 1, 7, 59, 59, 999);
    g_date_time_unref (dt);
    /* 2025-02-28 16:00 UTC: 1 March local (not a leap year). */
    dt = dbn_clock_local_from_ms (G_GINT64_CONSTANT (1740758400000));
    assert_local (dt, 2025, 3, 1, 0, 0, 0, 0);
    g_date_time_unref (dt);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/clock/manual/set-advance", test_manual_set_advance);
    g_test_add_func ("/clock/wall/reads-real-time", test_wall);
    g_test_add ("/clock/file/moves-when-rewritten", Fixture, NULL, fixture_set_up, test_file_moves,
                fixture_tear_down);
    g_test_add ("/clock/file/bad-file-keeps-last-good", Fixture, NULL, fixture_set_up,
                test_file_bad_keeps_last_good, fixture_tear_down);
    g_test_add ("/clock/file/missing-follows-wall", Fixture, NULL, fixture_set_up,
                test_file_missing_follows_wall, fixture_tear_down);
    g_test_add ("/clock/env/file-or-wall", Fixture, NULL, fixture_set_up, test_from_env, fixture_tear_down);
    g_test_add_func ("/clock/local/midnight-utc8", test_local_midnight);
    return g_test_run ();
}
