/* test_board_gui.c: issue 16 item 4, daiban-client --board (the township
 * hall's kiosk), under Xvfb, against the real intake, routing and
 * evaluation services, with a board:hall key. Two cases are on the board
 * from its snapshot, a third arrives live on topic pub/; each shows its
 * number, matter and the applicant masked (张**), never the full name, id
 * number or phone. The pages turn by themselves (page_seconds 1) to the
 * catalog and the month's stars. Screens saved in build/screenshots/
 * (board-progress.png, board-catalog.png, board-stars.png). */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "dbn_application.h"
#include "dbn_board_window.h"
#include "dbn_test_harness.h"
#include "gui_harness.h"

static char *
submit (DbnHarness *h, guint n, const char *applicant)
{
    g_autofree char *key = g_strdup_printf ("board-gui-%u", n);
    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (key, n, TRUE);
    g_free (m->applicant);
    m->applicant = g_strdup (applicant);
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (h, "intake", body, 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return g_strdup (r->case_no);
}

typedef struct {
    DbnBoardWindow *window;
    guint want;
} Want;

static gboolean
has_rows (gpointer data)
{
    Want *w = data;
    return dbn_board_get_n_rows (dbn_board_window_get_board (w->window)) >= w->want;
}

static gboolean
on_page (gpointer data)
{
    Want *w = data;
    return dbn_board_window_get_page (w->window) == w->want;
}

static void
assert_private (const char *text, const char *applicant, guint n)
{
    g_autofree char *id = dbn_test_id_number (n);
    g_autofree char *phone = g_strdup_printf ("138%08u", n % 100000000);
    g_assert_null (strstr (text, applicant));
    g_assert_null (strstr (text, id));
    g_assert_null (strstr (text, phone));
}

static void
test_board_kiosk (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autofree char *key = dbn_harness_add_key (h, "board:hall");
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    GSubprocess *evaluation = dbn_harness_start_service (h, "evaluation");
    const char *names[] = { "张三丰", "李四", "欧阳娜娜" };
    char *cases[3] = { submit (h, 8101, names[0]), submit (h, 8102, names[1]), NULL };

    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConnection) connection = dbn_connection_new (dbn_harness_get_data_dir (h), key, &error);
    g_assert_no_error (error);
    /* One-second pages: the turns are part of what is tested. */
    DbnBoardWindow *window = dbn_board_window_new (NULL, connection, 1);
    gtk_window_present (GTK_WINDOW (window));
    Want two = { window, 2 };
    g_assert_true (wait_for (has_rows, &two, 20000));
    /* A third case, after the snapshot: it comes live on pub/. */
    cases[2] = submit (h, 8103, names[2]);
    Want three = { window, 3 };
    g_assert_true (wait_for (has_rows, &three, 20000));

    /* A page is rebuilt when it is shown: one round later the progress page
     * holds the third case. */
    Want second = { window, 1 }, first = { window, 0 };
    g_assert_true (wait_for (on_page, &second, 20000));
    g_assert_true (wait_for (on_page, &first, 20000));
    g_autofree char *progress = dbn_board_window_dup_page_text (window);
    g_test_message ("progress page:\n%s", progress);
    g_assert_nonnull (strstr (progress, "办理进度"));
    const char *masked[] = { "张**", "李**", "欧**" };
    for (guint i = 0; i < 3; i++) {
        g_assert_nonnull (strstr (progress, cases[i]));
        g_assert_nonnull (strstr (progress, masked[i]));
        assert_private (progress, names[i], 8101 + i);
    }
    screenshot (GTK_WIDGET (window), "board-progress.png");

    /* It turns by itself: the catalog next, the stars last. */
    Want catalog = { window, 1 };
    g_assert_true (wait_for (on_page, &catalog, 5000));
    g_autofree char *catalog_text = dbn_board_window_dup_page_text (window);
    g_assert_nonnull (strstr (catalog_text, "代办事项清单"));
    g_assert_nonnull (strstr (catalog_text, "个工作日"));
    screenshot (GTK_WIDGET (window), "board-catalog.png");
    Want stars = { window, dbn_board_window_get_n_pages (window) - 1 };
    g_assert_true (wait_for (on_page, &stars, 20000));
    g_autofree char *stars_text = dbn_board_window_dup_page_text (window);
    g_assert_nonnull (strstr (stars_text, "本月星级评定"));
    screenshot (GTK_WIDGET (window), "board-stars.png");

    gtk_window_destroy (GTK_WINDOW (window));
    while (g_main_context_iteration (NULL, FALSE))
        ;
    for (guint i = 0; i < 3; i++)
        g_free (cases[i]);
    g_clear_object (&connection);
    dbn_harness_stop (evaluation, 5000);
    dbn_harness_stop (routing, 5000);
    dbn_harness_stop (intake, 5000);
    g_object_unref (evaluation);
    g_object_unref (routing);
    g_object_unref (intake);
}

int
main (int argc, char **argv)
{
    gui_test_init (&argc, &argv, "test_board_gui", TRUE);
    g_test_add_func ("/client/gui/D-AUD-4/board-kiosk", test_board_kiosk);
    return g_test_run ();
}
