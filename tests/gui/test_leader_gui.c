/* test_leader_gui.c: the duty leader's page (D-AUD-6) against the real five
 * services, under Xvfb, on a manual clock. A case is taken on Monday
 * 2026-03-02; at midnight the audit service drafts every window's summary;
 * a leader:zhang key opens the client on the leader page, which lists the
 * drafts; its sign action signs jisheng's (the leader's .sign key beside
 * its key file) and the row turns signed; the summary exported to PDF
 * reads, by pdftotext, the title, the window, the day, the count and the
 * leader's signature, and so does the print action printed to a file. Screens and the paper are saved in
 * build/screenshots/.
 */
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "audit_service.h"
#include "dbn_application.h"
#include "dbn_leader_view.h"
#include "dbn_main_window.h"
#include "dbn_test_harness.h"
#include "gui_harness.h"

static const char *const services[] = { "intake", "routing", "deadline", "evaluation", "audit", NULL };

static gint64
cst (int month, int day, int hour)
{
    g_autoptr (GDateTime) t = g_date_time_new_utc (2026, month, day, hour, 0, 0);
    return g_date_time_to_unix (t) * 1000 - 8 * 3600 * 1000;
}

static void
set_clock (const char *file, gint64 ms)
{
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", ms);
    g_autofree char *tmp = g_strconcat (file, ".tmp", NULL);
    g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
    g_assert_cmpint (g_rename (tmp, file), ==, 0);
}

/* Entries of type in the record (read-only, beside the running service). */
static gint64
entries_of (const char *dir, const char *type)
{
    g_autofree char *path = g_build_filename (dir, "audit.db", NULL);
    sqlite3 *db = NULL;
    gint64 n = 0;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout (db, 2000);
        sqlite3_stmt *s = NULL;
        if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM audit_entry WHERE type = ?", -1, &s, NULL)
            == SQLITE_OK) {
            sqlite3_bind_text (s, 1, type, -1, SQLITE_STATIC);
            if (sqlite3_step (s) == SQLITE_ROW)
                n = sqlite3_column_int64 (s, 0);
        }
        sqlite3_finalize (s);
    }
    sqlite3_close (db);
    return n;
}

static gboolean
record_has (gpointer data)
{
    const char *const *what = data;
    return entries_of (what[0], what[1]) > 0;
}

static gboolean
drafts_shown (gpointer view)
{
    return dbn_leader_view_get_n_drafts (view) > 0;
}

static gboolean
jisheng_signed (gpointer view)
{
    return dbn_leader_view_is_signed (view, "jisheng");
}

