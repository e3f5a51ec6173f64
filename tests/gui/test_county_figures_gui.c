/* test_county_figures_gui.c: issue 16 item 3, the county committee's page
 * of its townships' figures, under Xvfb, against two township sets each
 * with its own intake, routing and evaluation (two data folders).
 *
 * One committee key is made in township A's folder, exported and imported
 * into B (`daiban keys export` / `keys import`). Cases are accepted,
 * completed and rated in each, different numbers per township. The client
 * is opened as a person would: the committee key on a county folder whose
 * daiban.conf names both townships ([county], [township:<id>]). Each
 * township's row must equal its `daiban eval month --json` township row, the
 * stars (A one, B none) and the windows' stars must be shown, the charts must paint their bars and trend;
 * no county.db: "未核验"; after `daiban county keep` and `county prove` of
 * each, "已核验至第 N 条" with N the head proven; after a proof for B that
 * fails (another record answering for B's heads), B's is "被改写". Then B's evaluation stops: B's row says 离线
 * while A's keeps its figures and answers; B's evaluation starts again and
 * its row fills in by itself. Screens: build/screenshots/county-figures.png
 * and county-figures-offline.png. */
#include <locale.h>
#include <string.h>

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <glib/gi18n.h>
#include <gtk/gtk.h>

#include "audit_service.h"
#include "dbn_county_figures-private.h"
#include "dbn_main_window.h"
#include "dbn_test_harness.h"
#include "gui_harness.h"

#define CALL_MS    5000
#define KEY_PREFIX "county-figures"

typedef struct {
    DbnHarness *h;
    GSubprocess *intake, *routing, *evaluation, *audit;
    DbnBus *station; /* station:qingshui's bus: the applicant's rating */
    guint n;         /* keys used */
} Township;

static char *
next_key (Township *t)
{
    return g_strdup_printf (KEY_PREFIX "-%u", ++t->n);
}

/* A complete request at qingshui's station, through intake: its case number. */
static char *
submit (Township *t, guint n)
{
    g_autofree char *key = next_key (t);
    return dbn_test_submit (t->h, NULL, key, n, TRUE, CALL_MS);
}

/* The window classifies it immediate, assigns, starts and completes it. */
static void
complete (Township *t, const char *case_no)
{
    dbn_test_complete_case (t->h, case_no, "immediate", KEY_PREFIX, &t->n);
}

/* The applicant's rating of the station's reply, as the station sends it
 * (evaluation knows the case once it has followed routing). */
static void
rate (Township *t, const char *case_no, const char *level)
{
    dbn_test_rate (t->h, t->station, case_no, level, KEY_PREFIX, &t->n);
}

/* `daiban eval month MONTH --json` in t's folder as the operator: the
 * parsed reply (caller owns it). */
static JsonNode *
eval_month (Township *t, const char *month)
{
    g_autofree char *text =
        cli_out (t->h, NULL, (const char *[]){ "eval", "month", month, "--json", NULL }, FALSE);
    g_autoptr (GError) error = NULL;
    JsonNode *root = json_from_string (text, &error);
    g_assert_no_error (error);
    return root;
}

/* Until evaluation has followed as far as the township's cases. */
static void
wait_counted (Township *t, const char *month, gint64 accepted, gint64 completed, gint64 rated)
{
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    for (;;) {
        g_autoptr (JsonNode) root = eval_month (t, month);
        JsonObject *f = dbn_test_json_row (root, "figures", "scope", "township");
        if (f != NULL && json_object_get_int_member (f, "accepted") == accepted
            && json_object_get_int_member (f, "completed") == completed
            && json_object_get_int_member (f, "rated") == rated)
            return;
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_usleep (50 * 1000);
    }
}

static char *
permille_of (JsonObject *f, const char *member)
{
    JsonNode *n = json_object_get_member (f, member);
    return dbn_eval_permille_text (n == NULL || JSON_NODE_HOLDS_NULL (n) ? -1 : json_node_get_int (n));
}

typedef struct {
    DbnCountyFigures *page;
    const char *id;
    const char *want; /* the accepted column */
} CellWait;

