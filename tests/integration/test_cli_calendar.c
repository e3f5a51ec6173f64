/* test_cli_calendar: `daiban calendar add|is-workday|show` as scripts use
 * them (D-DL-5): the date alone on stdout, the coverage flag in --json and
 * a note on stderr outside the calendar, usage errors with status 2, and a
 * data folder's own calendar.ini taking precedence over the shipped one. */
#include <glib/gstdio.h>
#include <string.h>

#include "dbn_test_harness.h"

static DbnCliRun
run (const char *dir, const char *const *args)
{
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_ptr_array_add (argv, (gpointer) "--data");
    g_ptr_array_add (argv, (gpointer) dir);
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (argv, (gpointer) args[i]);
    g_ptr_array_add (argv, NULL);
    return dbn_harness_run_cli ((const char *const *) argv->pdata);
}

static char *
empty_dir (void)
{
    g_autoptr (GError) error = NULL;
    char *dir = g_dir_make_tmp ("daiban-cli-cal-XXXXXX", &error);
    g_assert_no_error (error);
    return dir;
}

static void
remove_dir (const char *dir)
{
    g_autofree char *cal = g_build_filename (dir, "calendar.ini", NULL);
    g_unlink (cal);
    g_rmdir (dir);
}

static void
test_add (void)
{
    g_autofree char *dir = empty_dir ();
    DbnCliRun r = run (dir, (const char *[]){ "calendar", "add", "2026-02-13", "5", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "2026-02-27\n");
    g_assert_cmpstr (r.err, ==, "");
    dbn_cli_run_clear (&r);

    /* 国庆 2025: 28 Sep worked, 1..8 Oct off, 11 Oct worked. */
    r = run (dir, (const char *[]){ "calendar", "add", "2025-09-26", "6", NULL });
    g_assert_cmpstr (r.out, ==, "2025-10-11\n");
    dbn_cli_run_clear (&r);

    /* 2027 is not in the data: weekends only, flagged. */
    r = run (dir, (const char *[]){ "calendar", "add", "2026-12-28", "5", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_cmpstr (r.out, ==, "2027-01-04\n");
    g_assert_nonnull (strstr (r.err, "weekends only"));
    dbn_cli_run_clear (&r);
    r = run (dir, (const char *[]){ "calendar", "add", "--json", "2026-12-28", "5", NULL });
    g_assert_cmpstr (r.out, ==,
                     "{\"from\":\"2026-12-28\",\"days\":5,\"date\":\"2027-01-04\",\"covered\":false}\n");
    dbn_cli_run_clear (&r);
    r = run (dir, (const char *[]){ "calendar", "add", "--json", "2026-02-13", "5", NULL });
    g_assert_nonnull (strstr (r.out, "\"covered\":true"));
    dbn_cli_run_clear (&r);

    /* Bad input is a usage error. */
    const char *const *bad[] = {
        (const char *[]){ "calendar", "add", "2026-02-30", "5", NULL },
        (const char *[]){ "calendar", "add", "2026-02-13", "five", NULL },
        (const char *[]){ "calendar", "add", "13/02/2026", "5", NULL },
        (const char *[]){ "calendar", "add", "2026-02-13", NULL },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
        r = run (dir, bad[i]);
        g_assert_cmpint (r.status, ==, 2);
        g_assert_cmpstr (r.out, ==, "");
        dbn_cli_run_clear (&r);
    }
    remove_dir (dir);
}

static void
test_is_workday (void)
{
    g_autofree char *dir = empty_dir ();
    struct {
        const char *date;
        const char *answer;
    } days[] = {
        { "2026-02-14", "yes\n" }, /* Saturday worked (春节调休) */
        { "2026-02-15", "no\n" },  /* 春节 */
        { "2026-03-09", "yes\n" }, /* an ordinary Monday */
        { "2026-03-07", "no\n" },  /* an ordinary Saturday */
        { "2025-01-26", "yes\n" }, /* Sunday worked (春节调休) */
    };
    for (gsize i = 0; i < G_N_ELEMENTS (days); i++) {
        DbnCliRun r = run (dir, (const char *[]){ "calendar", "is-workday", days[i].date, NULL });
        g_assert_cmpint (r.status, ==, 0);
        g_assert_cmpstr (r.out, ==, days[i].answer);
        dbn_cli_run_clear (&r);
    }
    DbnCliRun r = run (dir, (const char *[]){ "calendar", "is-workday", "--json", "2026-02-15", NULL });
    g_assert_cmpstr (r.out, ==,
                     "{\"date\":\"2026-02-15\",\"workday\":false,\"kind\":\"holiday\",\"name\":\"春节\","
                     "\"covered\":true}\n");
    dbn_cli_run_clear (&r);
    remove_dir (dir);
}

/* A later year added as data in the data folder (D-DL-5). */
static void
test_data_dir_calendar (void)
{
    g_autofree char *dir = empty_dir ();
    g_autofree char *cal = g_build_filename (dir, "calendar.ini", NULL);
    g_assert_true (
        g_file_set_contents (cal, "[year 2026]\n[year 2027]\nholiday = 2027-01-01 元旦\n", -1, NULL));
    DbnCliRun r = run (dir, (const char *[]){ "calendar", "add", "--json", "2026-12-31", "1", NULL });
    g_assert_cmpstr (r.out, ==,
                     "{\"from\":\"2026-12-31\",\"days\":1,\"date\":\"2027-01-04\",\"covered\":true}\n");
    dbn_cli_run_clear (&r);
    r = run (dir, (const char *[]){ "calendar", "show", "2027", NULL });
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.out, "2027-01-01  休 holiday  元旦\n"));
    dbn_cli_run_clear (&r);
    /* A broken file is refused with its line. */
    g_assert_true (g_file_set_contents (cal, "[year 2026]\nworkday = 2026-01-05\n", -1, NULL));
    r = run (dir, (const char *[]){ "calendar", "add", "2026-01-02", "1", NULL });
    g_assert_cmpint (r.status, !=, 0);
    /* Chinese by default: the sentence and the file's line. */
    g_assert_nonnull (strstr (r.err, "[calendar.invalid] 工作日历文件内容不合规则（"));
    g_assert_nonnull (strstr (r.err, "calendar.ini:2）"));
    dbn_cli_run_clear (&r);
    g_autofree char *data = g_strdup_printf ("--data=%s", dir);
    r = dbn_harness_run_cli_english ((const char *[]){ data, "calendar", "add", "2026-01-02", "1", NULL });
    g_assert_cmpint (r.status, !=, 0);
    g_assert_nonnull (strstr (r.err, "[calendar.invalid] the calendar file breaks a rule: "));
    g_assert_nonnull (strstr (r.err, "calendar.ini:2:"));
    dbn_cli_run_clear (&r);
    remove_dir (dir);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/cli/calendar/D-DL-5/add", test_add);
    g_test_add_func ("/cli/calendar/D-DL-5/is-workday", test_is_workday);
    g_test_add_func ("/cli/calendar/D-DL-5/data-dir-calendar", test_data_dir_calendar);
    return g_test_run ();
}
