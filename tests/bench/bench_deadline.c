/* bench_deadline: the deadline service's timers at 1,000,000 open cases
 * (issue 5), beside a plain binary heap of the same size in the same run.
 *
 *   bench_deadline [--cases N] [--fire M]
 *
 * 1. Fills a fresh deadline store (its real tables, through deadline_store)
 *    with N open cases, one running clock each, due over 60 working days.
 * 2. Restart: opens the store again as the service does and rebuilds the
 *    timer heap from it (deadline_actions_rebuild); prints the time and the
 *    memory (RSS growth of the process, and the heap's own bytes).
 * 3. Firing: moves the manual clock past every due instant and fires M
 *    events through deadline_actions_fire_due (each one journaled with its
 *    clock's new stage in one transaction, 1000 per transaction, the
 *    store's synchronous=full durability); prints events/s.
 * The reference is a plain binary heap of (instant, id) pairs in memory:
 * its build from the same N pairs, its memory, and its pops/s. The ratios
 * say what the durable store costs over the bare data structure.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <daiban/daiban.h>

#include "deadline_actions.h"
#include "deadline_private.h"

static gint64 opt_cases = 1000000;
static gint64 opt_fire = 200000;

static gsize
rss_bytes (void)
{
    g_autofree char *text = NULL;
    if (!g_file_get_contents ("/proc/self/statm", &text, NULL, NULL))
        return 0;
    unsigned long size = 0, resident = 0;
    if (sscanf (text, "%lu %lu", &size, &resident) != 2)
        return 0;
    return resident * (gsize) sysconf (_SC_PAGESIZE);
}

static double
now_s (void)
{
    return g_get_monotonic_time () / 1e6;
}

/* ---- the reference: a plain binary heap ---- */

typedef struct {
    gint64 at, id;
} Pair;

typedef struct {
    Pair *a;
    gsize n, cap;
} PlainHeap;

static void
plain_push (PlainHeap *h, gint64 at, gint64 id)
{
    if (h->n == h->cap) {
        h->cap = MAX (64, h->cap * 2);
        h->a = g_renew (Pair, h->a, h->cap);
    }
    gsize i = h->n++;
    while (i > 0) {
        gsize p = (i - 1) / 2;
        if (h->a[p].at < at || (h->a[p].at == at && h->a[p].id <= id))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = (Pair){ at, id };
}

static gboolean
plain_pop (PlainHeap *h, Pair *out)
{
    if (h->n == 0)
        return FALSE;
    *out = h->a[0];
    Pair last = h->a[--h->n];
    gsize i = 0;
    for (;;) {
        gsize c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n
            && (h->a[c + 1].at < h->a[c].at || (h->a[c + 1].at == h->a[c].at && h->a[c + 1].id < h->a[c].id)))
            c++;
        if (last.at < h->a[c].at || (last.at == h->a[c].at && last.id <= h->a[c].id))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n > 0)
        h->a[i] = last;
    return TRUE;
}

/* ---- the deadline service's store ---- */

static DbnService *
open_service (DbnConfig *config, DbnClock *clock)
{
    g_autoptr (GError) error = NULL;
    DbnService *service = dbn_service_new ("deadline", config, clock, deadline_migrations, &error);
    g_assert_no_error (error);
    return service;
}

static DeadlineActions *
open_actions (DbnService *service)
{
    g_autoptr (GError) error = NULL;
    DbnCalendar *calendar = dbn_calendar_load (DBN_SOURCE_DIR "/schemas/data/calendar.ini", &error);
    g_assert_no_error (error);
    DbnCatalog *catalog = dbn_catalog_load (DBN_SOURCE_DIR "/schemas/data/catalog.ini", &error);
    g_assert_no_error (error);
    DeadlineSettings settings;
    g_assert_true (deadline_settings_load (&settings, NULL, &error));
    DeadlineActions *actions = deadline_actions_new (
        service, calendar, DBN_SOURCE_DIR "/schemas/data/calendar.ini", catalog, &settings, &error);
    g_assert_no_error (error);
    return actions;
}

