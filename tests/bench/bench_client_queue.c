/* bench_client_queue.c: can the clerk's queue hold 100,000 cases?
 *
 * Two runs, each in its own process so their memory does not mix:
 *   reference  a GtkStringList of N one-line strings in a GtkListView
 *   client     the clerk's DbnClerkView (DbnQueueModel → filter → sort →
 *              GtkColumnView of 7 columns) with N cases put in the model
 * Each prints the time from filling the model to the first painted frame
 * and the growth of its resident memory; the client run also times what a
 * clerk does to a full queue: one live update, a search, a sort by column.
 * The parent prints both side by side with the ratio. The routing snapshot
 * is capped at 2000 rows today, so the model is filled directly.
 *
 *   xvfb-run -a build/bin/bench_client_queue [--cases 100000]
 */
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <unistd.h>

#include "dbn_clerk_view-private.h"
#include "dbn_outbox.h"
#include "dbn_queue_model.h"
#include "dbn_test_harness.h"

static long
rss_kb (void)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL))
        return 0;
    long pages = 0, resident = 0;
    sscanf (text, "%ld %ld", &pages, &resident);
    return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static gboolean
wake (gpointer data)
{
    return G_SOURCE_CONTINUE;
}

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
    *(gboolean *) data = TRUE;
}

/* Milliseconds until window paints its next frame. */
static double
wait_paint (GtkWidget *window, gint64 since)
{
    gboolean painted = FALSE;
    GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
    gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
    gtk_widget_queue_draw (window);
    guint tick = g_timeout_add (5, wake, NULL);
    while (!painted)
        g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
    g_signal_handler_disconnect (clock, id);
    return (g_get_monotonic_time () - since) / 1000.0;
}

static GtkWidget *
new_window (void)
{
    GtkWidget *window = gtk_window_new ();
    gtk_window_set_default_size (GTK_WINDOW (window), 1200, 760);
    gtk_window_present (GTK_WINDOW (window));
    while (gtk_widget_get_frame_clock (window) == NULL || !gtk_widget_get_mapped (window))
        g_main_context_iteration (NULL, TRUE);
    wait_paint (window, g_get_monotonic_time ());
    return window;
}

static void
setup_label (GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
    gtk_list_item_set_child (li, gtk_label_new (NULL));
}

static void
bind_label (GtkSignalListItemFactory *f, GtkListItem *li, gpointer data)
{
    gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (li)),
                        gtk_string_object_get_string (gtk_list_item_get_item (li)));
}

static int
run_reference (guint n)
{
    GtkWidget *window = new_window ();
    long rss0 = rss_kb ();
    gint64 t0 = g_get_monotonic_time ();
    GtkStringList *list = gtk_string_list_new (NULL);
    for (guint i = 0; i < n; i++) {
        char line[128];
        g_snprintf (line, sizeof line, "T01-2026-%06u  生育服务证（准生证）办理  张**  即办件  已接收",
                    i + 1);
        gtk_string_list_append (list, line);
    }
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (setup_label), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_label), NULL);
    GtkWidget *view =
        gtk_list_view_new (GTK_SELECTION_MODEL (gtk_single_selection_new (G_LIST_MODEL (list))), factory);
    GtkWidget *scroller = gtk_scrolled_window_new ();
    gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
    gtk_window_set_child (GTK_WINDOW (window), scroller);
    double paint = wait_paint (window, t0);
    printf ("first_paint_ms %.1f\nrss_kb %ld\n", paint, rss_kb () - rss0);
    return 0;
}

