/* test_front_back_gui.c: D-RTE-6 in daiban-client, under Xvfb, against the
 * real intake, routing and deadline services. Window minzheng's desks are
 * split (org.ini split_desks): a front:minzheng key opens the front desk's
 * run-sheet page, a back:minzheng key the clerk's handling queue. A
 * station's case carried on a run sheet is signed for at the front desk and
 * classified in the back office; each screen is saved in build/screenshots/
 * (front-desk.png, back-office.png). */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "dbn_application.h"
#include "dbn_clerk_view-private.h"
#include "dbn_front_desk-private.h"
#include "dbn_main_window.h"
#include "dbn_test_harness.h"

/* ---- waiting without sleeping (as test_client_gui) ---- */

static gboolean
wake (gpointer data)
{
    return G_SOURCE_CONTINUE;
}

typedef gboolean (*Condition) (gpointer data);

static gboolean
wait_for (Condition cond, gpointer data, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    guint tick = g_timeout_add (10, wake, NULL);
    gboolean ok = cond (data);
    while (!ok && g_get_monotonic_time () < deadline) {
        g_main_context_iteration (NULL, TRUE);
        ok = cond (data);
    }
    g_source_remove (tick);
    return ok;
}

static gboolean
frame_done (gpointer data)
{
    return *(gboolean *) data;
}

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
    *(gboolean *) data = TRUE;
}

static void
screenshot (GtkWidget *window, const char *name)
{
    while (g_main_context_iteration (NULL, FALSE))
        ;
    GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
    if (clock != NULL) {
        gboolean painted = FALSE;
        gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
        gtk_widget_queue_draw (window);
        wait_for (frame_done, &painted, 2000);
        g_signal_handler_disconnect (clock, id);
    }
    int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);
    g_assert_cmpint (w, >, 0);
    g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (window);
    GtkSnapshot *snapshot = gtk_snapshot_new ();
    gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
    GskRenderNode *node = gtk_snapshot_free_to_node (snapshot);
    g_assert_nonnull (node);
    GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
    g_autoptr (GdkTexture) texture =
        gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
    gsk_render_node_unref (node);
    const char *build = g_getenv ("DAIBAN_BUILD_DIR");
    g_autofree char *dir = g_build_filename (build ? build : ".", "screenshots", NULL);
    g_mkdir_with_parents (dir, 0755);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_assert_true (gdk_texture_save_to_png (texture, path));
    g_test_message ("screenshot %s", path);
}

static gboolean
gl_driver_loaded (void)
{
    g_autofree char *maps = NULL;
    if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
        return FALSE;
    return strstr (maps, "_dri.so") != NULL || strstr (maps, "libEGL_mesa") != NULL
           || strstr (maps, "libGLX_mesa") != NULL;
}

static DbnMainWindow *
open_window (DbnHarness *h, const char *key, const char *client_dir)
{
    g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();
    g_autoptr (GSettings) settings = g_settings_new_with_backend ("org.daiban.Client", backend);
    g_settings_set_string (settings, "key-file", key);
    g_settings_set_string (settings, "data-dir", dbn_harness_get_data_dir (h));
    g_settings_set_string (settings, "client-dir", client_dir);
    DbnMainWindow *window = dbn_main_window_new (NULL, settings);
    g_assert_nonnull (dbn_main_window_get_connection (window));
    gtk_window_set_default_size (GTK_WINDOW (window), 1190, 750);
    gtk_window_present (GTK_WINDOW (window));
    return window;
}

static gboolean
is_online (gpointer window)
{
    DbnConnection *c = dbn_main_window_get_connection (window);
    return c != NULL && dbn_connection_get_online (c);
}

static char *
cli (DbnHarness *h, const char *const *args)
{
    g_autoptr (GPtrArray) all = g_ptr_array_new ();
    g_ptr_array_add (all, (gpointer) "--data");
    g_ptr_array_add (all, (gpointer) dbn_harness_get_data_dir (h));
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (all, (gpointer) args[i]);
    g_ptr_array_add (all, NULL);
    DbnCliRun r = dbn_harness_run_cli ((const char *const *) all->pdata);
    if (r.status != 0)
        g_error ("daiban %s: %s", args[0], r.err);
    g_auto (GStrv) lines = g_strsplit (r.out, "\n", 2);
    char *first = g_strdup (lines[0]);
    dbn_cli_run_clear (&r);
    return first;
}

typedef struct {
    DbnFrontDesk *desk;
    const char *case_no;
} DeskWait;

/* The front desk shows exactly the one item in transit. */
static gboolean
desk_shows (gpointer data)
{
    DeskWait *w = data;
    GListModel *shown = dbn_front_desk_get_visible (w->desk);
    if (g_list_model_get_n_items (shown) != 1)
        return FALSE;
    g_autoptr (DbnQueueItem) item = g_list_model_get_item (shown, 0);
    return g_strcmp0 (dbn_queue_item_get_case_no (item), w->case_no) == 0;
}

static gboolean
desk_empty (gpointer data)
{
    DeskWait *w = data;
    return g_list_model_get_n_items (dbn_front_desk_get_visible (w->desk)) == 0;
}

typedef struct {
    DbnQueueModel *model;
    const char *case_no;
    const char *location; /* NULL: any */
    const char *state;    /* NULL: any */
} RowWait;