static const char *const stations[] = { "qingshui", "shiqiao", "dongcun", "xiwan" };
static const char *const windows[] = { "jisheng", "minzheng", "shebao", "huji" };
static const char *const areas[] = { "east", "west" };

/* N open cases, each with a running centre clock started on one of 60
 * working days from Mon 2 Mar 2026 (so due dates and instants spread). */
static void
fill (DbnService *service, DeadlineActions *actions, gint64 start_ms, GArray *pairs)
{
    DbnStore *store = dbn_service_get_store (service);
    DeadlineStore *ds = deadline_actions_get_store (actions);
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_store_begin (store, &error));
    gint64 first_day = deadline_day_of_ms (start_ms);
    for (gint64 i = 0; i < opt_cases; i++) {
        DeadlineCase c = { 0 };
        c.case_no = g_strdup_printf ("T01-2026-%07" G_GINT64_FORMAT, i + 1);
        c.matter = (char *) "JS-ZHUNSHENG";
        c.level = (char *) "township";
        c.kind = (char *) "immediate";
        c.window = (char *) windows[i % 4];
        c.station = (char *) stations[i % 4];
        c.area = (char *) areas[i % 2];
        c.accepted_at = start_ms;
        c.centre_seen = TRUE;
        g_assert_true (deadline_store_put_case (ds, &c, &error));
        DeadlineClock k = { 0 };
        k.case_no = c.case_no;
        k.name = DEADLINE_CLOCK_CENTRE;
        k.length = 1;
        k.state = DEADLINE_STATE_RUNNING;
        k.anchor_day = deadline_due_day (actions->calendar, NULL, DEADLINE_UNIT_WORKING, first_day,
                                         (int) (i % 60), NULL);
        k.started_at = deadline_ms_of_day (k.anchor_day) + 10 * 3600 * 1000;
        k.anchor_n = 1;
        k.covered = TRUE;
        k.due_day = deadline_due_day (actions->calendar, NULL, DEADLINE_UNIT_WORKING, k.anchor_day, 1, NULL);
        k.next_at = deadline_next_at (actions->calendar, NULL, DEADLINE_UNIT_WORKING, k.due_day, k.started_at,
                                      DEADLINE_STAGE_NONE, FALSE, 1);
        g_assert_true (deadline_store_put_clock (ds, &k, &error));
        Pair p = { k.next_at, k.id };
        g_array_append_val (pairs, p);
        g_free (c.case_no);
        if ((i + 1) % 100000 == 0) {
            g_assert_true (dbn_store_commit (store, &error));
            g_assert_true (dbn_store_begin (store, &error));
        }
    }
    g_assert_true (dbn_store_commit (store, &error));
}

