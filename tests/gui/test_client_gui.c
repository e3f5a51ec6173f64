/* test_client_gui.c: daiban-client against real services, under Xvfb.
 *
 * The widgets are driven as a person would: entry texts set, check boxes
 * ticked, actions activated by name. Intake, routing and deadline are the real
 * programs (dbn_test_harness), with CURVE keys for station:qingshui and
 * window:jisheng. Each screen is saved as a PNG in build/screenshots/ (the
 * GSK cairo renderer and the Noto CJK fonts, so the Chinese renders).
 */
#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "dbn_application.h"
#include "dbn_case_papers.h"
#include "dbn_clerk_view-private.h"
#include "dbn_main_window.h"
#include "dbn_outbox.h"
#include "dbn_print.h"
#include "dbn_queue_columns.h"
#include "dbn_queue_model.h"
#include "dbn_signature_pad.h"
#include "dbn_station_cases-private.h"
#include "dbn_station_view-private.h"
#include "dbn_station_visits-private.h"
#include "dbn_supervisor_view.h"
#include "dbn_test_harness.h"
#include "eval_rules.h"
#include "gui_harness.h"

/* TRUE when needle occurs in the len bytes of data (which may hold NULs). */
static gboolean
contains (const char *data, gsize len, const char *needle)
{
    gsize n = strlen (needle);
    for (gsize i = 0; i + n <= len; i++)
        if (memcmp (data + i, needle, n) == 0)
            return TRUE;
    return FALSE;
}

typedef struct {
    GtkWidget *page; /* the station's cases page */
    const char *dir; /* where its run sheets go */
} RunsheetWait;

/* The run sheet's reply has come back when its export writes a PDF. */
static gboolean
runsheet_exported (gpointer data)
{
    RunsheetWait *w = data;
    g_assert_true (gtk_widget_activate_action (w->page, "cases.export-runsheet", NULL));
    g_autoptr (GDir) dir = g_dir_open (w->dir, 0, NULL);
    return dir != NULL && g_dir_read_name (dir) != NULL;
}

/* ---- the papers of any case (dbn_case_papers.h) ---- */

static gboolean
papers_answered (gpointer papers)
{
    const char *status = dbn_case_papers_get_status (papers);
    return *status != '\0' && g_strcmp0 (status, "正在读取案件……") != 0;
}

/* Exports paper of case_no (typed into the row, as for a case gone from
 * every queue) from papers; the PDF's path, NULL when it was refused (the
 * status says why). */
static char *
export_paper (DbnCasePapers *papers, const char *case_no, DbnCasePaper paper)
{
    gtk_editable_set_text (dbn_case_papers_get_entry (papers), case_no);
    dbn_case_papers_choose (papers, paper);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (papers), "papers.export", NULL));
    g_assert_true (wait_for (papers_answered, papers, 5000));
    g_test_message ("papers: %s", dbn_case_papers_get_status (papers));
    return g_strdup (dbn_case_papers_get_last_pdf (papers));
}

/* What the rendered line that starts with label says after it
 * and a space (pdftotext -layout keeps a row on one line), stripped; ""
 * when no line does. Caller owns it. */
static char *
value_after (const char *text, const char *label)
{
    g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
    for (guint i = 0; lines[i] != NULL; i++) {
        const char *line = lines[i];
        while (*line == ' ')
            line++;
        gsize n = strlen (label);
        /* The label, then the gap before its value (not a longer word). */
        if (g_str_has_prefix (line, label) && (line[n] == ' ' || line[n] == '\0'))
            return g_strstrip (g_strdup (line + n));
    }
    return g_strdup ("");
}

/* The number of images on the PDF's pages (pdfimages -list: two header
 * lines, then one line an image). */
static guint
pdf_images (const char *pdf)
{
    g_autofree char *out = NULL;
    int status = 0;
    const char *argv[] = { "pdfimages", "-list", pdf, NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, &out, NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
    guint n = 0;
    for (guint i = 2; lines[i] != NULL; i++)
        if (*g_strstrip (lines[i]) != '\0')
            n++;
    return n;
}

/* Counts the buttons of actions named prefix… under widget that lie
 * inside window's height, and the ones that do not (issue 15: at 1190×750
 * the clerk's actions fell off the bottom). */
static void
count_action_buttons (GtkWidget *widget, GtkWidget *window, const char *prefix, guint *inside, guint *outside)
{
    if (GTK_IS_BUTTON (widget)
        && g_str_has_prefix (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget))
                                 ? gtk_actionable_get_action_name (GTK_ACTIONABLE (widget))
                                 : "",
                             prefix)) {
        graphene_rect_t r;
        gboolean shown = gtk_widget_get_mapped (widget) && gtk_widget_compute_bounds (widget, window, &r)
                         && r.origin.y >= 0 && r.origin.y + r.size.height <= gtk_widget_get_height (window);
        (*(shown ? inside : outside))++;
    }
    for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
        count_action_buttons (c, window, prefix, inside, outside);
}

/* ---- fixture: services, keys, windows ---- */

typedef struct {
    DbnHarness *harness;
    GSubprocess *intake;
    GSubprocess *routing;
    GSubprocess *deadline;
    GSubprocess *evaluation; /* the station's reply sends its rating there (issue 13) */
    char *station_key;
    char *clerk_key;
    char *client_dir; /* the client PCs' local folders */
    char *clock_file; /* DAIBAN_CLOCK_FILE, when the test moves time */
} Fixture;

/* ms since the epoch of 2026-month-day hour:00 in China Standard Time. */
static gint64
cst (int month, int day, int hour)
{
    g_autoptr (GDateTime) t = g_date_time_new_utc (2026, month, day, hour, 0, 0);
    return g_date_time_to_unix (t) * 1000 - 8 * 3600 * 1000;
}