static gboolean
accepted_is (gpointer data)
{
    CellWait *w = data;
    g_autofree char *cell = dbn_county_figures_dup_cell (w->page, w->id, DBN_COUNTY_COLUMN_ACCEPTED);
    return g_strcmp0 (cell, w->want) == 0;
}

/* Every figure of township id's row equals its township row of eval.month
 * as the CLI prints it, its audit column says audit, and its windows'
 * stars are shown. */
static void
assert_row (DbnCountyFigures *page, const char *id, JsonNode *root, const char *audit)
{
    JsonObject *f = dbn_test_json_row (root, "figures", "scope", "township");
    g_assert_nonnull (f);
    g_autofree char *accepted =
        g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (f, "accepted"));
    g_autofree char *completed =
        g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (f, "completed"));
    g_autofree char *on_time = permille_of (f, "on_time_permille");
    g_autofree char *satisfaction = permille_of (f, "satisfaction_permille");
    g_autofree char *stars = dbn_eval_stars_text ((int) json_object_get_int_member (f, "stars"));
    gint64 score = json_object_get_int_member (f, "score_milli");
    g_autofree char *score_text =
        g_strdup_printf ("%" G_GINT64_FORMAT ".%01" G_GINT64_FORMAT, score / 1000, (score % 1000) / 100);
    const struct {
        guint column;
        const char *want;
    } cells[] = {
        { DBN_COUNTY_COLUMN_ACCEPTED, accepted }, { DBN_COUNTY_COLUMN_COMPLETED, completed },
        { DBN_COUNTY_COLUMN_ON_TIME, on_time },   { DBN_COUNTY_COLUMN_SATISFACTION, satisfaction },
        { DBN_COUNTY_COLUMN_STARS, stars },       { DBN_COUNTY_COLUMN_SCORE, score_text },
        { DBN_COUNTY_COLUMN_AUDIT, audit },
    };
    for (guint i = 0; i < G_N_ELEMENTS (cells); i++) {
        g_autofree char *cell = dbn_county_figures_dup_cell (page, id, cells[i].column);
        g_test_message ("%s column %u: %s", id, cells[i].column, cell);
        g_assert_cmpstr (cell, ==, cells[i].want);
    }
    /* The windows: each window row's stars, in the township's line. */
    g_autofree char *windows = dbn_county_figures_dup_windows (page, id);
    g_test_message ("%s windows: %s", id, windows);
    JsonArray *figures = json_object_get_array_member (json_node_get_object (root), "figures");
    guint n_windows = 0;
    for (guint i = 0; i < json_array_get_length (figures); i++) {
        JsonObject *w = json_array_get_object_element (figures, i);
        if (g_strcmp0 (json_object_get_string_member (w, "scope"), "window") != 0)
            continue;
        g_autofree char *s = dbn_eval_stars_text ((int) json_object_get_int_member (w, "stars"));
        g_assert_nonnull (strstr (windows, s));
        n_windows++;
    }
    g_assert_cmpuint (n_windows, >, 0);
}

static void
township_start (Township *t)
{
    /* A head every 2 entries and for the tail: the county soon has one
     * covering every case (as test_county_heads). */
    g_autofree char *conf = g_build_filename (dbn_harness_get_data_dir (t->h), "daiban.conf", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (conf, &text, NULL, NULL));
    g_autofree char *more =
        g_strconcat (text, "[audit]\nhead_every_entries = 2\nhead_every_ms = 100\n", NULL);
    g_assert_true (g_file_set_contents (conf, more, -1, NULL));
    g_autoptr (GError) error = NULL;
    g_assert_true (audit_signing_key_ensure (dbn_harness_get_data_dir (t->h), &error));
    g_assert_no_error (error);
    t->audit = dbn_harness_start_service (t->h, "audit");
    t->intake = dbn_harness_start_service (t->h, "intake");
    t->routing = dbn_harness_start_service (t->h, "routing");
    t->evaluation = dbn_harness_start_service (t->h, "evaluation");
}

/* plan: per case, c (completed) or o (open), and its rating (NULL none). */
static void
feed (Township *t, guint first, const char *outcomes, const char *const *levels)
{
    for (guint i = 0; outcomes[i] != '\0'; i++) {
        g_autofree char *case_no = submit (t, first + i);
        if (outcomes[i] == 'c')
            complete (t, case_no);
        if (levels[i] != NULL)
            rate (t, case_no, levels[i]);
    }
}

