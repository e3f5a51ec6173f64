/* test_group_handover_gui.c: issue 16 item 2 in daiban-client, under Xvfb,
 * against the real intake, routing and deadline services. Group agent
 * 刘大山 (group:qs-liu, 一组 of 清水村) hands a request to the station with
 * `daiban handover submit`; the station's screen (station:qingshui) shows it
 * on its page 组转交 "from group 一组" (station-group-handover.png); without
 * the applicant's consent ticked intake refuses and the request keeps
 * waiting (D-INT-2); ticked, the station accepts it and gets its case number
 * (station-group-accepted.png). Screenshots in build/screenshots/. */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "dbn_application.h"
#include "dbn_main_window.h"
#include "dbn_station_view-private.h"
#include "dbn_test_harness.h"
#include "gui_harness.h"

typedef struct {
    DbnStationHandovers *page;
    guint n;
} LinesWait;

static gboolean
shows_lines (gpointer data)
{
    LinesWait *w = data;
    return g_list_model_get_n_items (dbn_station_handovers_get_lines (w->page)) == w->n;
}

static gboolean
status_has_error (gpointer data)
{
    return strstr (dbn_station_handovers_get_status (data), "intake.no-consent") != NULL
           || strstr (dbn_station_handovers_get_status (data), "同意") != NULL;
}

static gboolean
has_case (gpointer data)
{
    return dbn_station_handovers_get_last_case (data) != NULL;
}

static void
test_station_sees_group_request (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autofree char *station_key = dbn_harness_add_key (h, "station:qingshui");
    g_autofree char *group_key = dbn_harness_add_key (h, "group:qs-liu");
    g_autofree char *client_dir = g_build_filename (dbn_harness_get_data_dir (h), "clients", NULL);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    GSubprocess *deadline = dbn_harness_start_service (h, "deadline");

    g_autofree char *id = dbn_test_id_number (41);
    g_autofree char *number =
        cli_out (h, group_key,
                 (const char *[]){ "handover", "submit", "--matter", "MZ-WUBAO", "--applicant", "周八",
                                   "--id-number", id, "--phone", "13800138091", "--materials",
                                   "申请书,户口簿,身份证,本人劳动能力和收入状况说明", "--note",
                                   "行动不便，托组长转交", NULL },
                 TRUE);

    DbnMainWindow *window =
        open_main_window (station_key, dbn_harness_get_data_dir (h), client_dir, 1190, 750);
    g_assert_true (wait_for (is_online, window, 10000));
    g_assert_true (DBN_IS_STATION_VIEW (dbn_main_window_get_view (window)));
    DbnStationView *view = DBN_STATION_VIEW (dbn_main_window_get_view (window));
    DbnStationHandovers *page = dbn_station_view_get_handovers (view);
    dbn_station_view_show_page (view, "handovers");
    LinesWait one = { page, 1 };
    g_assert_true (wait_for (shows_lines, &one, 10000));
    g_autoptr (GtkStringObject) line = g_list_model_get_item (dbn_station_handovers_get_lines (page), 0);
    const char *text = gtk_string_object_get_string (line);
    g_assert_true (g_str_has_prefix (text, number));
    g_assert_nonnull (strstr (text, "来自一组"));
    /* The station's list masks the name (many read the screen). */
    g_assert_nonnull (strstr (text, "周*"));
    g_assert_true (dbn_station_handovers_select (page, number));
    screenshot (GTK_WIDGET (window), "station-group-handover.png");

    /* D-INT-2: not without the applicant's consent; the request waits. */
    dbn_station_handovers_set_consent (page, FALSE);
    gtk_widget_activate_action (GTK_WIDGET (page), "handovers.accept", NULL);
    g_assert_true (wait_for (status_has_error, page, 10000));
    g_assert_null (dbn_station_handovers_get_last_case (page));
    g_assert_cmpuint (g_list_model_get_n_items (dbn_station_handovers_get_lines (page)), ==, 1);

    dbn_station_handovers_set_consent (page, TRUE);
    gtk_widget_activate_action (GTK_WIDGET (page), "handovers.accept", NULL);
    g_assert_true (wait_for (has_case, page, 10000));
    g_assert_true (g_str_has_prefix (dbn_station_handovers_get_last_case (page), "T01-"));
    g_assert_nonnull (
        strstr (dbn_station_handovers_get_status (page), dbn_station_handovers_get_last_case (page)));
    LinesWait none = { page, 0 };
    g_assert_true (wait_for (shows_lines, &none, 10000));
    screenshot (GTK_WIDGET (window), "station-group-accepted.png");

    gtk_window_destroy (GTK_WINDOW (window));
    while (g_main_context_iteration (NULL, FALSE))
        ;
    g_assert_true (dbn_harness_stop (deadline, 5000));
    g_assert_true (dbn_harness_stop (routing, 5000));
    g_assert_true (dbn_harness_stop (intake, 5000));
    g_object_unref (deadline);
    g_object_unref (routing);
    g_object_unref (intake);
}

int
main (int argc, char **argv)
{
    gui_test_init (&argc, &argv, "test_group_handover_gui", TRUE);
    g_test_add_func ("/client/gui/D-INT-2/station-sees-group-request", test_station_sees_group_request);
    return g_test_run ();
}