/* Moves the clock of the services and the client (re-read every 50 ms). */
static void
set_clock (Fixture *f, gint64 ms)
{
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", ms);
    g_autofree char *tmp = g_strconcat (f->clock_file, ".tmp", NULL);
    g_assert_true (g_file_set_contents (tmp, text, -1, NULL));
    g_assert_cmpint (g_rename (tmp, f->clock_file), ==, 0);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->harness = dbn_harness_new (FALSE);
    if (data != NULL) {
        /* A manual clock for services and client alike, from the start. */
        f->clock_file = g_build_filename (dbn_harness_get_data_dir (f->harness), "clock", NULL);
        set_clock (f, *(const gint64 *) data);
        g_setenv ("DAIBAN_CLOCK_FILE", f->clock_file, TRUE);
    }
    f->intake = dbn_harness_start_service (f->harness, "intake");
    f->routing = dbn_harness_start_service (f->harness, "routing");
    f->deadline = dbn_harness_start_service (f->harness, "deadline");
    f->evaluation = dbn_harness_start_service (f->harness, "evaluation");
    f->station_key = dbn_harness_add_key (f->harness, "station:qingshui");
    f->clerk_key = dbn_harness_add_key (f->harness, "window:jisheng");
    f->client_dir = g_build_filename (dbn_harness_get_data_dir (f->harness), "clients", NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    if (f->evaluation)
        dbn_harness_stop (f->evaluation, 5000);
    if (f->deadline)
        dbn_harness_stop (f->deadline, 5000);
    if (f->routing)
        dbn_harness_stop (f->routing, 5000);
    if (f->intake)
        dbn_harness_stop (f->intake, 5000);
    g_clear_object (&f->routing);
    g_clear_object (&f->intake);
    g_clear_object (&f->deadline);
    g_clear_object (&f->evaluation);
    g_free (f->station_key);
    g_free (f->clerk_key);
    g_free (f->client_dir);
    if (f->clock_file != NULL)
        g_unsetenv ("DAIBAN_CLOCK_FILE");
    g_free (f->clock_file);
    dbn_harness_free (f->harness);
}

static GSettings *
new_settings (void)
{
    g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();
    return g_settings_new_with_backend ("org.daiban.Client", backend);
}

/* A window that already knows its key file (a second start). */
static DbnMainWindow *
open_window (Fixture *f, const char *key)
{
    return open_main_window (key, dbn_harness_get_data_dir (f->harness), f->client_dir, 0, 0);
}

static gboolean
is_offline (gpointer window)
{
    return !is_online (window) && dbn_main_window_get_offline_shown (window);
}

typedef struct {
    DbnQueueModel *model;
    const char *case_no;
    const char *state; /* NULL: any */
} RowWait;

static gboolean
row_in_state (gpointer data)
{
    RowWait *w = data;
    DbnQueueItem *item = dbn_queue_model_lookup (w->model, w->case_no);
    return item != NULL && (w->state == NULL || g_strcmp0 (dbn_queue_item_get_state (item), w->state) == 0);
}

typedef struct {
    DbnQueueModel *model;
    const char *case_no;
    const char *location; /* station, in_transit, centre */
} LocationWait;

static gboolean
row_at (gpointer data)
{
    LocationWait *w = data;
    DbnQueueItem *item = dbn_queue_model_lookup (w->model, w->case_no);
    return item != NULL && g_strcmp0 (dbn_queue_item_get_location (item), w->location) == 0;
}

typedef struct {
    DbnQueueModel *model;
    const char *case_no;
} GoneWait;

static gboolean
row_gone (gpointer data)
{
    GoneWait *w = data;
    return dbn_queue_model_lookup (w->model, w->case_no) == NULL;
}

static void
fill_form (DbnStationView *view, guint n, guint handed_in)
{
    g_autofree char *id = dbn_test_id_number (n);
    g_autofree char *name = g_strdup_printf ("张%s", n % 2 ? "三" : "四");
    g_autofree char *applicant = g_strdup_printf ("%s%u", name, n);
    g_autofree char *phone = g_strdup_printf ("1380013%04u", n);
    gtk_editable_set_text (dbn_station_view_get_entry (view, "matter-search"), "zsz");
    g_assert_cmpuint (dbn_station_view_get_n_matches (view), ==, 1);
    g_assert_true (dbn_station_view_choose_matter (view, "JS-ZHUNSHENG"));
    dbn_station_view_tick_materials (view, handed_in);
    gtk_editable_set_text (dbn_station_view_get_entry (view, "applicant"), applicant);
    gtk_editable_set_text (dbn_station_view_get_entry (view, "id-number"), id);
    gtk_editable_set_text (dbn_station_view_get_entry (view, "phone"), phone);
    gtk_editable_set_text (dbn_station_view_get_entry (view, "note"), "办理准生证");
    dbn_station_view_set_consent (view, TRUE);
}

static gboolean
deadline_reachable (gpointer window)
{
    DbnConnection *c = dbn_main_window_get_connection (window);
    return c != NULL && dbn_connection_is_reachable (c, "deadline");
}

/* The due feed has an answer: a snapshot, or the service's refusal. */
static gboolean
due_answered (gpointer feed)
{
    return dbn_due_feed_get_n_snapshots (feed) > 0 || dbn_due_feed_get_error (feed) != NULL;
}

typedef struct {
    DbnClerkView *view;
    const char *needle;
} ClocksWait;

static gboolean
clocks_say (gpointer data)
{
    ClocksWait *w = data;
    return strstr (dbn_clerk_view_get_clocks_text (w->view), w->needle) != NULL;
}

static gboolean
has_last_case (gpointer view)
{
    return dbn_station_view_get_last_case (view) != NULL;
}

static gboolean
timeline_loaded (gpointer view)
{
    return g_list_model_get_n_items (dbn_clerk_view_get_timeline (view)) >= 1;
}

static gboolean
outbox_empty (gpointer outbox)
{
    return dbn_outbox_get_n_pending (outbox) == 0;
}

/* The "Prove it": a station submits through the form; the window's
 * queue shows it within a second; the clerk completes it; the station sees
 * the new state and replies with rating and signature. */
static void
test_station_window_reply (Fixture *f, gconstpointer data)
{
    /* First start: the setup page, remembered through GSettings. */
    g_autoptr (GSettings) settings = new_settings ();
    g_settings_set_string (settings, "client-dir", f->client_dir);
    DbnMainWindow *station_win = dbn_main_window_new (NULL, settings);
    g_assert_null (dbn_main_window_get_connection (station_win));
    gtk_window_present (GTK_WINDOW (station_win));
    screenshot (GTK_WIDGET (station_win), "setup.png");
    /* A key file that is not there: the setup page stays, saying why. */
    g_autofree char *missing_key = g_build_filename (f->client_dir, "no-such.secret", NULL);
    gtk_editable_set_text (dbn_main_window_get_setup_entry (station_win, "key-file"), missing_key);
    gtk_editable_set_text (dbn_main_window_get_setup_entry (station_win, "data-dir"),
                           dbn_harness_get_data_dir (f->harness));
    g_autoptr (GError) error = NULL;
    g_assert_false (dbn_main_window_connect (station_win, &error));
    g_assert_error (error, DBN_KEYS_ERROR, DBN_KEYS_ERROR_READ);
    g_assert_null (dbn_main_window_get_connection (station_win));
    gtk_editable_set_text (dbn_main_window_get_setup_entry (station_win, "key-file"), f->station_key);
    gtk_editable_set_text (dbn_main_window_get_setup_entry (station_win, "data-dir"),
                           dbn_harness_get_data_dir (f->harness));
    g_autofree char *remembered = g_settings_get_string (settings, "key-file");
    g_assert_cmpstr (remembered, ==, f->station_key);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (station_win), "win.connect", NULL));
    g_assert_nonnull (dbn_main_window_get_connection (station_win));
    g_assert_cmpstr (dbn_connection_get_principal (dbn_main_window_get_connection (station_win)), ==,
                     "station:qingshui");
    DbnMainWindow *clerk_win = open_window (f, f->clerk_key);
    g_assert_true (wait_for (is_online, station_win, 10000));
    g_assert_true (wait_for (is_online, clerk_win, 10000));
    g_assert_false (dbn_main_window_get_offline_shown (station_win));

    DbnStationView *station = DBN_STATION_VIEW (dbn_main_window_get_view (station_win));
    DbnClerkView *clerk = DBN_CLERK_VIEW (dbn_main_window_get_view (clerk_win));

    /* The ID check digit is checked as it is typed. */
    fill_form (station, 1, G_MAXUINT);
    gtk_editable_set_text (dbn_station_view_get_entry (station, "id-number"), "110105194912310021");
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.submit", NULL));
    g_assert_cmpstr (dbn_station_view_get_result (station), ==, "身份证号校验不通过，请核对");
    g_autofree char *good_id = dbn_test_id_number (1);
    gtk_editable_set_text (dbn_station_view_get_entry (station, "id-number"), good_id);
    /* The refusal was about the old input: it goes with it. */
    g_assert_cmpstr (dbn_station_view_get_result (station), ==, "");
    screenshot (GTK_WIDGET (station_win), "station-intake.png");

    gint64 t0 = g_get_monotonic_time ();
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.submit", NULL));
    g_assert_true (wait_for (has_last_case, station, 5000));
    g_autofree char *case_no = g_strdup (dbn_station_view_get_last_case (station));
    g_assert_true (g_str_has_prefix (case_no, "T01-"));
    RowWait in_queue = { dbn_clerk_view_get_model (clerk), case_no, NULL };
    g_assert_true (wait_for (row_in_state, &in_queue, 5000));
    gint64 shown_ms = (g_get_monotonic_time () - t0) / 1000;
    /* A figure, not a pass mark: speed is bench_client_queue's (no timed asserts). */
    g_test_message ("submitted → in the window's queue: %" G_GINT64_FORMAT " ms", shown_ms);
    /* The header shows the deadline service's reachability too. */
    g_assert_true (wait_for (deadline_reachable, clerk_win, 10000));
    DbnDueFeed *feed = dbn_clerk_view_get_due_feed (clerk);
    g_assert_true (wait_for (due_answered, feed, 10000));
    /* The deadline service answered the queue's due column (deadline.queue). */
    g_assert_cmpuint (dbn_due_feed_get_n_snapshots (feed), >, 0);
    g_assert_null (dbn_due_feed_get_error (feed));
    /* The area's supervisor sees it in the area's queue (a/east). */
    g_autofree char *supervisor_key = dbn_harness_add_key (f->harness, "supervisor:east");
    DbnMainWindow *supervisor_win = open_window (f, supervisor_key);
    DbnClerkView *supervisor = DBN_CLERK_VIEW (dbn_supervisor_view_get_page (
        DBN_SUPERVISOR_VIEW (dbn_main_window_get_view (supervisor_win)), "queue"));
    RowWait in_area = { dbn_clerk_view_get_model (supervisor), case_no, NULL };
    g_assert_true (wait_for (row_in_state, &in_area, 5000));
    gtk_window_destroy (GTK_WINDOW (supervisor_win));
    screenshot (GTK_WIDGET (station_win), "station-accepted.png");

    /* The papers travel on a run sheet (D-RTE-3); the front desk signs for them. */
    RowWait at_station = { dbn_station_view_get_model (station), case_no, NULL };
    g_assert_true (wait_for (row_in_state, &at_station, 5000));
    g_assert_true (gtk_widget_activate_action (dbn_station_view_get_page (station, "cases"),
                                               "cases.runsheet-new", NULL));
    LocationWait transit = { dbn_clerk_view_get_model (clerk), case_no, "in_transit" };
    g_assert_true (wait_for (row_at, &transit, 5000));
    /* The 交接清单 exports to PDF too: its rendered text names the case. */
    g_autofree char *sheets = g_build_filename (f->client_dir, "station-qingshui", "runsheets", NULL);
    RunsheetWait sheet_wait = { dbn_station_view_get_page (station, "cases"), sheets };
    g_assert_true (wait_for (runsheet_exported, &sheet_wait, 5000));
    {
        g_autoptr (GDir) dir = g_dir_open (sheets, 0, NULL);
        g_autofree char *sheet_pdf = g_build_filename (sheets, g_dir_read_name (dir), NULL);
        g_autofree char *sheet_text = pdf_text (sheet_pdf);
        g_assert_nonnull (strstr (sheet_text, case_no));
        g_assert_nonnull (strstr (sheet_text, "qingshui"));
        paper_screenshot (sheet_pdf, "paper-runsheet", 0);
    }
    g_assert_true (dbn_clerk_view_select (clerk, case_no));
    g_assert_true (wait_for (timeline_loaded, clerk, 5000));
    screenshot (GTK_WIDGET (clerk_win), "clerk-queue.png");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.acknowledge", NULL));
    LocationWait received = { dbn_station_view_get_model (station), case_no, "centre" };
    g_assert_true (wait_for (row_at, &received, 5000));

    gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "reason"), "材料齐全，即办");
    gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "result"), "准生证已发放");
    const char *steps[][2] = {
        { "clerk.classify", "classified" },
        { "clerk.assign", "assigned" },
        { "clerk.start", "in_progress" },
        { "clerk.complete", "completed" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (steps); i++) {
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), steps[i][0], NULL));
        RowWait w = { dbn_clerk_view_get_model (clerk), case_no, steps[i][1] };
        if (!wait_for (row_in_state, &w, 5000))
            g_error ("%s: the queue row never became %s", steps[i][0], steps[i][1]);
        if (g_strcmp0 (steps[i][1], "in_progress") != 0)
            continue;
        /* In progress: the clocks in the detail (deadline.case.due); the
         * clerk asks for a material (clocks stop, D-DL-7), it arrives
         * (they resume), and a delay is explained (D-DL-6). */
        ClocksWait running = { clerk, "D-DL-" };
        g_assert_true (wait_for (clocks_say, &running, 5000));
        gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "explain"), "请补充提供户口簿原件");
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.request-materials", NULL));
        ClocksWait stopped = { clerk, "时限暂停" };
        g_assert_true (wait_for (clocks_say, &stopped, 5000));
        screenshot (GTK_WIDGET (clerk_win), "clerk-request-materials.png");
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.supplement", NULL));
        ClocksWait resumed = { clerk, "计时中" };
        g_assert_true (wait_for (clocks_say, &resumed, 5000));
        g_assert_null (strstr (dbn_clerk_view_get_clocks_text (clerk), "时限暂停"));
        gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "explain"), "需县民政局复核，预计延后两日");
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.explain", NULL));
        ClocksWait explained = { clerk, "已书面说明" };
        g_assert_true (wait_for (clocks_say, &explained, 5000));
        screenshot (GTK_WIDGET (clerk_win), "clerk-clocks-explained.png");
        /* Every action of the clerk is on screen, the detail filled. */
        guint inside = 0, outside = 0;
        count_action_buttons (GTK_WIDGET (clerk_win), GTK_WIDGET (clerk_win), "clerk.", &inside, &outside);
        g_assert_cmpuint (outside, ==, 0);
        /* Ten, and escalate, the county's two answers and accompany, and
         * the three balls of a rating at the window (D-EV-1). */
        g_assert_cmpuint (inside, ==, 17);
    }
    g_assert_true (wait_for (timeline_loaded, clerk, 5000));
    screenshot (GTK_WIDGET (clerk_win), "clerk-completed.png");
    /* D-EV-1: the applicant rates the window's handling there (stage
     * window), through the clerk's outbox; checked at evaluation below. */
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.rate", "s", "basic"));

    /* The station sees the new state on its own topic. */
    RowWait done = { dbn_station_view_get_model (station), case_no, "completed" };
    g_assert_true (wait_for (row_in_state, &done, 5000));
    dbn_station_view_show_page (station, "cases");
    screenshot (GTK_WIDGET (station_win), "station-cases.png");

    /* Reply with the result, the rating and the applicant's signature. */
    g_assert_true (dbn_station_view_select (station, case_no));
    dbn_station_view_show_page (station, "reply");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "reply-result"), "准生证已领取");
    /* D-AUD-3: the fee charged goes with the reply (the permit is free). */
    gtk_editable_set_text (dbn_station_view_get_entry (station, "reply-fee"), "0");
    DbnSignaturePad *pad = DBN_SIGNATURE_PAD (dbn_station_view_get_signature_pad (station));
    for (int i = 0; i < 60; i++)
        dbn_signature_pad_add_point (pad, 40 + i * 5, 70 + 30 * sin (i / 5.0), i == 0);
    for (int i = 0; i < 20; i++)
        dbn_signature_pad_add_point (pad, 120 + i * 3, 40 + i * 4, i == 0);
    screenshot (GTK_WIDGET (station_win), "station-reply.png");
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "reply"), "reply.send", NULL));
    RowWait replied = { dbn_station_view_get_model (station), case_no, "replied" };
    g_assert_true (wait_for (row_in_state, &replied, 5000));
    g_autofree char *png =
        g_build_filename (f->client_dir, "station-qingshui", "cases", case_no, "signature.png", NULL);
    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    g_autofree char *ini =
        g_build_filename (f->client_dir, "station-qingshui", "cases", case_no, "reply.ini", NULL);
    g_autoptr (GKeyFile) record = g_key_file_new ();
    g_assert_true (g_key_file_load_from_file (record, ini, 0, NULL));
    g_autofree char *rating = g_key_file_get_string (record, "reply", "rating", NULL);
    g_assert_cmpstr (rating, ==, "satisfied");
    {
        g_autoptr (DbnMsgRoutingCaseGet) get = dbn_msg_routing_case_get_new ();
        get->env.key = g_strdup ("gui-fee-get");
        get->case_no = g_strdup (case_no);
        g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (get, NULL);
        g_autoptr (GError) get_error = NULL;
        g_autoptr (GBytes) got = dbn_harness_call (f->harness, "routing", body, 5000, &get_error);
        g_assert_no_error (get_error);
        g_autoptr (DbnMsgRoutingCaseGetReply) c = dbn_msg_routing_case_get_reply_decode (
            g_bytes_get_data (got, NULL), g_bytes_get_size (got), NULL);
        g_assert_nonnull (c);
        gboolean fee_seen = FALSE;
        for (guint i = 0; i < c->timeline->len; i++) {
            GBytes *ev = c->timeline->pdata[i];
            g_autoptr (DbnMsgCaseReplied) r =
                dbn_msg_case_replied_decode (g_bytes_get_data (ev, NULL), g_bytes_get_size (ev), NULL);
            if (r != NULL && g_strcmp0 (r->env.type, DBN_MSG_CASE_REPLIED_WIRE) == 0)
                fee_seen = r->has_fee_charged && r->fee_charged == 0;
        }
        g_assert_true (fee_seen);
    }

    /* The acceptance form as a PDF with the case number. */
    g_assert_true (gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"),
                                               "intake.export-pdf", NULL));
    g_autofree char *pdf =
        g_build_filename (f->client_dir, "station-qingshui", "cases", case_no, "acceptance.pdf", NULL);
    g_autofree char *pdf_data = NULL;
    gsize pdf_len = 0;
    g_assert_true (g_file_get_contents (pdf, &pdf_data, &pdf_len, NULL));
    g_assert_true (pdf_len > 1000 && memcmp (pdf_data, "%PDF-", 5) == 0);
    g_assert_true (contains (pdf_data, pdf_len, case_no)); /* the Subject metadata */

    /* Archived (D-RPL-4): the case leaves both queues. */
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "reply"), "reply.archive", NULL));
    GoneWait gone_station = { dbn_station_view_get_model (station), case_no };
    GoneWait gone_window = { dbn_clerk_view_get_model (clerk), case_no };
    g_assert_true (wait_for (row_gone, &gone_station, 5000));
    g_assert_true (wait_for (row_gone, &gone_window, 5000));

    g_assert_true (wait_for (outbox_empty, dbn_main_window_get_outbox (station_win), 5000));
    g_assert_true (wait_for (outbox_empty, dbn_main_window_get_outbox (clerk_win), 5000));
    /* D-EV-1: the outbox delivered the rating to evaluation: another rating
     * of the same case and stage is refused. */
    {
        g_autoptr (DbnMsgEvalRate) again = dbn_msg_eval_rate_new ();
        again->env.key = g_strdup ("gui-rate-again");
        again->case_no = g_strdup (case_no);
        again->stage = g_strdup ("reply");
        again->level = g_strdup ("basic");
        g_autoptr (GBytes) body = dbn_msg_eval_rate_encode (again, NULL);
        g_autoptr (GError) rate_error = NULL;
        g_autoptr (GBytes) rate_reply = dbn_harness_call (f->harness, "evaluation", body, 5000, &rate_error);
        g_assert_null (rate_reply);
        g_assert_error (rate_error, EVAL_ERROR, EVAL_ERROR_ALREADY_RATED);
        /* The window's rating arrived too: refused a second time. */
        g_free (again->stage);
        again->stage = g_strdup ("window");
        g_free (again->env.key);
        again->env.key = g_strdup ("gui-rate-window-again");
        g_autoptr (GBytes) window_body = dbn_msg_eval_rate_encode (again, NULL);
        g_autoptr (GError) window_error = NULL;
        g_autoptr (GBytes) window_reply =
            dbn_harness_call (f->harness, "evaluation", window_body, 5000, &window_error);
        g_assert_null (window_reply);
        g_assert_error (window_error, EVAL_ERROR, EVAL_ERROR_ALREADY_RATED);
    }
    /* D-RPL-1: the window's PC reprints the completion card of the archived
     * case (gone from every queue: its number typed), from the evaluation
     * service: number, matter, result, rating, and the signature's image. */
    DbnCasePapers *clerk_papers = dbn_clerk_view_get_papers (clerk);
    {
        g_autofree char *card_pdf = export_paper (clerk_papers, case_no, DBN_CASE_PAPER_CARD);
        g_assert_nonnull (card_pdf);
        g_autofree char *text = pdf_text (card_pdf);
        g_assert_nonnull (strstr (text, "代办事项落实卡"));
        g_assert_nonnull (strstr (text, case_no));
        g_autofree char *matter = value_after (text, "代办事项");
        g_assert_nonnull (strstr (matter, "准生证"));
        g_autofree char *result = value_after (text, "办理结果");
        g_assert_cmpstr (result, ==, "准生证已领取");
        g_autofree char *level = value_after (text, "满意度评价");
        g_assert_cmpstr (level, ==, "满意");
        g_assert_nonnull (strstr (text, "已签字"));
        g_assert_cmpuint (pdf_images (card_pdf), ==, 1);
        paper_screenshot (card_pdf, "paper-completion-card", 0);
        /* The local copy is not what printed: the file on the station's PC
         * can go, the card stays. */
        g_assert_cmpint (g_remove (png), ==, 0);
        g_autofree char *again = export_paper (clerk_papers, case_no, DBN_CASE_PAPER_CARD);
        g_assert_nonnull (again);
        g_assert_cmpuint (pdf_images (again), ==, 1);
    }
    /* D-RPL-3: the result notice, and the 承办单 again, from the window's PC. */
    {
        g_autofree char *notice_pdf = export_paper (clerk_papers, case_no, DBN_CASE_PAPER_RESULT);
        g_assert_nonnull (notice_pdf);
        g_autofree char *text = pdf_text (notice_pdf);
        g_assert_nonnull (strstr (text, "办理结果告知单"));
        g_assert_nonnull (strstr (text, case_no));
        g_autofree char *outcome = value_after (text, "办理结果");
        g_assert_cmpstr (outcome, ==, "已办结");
        g_assert_nonnull (strstr (text, "准生证已领取"));
        paper_screenshot (notice_pdf, "paper-result-notice", 0);
        g_autofree char *form_pdf = export_paper (clerk_papers, case_no, DBN_CASE_PAPER_ACCEPTANCE);
        g_assert_nonnull (form_pdf);
        g_autofree char *form_text = pdf_text (form_pdf);
        g_assert_nonnull (strstr (form_text, "群众事务代办承办单"));
        g_assert_nonnull (strstr (form_text, case_no));
        g_autofree char *applicant = value_after (form_text, "申办人");
        g_assert_cmpstr (applicant, ==, "张三1");
        g_autofree char *handed = value_after (form_text, "已收材料");
        g_assert_nonnull (strstr (handed, "结婚证"));
        /* D-DL-2 is for a matter the township cannot decide: not this one. */
        g_autofree char *none = export_paper (clerk_papers, case_no, DBN_CASE_PAPER_PROGRESS);
        g_assert_null (none);
        g_assert_nonnull (strstr (dbn_case_papers_get_status (clerk_papers), "D-DL-2"));
        screenshot (GTK_WIDGET (clerk_win), "clerk-papers.png");
    }
    /* The station's PC reprints the 承办单 of its archived case as well. */
    {
        DbnCasePapers *station_papers =
            dbn_station_cases_get_papers (DBN_STATION_CASES (dbn_station_view_get_page (station, "cases")));
        dbn_station_view_show_page (station, "cases");
        g_autofree char *form_pdf = export_paper (station_papers, case_no, DBN_CASE_PAPER_ACCEPTANCE);
        g_assert_nonnull (form_pdf);
        g_autofree char *form_text = pdf_text (form_pdf);
        g_assert_nonnull (strstr (form_text, case_no));
        g_assert_nonnull (strstr (form_text, "准生证"));
        paper_screenshot (form_pdf, "paper-acceptance-copy", 0);
        screenshot (GTK_WIDGET (station_win), "station-papers.png");
    }
    gtk_window_destroy (GTK_WINDOW (station_win));
    gtk_window_destroy (GTK_WINDOW (clerk_win));
    while (g_main_context_iteration (NULL, FALSE))
        ;
}

