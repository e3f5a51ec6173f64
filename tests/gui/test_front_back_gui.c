/* test_front_back_gui.c: D-RTE-6 in daiban-client, under Xvfb, against the
 * real intake, routing and deadline services. Window minzheng's desks are
 * split (org.ini split_desks): a front:minzheng key opens the front desk's
 * run-sheet page, a back:minzheng key the clerk's handling queue. A
 * station's case carried on a run sheet is signed for at the front desk and
 * classified in the back office; each screen is saved in build/screenshots/
 * (front-desk.png, back-office.png).
 *
 * Issue 16 item 1 in the same program: the county civil-affairs bureau's
 * client (county:minzheng) opened on a county folder whose daiban.conf
 * names the townships, each its own service set, answering one escalated
 * case of each, one of them while that township's routing is down
 * (county-conf-two-townships.png, county-conf-offline.png,
 * county-conf-answered.png). */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
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

/* Removes dir and everything in it (the county's folder; the harness
 * removes its own). */
static void
remove_tree (const char *dir)
{
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *path = g_build_filename (dir, name, NULL);
        if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
            remove_tree (path);
        else
            g_unlink (path);
    }
    g_rmdir (dir);
}

/* `daiban --data dir args...`, which must exit 0: its stdout's first line. */
static char *
daiban_in (const char *dir, const char *const *args)
{
    g_autoptr (GPtrArray) all = g_ptr_array_new ();
    g_ptr_array_add (all, (gpointer) "--data");
    g_ptr_array_add (all, (gpointer) dir);
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (all, (gpointer) args[i]);
    g_ptr_array_add (all, NULL);
    DbnCliRun r = dbn_harness_run_cli ((const char *const *) all->pdata);
    if (r.status != 0)
        g_error ("daiban %s %s: %s", args[0], args[1], r.err);
    g_auto (GStrv) lines = g_strsplit (r.out, "\n", 2);
    dbn_cli_run_clear (&r);
    return g_strdup (lines[0]);
}

/* Copies file from/name to to/name (creating to). */
static void
copy_into (const char *from, const char *to, const char *name)
{
    g_autofree char *src = g_build_filename (from, name, NULL);
    g_autofree char *dst = g_build_filename (to, name, NULL);
    g_autofree char *dir = g_path_get_dirname (dst);
    g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
    g_autofree char *text = NULL;
    gsize length = 0;
    g_autoptr (GError) error = NULL;
    g_assert_true (g_file_get_contents (src, &text, &length, &error));
    g_assert_true (g_file_set_contents (dst, text, (gssize) length, &error));
}

typedef struct {
    DbnMainWindow *window;
    guint township;  /* index in the county's daiban.conf */
    gboolean online; /* wanted */
} TownshipWait;

static gboolean
township_online_is (gpointer data)
{
    TownshipWait *w = data;
    DbnCountyConnections *county = dbn_main_window_get_county (w->window);
    DbnConnection *c = dbn_county_connections_get_connection (county, w->township);
    return c != NULL && dbn_connection_get_online (c) == w->online;
}

typedef struct {
    DbnOutbox *outbox;
    guint n;
} PendingWait;

static gboolean
pending_is (gpointer data)
{
    PendingWait *w = data;
    return dbn_outbox_get_n_pending (w->outbox) == w->n;
}

/* Issue 16 item 1 as the county's PC is set up: a county folder whose
 * daiban.conf names three township sets, two of them running (their
 * daiban.conf and keys/registry copied into the county folder, the bureau's
 * one key imported into each registry), the third copied without its keys.
 * The client is opened with the county key and that folder in its settings,
 * as the bureau's clerk does; the page shows both townships' escalated cases
 * with their township and due date and says which township it cannot reach.
 * One answer is typed while 白水乡's routing is down: it waits in that
 * township's own outbox and reaches that routing when it is back. */