static gboolean
row_is (gpointer data)
{
    RowWait *w = data;
    DbnQueueItem *item = dbn_queue_model_lookup (w->model, w->case_no);
    return item != NULL
           && (w->location == NULL || g_strcmp0 (dbn_queue_item_get_location (item), w->location) == 0)
           && (w->state == NULL || g_strcmp0 (dbn_queue_item_get_state (item), w->state) == 0);
}

static gboolean
timeline_loaded (gpointer view)
{
    return g_list_model_get_n_items (dbn_clerk_view_get_timeline (view)) >= 1;
}

static void
test_front_desk_back_office (void)
{
    g_autoptr (DbnHarness) h = dbn_harness_new (FALSE);
    g_autofree char *front_key = dbn_harness_add_key (h, "front:minzheng");
    g_autofree char *back_key = dbn_harness_add_key (h, "back:minzheng");
    g_autofree char *client_dir = g_build_filename (dbn_harness_get_data_dir (h), "clients", NULL);
    GSubprocess *intake = dbn_harness_start_service (h, "intake");
    GSubprocess *routing = dbn_harness_start_service (h, "routing");
    GSubprocess *deadline = dbn_harness_start_service (h, "deadline");

    DbnMainWindow *front_win = open_window (h, front_key, client_dir);
    DbnMainWindow *back_win = open_window (h, back_key, client_dir);
    g_assert_true (wait_for (is_online, front_win, 10000));
    g_assert_true (wait_for (is_online, back_win, 10000));
    /* The key's kind chooses the page. */
    g_assert_true (DBN_IS_FRONT_DESK (dbn_main_window_get_view (front_win)));
    g_assert_true (DBN_IS_CLERK_VIEW (dbn_main_window_get_view (back_win)));
    DbnFrontDesk *desk = DBN_FRONT_DESK (dbn_main_window_get_view (front_win));
    DbnClerkView *office = DBN_CLERK_VIEW (dbn_main_window_get_view (back_win));

    /* A station's request for minzheng, carried on a run sheet. */
    g_autofree char *id = dbn_test_id_number (71);
    g_autofree char *case_no =
        cli (h, (const char *[]){ "case", "submit", "--matter", "MZ-LINSHI", "--applicant", "赵六",
                                  "--id-number", id, "--phone", "13800138071", "--village", "qingshui",
                                  "--materials", "申请书,身份证,困难情况说明", "--consent", NULL });
    RowWait queued = { dbn_clerk_view_get_model (office), case_no, "station", NULL };
    g_assert_true (wait_for (row_is, &queued, 10000));
    g_autofree char *sheet = cli (h, (const char *[]){ "runsheet", "new", "qingshui", NULL });
    g_assert_true (g_str_has_prefix (sheet, "RS-"));

    /* The front desk lists it to sign for; the back office sees it in transit. */
    DeskWait shown = { desk, case_no };
    g_assert_true (wait_for (desk_shows, &shown, 10000));
    RowWait transit = { dbn_clerk_view_get_model (office), case_no, "in_transit", NULL };
    g_assert_true (wait_for (row_is, &transit, 10000));
    g_assert_true (dbn_front_desk_select (desk, case_no));
    screenshot (GTK_WIDGET (front_win), "front-desk.png");

    /* Signed for: it leaves the front desk's list when routing's event comes back. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (desk), "front.acknowledge", NULL));
    g_assert_true (wait_for (desk_empty, &shown, 10000));
    RowWait received = { dbn_clerk_view_get_model (office), case_no, "centre", NULL };
    g_assert_true (wait_for (row_is, &received, 10000));
    g_assert_cmpstr (dbn_front_desk_get_status (desk), !=, "");

    /* The back office handles it. */
    g_assert_true (dbn_clerk_view_select (office, case_no));
    g_assert_true (wait_for (timeline_loaded, office, 5000));
    g_assert_true (dbn_clerk_view_set_kind (office, "committed"));
    gtk_editable_set_text (dbn_clerk_view_get_entry (office, "reason"), "需入户核实困难情况");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (office), "clerk.classify", NULL));
    RowWait classified = { dbn_clerk_view_get_model (office), case_no, NULL, "classified" };
    g_assert_true (wait_for (row_is, &classified, 10000));
    g_assert_true (dbn_clerk_view_select (office, case_no));
    g_assert_true (wait_for (timeline_loaded, office, 5000));
    screenshot (GTK_WIDGET (back_win), "back-office.png");

    gtk_window_destroy (GTK_WINDOW (front_win));
    gtk_window_destroy (GTK_WINDOW (back_win));
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
    setlocale (LC_ALL, "");
    bindtextdomain ("daiban", g_getenv ("DAIBAN_LOCALE_DIR") ? g_getenv ("DAIBAN_LOCALE_DIR") : ".");
    bind_textdomain_codeset ("daiban", "UTF-8");
    textdomain ("daiban");
    g_test_init (&argc, &argv, NULL);
    gtk_init ();
    g_assert_false (gl_driver_loaded ());
    dbn_log_init ("test_front_back_gui");
    dbn_application_load_style ();
    g_test_add_func ("/client/gui/D-RTE-6/front-desk-and-back-office", test_front_desk_back_office);
    return g_test_run ();
}