typedef struct {
    DbnQueueModel *model;
    guint cases;   /* rows that are cases */
    guint pending; /* rows still in the outbox */
} Count;

static void
count_rows (Count *c)
{
    c->cases = c->pending = 0;
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (c->model)); i++) {
        g_autoptr (DbnQueueItem) item = g_list_model_get_item (G_LIST_MODEL (c->model), i);
        if (dbn_queue_item_get_pending (item))
            c->pending++;
        else
            c->cases++;
    }
}

static gboolean
five_cases (gpointer data)
{
    Count *c = data;
    count_rows (c);
    return c->cases == 5 && c->pending == 0;
}

typedef struct {
    DbnQueueModel *model;
    gint64 seq; /* the snapshot seq before */
} SeqWait;

static gboolean
snapshot_newer (gpointer data)
{
    SeqWait *w = data;
    return dbn_queue_model_get_seq (w->model) > w->seq;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
    return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static gboolean
six_cases (gpointer data)
{
    Count *c = data;
    count_rows (c);
    return c->cases == 6 && c->pending == 0;
}

/* Intake down: the station keeps taking requests (未发送); intake back:
 * the five arrive exactly once, in order, and the marks clear. */
static void
test_offline_outbox (Fixture *f, gconstpointer data)
{
    DbnMainWindow *win = open_window (f, f->station_key);
    g_assert_true (wait_for (is_online, win, 10000));
    DbnStationView *station = DBN_STATION_VIEW (dbn_main_window_get_view (win));
    DbnOutbox *outbox = dbn_main_window_get_outbox (win);

    g_assert_true (dbn_harness_stop (f->intake, 5000));
    g_clear_object (&f->intake);
    g_assert_true (wait_for (is_offline, win, 10000));
    /* The last applicant forgot the marriage certificate (D-INT-4). */
    for (guint n = 10; n < 15; n++) {
        fill_form (station, n, n == 14 ? 2 : G_MAXUINT);
        g_assert_true (gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"),
                                                   "intake.submit", NULL));
    }
    g_assert_cmpuint (dbn_outbox_get_n_pending (outbox), ==, 5);
    Count c = { dbn_station_view_get_model (station) };
    count_rows (&c);
    g_assert_cmpuint (c.pending, ==, 5);
    dbn_station_view_show_page (station, "cases");
    screenshot (GTK_WIDGET (win), "station-offline.png");

    f->intake = dbn_harness_start_service (f->harness, "intake");
    g_assert_true (wait_for (outbox_empty, outbox, 30000));
    g_assert_true (wait_for (five_cases, &c, 10000));
    g_assert_true (wait_for (is_online, win, 5000));
    g_assert_false (dbn_main_window_get_offline_shown (win));
    screenshot (GTK_WIDGET (win), "station-back-online.png");
    /* The one-time notification of what is missing, from intake's answer. */
    g_assert_nonnull (strstr (dbn_station_view_get_result (station), "一次性告知：尚缺 结婚证"));
    dbn_station_view_show_page (station, "intake");
    screenshot (GTK_WIDGET (win), "station-notice.png");

    /* Exactly once, in order: routing holds five cases of the station, one
     * per applicant, numbered in the order they were taken. */
    g_autoptr (DbnMsgRoutingQueue) q = dbn_msg_routing_queue_new ();
    q->env.key = g_strdup ("check");
    q->kind = g_strdup ("station");
    q->id = g_strdup ("qingshui");
    g_autoptr (GBytes) body = dbn_msg_routing_queue_encode (q, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_harness_call (f->harness, "routing", body, 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgRoutingQueueReply) r =
        dbn_msg_routing_queue_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (r->items->len, ==, 5);
    g_autoptr (GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
    for (guint i = 0; i < r->items->len; i++) {
        g_autoptr (DbnMsgRoutingQueueItem) item = dbn_msg_routing_queue_item_decode (
            g_bytes_get_data (r->items->pdata[i], NULL), g_bytes_get_size (r->items->pdata[i]), &error);
        g_assert_no_error (error);
        g_ptr_array_add (numbers, g_strdup (item->case_no));
    }
    g_ptr_array_sort (numbers, compare_strings);
    for (guint i = 0; i < numbers->len; i++) {
        g_autoptr (DbnMsgIntakeCaseGet) get = dbn_msg_intake_case_get_new ();
        get->env.key = g_strdup_printf ("get-%u", i);
        get->case_no = g_strdup (numbers->pdata[i]);
        g_autoptr (GBytes) gb = dbn_msg_intake_case_get_encode (get, NULL);
        g_autoptr (GBytes) gr = dbn_harness_call (f->harness, "intake", gb, 5000, &error);
        g_assert_no_error (error);
        g_autoptr (DbnMsgIntakeCaseGetReply) c2 =
            dbn_msg_intake_case_get_reply_decode (g_bytes_get_data (gr, NULL), g_bytes_get_size (gr), &error);
        g_assert_no_error (error);
        g_autofree char *expected = g_strdup_printf ("张%s%u", (10 + i) % 2 ? "三" : "四", 10 + i);
        g_test_message ("%s: %s", c2->case_no, c2->applicant);
        g_assert_cmpstr (c2->applicant, ==, expected);
    }

    /* Routing restarts: the queue takes a new snapshot (the Clone pattern's
     * resync), which also brings the case intake took while routing was down. */
    DbnQueueModel *model = dbn_station_view_get_model (station);
    SeqWait resynced = { model, dbn_queue_model_get_seq (model) };
    g_assert_true (dbn_harness_stop (f->routing, 5000));
    g_clear_object (&f->routing);
    g_assert_true (wait_for (is_offline, win, 10000));
    fill_form (station, 20, G_MAXUINT);
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.submit", NULL));
    g_assert_true (wait_for (outbox_empty, outbox, 10000));
    f->routing = dbn_harness_start_service (f->harness, "routing");
    g_assert_true (wait_for (snapshot_newer, &resynced, 10000));
    Count six = { model };
    g_assert_true (wait_for (six_cases, &six, 10000));
    gtk_window_destroy (GTK_WINDOW (win));
    while (g_main_context_iteration (NULL, FALSE))
        ;
}

static gboolean
replied_twice (gpointer data)
{
    return *(guint *) data == 2;
}

static void
count_replies (DbnOutbox *outbox, gint64 id, const char *cmd, GBytes *reply, GError *error, gpointer data)
{
    g_assert_no_error (error);
    g_assert_nonnull (reply);
    (*(guint *) data)++;
}

/* The outbox is a file: rows written while the services were down survive
 * the client's restart, keep their order and keys, and go out once. */
static void
test_outbox_survives_restart (void)
{
    g_autoptr (DbnHarness) harness = dbn_harness_new (FALSE);
    g_autofree char *key = dbn_harness_add_key (harness, "station:qingshui");
    g_autofree char *path = g_build_filename (dbn_harness_get_data_dir (harness), "pc", "outbox.db", NULL);
    g_autoptr (GError) error = NULL;
    {
        g_autoptr (DbnConnection) c = dbn_connection_new (dbn_harness_get_data_dir (harness), key, &error);
        g_assert_no_error (error);
        g_autoptr (DbnOutbox) outbox = dbn_outbox_new (c, path, &error);
        g_assert_no_error (error);
        for (guint n = 1; n <= 2; n++) {
            g_autofree char *k = g_strdup_printf ("key-%u", n);
            g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new (k, n, TRUE);
            g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (m, NULL);
            g_autofree char *label = g_strdup_printf ("submit %u", n);
            g_assert_cmpint (dbn_outbox_enqueue (outbox, "intake", "intake.submit", k, body, label, &error),
                             ==, n);
            g_assert_no_error (error);
        }
        /* A key is stored once: the same command twice is refused locally. */
        g_autoptr (DbnMsgIntakeSubmit) again = dbn_test_submit_new ("key-1", 1, TRUE);
        g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (again, NULL);
        g_assert_cmpint (dbn_outbox_enqueue (outbox, "intake", "intake.submit", "key-1", body, "", &error),
                         ==, 0);
        g_assert_error (error, DBN_STORE_ERROR, DBN_STORE_ERROR_CONSTRAINT);
        g_clear_error (&error);
        g_assert_cmpuint (dbn_outbox_get_n_pending (outbox), ==, 2);
        g_object_run_dispose (G_OBJECT (outbox));
    }
    GSubprocess *intake = dbn_harness_start_service (harness, "intake");
    g_autoptr (DbnConnection) c = dbn_connection_new (dbn_harness_get_data_dir (harness), key, &error);
    g_assert_no_error (error);
    g_autoptr (DbnOutbox) outbox = dbn_outbox_new (c, path, &error);
    g_assert_no_error (error);
    g_autoptr (GPtrArray) rows = dbn_outbox_dup_pending (outbox);
    g_assert_cmpuint (rows->len, ==, 2);
    g_assert_cmpstr (((DbnOutboxRow *) rows->pdata[0])->label, ==, "submit 1");
    g_assert_cmpstr (((DbnOutboxRow *) rows->pdata[1])->label, ==, "submit 2");
    guint replies = 0;
    g_signal_connect (outbox, "replied", G_CALLBACK (count_replies), &replies);
    g_assert_true (wait_for (replied_twice, &replies, 10000));
    g_assert_cmpuint (dbn_outbox_get_n_pending (outbox), ==, 0);
    g_object_run_dispose (G_OBJECT (outbox));
    dbn_harness_stop (intake, 5000);
    g_object_unref (intake);
}

/* ---- the queue model alone: the Clone pattern's rules ---- */

static GBytes *
event_started (const char *case_no, gint64 seq, const char *state)
{
    g_autoptr (DbnMsgCaseStarted) e = dbn_msg_case_started_new ();
    e->env.src = g_strdup ("routing");
    e->env.seq = seq;
    e->env.ts = 1;
    e->env.case_no = g_strdup (case_no);
    e->env.actor = g_strdup ("window:jisheng");
    e->window = g_strdup ("jisheng");
    e->station = g_strdup ("qingshui");
    e->area = g_strdup ("east");
    e->state = g_strdup (state);
    e->kind = g_strdup ("immediate");
    e->holder = g_strdup ("window:jisheng");
    e->responsible = g_strdup ("station:qingshui");
    e->location = g_strdup ("centre");
    return dbn_msg_case_started_encode (e, NULL);
}

static GBytes *
event_archived (const char *case_no, gint64 seq)
{
    g_autoptr (DbnMsgCaseArchived) e = dbn_msg_case_archived_new ();
    e->env.src = g_strdup ("routing");
    e->env.seq = seq;
    e->env.ts = 1;
    e->env.case_no = g_strdup (case_no);
    e->env.actor = g_strdup ("window:jisheng");
    e->window = g_strdup ("jisheng");
    e->station = g_strdup ("qingshui");
    e->area = g_strdup ("east");
    e->state = g_strdup ("archived");
    e->kind = g_strdup ("immediate");
    e->holder = g_strdup ("window:jisheng");
    e->responsible = g_strdup ("station:qingshui");
    e->location = g_strdup ("centre");
    return dbn_msg_case_archived_encode (e, NULL);
}

static GBytes *
snapshot_reply (gint64 seq, const char *const *cases)
{
    g_autoptr (DbnMsgRoutingQueueReply) r = dbn_msg_routing_queue_reply_new ();
    r->env.ok = TRUE; /* _new fills code and the sentences */
    r->kind = g_strdup ("window");
    r->id = g_strdup ("jisheng");
    r->seq = seq;
    r->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (int i = 0; cases[i] != NULL; i++) {
        g_autoptr (DbnMsgRoutingQueueItem) item = dbn_msg_routing_queue_item_new ();
        item->case_no = g_strdup (cases[i]);
        item->matter = g_strdup ("JS-ZHUNSHENG");
        item->matter_name = g_strdup ("生育服务证（准生证）办理");
        item->window = g_strdup ("jisheng");
        item->station = g_strdup ("qingshui");
        item->area = g_strdup ("east");
        item->state = g_strdup ("received");
        item->kind = g_strdup ("immediate");
        item->holder = g_strdup ("station:qingshui");
        item->responsible = g_strdup ("station:qingshui");
        item->location = g_strdup ("station");
        item->updated = 1;
        item->updated_seq = seq - i;
        g_ptr_array_add (r->items, dbn_msg_routing_queue_item_encode (item, NULL));
    }
    return dbn_msg_routing_queue_reply_encode (r, NULL);
}

static void
apply (DbnQueueModel *model, GBytes *event)
{
    g_autoptr (GBytes) owned = event;
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_queue_model_apply_event (model, owned, &error));
    g_assert_no_error (error);
}

static void
test_model_snapshot_then_events (void)
{
    DbnQueueModel *model = dbn_queue_model_new (NULL);
    g_autoptr (GError) error = NULL;
    dbn_queue_model_begin_resync (model);
    /* Events that arrive while the snapshot is on its way wait for it. */
    apply (model, event_started ("T01-2026-000001", 9, "in_progress"));  /* older: dropped */
    apply (model, event_started ("T01-2026-000002", 12, "in_progress")); /* newer: applied */
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
    g_autoptr (GBytes) snap =
        snapshot_reply (10, (const char *[]){ "T01-2026-000001", "T01-2026-000002", NULL });
    g_assert_true (dbn_queue_model_apply_snapshot (model, snap, &error));
    g_assert_no_error (error);
    g_assert_cmpint (dbn_queue_model_get_seq (model), ==, 10);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
    g_assert_cmpstr (dbn_queue_item_get_state (dbn_queue_model_lookup (model, "T01-2026-000001")), ==,
                     "received");
    g_assert_cmpstr (dbn_queue_item_get_state (dbn_queue_model_lookup (model, "T01-2026-000002")), ==,
                     "in_progress");
    /* A new case arrives by its event; the catalog-less model keeps the code. */
    apply (model, event_started ("T01-2026-000003", 13, "received"));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
    /* A replayed event (same seq) changes nothing. */
    apply (model, event_started ("T01-2026-000003", 13, "completed"));
    g_assert_cmpstr (dbn_queue_item_get_state (dbn_queue_model_lookup (model, "T01-2026-000003")), ==,
                     "received");
    /* A run sheet puts its cases in transit, though it names no single case. */
    g_autoptr (DbnMsgRunsheetCreated) sheet = dbn_msg_runsheet_created_new ();
    sheet->env.src = g_strdup ("routing");
    sheet->env.seq = 14;
    sheet->env.ts = 1;
    sheet->env.actor = g_strdup ("station:qingshui");
    sheet->sheet = g_strdup ("RS-20261129-qingshui-1");
    sheet->station = g_strdup ("qingshui");
    sheet->area = g_strdup ("east");
    sheet->date = g_strdup ("2026-11-29");
    sheet->cases = g_strdupv ((char *[]){ "T01-2026-000003", "T01-2026-999999", NULL });
    sheet->windows = g_strdupv ((char *[]){ "jisheng", "jisheng", NULL });
    apply (model, dbn_msg_runsheet_created_encode (sheet, NULL));
    DbnQueueItem *moved = dbn_queue_model_lookup (model, "T01-2026-000003");
    g_assert_cmpstr (dbn_queue_item_get_location (moved), ==, "in_transit");
    g_assert_cmpstr (dbn_queue_item_get_sheet (moved), ==, "RS-20261129-qingshui-1");
    g_assert_cmpstr (dbn_queue_item_get_location (dbn_queue_model_lookup (model, "T01-2026-000002")), ==,
                     "centre");
    g_assert_null (dbn_queue_model_lookup (model, "T01-2026-999999"));
    /* Archived cases leave the queue. */
    apply (model, event_archived ("T01-2026-000001", 15));
    g_assert_null (dbn_queue_model_lookup (model, "T01-2026-000001"));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
    /* Garbage is refused with the codec's error, and the model is unchanged. */
    g_autoptr (GBytes) junk = g_bytes_new_static ("\xc1\xc1", 2);
    g_assert_false (dbn_queue_model_apply_event (model, junk, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2);
    g_assert_finalize_object (model);
}

static DbnCalendar *
shipped_calendar (void)
{
    const char *src = g_getenv ("DAIBAN_SOURCE_DIR");
    g_autofree char *path =
        g_build_filename (src ? src : DBN_SOURCE_DIR, "schemas", "data", "calendar.ini", NULL);
    g_autoptr (GError) error = NULL;
    DbnCalendar *calendar = dbn_calendar_load (path, &error);
    g_assert_no_error (error);
    return calendar;
}

static GDate
day (int year, int month, int d)
{
    GDate date;
    g_date_clear (&date, 1);
    g_date_set_dmy (&date, d, month, year);
    return date;
}

/* The due column counts working days with the calendar the deadline
 * service uses (holidays and adjusted working weekends, D-DL-5), and
 * colours: yellow for the warning stage or one day left, red for overdue,
 * violation or a date past, grey while the clocks are stopped. */
static void
test_due_working_days (void)
{
    g_autoptr (DbnCalendar) calendar = shipped_calendar ();
    g_autoptr (DbnQueueItem) item = dbn_queue_item_new ("T01-2026-000001");
    GDate today = day (2026, 9, 30); /* Wednesday before National Day */
    g_assert_cmpint (dbn_queue_item_days_left (item, calendar, &today), ==, G_MININT); /* no row */
    g_autofree char *none = dbn_queue_item_dup_due_text (item, calendar, &today);
    g_assert_cmpstr (none, ==, "—");
    g_assert_null (dbn_queue_item_due_class (item, calendar, &today));
    /* 1–7 Oct are holidays: Thu 8 and Fri 9 are the 1st and 2nd working days
     * (weekends only would have said 7). */
    dbn_queue_item_set_due (item, "2026-10-09", "none", FALSE);
    g_assert_cmpint (dbn_queue_item_days_left (item, calendar, &today), ==, 2);
    g_assert_null (dbn_queue_item_due_class (item, calendar, &today));
    g_autofree char *text = dbn_queue_item_dup_due_text (item, calendar, &today);
    g_assert_cmpstr (text, ==, "2026-10-09（剩 2 个工作日）");
    /* Sat 10 Oct is an adjusted working day (调休上班). */
    dbn_queue_item_set_due (item, "2026-10-10", "none", FALSE);
    g_assert_cmpint (dbn_queue_item_days_left (item, calendar, &today), ==, 3);
    /* One working day left: yellow even before the service's warning. */
    dbn_queue_item_set_due (item, "2026-10-08", "none", FALSE);
    g_assert_cmpint (dbn_queue_item_days_left (item, calendar, &today), ==, 1);
    g_assert_cmpstr (dbn_queue_item_due_class (item, calendar, &today), ==, "due-soon");
    /* The service's stage colours too. */
    dbn_queue_item_set_due (item, "2026-10-20", "warning", FALSE);
    g_assert_cmpstr (dbn_queue_item_due_class (item, calendar, &today), ==, "due-soon");
    dbn_queue_item_set_due (item, "2026-10-20", "violation", FALSE);
    g_assert_cmpstr (dbn_queue_item_due_class (item, calendar, &today), ==, "overdue");
    /* Past: Wed 30 Sep and Thu 8 Oct lie between → 2 days over. */
    GDate later = day (2026, 10, 8);
    dbn_queue_item_set_due (item, "2026-09-29", "none", FALSE);
    g_assert_cmpint (dbn_queue_item_days_left (item, calendar, &later), ==, -2);
    g_assert_cmpstr (dbn_queue_item_due_class (item, calendar, &later), ==, "overdue");
    g_autofree char *over = dbn_queue_item_dup_due_text (item, calendar, &later);
    g_assert_cmpstr (over, ==, "2026-09-29（超期 2 个工作日）");
    /* D-DL-3: a calendar-day clock's row (unit "calendar") counts every
     * day: Wed 30 Sep to Fri 9 Oct is 9 days, holidays included. */
    g_autoptr (DbnQueueItem) station_item = dbn_queue_item_new ("T01-2026-000002");
    dbn_queue_item_set_due (station_item, "2026-10-09", "none", FALSE);
    dbn_queue_item_set_due_unit (station_item, "calendar");
    g_assert_true (dbn_queue_item_get_calendar_days (station_item));
    g_assert_cmpint (dbn_queue_item_days_left (station_item, calendar, &today), ==, 9);
    g_autofree char *station_text = dbn_queue_item_dup_due_text (station_item, calendar, &today);
    g_assert_cmpstr (station_text, ==, "2026-10-09（剩 9 天）");
    /* Stopped: grey, no date. */
    dbn_queue_item_set_due (item, NULL, "none", TRUE);
    g_assert_cmpstr (dbn_queue_item_due_class (item, calendar, &today), ==, "suspended");
    g_autofree char *stopped = dbn_queue_item_dup_due_text (item, calendar, &today);
    g_assert_cmpstr (stopped, ==, "已暂停");
    /* Without a calendar: the date alone, never a guess. */
    dbn_queue_item_set_due (item, "2026-10-09", "none", FALSE);
    g_assert_cmpint (dbn_queue_item_days_left (item, NULL, &today), ==, G_MININT);
    g_autofree char *bare = dbn_queue_item_dup_due_text (item, NULL, NULL);
    g_assert_cmpstr (bare, ==, "2026-10-09");
}

static GBytes *
due_record (const char *case_no, const char *due, const char *stage, gboolean suspended, gint64 remaining)
{
    g_autoptr (DbnMsgDeadlineDue) d = dbn_msg_deadline_due_new ();
    d->case_no = g_strdup (case_no);
    d->clock = g_strdup (due || suspended ? "centre" : NULL);
    d->rule = g_strdup (due || suspended ? "D-DL-1" : NULL);
    d->due = g_strdup (due);
    d->has_remaining = remaining != G_MININT;
    d->remaining = remaining != G_MININT ? remaining : 0;
    d->stage = g_strdup (stage);
    d->suspended = suspended;
    d->covered = TRUE;
    return dbn_msg_deadline_due_encode (d, NULL);
}

/* One page of deadline.queue's reply: items is NULL-terminated records. */
static GBytes *
due_page (gint64 seq, GBytes **items, const char *next)
{
    g_autoptr (DbnMsgDeadlineQueueReply) r = dbn_msg_deadline_queue_reply_new ();
    r->seq = seq;
    r->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (int i = 0; items[i] != NULL; i++)
        g_ptr_array_add (r->items, items[i]);
    r->truncated = next != NULL;
    r->next = g_strdup (next);
    GBytes *encoded = dbn_msg_deadline_queue_reply_encode (r, NULL);
    g_assert_nonnull (encoded);
    return encoded;
}

static GBytes *
due_changed (const char *case_no, gint64 seq, const char *due, const char *stage, gboolean suspended)
{
    g_autoptr (DbnMsgDeadlineDueChanged) e = dbn_msg_deadline_due_changed_new ();
    e->env.src = g_strdup ("deadline");
    e->env.seq = seq;
    e->env.ts = 1;
    e->env.case_no = g_strdup (case_no);
    e->env.actor = g_strdup ("deadline");
    e->window = g_strdup ("jisheng");
    e->station = g_strdup ("qingshui");
    e->area = g_strdup ("east");
    e->clock = g_strdup ("centre");
    e->rule = g_strdup ("D-DL-1");
    e->due = g_strdup (due);
    e->stage = g_strdup (stage);
    e->suspended = suspended;
    e->covered = TRUE;
    GBytes *encoded = dbn_msg_deadline_due_changed_encode (e, NULL);
    g_assert_nonnull (encoded);
    return encoded;
}

static void
apply_due (DbnQueueModel *model, GBytes *event)
{
    g_autoptr (GBytes) owned = event;
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_queue_model_apply_due_event (model, owned, &error));
    g_assert_no_error (error);
}

static const char *
stage_of (DbnQueueModel *model, const char *case_no)
{
    return dbn_queue_item_get_stage (dbn_queue_model_lookup (model, case_no));
}

static char *
due_of (DbnQueueModel *model, const char *case_no)
{
    return dbn_queue_item_dup_due_text (dbn_queue_model_lookup (model, case_no), NULL, NULL);
}

/* The due column's Clone pattern on deadline's own journal: a paged
 * deadline.queue snapshot, then due_changed events newer than the page
 * that covers their case; events during the snapshot wait. */
static void
test_due_snapshot_then_events (void)
{
    DbnQueueModel *model = dbn_queue_model_new (NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) snap = snapshot_reply (
        10, (const char *[]){ "T01-2026-000001", "T01-2026-000002", "T01-2026-000003", NULL });
    g_assert_true (dbn_queue_model_apply_snapshot (model, snap, &error));
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 3);
    g_assert_false (dbn_queue_item_get_due_known (dbn_queue_model_lookup (model, "T01-2026-000001")));

    dbn_queue_model_begin_due_resync (model);
    /* While the pages come: 000001 changed at 52 (before page 1's 55:
     * dropped), 000003 at 58 (after page 2's 57: applied), and 000002 at
     * 56 (after page 1's 55: applied). */
    apply_due (model, due_changed ("T01-2026-000001", 52, "2026-12-01", "overdue", FALSE));
    apply_due (model, due_changed ("T01-2026-000003", 58, "2026-12-09", "warning", FALSE));
    apply_due (model, due_changed ("T01-2026-000002", 56, "2026-12-08", "none", FALSE));
    GBytes *page1[] = { due_record ("T01-2026-000001", "2026-12-02", "none", FALSE, G_MININT),
                        due_record ("T01-2026-000002", NULL, "none", TRUE, 4), NULL };
    g_autoptr (GBytes) p1 = due_page (55, page1, "T01-2026-000002");
    g_autofree char *next = NULL;
    g_assert_true (dbn_queue_model_apply_due_page (model, p1, NULL, &next, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (next, ==, "T01-2026-000002");
    /* Nothing shows until the last page. */
    g_assert_false (dbn_queue_item_get_due_known (dbn_queue_model_lookup (model, "T01-2026-000001")));
    GBytes *page2[] = { due_record ("T01-2026-000003", "2026-12-03", "none", FALSE, G_MININT), NULL };
    g_autoptr (GBytes) p2 = due_page (57, page2, NULL);
    g_autofree char *after_last = NULL;
    g_assert_true (dbn_queue_model_apply_due_page (model, p2, next, &after_last, &error));
    g_assert_null (after_last);
    g_assert_cmpint (dbn_queue_model_get_due_seq (model), ==, 55);
    g_autofree char *d1 = due_of (model, "T01-2026-000001");
    g_assert_cmpstr (d1, ==, "2026-12-02");
    g_assert_cmpstr (stage_of (model, "T01-2026-000001"), ==, "none");
    g_autofree char *d2 = due_of (model, "T01-2026-000002");
    g_assert_cmpstr (d2, ==, "2026-12-08"); /* resumed by the event at 56 */
    g_assert_false (dbn_queue_item_get_suspended (dbn_queue_model_lookup (model, "T01-2026-000002")));
    g_assert_cmpstr (stage_of (model, "T01-2026-000003"), ==, "warning");

    /* Live: an event at or below the row's seq is a replay. */
    apply_due (model, due_changed ("T01-2026-000003", 58, "2026-12-31", "none", FALSE));
    g_assert_cmpstr (stage_of (model, "T01-2026-000003"), ==, "warning");
    apply_due (model, due_changed ("T01-2026-000003", 60, "2026-12-09", "overdue", FALSE));
    g_assert_cmpstr (stage_of (model, "T01-2026-000003"), ==, "overdue");
    /* Materials asked for: the clocks stop, the column says so. */
    apply_due (model, due_changed ("T01-2026-000001", 61, NULL, "none", TRUE));
    g_autofree char *d1s = due_of (model, "T01-2026-000001");
    g_assert_cmpstr (d1s, ==, "已暂停");
    /* Other deadline events on the topic leave the row alone. */
    g_autoptr (DbnMsgDeadlineWarning) w = dbn_msg_deadline_warning_new ();
    w->env.src = g_strdup ("deadline");
    w->env.seq = 62;
    w->env.ts = 1;
    w->env.case_no = g_strdup ("T01-2026-000002");
    w->env.actor = g_strdup ("deadline");
    w->window = g_strdup ("jisheng");
    w->station = g_strdup ("qingshui");
    w->area = g_strdup ("east");
    w->matter = g_strdup ("JS-ZHUNSHENG");
    w->clock = g_strdup ("centre");
    w->rule = g_strdup ("D-DL-1");
    w->due = g_strdup ("2026-12-08");
    w->covered = TRUE;
    apply_due (model, dbn_msg_deadline_warning_encode (w, NULL));
    g_assert_cmpstr (stage_of (model, "T01-2026-000002"), ==, "none");
    /* A case deadline knew before routing's event brought it gets its row
     * when it arrives. */
    apply_due (model, due_changed ("T01-2026-000004", 63, "2026-12-10", "none", FALSE));
    apply (model, event_started ("T01-2026-000004", 20, "in_progress"));
    g_autofree char *d4 = due_of (model, "T01-2026-000004");
    g_assert_cmpstr (d4, ==, "2026-12-10");
    /* A new routing snapshot keeps the due column. */
    g_autoptr (GBytes) snap2 = snapshot_reply (30, (const char *[]){ "T01-2026-000003", NULL });
    g_assert_true (dbn_queue_model_apply_snapshot (model, snap2, &error));
    g_assert_cmpstr (stage_of (model, "T01-2026-000003"), ==, "overdue");
    /* An archived case leaves with its due row. */
    apply (model, event_archived ("T01-2026-000004", 31));
    apply (model, event_started ("T01-2026-000004", 32, "in_progress"));
    g_assert_false (dbn_queue_item_get_due_known (dbn_queue_model_lookup (model, "T01-2026-000004")));

    /* Refused pages: garbage, and a truncated page that does not move on. */
    dbn_queue_model_begin_due_resync (model);
    g_autoptr (GBytes) junk = g_bytes_new_static ("\xc1", 1);
    g_autofree char *n2 = NULL;
    g_assert_false (dbn_queue_model_apply_due_page (model, junk, NULL, &n2, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_MALFORMED);
    g_clear_error (&error);
    GBytes *page3[] = { NULL };
    g_autoptr (GBytes) stuck = due_page (70, page3, "T01-2026-000001");
    g_autofree char *n3 = NULL;
    g_assert_true (dbn_queue_model_apply_due_page (model, stuck, NULL, &n3, &error));
    g_autoptr (GBytes) stuck2 = due_page (70, page3, "T01-2026-000001");
    g_autofree char *n4 = NULL;
    g_assert_false (dbn_queue_model_apply_due_page (model, stuck2, n3, &n4, &error));
    g_assert_error (error, DBN_CODEC_ERROR, DBN_CODEC_ERROR_WRONG_FIELD_TYPE);
    g_assert_null (n4);
    /* The column stays as it was while no snapshot completes. */
    g_assert_cmpstr (stage_of (model, "T01-2026-000003"), ==, "overdue");
    g_assert_finalize_object (model);
}

static void
test_mask_name (void)
{
    g_autofree char *a = dbn_mask_name ("张三丰");
    g_assert_cmpstr (a, ==, "张**");
    g_autofree char *b = dbn_mask_name ("");
    g_assert_cmpstr (b, ==, "");
    g_autofree char *c = dbn_mask_name ("\xff\xfe");
    g_assert_cmpstr (c, ==, "");
}

static void
test_pdf_export (void)
{
    g_autoptr (DbnPrintForm) form = dbn_print_form_new (DBN_FORM_NOTICE, "T01-2026-000042");
    dbn_print_form_add_row (form, "代办事项", "生育服务证（准生证）办理");
    dbn_print_form_add_row (form, "需补材料 1", "结婚证");
    g_autofree char *dir = g_dir_make_tmp ("daiban-pdf-XXXXXX", NULL);
    g_autofree char *path = g_build_filename (dir, "notice.pdf", NULL);
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_print_form_export_pdf (form, path, &error));
    g_assert_no_error (error);
    g_autofree char *data = NULL;
    gsize len;
    g_assert_true (g_file_get_contents (path, &data, &len, NULL));
    g_assert_true (memcmp (data, "%PDF-", 5) == 0);
    g_assert_true (contains (data, len, "T01-2026-000042"));
    /* Issue 15: the rendered text, not only the metadata (a blank page
     * carries the Subject too). */
    g_autofree char *text = pdf_text (path);
    g_assert_nonnull (strstr (text, "T01-2026-000042"));
    g_assert_nonnull (strstr (text, "结婚证"));
    /* The printer's path: GtkPrintOperation exporting the same page. */
    g_autofree char *printed = g_build_filename (dir, "printed.pdf", NULL);
    g_assert_true (dbn_print_form_print_to_file (form, printed, &error));
    g_assert_no_error (error);
    g_autofree char *pdata = NULL;
    gsize plen;
    g_assert_true (g_file_get_contents (printed, &pdata, &plen, NULL));
    g_assert_true (plen > 1000 && memcmp (pdata, "%PDF-", 5) == 0);
    g_autofree char *ptext = pdf_text (printed);
    g_assert_nonnull (strstr (ptext, "结婚证"));
    g_unlink (printed);
    g_autofree char *bad = g_build_filename (dir, "no-such-dir", "x.pdf", NULL);
    g_assert_false (dbn_print_form_export_pdf (form, bad, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_unlink (path);
    g_rmdir (dir);
}

/* Chinese by default; English when the locale asks (LANGUAGE=en in the
 * ctest entry test_client_gui_english). */
static void
test_translation (void)
{
    gboolean english = g_str_has_prefix (g_getenv ("LANGUAGE") ? g_getenv ("LANGUAGE") : "", "en");
    g_assert_cmpstr (dbn_state_display ("completed"), ==, english ? "Completed" : "已办结");
    g_assert_cmpstr (dbn_kind_display ("immediate"), ==, english ? "Immediate" : "即办件");
    DbnPrintForm *form = dbn_print_form_new (DBN_FORM_ACCEPTANCE, "T01-2026-000001");
    g_assert_cmpstr (dbn_print_form_get_title (form), ==, english ? "Acceptance form" : "群众事务代办承办单");
    dbn_print_form_free (form);
}

static gboolean
visits_listed (gpointer view)
{
    return g_list_model_get_n_items (dbn_station_view_get_visits (view)) >= 2;
}

static char *
line_at (GListModel *list, guint i)
{
    g_autoptr (GtkStringObject) s = g_list_model_get_item (list, i);
    return g_strdup (gtk_string_object_get_string (s));
}

typedef struct {
    GListModel *list;
    const char *needle;
} LineWait;

static gboolean
has_line (gpointer data)
{
    LineWait *w = data;
    for (guint i = 0; i < g_list_model_get_n_items (w->list); i++) {
        g_autofree char *line = line_at (w->list, i);
        if (strstr (line, w->needle) != NULL)
            return TRUE;
    }
    return FALSE;
}

typedef struct {
    DbnStationView *view;
    const char *case_no;
} SupplementWait;

static gboolean
missing_shown (gpointer data)
{
    SupplementWait *w = data;
    return g_strcmp0 (dbn_station_view_get_supplement_case (w->view), w->case_no) == 0;
}

typedef struct {
    DbnStationView *view;
    const char *page;
    const char *needle;
} StatusWait;

static gboolean
status_says (gpointer data)
{
    StatusWait *w = data;
    return strstr (dbn_station_view_get_status (w->view, w->page), w->needle) != NULL;
}

static gboolean
not_awaiting (gpointer data)
{
    RowWait *w = data;
    DbnQueueItem *item = dbn_queue_model_lookup (w->model, w->case_no);
    return item != NULL && g_strcmp0 (dbn_queue_item_get_state (item), "awaiting_materials") != 0;
}

typedef struct {
    DbnStationView *view;
    const char *before; /* the last case number before the submit */
} LastCaseWait;

/* The station's answer came back: a new case number under the form. (A bare
 * g_main_context_iteration may return FALSE, having been woken without
 * dispatching anything: waiting must be on the event itself.) */
static gboolean
last_case_changed (gpointer data)
{
    LastCaseWait *w = data;
    return g_strcmp0 (dbn_station_view_get_last_case (w->view), w->before) != 0;
}

static char *
submit_one (DbnStationView *station, guint n, guint handed_in)
{
    fill_form (station, n, handed_in);
    g_autofree char *before = g_strdup (dbn_station_view_get_last_case (station));
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.submit", NULL));
    LastCaseWait w = { station, before };
    g_assert_true (wait_for (last_case_changed, &w, 10000));
    return g_strdup (dbn_station_view_get_last_case (station));
}

/* A county matter through the form: 农村最低生活保障 (MZ-DIBAO), every
 * material handed in. Its progress clock (D-DL-2) runs from acceptance. */
static char *
submit_dibao (DbnStationView *station, guint n)
{
    fill_form (station, n, G_MAXUINT);
    gtk_editable_set_text (dbn_station_view_get_entry (station, "matter-search"), "最低生活保障");
    g_assert_true (dbn_station_view_choose_matter (station, "MZ-DIBAO"));
    dbn_station_view_tick_materials (station, G_MAXUINT);
    g_autofree char *before = g_strdup (dbn_station_view_get_last_case (station));
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.submit", NULL));
    LastCaseWait w = { station, before };
    g_assert_true (wait_for (last_case_changed, &w, 10000));
    return g_strdup (dbn_station_view_get_last_case (station));
}

typedef struct {
    DbnQueueModel *model;
    const char *case_no;
    const char *due;   /* YYYY-MM-DD wanted, or NULL: any */
    const char *stage; /* wanted, or NULL: any */
} DueWait;

/* The row shows what the deadline service sent: snapshot or due_changed. */
static gboolean
row_due_is (gpointer data)
{
    DueWait *w = data;
    DbnQueueItem *item = dbn_queue_model_lookup (w->model, w->case_no);
    GDate due;
    if (item == NULL || !dbn_queue_item_get_due_date (item, &due))
        return FALSE;
    char text[16];
    g_date_strftime (text, sizeof text, "%Y-%m-%d", &due);
    return (w->due == NULL || strcmp (text, w->due) == 0)
           && (w->stage == NULL || g_strcmp0 (dbn_queue_item_get_stage (item), w->stage) == 0);
}

typedef struct {
    DbnConnection *connection;
    guint day; /* of the month, wanted */
} TodayWait;

/* The client's clock (the clock file) has reached the wanted day. */
static gboolean
today_is (gpointer data)
{
    TodayWait *w = data;
    GDate today;
    dbn_connection_get_today (w->connection, &today);
    return g_date_valid (&today) && g_date_get_day (&today) == w->day;
}

/* D-INT-1, -4, -5, -3 at the station: a household visit's need becomes a
 * request (the submit names the visit); the case awaiting a material gets
 * it by a supplement and resumes; a refusal is numbered; the logbook lists
 * both and exports as PDF. Then the due column's colours, with the
 * client's today moved through DAIBAN_CLOCK_FILE. */
static void
test_station_visit_supplement_refuse (Fixture *f, gconstpointer data)
{
    DbnMainWindow *win = open_window (f, f->station_key);
    g_assert_true (wait_for (is_online, win, 10000));
    DbnStationView *station = DBN_STATION_VIEW (dbn_main_window_get_view (win));

    /* The visit: two needs found at 王五's home. */
    dbn_station_view_show_page (station, "visits");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "household"), "王五");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "visit-address"), "清水村三组 12 号");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "needs"), "儿媳怀孕，需办准生证；屋顶漏雨");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "visit-note"), "老人独居");
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "visits"), "visits.record", NULL));
    g_assert_true (wait_for (visits_listed, station, 5000));
    g_autofree char *first = line_at (dbn_station_view_get_visits (station), 0);
    g_assert_nonnull (strstr (first, "儿媳怀孕，需办准生证"));
    g_assert_nonnull (strstr (first, "-V"));

    /* "Turn this need into a request": the form is filled and carries the visit. */
    dbn_station_view_select_visit_need (station, 0);
    g_assert_true (gtk_widget_activate_action (dbn_station_view_get_page (station, "visits"),
                                               "visits.to-request", NULL));
    g_assert_cmpstr (gtk_editable_get_text (dbn_station_view_get_entry (station, "applicant")), ==, "王五");
    g_assert_cmpstr (gtk_editable_get_text (dbn_station_view_get_entry (station, "note")), ==,
                     "儿媳怀孕，需办准生证");
    g_autofree char *visit = g_strdup (dbn_station_view_get_visit (station));
    g_assert_nonnull (visit);
    g_assert_true (g_str_has_prefix (first, visit));
    gtk_editable_set_text (dbn_station_view_get_entry (station, "matter-search"), "zsz");
    g_assert_true (dbn_station_view_choose_matter (station, "JS-ZHUNSHENG"));
    dbn_station_view_tick_materials (station, 2); /* the marriage certificate is missing */
    g_autofree char *id = dbn_test_id_number (30);
    gtk_editable_set_text (dbn_station_view_get_entry (station, "id-number"), id);
    gtk_editable_set_text (dbn_station_view_get_entry (station, "phone"), "13800130030");
    dbn_station_view_set_consent (station, TRUE);
    screenshot (GTK_WIDGET (win), "station-visit-request.png");
    g_autofree char *before = g_strdup (dbn_station_view_get_last_case (station));
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.submit", NULL));
    g_assert_null (dbn_station_view_get_visit (station)); /* the next request starts clean */
    g_assert_true (wait_for (has_last_case, station, 5000));
    g_autofree char *case_no = g_strdup (dbn_station_view_get_last_case (station));
    g_assert_cmpstr (case_no, !=, before);
    /* The visit now lists the case made from its need. */
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "visits"), "visits.refresh", NULL));
    LineWait linked = { dbn_station_view_get_visits (station), case_no };
    g_assert_true (wait_for (has_line, &linked, 5000));
    dbn_station_view_show_page (station, "visits");
    screenshot (GTK_WIDGET (win), "station-visits.png");

    /* The supplement: the missing list of the case awaiting materials. */
    RowWait awaiting = { dbn_station_view_get_model (station), case_no, "awaiting_materials" };
    g_assert_true (wait_for (row_in_state, &awaiting, 5000));
    dbn_station_view_show_page (station, "cases");
    g_assert_true (dbn_station_view_select (station, case_no));
    SupplementWait shown = { station, case_no };
    g_assert_true (wait_for (missing_shown, &shown, 5000));
    g_assert_cmpuint (dbn_station_view_get_n_missing (station), ==, 1);
    /* D-INT-4: the one-time notification again, from the case (intake's
     * missing list), not only right after the submit. */
    {
        DbnCasePapers *papers =
            dbn_station_cases_get_papers (DBN_STATION_CASES (dbn_station_view_get_page (station, "cases")));
        g_autofree char *pdf = export_paper (papers, case_no, DBN_CASE_PAPER_MISSING);
        g_assert_nonnull (pdf);
        g_autofree char *text = pdf_text (pdf);
        g_assert_nonnull (strstr (text, "一次性告知书"));
        g_assert_nonnull (strstr (text, case_no));
        g_autofree char *awaited = value_after (text, "需补材料 1");
        g_assert_cmpstr (awaited, ==, "结婚证");
        paper_screenshot (pdf, "paper-missing-notice", 0);
    }
    dbn_station_view_tick_supplement (station, 1);
    screenshot (GTK_WIDGET (win), "station-supplement.png");
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "cases"), "cases.supplement", NULL));
    StatusWait complete = { station, "supplement", "材料已齐" };
    g_assert_true (wait_for (status_says, &complete, 5000));
    g_assert_true (wait_for (not_awaiting, &awaiting, 5000));

    /* The refusal: numbered, with the reason and where to apply instead. */
    dbn_station_view_show_page (station, "intake");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "applicant"), "赵六");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "note"), "要求代为办理出国签证");
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.refuse", NULL));
    g_assert_cmpstr (dbn_station_view_get_result (station), ==, "不予受理须写明理由和改向何处申请");
    gtk_editable_set_text (dbn_station_view_get_entry (station, "refuse-reason"), "不属于代办事项目录");
    g_assert_cmpstr (dbn_station_view_get_result (station), ==, ""); /* the input changed */
    gtk_editable_set_text (dbn_station_view_get_entry (station, "refuse-apply-to"), "县公安局出入境管理大队");
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"), "intake.refuse", NULL));
    StatusWait refused = { station, "intake", "不予受理，编号 T01-" };
    g_assert_true (wait_for (status_says, &refused, 5000));
    screenshot (GTK_WIDGET (win), "station-refused.png");

    /* The logbook: the acceptance and the refusal, printed to PDF. */
    LineWait in_book = { dbn_station_view_get_logbook (station), "不予受理" };
    g_assert_true (wait_for (has_line, &in_book, 5000));
    LineWait accepted = { dbn_station_view_get_logbook (station), case_no };
    g_assert_true (wait_for (has_line, &accepted, 5000));
    dbn_station_view_show_page (station, "logbook");
    screenshot (GTK_WIDGET (win), "station-logbook.png");
    g_assert_true (
        gtk_widget_activate_action (dbn_station_view_get_page (station, "logbook"), "logbook.export", NULL));
    g_autofree char *pdf = g_build_filename (f->client_dir, "station-qingshui", "logbook.pdf", NULL);
    g_autofree char *pdf_data = NULL;
    gsize pdf_len = 0;
    g_assert_true (g_file_get_contents (pdf, &pdf_data, &pdf_len, NULL));
    g_assert_true (pdf_len > 1000 && memcmp (pdf_data, "%PDF-", 5) == 0);

    /* The due column. Today is Wed 30 Sep 2026 (the fixture's clock). */
    g_autofree char *plain = submit_one (station, 31, G_MAXUINT);
    g_autofree char *stopped = submit_one (station, 32, G_MAXUINT);
    DbnQueueModel *model = dbn_station_view_get_model (station);
    RowWait r1 = { model, plain, NULL }, r2 = { model, stopped, NULL };
    g_assert_true (wait_for (row_in_state, &r1, 5000));
    g_assert_true (wait_for (row_in_state, &r2, 5000));
    DbnDueFeed *feed = dbn_station_view_get_due_feed (station);
    g_assert_true (wait_for (due_answered, feed, 10000));
    g_assert_cmpuint (dbn_due_feed_get_n_snapshots (feed), >, 0);
    DbnConnection *connection = dbn_main_window_get_connection (win);
    DbnCalendar *calendar = dbn_connection_get_calendar (connection);
    g_assert_nonnull (calendar);
    GDate today;
    dbn_connection_get_today (connection, &today);
    g_assert_cmpint (g_date_get_day (&today), ==, 30);
    DbnQueueItem *a = dbn_queue_model_lookup (model, case_no);
    DbnQueueItem *b = dbn_queue_model_lookup (model, plain);
    DbnQueueItem *c = dbn_queue_model_lookup (model, stopped);
    /* The real deadline service, end to end: a county matter accepted on
     * Wed 30 Sep must tell its progress within 5 working days (D-DL-2).
     * By hand: 国庆 1-7 Oct off, Sat 10 Oct worked: 8, 9, 10, 12, 13 Oct. */
    g_autofree char *county = submit_dibao (station, 33);
    DueWait running = { model, county, "2026-10-13", "none" };
    g_assert_true (wait_for (row_due_is, &running, 10000));
    DbnQueueItem *d = dbn_queue_model_lookup (model, county);
    g_assert_cmpint (dbn_queue_item_days_left (d, calendar, &today), ==, 5);
    /* D-DL-4: its 承办单 carries the applicant, the matter, the materials
     * received, the case number and the date promised at acceptance (20
     * working days, by hand: 8, 9, 10 (worked Sat), 12-16, 19-23, 26-30 Oct,
     * 2, 3 Nov), in its rendered text. */
    g_assert_true (gtk_widget_activate_action (dbn_station_view_get_page (station, "intake"),
                                               "intake.export-pdf", NULL));
    g_autofree char *form_pdf =
        g_build_filename (f->client_dir, "station-qingshui", "cases", county, "acceptance.pdf", NULL);
    g_autofree char *form_text = pdf_text (form_pdf);
    g_assert_nonnull (strstr (form_text, county));
    g_assert_nonnull (strstr (form_text, "张三33"));
    g_assert_nonnull (strstr (form_text, "最低生活保障"));
    g_assert_nonnull (strstr (form_text, "家庭收入证明"));
    g_assert_nonnull (strstr (form_text, "承诺办结日期"));
    g_assert_nonnull (strstr (form_text, "2026-11-03"));
    paper_screenshot (form_pdf, "paper-acceptance", 0);
    g_assert_null (dbn_queue_item_due_class (d, calendar, &today));
    /* A township matter from a station has no clock before the centre
     * acknowledges its papers (D-DL-1 starts there): no due date, "—". */
    g_assert_false (dbn_queue_item_get_due_date (b, &(GDate){ 0 }));
    g_assert_false (dbn_queue_item_get_suspended (c));
    /* The visit's case got its missing material: its clocks are not stopped. */
    g_assert_false (dbn_queue_item_get_suspended (a));
    dbn_station_view_show_page (station, "cases");
    screenshot (GTK_WIDGET (win), "station-due-2026-09-30.png");
    /* Time moves to Fri 9 Oct: the first is a day over (red), the second due today (yellow). */
    set_clock (f, cst (10, 9, 9));
    TodayWait day9 = { connection, 9 };
    g_assert_true (wait_for (today_is, &day9, 10000));
    dbn_connection_get_today (connection, &today);
    for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (model)); i++) {
        g_autoptr (DbnQueueItem) item = g_list_model_get_item (G_LIST_MODEL (model), i);
        dbn_queue_model_changed (model, dbn_queue_item_get_case_no (item));
    }
    screenshot (GTK_WIDGET (win), "station-due-2026-10-09.png");
    {
        /* Fri 9 Oct: 10, 12, 13 Oct left. */
        g_assert_cmpint (dbn_queue_item_days_left (d, calendar, &today), ==, 3);
        g_assert_null (dbn_queue_item_due_class (d, calendar, &today));
        /* Wed 14 Oct: the service fired red at the end of the 13th and its
         * deadline.due_changed turned the row red, live. */
        set_clock (f, cst (10, 14, 9));
        DueWait red = { model, county, "2026-10-13", "overdue" };
        g_assert_true (wait_for (row_due_is, &red, 10000));
        TodayWait day14 = { connection, 14 };
        g_assert_true (wait_for (today_is, &day14, 10000));
        dbn_connection_get_today (connection, &today);
        g_assert_cmpint (dbn_queue_item_days_left (d, calendar, &today), ==, -1);
        g_assert_cmpstr (dbn_queue_item_due_class (d, calendar, &today), ==, "overdue");
        dbn_queue_model_changed (model, county);
        screenshot (GTK_WIDGET (win), "station-due-2026-10-14.png");
    }

    g_assert_true (wait_for (outbox_empty, dbn_main_window_get_outbox (win), 5000));
    gtk_window_destroy (GTK_WINDOW (win));
    while (g_main_context_iteration (NULL, FALSE))
        ;
}