int
main (int argc, char **argv)
{
    GOptionEntry entries[] = {
        { "cases", 0, 0, G_OPTION_ARG_INT64, &opt_cases, "Open cases (default 1000000)", "N" },
        { "fire", 0, 0, G_OPTION_ARG_INT64, &opt_fire, "Events to fire for the throughput (default 200000)",
          "M" },
        { NULL },
    };
    g_autoptr (GOptionContext) context = g_option_context_new ("— deadline timers at scale");
    g_option_context_add_main_entries (context, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (context, &argc, &argv, &error)) {
        fprintf (stderr, "%s\n", error->message);
        return 2;
    }
    dbn_log_init ("bench-deadline");
    g_autofree char *dir = g_dir_make_tmp ("daiban-bench-deadline-XXXXXX", &error);
    g_assert_no_error (error);
    g_autoptr (DbnConfig) config = dbn_config_load (dir, &error);
    g_assert_no_error (error);
    /* Mon 2 Mar 2026 10:00 China time. */
    gint64 start_ms = G_GINT64_CONSTANT (1772416800000);
    g_autoptr (DbnClock) clock = dbn_clock_new_manual (start_ms);
    g_autoptr (GArray) pairs = g_array_sized_new (FALSE, FALSE, sizeof (Pair), (guint) opt_cases);

    double t = now_s ();
    DbnService *service = open_service (config, clock);
    DeadlineActions *actions = open_actions (service);
    fill (service, actions, start_ms, pairs);
    printf ("bench_deadline: %" G_GINT64_FORMAT " open cases stored in %.1f s\n", opt_cases, now_s () - t);
    deadline_actions_free (actions);
    dbn_service_free (service);

    /* ---- restart: rebuild from the store ---- */
    gsize rss0 = rss_bytes ();
    t = now_s ();
    service = open_service (config, clock);
    actions = open_actions (service);
    g_assert_true (deadline_actions_rebuild (actions, &error));
    double rebuild_s = now_s () - t;
    gsize rss1 = rss_bytes ();
    DeadlineTimers *timers = deadline_actions_get_timers (actions);
    guint rebuilt = deadline_timers_size (timers);
    gsize heap_bytes = deadline_timers_get_bytes (timers);
    g_assert_cmpuint (rebuilt, ==, opt_cases);

    /* ---- reference: a plain binary heap of the same pairs ---- */
    gsize rss2 = rss_bytes ();
    t = now_s ();
    PlainHeap plain = { 0 };
    for (guint i = 0; i < pairs->len; i++) {
        Pair *p = &g_array_index (pairs, Pair, i);
        plain_push (&plain, p->at, p->id);
    }
    double plain_build_s = now_s () - t;
    gsize rss3 = rss_bytes ();

    /* ---- firing ---- */
    dbn_clock_set_ms (clock, start_ms + G_GINT64_CONSTANT (400) * 86400000);
    gint64 now = dbn_clock_now_ms (clock);
    guint64 fired_total = 0;
    t = now_s ();
    while ((gint64) fired_total < opt_fire) {
        guint fired = 0;
        g_assert_true (deadline_actions_fire_due (
            actions, now, (guint) MIN (1000, opt_fire - (gint64) fired_total), &fired, &error));
        if (fired == 0)
            break;
        fired_total += fired;
    }
    double fire_s = now_s () - t;

    /* The reference pops as many entries, pushing each one's next stage
     * as the service does, so both heaps do the same heap work. */
    t = now_s ();
    guint64 popped = 0;
    Pair p;
    while ((gint64) popped < opt_fire && plain_pop (&plain, &p)) {
        popped++;
        if (popped % 3 != 0)
            plain_push (&plain, p.at + 86400000, p.id);
    }
    double plain_pop_s = now_s () - t;

    double mib = 1024.0 * 1024.0;
    double fire_rate = fired_total / MAX (fire_s, 1e-9), plain_rate = popped / MAX (plain_pop_s, 1e-9);
    double grown = ((double) rss1 - (double) rss0) / mib, plain_grown = ((double) rss3 - (double) rss2) / mib;
    printf ("rebuild after restart: %.3f s for %u pending firings; plain binary heap build %.3f s  (ratio "
            "%.1f)\n",
            rebuild_s, rebuilt, plain_build_s, rebuild_s / MAX (plain_build_s, 1e-6));
    printf (
        "memory: RSS +%.1f MiB after rebuild (timer heap array %.1f MiB); plain binary heap RSS +%.1f MiB "
        "(array %.1f MiB)  (ratio %.2f)\n",
        grown, heap_bytes / mib, plain_grown, plain.cap * sizeof (Pair) / mib,
        plain_grown > 0.05 ? grown / plain_grown
                           : (double) heap_bytes / (double) (plain.cap * sizeof (Pair)));
    printf ("firing: %" G_GUINT64_FORMAT
            " events in %.2f s = %.0f events/s (journaled, 1000 per transaction); "
            "plain binary heap %.0f pops/s  (ratio 1:%.0f)\n",
            fired_total, fire_s, fire_rate, plain_rate, plain_rate / fire_rate);

    g_free (plain.a);
    deadline_actions_free (actions);
    dbn_service_free (service);
    if (g_getenv ("DAIBAN_KEEP_TEST_DATA") != NULL) {
        printf ("store kept in %s\n", dir);
    } else {
        const char *names[] = { "deadline.db", "deadline.db-wal", "deadline.db-shm" };
        for (gsize i = 0; i < G_N_ELEMENTS (names); i++) {
            g_autofree char *path = g_build_filename (dir, names[i], NULL);
            unlink (path);
        }
        rmdir (dir);
    }
    return 0;
}