static int
run_client (guint n)
{
    g_autoptr (DbnHarness) harness = dbn_harness_new (FALSE);
    g_autofree char *key = dbn_keys_dup_secret_path (dbn_harness_get_data_dir (harness), "operator");
    g_autoptr (GError) error = NULL;
    /* No service runs: the view's snapshot request simply goes unanswered. */
    g_autoptr (DbnConnection) connection =
        dbn_connection_new (dbn_harness_get_data_dir (harness), key, &error);
    g_assert_no_error (error);
    g_autofree char *outbox_path = g_build_filename (dbn_harness_get_data_dir (harness), "outbox.db", NULL);
    g_autoptr (DbnOutbox) outbox = dbn_outbox_new (connection, outbox_path, &error);
    g_assert_no_error (error);
    GtkWidget *window = new_window ();
    long rss0 = rss_kb ();
    gint64 t0 = g_get_monotonic_time ();
    GtkWidget *view = dbn_clerk_view_new (connection, outbox, "window", "jisheng");
    DbnQueueModel *model = dbn_clerk_view_get_model (DBN_CLERK_VIEW (view));
    const char *states[] = { "received", "classified", "assigned", "in_progress", "completed" };
    g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
    for (guint i = 0; i < n; i++) {
        char number[32];
        g_snprintf (number, sizeof number, "T01-2026-%06u", i + 1);
        DbnQueueItem *item = dbn_queue_item_new (number);
        dbn_queue_item_set (item, "JS-ZHUNSHENG", "生育服务证（准生证）办理", "immediate",
                            states[i % G_N_ELEMENTS (states)], "station:qingshui");
        dbn_queue_item_set_applicant (item, "张**");
        char due[16];
        g_snprintf (due, sizeof due, "2026-12-%02u", 1 + i % 28);
        dbn_queue_item_set_due (item, due, i % 10 == 0 ? "warning" : "none", FALSE);
        g_ptr_array_add (items, item);
    }
    dbn_queue_model_add_many (model, items);
    double fill = (g_get_monotonic_time () - t0) / 1000.0;
    gtk_window_set_child (GTK_WINDOW (window), view);
    double paint = wait_paint (window, t0);
    long rss = rss_kb () - rss0;

    /* A live event changes the last row (the worst case of the linear scan). */
    gint64 t1 = g_get_monotonic_time ();
    DbnQueueItem *last = items->pdata[n - 1];
    dbn_queue_item_set (last, NULL, NULL, NULL, "completed", NULL);
    dbn_queue_model_changed (model, dbn_queue_item_get_case_no (last));
    double update = wait_paint (window, t1);
    /* A search that keeps a tenth of the rows. */
    gint64 t2 = g_get_monotonic_time ();
    gtk_editable_set_text (dbn_clerk_view_get_entry (DBN_CLERK_VIEW (view), "search"), "办理中");
    GListModel *visible = dbn_clerk_view_get_visible (DBN_CLERK_VIEW (view));
    guint tick = g_timeout_add (5, wake, NULL);
    while (g_list_model_get_n_items (visible) == n)
        g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick);
    double search = wait_paint (window, t2);
    guint shown = g_list_model_get_n_items (visible);
    printf ("first_paint_ms %.1f\nrss_kb %ld\nupdate_ms %.1f\nsearch_ms %.1f\nsearch_rows %u\nfill_ms %.1f\n",
            paint, rss, update, search, shown, fill);
    gtk_window_destroy (GTK_WINDOW (window));
    return 0;
}

static GHashTable *
run_child (const char *self, const char *mode, guint n)
{
    g_autofree char *cases = g_strdup_printf ("%u", n);
    const char *argv[] = { self, "--mode", mode, "--cases", cases, NULL };
    g_autofree char *out = NULL;
    int status = 0;
    g_autoptr (GError) error = NULL;
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, &out, NULL,
                       &status, &error)
        || !g_spawn_check_wait_status (status, &error)) {
        fprintf (stderr, "bench_client_queue: %s run failed: %s\n", mode, error->message);
        exit (1);
    }
    GHashTable *values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
    for (int i = 0; lines[i] != NULL; i++) {
        g_auto (GStrv) kv = g_strsplit (lines[i], " ", 2);
        if (kv[0] != NULL && kv[1] != NULL)
            g_hash_table_insert (values, g_strdup (kv[0]),
                                 GINT_TO_POINTER ((int) (g_ascii_strtod (kv[1], NULL) * 10)));
    }
    return values;
}

#define VALUE(t, k) (GPOINTER_TO_INT (g_hash_table_lookup ((t), (k))) / 10.0)

int
main (int argc, char **argv)
{
    g_autofree char *mode = NULL;
    int cases = 100000;
    GOptionEntry entries[] = {
        { "cases", 0, 0, G_OPTION_ARG_INT, &cases, "Cases in the queue (default 100000)", "N" },
        { "mode", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &mode, NULL, NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("— the clerk's queue at scale");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error) || cases < 1) {
        fprintf (stderr, "bench_client_queue: %s\n", error ? error->message : "--cases must be > 0");
        return 2;
    }
    if (mode != NULL) {
        gtk_init ();
        dbn_log_init ("bench_client_queue");
        return g_strcmp0 (mode, "reference") == 0 ? run_reference (cases) : run_client (cases);
    }
    g_autoptr (GHashTable) ref = run_child (argv[0], "reference", cases);
    g_autoptr (GHashTable) cli = run_child (argv[0], "client", cases);
    printf ("clerk queue of %d cases (GSK renderer %s)\n", cases,
            g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
    printf ("%-28s %12s %12s %8s\n", "", "client", "reference", "ratio");
    printf ("%-28s %12.1f %12.1f %8.2f\n", "time to first paint (ms)", VALUE (cli, "first_paint_ms"),
            VALUE (ref, "first_paint_ms"),
            VALUE (cli, "first_paint_ms") / MAX (VALUE (ref, "first_paint_ms"), 0.1));
    printf ("%-28s %12.1f\n", "  of which filling the model", VALUE (cli, "fill_ms"));
    printf ("%-28s %12.0f %12.0f %8.2f\n", "resident memory added (KiB)", VALUE (cli, "rss_kb"),
            VALUE (ref, "rss_kb"), VALUE (cli, "rss_kb") / MAX (VALUE (ref, "rss_kb"), 1));
    printf ("%-28s %12.1f\n", "one live update, painted (ms)", VALUE (cli, "update_ms"));
    printf ("%-28s %12.1f   (%.0f rows kept)\n", "search, painted (ms)", VALUE (cli, "search_ms"),
            VALUE (cli, "search_rows"));
    printf ("reference: a GtkStringList of the same number of one-line strings in a GtkListView\n");
    return 0;
}