static const gint64 must_listed_day = 1793581200000; /* 2026-11-02 09:00 CST */

/* D-INT-1 at the station: the must-visit list (三必访) on the visits page,
 * overdue and due households first. Three households are listed (CLI) on
 * 2 November; 25 days later the petitioner (every 10 days) is overdue, the
 * hardship household (monthly) due, the party member (every 60 days) not. */
static void
test_station_must_visit (Fixture *f, gconstpointer data)
{
    const char *dir = dbn_harness_get_data_dir (f->harness);
    const char *adds[][3] = {
        { "困难户赵大爷", "hardship", "30" },
        { "信访户钱大妈", "petitioner", "10" },
        { "老党员孙爷爷", "party_member", "60" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (adds); i++) {
        DbnCliRun run = dbn_harness_run_cli ((const char *[]){
            "visit", "must-add", "--village", "qingshui", "--household", adds[i][0], "--kind", adds[i][1],
            "--interval", adds[i][2], "--key-file", f->station_key, "--data", dir, NULL });
        g_assert_cmpint (run.status, ==, 0);
        dbn_cli_run_clear (&run);
    }
    set_clock (f, must_listed_day + 25 * 24 * 3600 * 1000LL);
    /* Intake reads the clock file again within 50 ms: until its answer is
     * for the new day, the petitioner is not overdue yet. */
    gint64 give_up = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    for (gboolean moved = FALSE; !moved;) {
        g_assert_cmpint (g_get_monotonic_time (), <, give_up);
        DbnCliRun run = dbn_harness_run_cli ((const char *[]){ "visit", "must-due", "qingshui", "--key-file",
                                                               f->station_key, "--data", dir, NULL });
        g_assert_cmpint (run.status, ==, 0);
        moved = strstr (run.out, "逾期") != NULL;
        dbn_cli_run_clear (&run);
    }

    DbnMainWindow *win = open_window (f, f->station_key);
    g_assert_true (wait_for (is_online, win, 10000));
    DbnStationView *station = DBN_STATION_VIEW (dbn_main_window_get_view (win));
    dbn_station_view_show_page (station, "visits");
    GtkWidget *page = dbn_station_view_get_page (station, "visits");
    g_assert_true (gtk_widget_activate_action (page, "visits.refresh", NULL));
    GListModel *must = dbn_station_visits_get_must_lines (DBN_STATION_VISITS (page));
    LineWait listed = { must, "孙爷爷" };
    g_assert_true (wait_for (has_line, &listed, 5000));
    g_assert_cmpuint (g_list_model_get_n_items (must), ==, 3);
    const char *expect[][2] = {
        { "【逾期】 信访户钱大妈", "每 10 天" },
        { "【应访】 困难户赵大爷", "应访 2026-12-02" },
        { "【正常】 老党员孙爷爷", "党员户" },
    };
    for (guint i = 0; i < 3; i++) {
        g_autofree char *line = line_at (must, i);
        g_assert_true (g_str_has_prefix (line, expect[i][0]));
        g_assert_nonnull (strstr (line, expect[i][1]));
    }
    g_assert_nonnull (
        strstr (dbn_station_visits_get_must_status (DBN_STATION_VISITS (page)), "应访或逾期 2 户"));
    screenshot (GTK_WIDGET (win), "station-must-visit.png");
}

/* D-RTE-1/2, D-RTE-4 from the clerk's screen: a 上报件 that needs the
 * applicant in person (JS-BINGCANER, walk-in at the jisheng window) is
 * assigned, started, escalated to the county, answered (approved), the
 * accompaniment recorded, and completed: each step through the real routing
 * service, its row changing state; the timeline shows the accompaniment. */
static void
test_clerk_escalate_county_answer (Fixture *f, gconstpointer data)
{
    DbnMainWindow *clerk_win = open_window (f, f->clerk_key);
    g_assert_true (wait_for (is_online, clerk_win, 10000));
    DbnClerkView *clerk = DBN_CLERK_VIEW (dbn_main_window_get_view (clerk_win));

    g_autoptr (DbnMsgIntakeSubmit) m = dbn_test_submit_new ("gui-bingcaner", 71, TRUE);
    g_free (m->matter);
    m->matter = g_strdup ("JS-BINGCANER");
    g_strfreev (m->materials);
    m->materials = g_strsplit ("鉴定申请表;夫妻双方身份证;户口簿;结婚证;子女病历和诊断证明", ";", -1);
    m->channel = g_strdup ("walk-in");
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply =
        dbn_harness_call (f->harness, "intake", dbn_msg_intake_submit_encode (m, NULL), 5000, &error);
    g_assert_no_error (error);
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    const char *case_no = r->case_no;
    RowWait in_queue = { dbn_clerk_view_get_model (clerk), case_no, NULL };
    g_assert_true (wait_for (row_in_state, &in_queue, 5000));
    g_assert_true (dbn_clerk_view_select (clerk, case_no));
    g_assert_true (wait_for (timeline_loaded, clerk, 5000));

    gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "reason"), "病残儿鉴定须县卫健局审批");
    g_assert_true (dbn_clerk_view_set_kind (clerk, "escalated"));
    const char *steps[][2] = {
        { "clerk.classify", "classified" },
        { "clerk.assign", "assigned" },
        { "clerk.start", "in_progress" },
        { "clerk.escalate", "escalated" },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (steps); i++) {
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), steps[i][0], NULL));
        /* D-RTE-4: the assignment prompts the accompaniment. */
        if (g_strcmp0 (steps[i][0], "clerk.assign") == 0)
            g_assert_nonnull (
                strstr (dbn_clerk_view_get_status (clerk), "须申办人本人到场：请代办员陪同办理"));
        RowWait w = { dbn_clerk_view_get_model (clerk), case_no, steps[i][1] };
        if (!wait_for (row_in_state, &w, 5000))
            g_error ("%s: the queue row never became %s", steps[i][0], steps[i][1]);
    }
    screenshot (GTK_WIDGET (clerk_win), "clerk-escalated.png");
    /* D-DL-2: the county decides; the applicant gets the written progress
     * notice, and the 承办单 again with the promised date (D-DL-4). */
    {
        DbnCasePapers *papers = dbn_clerk_view_get_papers (clerk);
        g_autofree char *pdf = export_paper (papers, case_no, DBN_CASE_PAPER_PROGRESS);
        g_assert_nonnull (pdf);
        g_autofree char *text = pdf_text (pdf);
        g_assert_nonnull (strstr (text, "办理进度书面告知书"));
        g_assert_nonnull (strstr (text, case_no));
        g_autofree char *matter = value_after (text, "代办事项");
        g_assert_nonnull (strstr (matter, "病残儿医学鉴定"));
        g_autofree char *now = value_after (text, "当前进度");
        g_assert_cmpstr (now, ==, dbn_state_display ("escalated"));
        g_assert_nonnull (strstr (text, "乡镇不能直接办结"));
        paper_screenshot (pdf, "paper-progress-notice", 0);
        g_autofree char *form_pdf = export_paper (papers, case_no, DBN_CASE_PAPER_ACCEPTANCE);
        g_assert_nonnull (form_pdf);
        g_autofree char *form_text = pdf_text (form_pdf);
        g_autofree char *promised = value_after (form_text, "承诺办结日期");
        g_assert_true (g_regex_match_simple ("^[0-9]{4}-[0-9]{2}-[0-9]{2}$", promised, 0, 0));
        paper_screenshot (form_pdf, "paper-acceptance-promised", 0);
        /* Not replied yet: no result notice. */
        g_autofree char *no_notice = export_paper (papers, case_no, DBN_CASE_PAPER_RESULT);
        g_assert_null (no_notice);
    }
    /* The county's answer needs its text: refused on the screen first. */
    gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "result"), "");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.county-answer", "b", TRUE));
    RowWait still = { dbn_clerk_view_get_model (clerk), case_no, "escalated" };
    g_assert_true (row_in_state (&still));
    gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "result"), "县卫健局同意鉴定");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.county-answer", "b", TRUE));
    RowWait answered = { dbn_clerk_view_get_model (clerk), case_no, "county_answered" };
    g_assert_true (wait_for (row_in_state, &answered, 5000));
    /* D-RTE-4: completing without the accompaniment asks for the reason. */
    gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "reason"), "");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.complete", NULL));
    g_assert_nonnull (strstr (dbn_clerk_view_get_status (clerk), "未陪同办理的，请在“理由”中写明原因"));
    g_assert_true (row_in_state (&answered));
    gtk_editable_set_text (dbn_clerk_view_get_entry (clerk, "reason"), "代办员陪同到县妇幼保健院");
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.accompany", NULL));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (clerk), "clerk.complete", NULL));
    RowWait done = { dbn_clerk_view_get_model (clerk), case_no, "completed" };
    g_assert_true (wait_for (row_in_state, &done, 5000));
    screenshot (GTK_WIDGET (clerk_win), "clerk-county-answered.png");
    g_assert_true (wait_for (outbox_empty, dbn_main_window_get_outbox (clerk_win), 5000));
    gtk_window_destroy (GTK_WINDOW (clerk_win));
    while (g_main_context_iteration (NULL, FALSE))
        ;
}