typedef struct {
    DbnCountyFigures *page;
    const char *id;
    const char *want;
} AuditWait;

static gboolean
audit_is (gpointer data)
{
    AuditWait *w = data;
    g_autofree char *cell = dbn_county_figures_dup_cell (w->page, w->id, DBN_COUNTY_COLUMN_AUDIT);
    return g_strcmp0 (cell, w->want) == 0;
}

typedef struct {
    DbnCountyFigures *page;
} DrawWait;

static gboolean
drawn (gpointer data)
{
    DrawWait *w = data;
    return dbn_county_figures_get_n_drawn (w->page) > 0
           && dbn_county_figures_get_board (w->page, "T01") != NULL
           && dbn_county_figures_get_board (w->page, "T02") != NULL;
}

static void
test_county_figures (void)
{
    Township town[2] = { 0 };
    for (int i = 0; i < 2; i++)
        town[i].h = dbn_harness_new (FALSE);
    /* One committee key, made in A's folder and registered in B's. */
    g_autofree char *committee = dbn_harness_add_key (town[0].h, "committee");
    g_autofree char *exported =
        cli_out (town[0].h, NULL, (const char *[]){ "keys", "export", "committee", NULL }, TRUE);
    g_auto (GStrv) parts = g_strsplit (exported, " ", 2);
    g_assert_cmpstr (parts[0], ==, "committee");
    /* As a person registers it: `daiban keys import` on B. */
    g_autofree char *imported =
        cli_out (town[1].h, NULL, (const char *[]){ "keys", "import", "committee", parts[1], NULL }, TRUE);
    g_assert_nonnull (strstr (imported, "imported"));
    for (int i = 0; i < 2; i++) {
        g_autofree char *station = dbn_harness_add_key (town[i].h, "station:qingshui");
        town[i].station = dbn_harness_new_bus (town[i].h, station);
        township_start (&town[i]);
    }
    /* A: 6 accepted, 5 completed (83 %), 4 rated, all at least basic: one
     * star (D-EV-4); B: 4 accepted, 2 completed, one of 2 ratings unsatisfied. */
    feed (&town[0], 9100, "ccccco",
          (const char *const[]){ "satisfied", "satisfied", "basic", "satisfied", NULL, NULL });
    feed (&town[1], 9200, "ccoo", (const char *const[]){ "satisfied", "unsatisfied", NULL, NULL });

    /* The county's folder names both townships' folders. */
    g_autofree char *county_dir = g_dir_make_tmp ("daiban-county-XXXXXX", NULL);
    g_autofree char *conf =
        g_strdup_printf ("[county]\nname_zh = 青山县\ntownships = T01;T02\n"
                         "[township:T01]\nname_zh = 青山乡\nfolder = %s\n"
                         "[township:T02]\nname_zh = 白水乡\nfolder = %s\n",
                         dbn_harness_get_data_dir (town[0].h), dbn_harness_get_data_dir (town[1].h));
    g_autofree char *conf_path = g_build_filename (county_dir, "daiban.conf", NULL);
    g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));
    g_autofree char *client_dir = g_build_filename (county_dir, "client", NULL);

    DbnMainWindow *window = open_main_window (committee, county_dir, client_dir, 1300, 900);
    GtkWidget *view = dbn_main_window_get_view (window);
    g_assert_true (DBN_IS_COUNTY_FIGURES (view));
    DbnCountyFigures *page = DBN_COUNTY_FIGURES (view);
    const char *month = dbn_county_figures_get_month (page);
    wait_counted (&town[0], month, 6, 5, 4);
    wait_counted (&town[1], month, 4, 2, 2);

    g_autoptr (JsonNode) month_a = eval_month (&town[0], month);
    g_autoptr (JsonNode) month_b = eval_month (&town[1], month);
    g_autofree char *want_a = g_strdup ("6"), *want_b = g_strdup ("4");
    CellWait wa = { page, "T01", want_a }, wb = { page, "T02", want_b };
    /* The page asks again every 3 s: it catches up with the counted cases. */
    g_assert_true (wait_for (accepted_is, &wa, 15000));
    g_assert_true (wait_for (accepted_is, &wb, 15000));
    assert_row (page, "T01", month_a, "未核验");
    assert_row (page, "T02", month_b, "未核验");
    g_autofree char *stars_a = dbn_county_figures_dup_cell (page, "T01", DBN_COUNTY_COLUMN_STARS);
    g_autofree char *stars_b = dbn_county_figures_dup_cell (page, "T02", DBN_COUNTY_COLUMN_STARS);
    g_assert_cmpstr (stars_a, ==, "★☆☆");
    g_assert_cmpstr (stars_b, ==, "☆☆☆");
    g_autofree char *name_a = dbn_county_figures_dup_cell (page, "T01", DBN_COUNTY_COLUMN_NAME);
    g_assert_cmpstr (name_a, ==, "青山乡");

    /* The county keeps each township's signed heads and proves them over
     * the wire (daiban county keep|prove, the committee key): the page
     * reads county.db by itself and shows how far each is verified. */
    g_autofree char *store = g_build_filename (county_dir, "county.db", NULL);
    const char *ids[] = { "T01", "T02" };
    char *through[2];
    gint64 proven_b = 0;
    for (int i = 0; i < 2; i++) {
        g_free (cli_out (town[i].h, committee,
                         (const char *[]){ "county", "keep", "--store", store, "--township", ids[i], NULL },
                         FALSE));
        g_autofree char *proved = cli_out (
            town[i].h, committee,
            (const char *[]){ "county", "prove", "--store", store, "--township", ids[i], NULL }, FALSE);
        g_test_message ("%s", proved);
        const char *at = strstr (proved, "verified through head ");
        g_assert_nonnull (at);
        gint64 size = g_ascii_strtoll (at + strlen ("verified through head "), NULL, 10);
        g_assert_cmpint (size, >, 0);
        if (i == 1)
            proven_b = size;
        through[i] = g_strdup_printf ("已核验至第 %" G_GINT64_FORMAT " 条", size);
    }
    AuditWait verified[2] = { { page, "T01", through[0] }, { page, "T02", through[1] } };
    for (int i = 0; i < 2; i++)
        g_assert_true (wait_for (audit_is, &verified[i], 10000));

    /* B's record goes on (one more case) and the county keeps its newer
     * heads; then an audit service answers for B with another history than
     * the heads B signed (A's record, as a township that rewrote its own
     * would): the consistency proof from the head proven to the newest
     * kept fails, county.db keeps the failure, and B's row turns red. */
    gint64 kept_end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    g_free (submit (&town[1], 9300));
    for (;;) {
        g_autofree char *kept = cli_out (
            town[1].h, committee,
            (const char *[]){ "county", "keep", "--store", store, "--township", "T02", NULL }, FALSE);
        const char *at = strstr (kept, "the newest covers ");
        g_assert_nonnull (at);
        if (g_ascii_strtoll (at + strlen ("the newest covers "), NULL, 10) > proven_b)
            break;
        g_assert_cmpint (g_get_monotonic_time (), <, kept_end);
        g_usleep (100 * 1000); /* audit signs a head every 100 ms */
    }
    DbnCliRun crossed = dbn_harness_run_cli (
        (const char *const[]){ "--data", dbn_harness_get_data_dir (town[0].h), "--key", committee, "county",
                               "prove", "--store", store, "--township", "T02", NULL });
    g_test_message ("%s%s", crossed.out, crossed.err);
    g_assert_cmpint (crossed.status, ==, 5);
    g_assert_nonnull (strstr (crossed.out, "REWRITTEN"));
    dbn_cli_run_clear (&crossed);
    AuditWait rewritten = { page, "T02", "被改写" };
    g_assert_true (wait_for (audit_is, &rewritten, 10000));
    g_assert_true (audit_is (&verified[0]));
    /* B's row follows its new case (the page asks every 3 s). */
    wait_counted (&town[1], month, 5, 2, 2);
    g_autoptr (JsonNode) month_b2 = eval_month (&town[1], month);
    CellWait wb2 = { page, "T02", "5" };
    g_assert_true (wait_for (accepted_is, &wb2, 15000));
    assert_row (page, "T02", month_b2, "被改写");

    /* The charts: the bars' blue and the trend's green painted. */
    DrawWait dw = { page };
    g_assert_true (wait_for (drawn, &dw, 15000));
    settle (GTK_WIDGET (window));
    g_autoptr (GdkTexture) shot = screenshot_texture (GTK_WIDGET (window), "county-figures.png");
    GtkWidget *charts = dbn_county_figures_get_charts (page);
    guint blue = count_pixels (shot, charts, GTK_WIDGET (window), 51, 115, 199);
    guint green = count_pixels (shot, charts, GTK_WIDGET (window), 41, 140, 89);
    g_test_message ("chart pixels: bars %u, trend %u", blue, green);
    g_assert_cmpuint (blue, >, 200);
    g_assert_cmpuint (green, >, 20);
    /* 被改写 in the style sheet's label.error red (#c0392b), outside the charts. */
    guint red = count_pixels (shot, GTK_WIDGET (window), GTK_WIDGET (window), 192, 57, 43)
                - count_pixels (shot, charts, GTK_WIDGET (window), 192, 57, 43);
    g_test_message ("red text pixels: %u", red);
    g_assert_cmpuint (red, >, 8);

    /* B's evaluation stops: B's row says offline, A's keeps answering. */
    g_assert_true (dbn_harness_stop (town[1].evaluation, 10000));
    g_clear_object (&town[1].evaluation);
    CellWait offline = { page, "T02", "离线" };
    g_assert_true (wait_for (accepted_is, &offline, 15000));
    guint answers = dbn_county_figures_get_n_answers (page, "T01");
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (dbn_county_figures_get_n_answers (page, "T01") <= answers) {
        g_assert_cmpint (g_get_monotonic_time (), <, end);
        g_main_context_iteration (NULL, FALSE);
        g_usleep (10 * 1000);
    }
    assert_row (page, "T01", month_a, through[0]);
    g_autofree char *b_windows = dbn_county_figures_dup_windows (page, "T02");
    g_assert_cmpstr (b_windows, ==, "离线");
    settle (GTK_WIDGET (window));
    screenshot (GTK_WIDGET (window), "county-figures-offline.png");
    /* Offline is the figures' state: the county's own check still shows. */
    g_autofree char *b_audit = dbn_county_figures_dup_cell (page, "T02", DBN_COUNTY_COLUMN_AUDIT);
    g_assert_cmpstr (b_audit, ==, "被改写");

    /* Back: B fills in again by itself. */
    town[1].evaluation = dbn_harness_start_service (town[1].h, "evaluation");
    g_assert_true (wait_for (accepted_is, &wb2, 20000));
    assert_row (page, "T02", month_b2, "被改写");

    /* ◀ and ▶ of the month bar: the month before (dropping this month's
     * rows), then this month again, filled in anew. */
    g_autofree char *shown = g_strdup (month); /* month is the page's: freed on a change */
    g_autofree char *before = dbn_eval_month_shift (shown, -1);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "figures.prev", NULL));
    g_assert_cmpstr (dbn_county_figures_get_month (page), ==, before);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "figures.next", NULL));
    g_assert_cmpstr (dbn_county_figures_get_month (page), ==, shown);
    g_assert_true (wait_for (accepted_is, &wb2, 20000));
    assert_row (page, "T02", month_b2, "被改写");

    gtk_window_destroy (GTK_WINDOW (window));
    while (g_main_context_iteration (NULL, FALSE))
        ;
    for (int i = 0; i < 2; i++) {
        GSubprocess *all[] = { town[i].audit, town[i].evaluation, town[i].routing, town[i].intake };
        for (guint k = 0; k < G_N_ELEMENTS (all); k++) {
            g_assert_true (dbn_harness_stop (all[k], 10000));
            g_object_unref (all[k]);
        }
        dbn_bus_free (town[i].station);
        dbn_harness_free (town[i].h);
    }
    g_unlink (conf_path);
    g_unlink (store);
    for (int i = 0; i < 2; i++)
        g_free (through[i]);
}

int
main (int argc, char **argv)
{
    gui_test_init (&argc, &argv, "test_county_figures_gui", TRUE);
    g_test_add_func ("/client/gui/issue-16/county-figures-two-townships", test_county_figures);
    return g_test_run ();
}
