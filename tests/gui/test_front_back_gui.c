/* test_front_back_gui.c: D-RTE-6 in daiban-client, under Xvfb, against the
 * real intake, routing and deadline services. Window minzheng's desks are
 * split (org.ini split_desks): a front:minzheng key opens the front desk's
 * run-sheet page, a back:minzheng key the clerk's handling queue. A
 * station's case carried on a run sheet is signed for at the front desk and
 * classified in the back office; each screen is saved in build/screenshots/
 * (front-desk.png, back-office.png).
 *
 * Issue 16 item 1 in the same program: the county civil-affairs bureau's
 * page (county:minzheng) connected to two townships, each its own service
 * set, answering one escalated case of each (county-two-townships.png,
 * county-answered.png). */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "dbn_application.h"
#include "dbn_clerk_view-private.h"
#include "dbn_county_page-private.h"
#include "dbn_front_desk-private.h"
#include "dbn_main_window.h"
#include "dbn_test_harness.h"
#include "gui_harness.h"

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

    DbnMainWindow *front_win =
        open_main_window (front_key, dbn_harness_get_data_dir (h), client_dir, 1190, 750);
    DbnMainWindow *back_win =
        open_main_window (back_key, dbn_harness_get_data_dir (h), client_dir, 1190, 750);
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
        cli_out (h, NULL,
                 (const char *[]){ "case", "submit", "--matter", "MZ-LINSHI", "--applicant", "赵六",
                                   "--id-number", id, "--phone", "13800138071", "--village", "qingshui",
                                   "--materials", "申请书,身份证,困难情况说明", "--consent", NULL },
                 TRUE);
    RowWait queued = { dbn_clerk_view_get_model (office), case_no, "station", NULL };
    g_assert_true (wait_for (row_is, &queued, 10000));
    g_autofree char *sheet = cli_out (h, NULL, (const char *[]){ "runsheet", "new", "qingshui", NULL }, TRUE);
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

/* A 上报件 of township h escalated to 县民政局 by its operator: the case number. */
static char *
escalate_one (DbnHarness *h, guint n)
{
    g_autofree char *id = dbn_test_id_number (n);
    char *case_no = cli_out (
        h, NULL,
        (const char *[]){ "case", "submit", "--matter", "MZ-WUBAO", "--applicant", "孙七", "--id-number", id,
                          "--phone", "13800138090", "--village", "qingshui", "--materials",
                          "申请书,户口簿,身份证,本人劳动能力和收入状况说明", "--consent", NULL },
        TRUE);
    /* Routing follows intake: the window's queue shows it within seconds. */
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autofree char *queue =
            cli_out (h, NULL, (const char *[]){ "queue", "window", "minzheng", NULL }, FALSE);
        if (strstr (queue, case_no) != NULL)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (20 * 1000);
    }
    g_autofree char *sheet = cli_out (h, NULL, (const char *[]){ "runsheet", "new", "qingshui", NULL }, TRUE);
    g_free (cli_out (h, NULL, (const char *[]){ "runsheet", "ack", sheet, case_no, NULL }, TRUE));
    g_free (cli_out (
        h, NULL,
        (const char *[]){ "case", "classify", case_no, "--kind", "escalated", "--reason", "县级审批", NULL },
        TRUE));
    g_free (cli_out (h, NULL, (const char *[]){ "case", "assign", case_no, NULL }, TRUE));
    g_free (cli_out (h, NULL, (const char *[]){ "case", "escalate", case_no, NULL }, TRUE));
    return case_no;
}

typedef struct {
    GListModel *shown;
    guint n;
} CountWait;

static gboolean
shows_n (gpointer data)
{
    CountWait *w = data;
    return g_list_model_get_n_items (w->shown) == w->n;
}

typedef struct {
    DbnQueueModel *model;
    const char *case_no;
} DueKnownWait;

static gboolean
due_known (gpointer data)
{
    DueKnownWait *w = data;
    DbnQueueItem *item = dbn_queue_model_lookup (w->model, w->case_no);
    GDate due;
    return item != NULL && dbn_queue_item_get_due_known (item) && dbn_queue_item_get_due_date (item, &due);
}