static const gint64 wednesday_before_national_day = 1790730000000; /* 2026-09-30 09:00 CST */

int
main (int argc, char **argv)
{
    /* check_gl: GDK_DEBUG=gl-disable (tests/CMakeLists.txt) keeps GDK from
     * probing OpenGL; fail at the start, naming the cause, if it did. */
    gui_test_init (&argc, &argv, "test_client_gui", TRUE);
    g_test_add_func ("/client/queue-model/snapshot-then-events", test_model_snapshot_then_events);
    g_test_add_func ("/client/queue-model/mask-name", test_mask_name);
    g_test_add_func ("/client/queue-model/due-working-days", test_due_working_days);
    g_test_add_func ("/client/queue-model/due-snapshot-then-events", test_due_snapshot_then_events);
    g_test_add_func ("/client/i18n/translation", test_translation);
    g_test_add_func ("/client/outbox/survives-restart", test_outbox_survives_restart);
    g_test_add_func ("/client/print/pdf-has-case-number", test_pdf_export);
    g_test_add ("/client/gui/station-window-reply", Fixture, NULL, fixture_set_up, test_station_window_reply,
                fixture_tear_down);
    g_test_add ("/client/gui/visit-supplement-refuse-due", Fixture, &wednesday_before_national_day,
                fixture_set_up, test_station_visit_supplement_refuse, fixture_tear_down);
    g_test_add ("/client/gui/D-INT-1/must-visit-list", Fixture, &must_listed_day, fixture_set_up,
                test_station_must_visit, fixture_tear_down);
    g_test_add ("/client/gui/D-RTE-1/escalate-and-county-answer", Fixture, NULL, fixture_set_up,
                test_clerk_escalate_county_answer, fixture_tear_down);
    g_test_add ("/client/gui/offline-outbox-exactly-once", Fixture, NULL, fixture_set_up, test_offline_outbox,
                fixture_tear_down);
    return g_test_run ();
}