static void
test_county_two_townships (void)
{
    static const char *const ids[] = { "T01", "T02" };
    static const char *const names[] = { "青山乡", "白水乡" };
    g_autoptr (GError) error = NULL;
    g_autofree char *county_dir = g_dir_make_tmp ("daiban-county-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *conf_path = g_build_filename (county_dir, "daiban.conf", NULL);
    g_assert_true (g_file_set_contents (conf_path,
                                        "[county]\nname_zh = 青山县\ntownships = T01;T02;T03\n"
                                        "[township:T01]\nname_zh = 青山乡\nfolder = townships/T01\n"
                                        "[township:T02]\nname_zh = 白水乡\nfolder = townships/T02\n"
                                        "[township:T03]\nname_zh = 三河乡\nfolder = townships/T03\n",
                                        -1, &error));
    /* The bureau's key is made once, on the county's PC (issue 16). */
    g_free (daiban_in (county_dir, (const char *[]){ "keys", "init", NULL }));
    g_free (daiban_in (county_dir, (const char *[]){ "keys", "add", "county:minzheng", NULL }));
    g_autofree char *county_key = dbn_keys_dup_secret_path (county_dir, "county:minzheng");
    g_autofree char *exported =
        daiban_in (county_dir, (const char *[]){ "keys", "export", "county:minzheng", NULL });
    g_auto (GStrv) public_half = g_strsplit (exported, " ", 2);
    g_assert_cmpstr (public_half[0], ==, "county:minzheng");

    DbnHarness *h[2];
    GSubprocess *intake[2], *routing[2], *deadline[2];
    char *case_no[2];
    for (int i = 0; i < 2; i++) {
        h[i] = dbn_harness_new (FALSE);
        const char *dir = dbn_harness_get_data_dir (h[i]);
        /* The second set numbers its cases T02-… */
        g_autofree char *conf = g_build_filename (dir, "daiban.conf", NULL);
        g_autofree char *text = NULL;
        g_assert_true (g_file_get_contents (conf, &text, NULL, &error));
        g_auto (GStrv) parts = g_strsplit (text, "township = T01", 2);
        g_assert_nonnull (parts[1]);
        g_autofree char *renamed = g_strconcat (parts[0], "township = ", ids[i], parts[1], NULL);
        g_assert_true (g_file_set_contents (conf, renamed, -1, &error));
        /* Each township's registry holds the bureau's public key. */
        g_free (daiban_in (dir, (const char *[]){ "keys", "import", public_half[0], public_half[1], NULL }));
        /* The county's copy of the set: its daiban.conf and public keys only. */
        g_autofree char *copy = g_build_filename (county_dir, "townships", ids[i], NULL);
        copy_into (dir, copy, "daiban.conf");
        copy_into (dir, copy, "keys/registry");
        intake[i] = dbn_harness_start_service (h[i], "intake");
        routing[i] = dbn_harness_start_service (h[i], "routing");
        deadline[i] = dbn_harness_start_service (h[i], "deadline");
        case_no[i] = escalate_one (h[i], 81 + i);
        g_assert_true (g_str_has_prefix (case_no[i], ids[i]));
    }
    /* 三河乡's copy lacks its keys: that township fails, the others work. */
    g_autofree char *broken = g_build_filename (county_dir, "townships", "T03", NULL);
    copy_into (dbn_harness_get_data_dir (h[0]), broken, "daiban.conf");

    g_autofree char *client_dir = g_build_filename (county_dir, "client", NULL);
    DbnMainWindow *window = open_main_window (county_key, county_dir, client_dir, 1190, 750);
    g_assert_true (DBN_IS_COUNTY_PAGE (dbn_main_window_get_view (window)));
    DbnCountyPage *county = DBN_COUNTY_PAGE (dbn_main_window_get_view (window));
    DbnCountyConnections *links = dbn_main_window_get_county (window);
    g_assert_nonnull (links);
    g_assert_cmpuint (dbn_county_connections_get_n (links), ==, 3);
    g_assert_cmpuint (dbn_county_connections_get_n_opened (links), ==, 2);
    for (guint i = 0; i < 2; i++) {
        TownshipWait up = { window, i, TRUE };
        g_assert_true (wait_for (township_online_is, &up, 10000));
    }
    g_autofree char *failures = dbn_county_page_dup_failures (county);
    g_assert_nonnull (strstr (failures, "三河乡（T03）无法连接"));
    g_assert_nonnull (strstr (failures, "townships/T03"));
    g_assert_null (strstr (failures, "青山乡"));
    const char *status = dbn_main_window_get_status_text (window);
    g_assert_nonnull (strstr (status, "青山乡 在线 ●"));
    g_assert_nonnull (strstr (status, "白水乡 在线 ●"));
    g_assert_nonnull (strstr (status, "三河乡 未打开 ✕"));

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
    screenshot (GTK_WIDGET (window), "county-conf-two-townships.png");

    /* 白水乡's line goes down; the answer typed now waits in ITS outbox. */
    g_assert_true (dbn_harness_stop (routing[1], 5000));
    g_clear_object (&routing[1]);
    TownshipWait down = { window, 1, FALSE };
    g_assert_true (wait_for (township_online_is, &down, 10000));
    g_assert_true (dbn_main_window_get_offline_shown (window));
    g_assert_nonnull (strstr (dbn_main_window_get_status_text (window), "白水乡 离线 ○"));
    g_assert_true (dbn_county_page_select (county, names[1], case_no[1]));
    gtk_editable_set_text (dbn_county_page_get_answer_entry (county), "经审核，同意纳入特困供养");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (county), "county.answer", "b", TRUE));
    DbnOutbox *outbox1 = dbn_county_connections_get_outbox (links, 1);
    g_assert_cmpuint (dbn_outbox_get_n_pending (outbox1), ==, 1);
    g_assert_cmpuint (dbn_outbox_get_n_pending (dbn_county_connections_get_outbox (links, 0)), ==, 0);
    g_autofree char *outbox_file = g_build_filename (client_dir, "county-minzheng", "T02", "outbox.db", NULL);
    g_assert_true (g_file_test (outbox_file, G_FILE_TEST_IS_REGULAR));
    screenshot (GTK_WIDGET (window), "county-conf-offline.png");

    /* 青山乡 still answers meanwhile. */
    g_assert_true (dbn_county_page_select (county, names[0], case_no[0]));
    gtk_editable_set_text (dbn_county_page_get_answer_entry (county), "收入超过标准，不予批准");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (county), "county.answer", "b", FALSE));
    RowWait refused = { dbn_county_page_get_model (county, names[0]), case_no[0], NULL, "county_answered" };
    g_assert_true (wait_for (row_is, &refused, 10000));
    g_assert_cmpuint (dbn_outbox_get_n_pending (outbox1), ==, 1);

    /* Routing back: the kept answer goes to 白水乡, once. */
    routing[1] = dbn_harness_start_service (h[1], "routing");
    PendingWait sent = { outbox1, 0 };
    g_assert_true (wait_for (pending_is, &sent, 20000));
    RowWait approved = { dbn_county_page_get_model (county, names[1]), case_no[1], NULL, "county_answered" };
    g_assert_true (wait_for (row_is, &approved, 10000));
    CountWait none = { dbn_county_page_get_visible (county), 0 };
    g_assert_true (wait_for (shows_n, &none, 10000));
    screenshot (GTK_WIDGET (window), "county-conf-answered.png");

    /* Each answer reached its own township's routing, naming the department. */
    for (int i = 0; i < 2; i++) {
        g_autofree char *timeline =
            cli_out (h[i], NULL, (const char *[]){ "case", "timeline", case_no[i], "--json", NULL }, FALSE);
        g_assert_nonnull (strstr (timeline, "county:minzheng"));
        g_assert_nonnull (strstr (timeline, i == 1 ? "同意纳入特困供养" : "不予批准"));
        g_assert_null (strstr (timeline, i == 1 ? "不予批准" : "同意纳入特困供养"));
    }
    gtk_window_destroy (GTK_WINDOW (window));
    while (g_main_context_iteration (NULL, FALSE))
        ;
    for (int i = 0; i < 2; i++) {
        g_assert_true (dbn_harness_stop (deadline[i], 5000));
        g_assert_true (dbn_harness_stop (routing[i], 5000));
        g_assert_true (dbn_harness_stop (intake[i], 5000));
        g_object_unref (deadline[i]);
        g_object_unref (routing[i]);
        g_object_unref (intake[i]);
        g_free (case_no[i]);
        dbn_harness_free (h[i]);
    }
    if (g_getenv ("DAIBAN_KEEP_TEST_DATA") == NULL)
        remove_tree (county_dir);
}