static void
test_county_two_townships (void)
{
    static const char *const names[] = { "青山乡", "白水乡" };
    DbnHarness *h[2];
    GSubprocess *intake[2], *routing[2], *deadline[2];
    char *case_no[2];
    DbnConnection *connection[2] = { NULL, NULL };
    DbnOutbox *outbox[2] = { NULL, NULL };
    GtkWidget *page = dbn_county_page_new ("minzheng");
    DbnCountyPage *county = DBN_COUNTY_PAGE (page);
    for (int i = 0; i < 2; i++) {
        /* Each township's registry holds a key of the bureau (issue 16). */
        h[i] = dbn_harness_new (FALSE);
        g_autofree char *key = dbn_harness_add_key (h[i], "county:minzheng");
        intake[i] = dbn_harness_start_service (h[i], "intake");
        routing[i] = dbn_harness_start_service (h[i], "routing");
        deadline[i] = dbn_harness_start_service (h[i], "deadline");
        case_no[i] = escalate_one (h[i], 81 + i);
        g_autoptr (GError) error = NULL;
        connection[i] = dbn_connection_new (dbn_harness_get_data_dir (h[i]), key, &error);
        g_assert_no_error (error);
        g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (h[i]), "county-outbox.db", NULL);
        outbox[i] = dbn_outbox_new (connection[i], path, &error);
        g_assert_no_error (error);
        dbn_county_page_add_township (county, names[i], connection[i], outbox[i]);
    }
    GtkWidget *window = gtk_window_new ();
    gtk_window_set_title (GTK_WINDOW (window), "代办 · county:minzheng");
    gtk_window_set_default_size (GTK_WINDOW (window), 1190, 750);
    gtk_window_set_child (GTK_WINDOW (window), page);
    gtk_window_present (GTK_WINDOW (window));

    /* Both townships' escalated cases, each with its township. */
    CountWait both = { dbn_county_page_get_visible (county), 2 };
    g_assert_true (wait_for (shows_n, &both, 10000));
    /* D-DL-3: each row's due column is the department's own clock, the
     * date deadline's county queue of that township gives. */
    for (int i = 0; i < 2; i++) {
        DueKnownWait w = { dbn_county_page_get_model (county, names[i]), case_no[i] };
        g_assert_true (wait_for (due_known, &w, 10000));
        DbnQueueItem *item = dbn_queue_model_lookup (w.model, case_no[i]);
        GDate due;
        g_assert_true (dbn_queue_item_get_due_date (item, &due));
        char iso[16];
        g_date_strftime (iso, sizeof iso, "%Y-%m-%d", &due);
        g_autofree char *clocks =
            cli_out (h[i], NULL, (const char *[]){ "deadline", "queue", "county", "minzheng", NULL }, FALSE);
        g_autofree char *want = g_strdup_printf ("%s  department", case_no[i]);
        g_assert_nonnull (strstr (clocks, want));
        g_assert_nonnull (strstr (clocks, iso));
    }
    screenshot (window, "county-two-townships.png");

    g_assert_true (dbn_county_page_select (county, names[1], case_no[1]));
    gtk_editable_set_text (dbn_county_page_get_answer_entry (county), "经审核，同意纳入特困供养");
    g_assert_true (gtk_widget_activate_action (page, "county.answer", "b", TRUE));
    CountWait one = { dbn_county_page_get_visible (county), 1 };
    g_assert_true (wait_for (shows_n, &one, 10000));
    RowWait answered = { dbn_county_page_get_model (county, names[1]), case_no[1], NULL, "county_answered" };
    g_assert_true (wait_for (row_is, &answered, 10000));
    screenshot (window, "county-answered.png");
    g_assert_true (dbn_county_page_select (county, names[0], case_no[0]));
    gtk_editable_set_text (dbn_county_page_get_answer_entry (county), "收入超过标准，不予批准");
    g_assert_true (gtk_widget_activate_action (page, "county.answer", "b", FALSE));
    CountWait none = { dbn_county_page_get_visible (county), 0 };
    g_assert_true (wait_for (shows_n, &none, 10000));

    /* Each answer reached its own township's routing, naming the department. */
    for (int i = 0; i < 2; i++) {
        g_autofree char *timeline =
            cli_out (h[i], NULL, (const char *[]){ "case", "timeline", case_no[i], "--json", NULL }, FALSE);
        g_assert_nonnull (strstr (timeline, "county:minzheng"));
        g_assert_nonnull (strstr (timeline, i == 1 ? "同意纳入特困供养" : "不予批准"));
    }
    gtk_window_destroy (GTK_WINDOW (window));
    while (g_main_context_iteration (NULL, FALSE))
        ;
    for (int i = 0; i < 2; i++) {
        g_clear_object (&outbox[i]);
        g_clear_object (&connection[i]);
        g_assert_true (dbn_harness_stop (deadline[i], 5000));
        g_assert_true (dbn_harness_stop (routing[i], 5000));
        g_assert_true (dbn_harness_stop (intake[i], 5000));
        g_object_unref (deadline[i]);
        g_object_unref (routing[i]);
        g_object_unref (intake[i]);
        g_free (case_no[i]);
        dbn_harness_free (h[i]);
    }
}

int
main (int argc, char **argv)
{
    gui_test_init (&argc, &argv, "test_front_back_gui", TRUE);
    g_test_add_func ("/client/gui/D-RTE-6/front-desk-and-back-office", test_front_desk_back_office);
    g_test_add_func ("/client/gui/D-RTE-1/county-answers-two-townships", test_county_two_townships);
    return g_test_run ();
}