static void
test_leader_page (void)
{
    g_autofree char *poppler = g_find_program_in_path ("pdftotext");
    if (poppler == NULL) {
        g_test_skip ("pdftotext (poppler-utils) is not installed: the summary PDF cannot be read");
        return;
    }
    g_autoptr (GError) error = NULL;
    DbnHarness *h = dbn_harness_new (FALSE);
    const char *dir = dbn_harness_get_data_dir (h);
    g_autofree char *clock = g_build_filename (dir, "clock", NULL);
    set_clock (clock, cst (3, 2, 10));
    g_setenv ("DAIBAN_CLOCK_FILE", clock, TRUE);
    g_assert_true (audit_signing_key_ensure (dir, &error));
    g_assert_no_error (error);
    GSubprocess *procs[5];
    for (int i = 0; services[i] != NULL; i++)
        procs[i] = dbn_harness_start_service (h, services[i]);
    g_autofree char *leader = dbn_harness_add_key (h, "leader:zhang");

    /* Monday: a case for jisheng (the harness's default matter), walk-in. */
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new ("leader-gui-1", 1, TRUE);
    g_free (m->channel);
    m->channel = g_strdup ("walk-in");
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, 10000, &error);
    g_assert_no_error (error);
    const char *routed[] = { dir, "case.routed" };
    g_assert_true (wait_for (record_has, routed, 30000));
    /* Midnight: the day is over and drafted. */
    set_clock (clock, cst (3, 3, 0) + 1000);
    const char *drafted[] = { dir, "audit.summary" };
    g_assert_true (wait_for (record_has, drafted, 30000));

    g_autofree char *client_dir = g_build_filename (dir, "clients", NULL);
    DbnMainWindow *window = open_main_window (leader, dir, client_dir, 1200, 700);
    GtkWidget *view = dbn_main_window_get_view (window);
    g_assert_true (DBN_IS_LEADER_VIEW (view));
    g_assert_true (wait_for (drafts_shown, view, 20000));
    g_assert_true (wait_for (is_online, window, 20000));
    g_assert_cmpstr (dbn_leader_view_get_day (DBN_LEADER_VIEW (view)), ==, "2026-03-02");
    g_assert_false (dbn_leader_view_is_signed (DBN_LEADER_VIEW (view), "jisheng"));
    screenshot (GTK_WIDGET (window), "leader-page-unsigned.png");

    /* The row's sign action, as the leader clicks it. */
    g_assert_true (dbn_leader_view_sign (DBN_LEADER_VIEW (view), "jisheng"));
    g_assert_true (wait_for (jisheng_signed, view, 20000));
    g_assert_cmpstr (dbn_leader_view_get_status (DBN_LEADER_VIEW (view)), ==, "");
    g_assert_false (dbn_leader_view_sign (DBN_LEADER_VIEW (view), "jisheng"));
    screenshot (GTK_WIDGET (window), "leader-page-signed.png");

    g_autofree char *pdf = g_build_filename (dir, "summary-jisheng.pdf", NULL);
    g_assert_true (dbn_leader_view_export_pdf (DBN_LEADER_VIEW (view), "jisheng", pdf, &error));
    g_assert_no_error (error);
    g_autofree char *text = pdf_text (pdf);
    g_test_message ("PDF text:\n%s", text);
    g_assert_nonnull (strstr (text, "窗口当日汇总"));
    g_assert_nonnull (strstr (text, "jisheng"));
    g_assert_nonnull (strstr (text, "2026-03-02"));
    g_assert_nonnull (strstr (text, "受理件数"));
    g_assert_nonnull (strstr (text, "leader:zhang"));
    g_assert_null (strstr (text, "未签字"));
    g_assert_nonnull (strstr (text, "值班领导签字"));
    g_assert_null (strstr (text, "申办人签字"));
    /* The print action's operation, printed to a file, draws the same paper. */
    g_autofree char *printed = g_build_filename (dir, "summary-jisheng-printed.pdf", NULL);
    g_assert_true (dbn_leader_view_print_to_file (DBN_LEADER_VIEW (view), "jisheng", printed, &error));
    g_assert_no_error (error);
    g_autofree char *printed_text = pdf_text (printed);
    g_assert_nonnull (strstr (printed_text, "窗口当日汇总"));
    g_assert_nonnull (strstr (printed_text, "leader:zhang"));
    const char *build = g_getenv ("DAIBAN_BUILD_DIR");
    g_autofree char *shots = g_build_filename (build ? build : ".", "screenshots", NULL);
    g_mkdir_with_parents (shots, 0755);
    g_autofree char *base = g_build_filename (shots, "leader-summary-pdf", NULL);
    const char *argv[] = { "pdftoppm", "-png", "-r", "72", "-singlefile", pdf, base, NULL };
    int status = 0;
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                                 &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));

    gtk_window_destroy (GTK_WINDOW (window));
    while (g_main_context_iteration (NULL, FALSE))
        ;
    for (int i = 4; i >= 0; i--) {
        g_assert_true (dbn_harness_stop (procs[i], 10000));
        g_object_unref (procs[i]);
    }
    g_unsetenv ("DAIBAN_CLOCK_FILE");
    dbn_harness_free (h);
}

int
main (int argc, char **argv)
{
    gui_test_init (&argc, &argv, "test_leader_gui", FALSE);
    g_test_add_func ("/client/gui/D-AUD-6/leader-page", test_leader_page);
    return g_test_run ();
}