/* A county folder where no township opens gives the setup page back with
 * each township's error; a key that is not a county department's is refused
 * on a county folder, naming it. No service runs: nothing is reached. */
static void
test_county_none_opens (void)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *county_dir = g_dir_make_tmp ("daiban-county-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *conf_path = g_build_filename (county_dir, "daiban.conf", NULL);
    g_assert_true (g_file_set_contents (conf_path,
                                        "[county]\nname_zh = 青山县\ntownships = T01\n"
                                        "[township:T01]\nname_zh = 青山乡\nfolder = townships/T01\n",
                                        -1, &error));
    g_autofree char *township_dir = g_build_filename (county_dir, "townships", "T01", NULL);
    g_assert_cmpint (g_mkdir_with_parents (township_dir, 0700), ==, 0);
    g_autofree char *township_conf = g_build_filename (township_dir, "daiban.conf", NULL);
    g_assert_true (g_file_set_contents (township_conf, "[daiban]\ntownship = T01\n", -1, &error));
    g_free (daiban_in (county_dir, (const char *[]){ "keys", "init", NULL }));
    g_free (daiban_in (county_dir, (const char *[]){ "keys", "add", "county:minzheng", NULL }));
    g_free (daiban_in (county_dir, (const char *[]){ "keys", "add", "window:minzheng", NULL }));
    g_autofree char *client_dir = g_build_filename (county_dir, "client", NULL);
    static const char *const principals[] = { "county:minzheng", "window:minzheng" };
    static const char *const said[] = { "青山乡（T01）无法连接", "county:<部门>" };
    for (int i = 0; i < 2; i++) {
        g_autofree char *key = dbn_keys_dup_secret_path (county_dir, principals[i]);
        g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();
        g_autoptr (GSettings) settings = g_settings_new_with_backend ("org.daiban.Client", backend);
        g_settings_set_string (settings, "key-file", key);
        g_settings_set_string (settings, "data-dir", county_dir);
        g_settings_set_string (settings, "client-dir", client_dir);
        DbnMainWindow *window = dbn_main_window_new (NULL, settings);
        g_assert_null (dbn_main_window_get_view (window));
        g_assert_null (dbn_main_window_get_county (window));
        g_autoptr (GError) why = NULL;
        g_assert_false (dbn_main_window_connect (window, &why));
        g_assert_nonnull (why);
        g_assert_nonnull (strstr (why->message, said[i]));
        if (i == 1)
            g_assert_nonnull (strstr (why->message, "window:minzheng"));
        gtk_window_destroy (GTK_WINDOW (window));
    }
    while (g_main_context_iteration (NULL, FALSE))
        ;
    if (g_getenv ("DAIBAN_KEEP_TEST_DATA") == NULL)
        remove_tree (county_dir);
}

int
main (int argc, char **argv)
{
    gui_test_init (&argc, &argv, "test_front_back_gui", TRUE);
    g_test_add_func ("/client/gui/D-RTE-6/front-desk-and-back-office", test_front_desk_back_office);
    g_test_add_func ("/client/gui/D-RTE-1/county-answers-two-townships", test_county_two_townships);
    g_test_add_func ("/client/gui/D-RTE-1/county-folder-none-opens", test_county_none_opens);
    return g_test_run ();
}
