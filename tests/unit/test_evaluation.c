/* test_evaluation: the evaluation model (D-EV-1..6, D-AUD-5) over a real
 * store in a temporary folder and the shipped calendar, without a process.
 * Instants are office time (UTC+8). */
#include <sqlite3.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "eval_rules.h"
#include "eval_sample.h"
#include "eval_store.h"

typedef struct {
    char *dir;             /* temporary folder, removed with everything in it */
    char *path;            /* dir/evaluation.db */
    DbnCalendar *calendar; /* the shipped calendar (D-DL-5) */
    DbnStore *store;
    EvalStore *eval;
    EvalSettings settings; /* defaults, region code 421127 */
} Fixture;

static DbnCalendar *
load_calendar (void)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *path =
        g_build_filename (g_getenv ("DAIBAN_SOURCE_DIR"), "schemas", "data", "calendar.ini", NULL);
    DbnCalendar *calendar = dbn_calendar_load (path, &error);
    g_assert_no_error (error);
    return calendar;
}

static void
open_store (Fixture *f)
{
    g_autoptr (GError) error = NULL;
    f->store = dbn_store_open (f->path, DBN_STORE_SYNC_NORMAL, eval_migrations, &error);
    g_assert_no_error (error);
    f->eval = eval_store_new (f->store, f->calendar, &error);
    g_assert_no_error (error);
}

static void
close_store (Fixture *f)
{
    g_clear_pointer (&f->eval, eval_store_free);
    g_clear_pointer (&f->store, dbn_store_free);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    f->dir = g_dir_make_tmp ("daiban-eval-XXXXXX", &error);
    g_assert_no_error (error);
    f->path = g_build_filename (f->dir, "evaluation.db", NULL);
    f->calendar = load_calendar ();
    open_store (f);
    g_assert_true (eval_settings_load (&f->settings, NULL, &error));
    g_assert_no_error (error);
    f->settings.region_code = g_strdup ("421127");
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    close_store (f);
    eval_settings_clear (&f->settings);
    g_clear_pointer (&f->calendar, dbn_calendar_free);
    g_autoptr (GDir) dir = g_dir_open (f->dir, 0, NULL);
    const char *name;
    while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
        g_autofree char *file = g_build_filename (f->dir, name, NULL);
        g_unlink (file);
    }
    g_rmdir (f->dir);
    g_free (f->path);
    g_free (f->dir);
}

/* ms of a local (UTC+8) instant. */
static gint64
at (int year, int month, int day, int hour)
{
    g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
    g_autoptr (GDateTime) t = g_date_time_new (tz, year, month, day, hour, 0, 0);
    return g_date_time_to_unix (t) * 1000;
}

static guint32
julian (int year, int month, int day)
{
    GDate d;
    g_date_clear (&d, 1);
    g_date_set_dmy (&d, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
    return g_date_get_julian (&d);
}

static void
begin (Fixture *f)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_store_begin (f->store, &error));
    g_assert_no_error (error);
}

static void
commit (Fixture *f)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (dbn_store_commit (f->store, &error));
    g_assert_no_error (error);
}

static void
apply_ok (Fixture *f, const EvalFact *fact)
{
    g_autoptr (GError) error = NULL;
    g_assert_true (eval_store_apply_fact (f->eval, fact, &error));
    g_assert_no_error (error);
}

/* A case accepted at t by agent at station (NULL: a walk-in) for window,
 * classified with clerk and township agent. */
static void
accept (Fixture *f, const char *case_no, gint64 t, const char *station, const char *agent, const char *window,
        const char *clerk, const char *township_agent)
{
    EvalFact a = {
        .type = EVAL_FACT_ACCEPTED,
        .case_no = case_no,
        .at = t,
        .matter = "MZ-JINGLAOYUAN",
        .station = station,
        .window = window,
        .agent = agent,
        .channel = station ? "station" : "window",
    };
    apply_ok (f, &a);
    EvalFact c = {
        .type = EVAL_FACT_CLASSIFIED,
        .case_no = case_no,
        .at = t,
        .kind = DBN_KIND_IMMEDIATE,
        .clerk = clerk,
        .township_agent = township_agent,
    };
    apply_ok (f, &c);
}

static void
complete (Fixture *f, const char *case_no, gint64 t)
{
    EvalFact c = { .type = EVAL_FACT_COMPLETED, .case_no = case_no, .at = t };
    apply_ok (f, &c);
}

static void
rate (Fixture *f, const char *case_no, EvalStage stage, EvalLevel level, gint64 t)
{
    g_autoptr (GError) error = NULL;
    EvalRating r = { case_no, stage, level, t };
    g_assert_true (eval_store_rate (f->eval, &r, &error));
    g_assert_no_error (error);
}

static const EvalFigures *
find (GPtrArray *figures, EvalScope scope, const char *id)
{
    for (guint i = 0; i < figures->len; i++) {
        const EvalFigures *fig = figures->pdata[i];
        if (fig->scope == scope && strcmp (fig->id, id) == 0)
            return fig;
    }
    g_assert_not_reached ();
}

static GPtrArray *
month_figures (Fixture *f, guint month, gboolean with_corrections)
{
    g_autoptr (GError) error = NULL;
    GPtrArray *figures = eval_store_month_figures (f->eval, &f->settings, month, with_corrections, &error);
    g_assert_no_error (error);
    return figures;
}

/* ---- D-EV-4 ---- */

/* Stars from the counters alone, at and just below each threshold:
 * 899/1000 = 89.9 % is not 90 %, 900/1000 is; completion steps at 80, 85
 * and 90 % exactly. Floats would agree for these, so the rate 8999/10000
 * (89.99 %) and 2/3 (66.67 %) are in as well. */
static void
test_stars_thresholds (void)
{
    EvalSettings s;
    g_assert_true (eval_settings_load (&s, NULL, NULL));
    struct {
        gint64 accepted, completed, rated, happy;
        int stars;
    } rows[] = {
        { 1000, 1000, 1000, 899, 0 },     /* satisfaction 89.9 % */
        { 1000, 1000, 1000, 900, 3 },     /* 90.0 % */
        { 10000, 10000, 10000, 8999, 0 }, /* 89.99 % */
        { 1000, 799, 1000, 1000, 0 },     /* completion 79.9 % */
        { 1000, 800, 1000, 1000, 1 },     /* 80.0 % */
        { 1000, 849, 1000, 1000, 1 },
        { 1000, 850, 1000, 1000, 2 }, /* 85.0 % */
        { 1000, 899, 1000, 1000, 2 }, /* 89.9 % */
        { 1000, 900, 1000, 900, 3 },  /* both exactly 90 % */
        { 3, 2, 3, 3, 0 },            /* 66.67 % */
        { 0, 0, 10, 10, 0 },          /* nothing accepted */
        { 10, 10, 0, 0, 0 },          /* nothing rated */
    };
    for (gsize i = 0; i < G_N_ELEMENTS (rows); i++) {
        /* Half of the happy ones basically satisfied: they count as satisfied. */
        EvalCounters c = { .accepted = rows[i].accepted,
                           .completed = rows[i].completed,
                           .rated = rows[i].rated,
                           .satisfied = rows[i].happy - rows[i].happy / 2,
                           .basic = rows[i].happy / 2,
                           .unsatisfied = rows[i].rated - rows[i].happy };
        g_test_message ("row %zu", i);
        g_assert_cmpint (eval_stars (&s, &c), ==, rows[i].stars);
    }
    g_assert_false (eval_rate_at_least (899, 1000, 90));
    g_assert_true (eval_rate_at_least (900, 1000, 90));
    g_assert_false (eval_rate_at_least (0, 0, 0));
    eval_settings_clear (&s);
}

/* The same two thresholds through the store: station qingshui has 1000
 * ratings of which 899 are satisfied or basic (89.9 %), station heping 900
 * of 1000 (90 %); every case completed. */
static void
test_stars_through_store (Fixture *f, gconstpointer data)
{
    begin (f);
    const char *stations[] = { "qingshui", "heping" };
    int happy[] = { 899, 900 };
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < 1000; i++) {
            g_autofree char *no = g_strdup_printf ("T01-2026-%d%05d", s, i);
            accept (f, no, at (2026, 11, 2, 9), stations[s], "v-li", "minzheng", "k-zhao", NULL);
            complete (f, no, at (2026, 11, 3, 9));
            EvalLevel level =
                i < happy[s] ? (i % 2 ? EVAL_LEVEL_BASIC : EVAL_LEVEL_SATISFIED) : EVAL_LEVEL_UNSATISFIED;
            rate (f, no, EVAL_STAGE_REPLY, level, at (2026, 11, 3, 10));
        }
    }
    commit (f);
    g_autoptr (GPtrArray) figures = month_figures (f, 202611, FALSE);
    const EvalFigures *q = find (figures, EVAL_SCOPE_STATION, "qingshui");
    const EvalFigures *h = find (figures, EVAL_SCOPE_STATION, "heping");
    g_assert_cmpint (q->c.rated, ==, 1000);
    g_assert_cmpint (q->c.satisfied + q->c.basic, ==, 899);
    g_assert_cmpint (q->stars, ==, 0);
    g_assert_cmpint (h->c.satisfied + h->c.basic, ==, 900);
    g_assert_cmpint (h->stars, ==, 3);
    /* The township: 1799 of 2000 = 89.95 %, below 90 %. */
    g_assert_cmpint (find (figures, EVAL_SCOPE_TOWNSHIP, "T01")->stars, ==, 0);
}

/* ---- D-EV-2 ---- */

/* The key is the documented one: sha256sum of "<seed>\n<case>", as
 * `printf '%s\n%s' '2026-11 seed' T01-2026-000001 | sha256sum` prints it. */
static void
test_sample_key_documented (void)
{
    g_autofree char *key = eval_sample_key ("2026-11 seed", "T01-2026-000001");
    g_assert_cmpstr (key, ==, "581c2c5552542df911cc3d3c9784aefc244b96324874d7c92975b1bc56326564");
}

/* For every size 0..600 and three seeds: the draw takes round(35 % × n)
 * cases, never more than one off 35 %; the same seed gives the same cases
 * whatever the order the population is listed in; the cases drawn are the
 * population's, with no repeats; and a different seed draws differently. */
static void
test_sample_reproducible (void)
{
    const char *seeds[] = { "2026-11 seed", "audit head 9f2c", "S" };
    GRand *rand = g_rand_new_with_seed (13);
    for (guint n = 0; n <= 600; n++) {
        g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
        for (guint i = 0; i < n; i++)
            g_ptr_array_add (cases, g_strdup_printf ("T01-2026-%06u", 1000 + i * 7));
        for (gsize s = 0; s < G_N_ELEMENTS (seeds); s++) {
            g_autoptr (GPtrArray) a = eval_sample_draw (seeds[s], (const char *const *) cases->pdata, n, 35);
            /* |k - 0.35 n| <= 1, in integers: |100 k - 35 n| <= 100 (and in
             * fact <= 50: the rounding is to the nearest case). */
            gint64 off = (gint64) a->len * 100 - (gint64) n * 35;
            g_assert_cmpint (ABS (off), <=, 50);
            /* Shuffled input, same draw. */
            g_autoptr (GPtrArray) shuffled = g_ptr_array_new ();
            for (guint i = 0; i < n; i++)
                g_ptr_array_add (shuffled, cases->pdata[i]);
            for (guint i = n; i > 1; i--) {
                guint j = (guint) g_rand_int_range (rand, 0, (gint32) i);
                gpointer t = shuffled->pdata[i - 1];
                shuffled->pdata[i - 1] = shuffled->pdata[j];
                shuffled->pdata[j] = t;
            }
            g_autoptr (GPtrArray) b =
                eval_sample_draw (seeds[s], (const char *const *) shuffled->pdata, n, 35);
            g_assert_cmpuint (a->len, ==, b->len);
            g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
            for (guint i = 0; i < a->len; i++) {
                g_assert_cmpstr (a->pdata[i], ==, b->pdata[i]);
                g_assert_true (g_hash_table_add (seen, a->pdata[i]));
                g_assert_true (g_ptr_array_find_with_equal_func (cases, a->pdata[i], g_str_equal, NULL));
            }
        }
        if (n >= 40) {
            g_autoptr (GPtrArray) x = eval_sample_draw (seeds[0], (const char *const *) cases->pdata, n, 35);
            g_autoptr (GPtrArray) y = eval_sample_draw (seeds[1], (const char *const *) cases->pdata, n, 35);
            gboolean same = TRUE;
            for (guint i = 0; i < x->len && same; i++)
                same = strcmp (x->pdata[i], y->pdata[i]) == 0;
            g_assert_false (same);
        }
    }
    g_rand_free (rand);
    /* A case listed twice is one case. */
    const char *twice[] = { "T01-2026-000001", "T01-2026-000001", "T01-2026-000002" };
    g_autoptr (GPtrArray) all = eval_sample_draw ("S", twice, 3, 100);
    g_assert_cmpuint (all->len, ==, 2);
    g_assert_cmpuint (eval_sample_size (100, 35), ==, 35);
    g_assert_cmpuint (eval_sample_size (3, 50), ==, 2); /* 1.5 rounds up */
    g_assert_cmpuint (eval_sample_size (1, 35), ==, 0); /* 0.35 rounds down */
    g_assert_cmpuint (eval_sample_size (2, 35), ==, 1); /* 0.70 rounds up */
}

/* The month's draw through the store: the population is November's handled
 * cases (completed or returned in November, not those accepted then and
 * done in December, nor October's); it is drawn on the first working day
 * of December (Tue 1 Dec 2026) and not before; once; the recorded seed and
 * population redo it; callbacks only for drawn cases, once each; an
 * unsatisfied callback counts as an unsatisfied rating of its month. */
static void
test_sample_through_store (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    for (int i = 0; i < 40; i++) {
        g_autofree char *no = g_strdup_printf ("T01-2026-%06d", i);
        accept (f, no, at (2026, 10, 30, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
        if (i < 2)
            continue; /* never handled */
        if (i < 4)
            complete (f, no, at (2026, 10, 30, 15)); /* October's */
        else if (i < 6)
            complete (f, no, at (2026, 12, 1, 9)); /* December's */
        else if (i < 8) {
            EvalFact r = { .type = EVAL_FACT_RETURNED, .case_no = no, .at = at (2026, 11, 5, 9) };
            apply_ok (f, &r);
        } else
            complete (f, no, at (2026, 11, 2 + i % 20, 11));
    }
    commit (f);
    /* 34 handled in November: 2 returned, 32 completed; 35 % → 11.9 → 12. */
    g_assert_false (
        eval_store_draw_sample (f->eval, 202611, "seed-1", 35, at (2026, 11, 30, 18), NULL, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_NOT_DUE);
    g_clear_error (&error);
    g_autoptr (GPtrArray) drawn = NULL;
    begin (f);
    g_assert_true (
        eval_store_draw_sample (f->eval, 202611, "seed-1", 35, at (2026, 12, 1, 8), &drawn, &error));
    g_assert_no_error (error);
    commit (f);
    g_assert_cmpuint (drawn->len, ==, 12);
    g_assert_false (
        eval_store_draw_sample (f->eval, 202611, "seed-2", 35, at (2026, 12, 2, 8), NULL, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE);
    g_clear_error (&error);

    g_autofree char *seed = NULL;
    guint percent = 0;
    g_autoptr (GPtrArray) population = NULL, again = NULL;
    g_assert_true (eval_store_dup_sample (f->eval, 202611, &seed, &percent, &population, &again, &error));
    g_assert_cmpstr (seed, ==, "seed-1");
    g_assert_cmpuint (percent, ==, 35);
    g_assert_cmpuint (population->len, ==, 34);
    g_assert_true (g_ptr_array_find_with_equal_func (population, "T01-2026-000006", g_str_equal, NULL));
    g_assert_false (g_ptr_array_find_with_equal_func (population, "T01-2026-000004", g_str_equal, NULL));
    g_assert_false (g_ptr_array_find_with_equal_func (population, "T01-2026-000002", g_str_equal, NULL));
    g_autoptr (GPtrArray) redo =
        eval_sample_draw (seed, (const char *const *) population->pdata, population->len, percent);
    g_assert_cmpuint (again->len, ==, drawn->len);
    for (guint i = 0; i < drawn->len; i++) {
        g_assert_cmpstr (again->pdata[i], ==, drawn->pdata[i]);
        g_assert_cmpstr (redo->pdata[i], ==, drawn->pdata[i]);
    }

    /* A case not drawn. */
    const char *outside = NULL;
    for (guint i = 0; i < population->len && outside == NULL; i++)
        if (!g_ptr_array_find_with_equal_func (drawn, population->pdata[i], g_str_equal, NULL))
            outside = population->pdata[i];
    EvalCallback no = { outside,
                        202611,
                        at (2026, 12, 3, 10),
                        TRUE,
                        EVAL_LEVEL_SATISFIED,
                        EVAL_LEVEL_SATISFIED,
                        EVAL_LEVEL_SATISFIED };
    g_assert_false (eval_store_record_callback (f->eval, &no, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_NOT_SAMPLED);
    g_clear_error (&error);
    /* Reached and not reached with levels are both malformed. */
    EvalCallback bad = { drawn->pdata[0], 202611, at (2026, 12, 3, 10), FALSE, EVAL_LEVEL_SATISFIED, 0, 0 };
    g_assert_false (eval_store_record_callback (f->eval, &bad, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
    g_clear_error (&error);

    begin (f);
    EvalCallback cb[] = {
        { drawn->pdata[0], 202611, at (2026, 12, 3, 10), TRUE, EVAL_LEVEL_SATISFIED, EVAL_LEVEL_BASIC,
          EVAL_LEVEL_UNSATISFIED },
        { drawn->pdata[1], 202611, at (2026, 12, 3, 11), TRUE, EVAL_LEVEL_SATISFIED, EVAL_LEVEL_SATISFIED,
          EVAL_LEVEL_BASIC },
        { drawn->pdata[2], 202611, at (2026, 12, 3, 12), FALSE, 0, 0, 0 },
    };
    for (gsize i = 0; i < G_N_ELEMENTS (cb); i++) {
        g_assert_true (eval_store_record_callback (f->eval, &cb[i], &error));
        g_assert_no_error (error);
    }
    commit (f);
    g_assert_false (eval_store_record_callback (f->eval, &cb[0], &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE);
    g_clear_error (&error);
    /* December: one unsatisfied callback, nothing else rated. */
    g_autoptr (GPtrArray) dec = month_figures (f, 202612, FALSE);
    const EvalFigures *q = find (dec, EVAL_SCOPE_STATION, "qingshui");
    g_assert_cmpint (q->c.rated, ==, 1);
    g_assert_cmpint (q->c.unsatisfied, ==, 1);
    g_assert_cmpint (find (dec, EVAL_SCOPE_PERSON, "v-li")->c.unsatisfied, ==, 1);
    g_autoptr (GPtrArray) nov = month_figures (f, 202611, FALSE);
    g_assert_cmpint (find (nov, EVAL_SCOPE_TOWNSHIP, "T01")->c.rated, ==, 0);
}

/* The first working day follows the calendar: Sunday 4 Jan 2026 is an
 * adjusted working day (元旦调休); October 2026 starts with the National
 * Day week, so its first working day is Thursday the 8th. */
static void
test_first_working_day (void)
{
    g_autoptr (DbnCalendar) calendar = load_calendar ();
    gboolean covered = FALSE;
    g_assert_cmpuint (eval_first_working_day (calendar, 202601, &covered), ==, julian (2026, 1, 4));
    g_assert_true (covered);
    g_assert_cmpuint (eval_first_working_day (calendar, 202610, NULL), ==, julian (2026, 10, 8));
    g_assert_cmpuint (eval_first_working_day (calendar, 202612, NULL), ==, julian (2026, 12, 1));
    g_assert_cmpuint (eval_first_working_day (calendar, 202602, NULL), ==, julian (2026, 2, 2));
}

/* ---- D-EV-3, D-EV-6 ---- */

/* November 2026 worked out by hand. Mondays: 2, 9, 16, 23, 30 → 5 weeks
 * begin in the month, so a township agent owes 5 × 1 = 5 matters.
 *
 *   case  accepted    station   agent    window    clerk   township agent  completed  rating
 *   1     Mon  2 Nov  qingshui  v-li     minzheng  k-zhao  t-chen          3 Nov      satisfied
 *   2     Tue  3 Nov  qingshui  g-wang   minzheng  k-zhao  t-chen          3 Nov      satisfied
 *   3     Wed  4 Nov  -         -        shebao    k-sun   t-chen          -          -
 *   4-9   Thu  5 Nov  -         -        shebao    k-sun   t-zhou          6 Nov      unsatisfied
 *   10    Sat 31 Oct  qingshui  v-zhang  minzheng  k-zhao  -               (October: not counted)
 *   11    Tue  1 Dec  qingshui  g-liu    minzheng  k-zhao  -               (December: not counted)
 *   12    Fri 27 Nov  qingshui  t-zhou   minzheng  k-zhao  t-zhou          (agent and township agent
 *                                                                            the same: one matter)
 *
 *   person   level     required  handled        missing  fine
 *   t-chen   township  5         3 (1, 2, 3)    2        2 × 100 = 200
 *   t-zhou   township  5         7 (4-9, 12)    0        0
 *   v-li     village   2         1 (1)          1        1 × 80 = 80
 *   v-zhang  village   2         0 (10 is Oct)  2        2 × 80 = 160
 *   g-wang   group     1         1 (2)          0        0
 *   g-liu    group     1         0 (11 is Dec)  1        1 × 80 = 80
 *                                                total    520 yuan
 *
 * Scores (weights 40/30/30, every rate in points):
 *   minzheng: cases 1, 2, 12; completed 2 of 3 (66.666 %), on time 2 of 2,
 *             satisfied 2 of 2: 40 × 66.666 + 30 × 100 + 30 × 100 = 86.666 points
 *   shebao:   cases 3-9; completed 6 of 7 (85.714 %), on time 6 of 6,
 *             satisfied 0 of 6: (40 × 85.714 + 30 × 100) / 100 = 64.285 points
 *   → the window reward goes to minzheng. Among people, v-li and g-wang
 *   each have one case, completed, on time, satisfied: 100 points; equal
 *   scores and equal cases go to the smaller id, g-wang. */
static void
test_quotas_by_hand (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    accept (f, "T01-2026-000001", at (2026, 11, 2, 9), "qingshui", "v-li", "minzheng", "k-zhao", "t-chen");
    accept (f, "T01-2026-000002", at (2026, 11, 3, 9), "qingshui", "g-wang", "minzheng", "k-zhao", "t-chen");
    accept (f, "T01-2026-000003", at (2026, 11, 4, 9), NULL, NULL, "shebao", "k-sun", "t-chen");
    for (int i = 4; i <= 9; i++) {
        g_autofree char *no = g_strdup_printf ("T01-2026-%06d", i);
        accept (f, no, at (2026, 11, 5, 9), NULL, NULL, "shebao", "k-sun", "t-zhou");
        complete (f, no, at (2026, 11, 6, 9));
        rate (f, no, EVAL_STAGE_WINDOW, EVAL_LEVEL_UNSATISFIED, at (2026, 11, 6, 10));
    }
    accept (f, "T01-2026-000010", at (2026, 10, 31, 9), "qingshui", "v-zhang", "minzheng", "k-zhao", NULL);
    accept (f, "T01-2026-000011", at (2026, 12, 1, 9), "qingshui", "g-liu", "minzheng", "k-zhao", NULL);
    accept (f, "T01-2026-000012", at (2026, 11, 27, 9), "qingshui", "t-zhou", "minzheng", "k-zhao", "t-zhou");
    complete (f, "T01-2026-000001", at (2026, 11, 3, 15));
    complete (f, "T01-2026-000002", at (2026, 11, 3, 16));
    rate (f, "T01-2026-000001", EVAL_STAGE_REPLY, EVAL_LEVEL_SATISFIED, at (2026, 11, 3, 17));
    rate (f, "T01-2026-000002", EVAL_STAGE_REPLY, EVAL_LEVEL_SATISFIED, at (2026, 11, 3, 17));
    commit (f);

    EvalPerson roster[] = {
        { "t-chen", DBN_AGENT_LEVEL_TOWNSHIP }, { "t-zhou", DBN_AGENT_LEVEL_TOWNSHIP },
        { "v-li", DBN_AGENT_LEVEL_VILLAGE },    { "v-zhang", DBN_AGENT_LEVEL_VILLAGE },
        { "g-wang", DBN_AGENT_LEVEL_GROUP },    { "g-liu", DBN_AGENT_LEVEL_GROUP },
    };
    g_assert_cmpuint (eval_month_mondays (202611), ==, 5);
    begin (f);
    g_assert_true (eval_store_close_month (f->eval, &f->settings, 202611, roster, G_N_ELEMENTS (roster),
                                           at (2026, 12, 1, 8), &error));
    g_assert_no_error (error);
    commit (f);

    g_autoptr (GPtrArray) quotas = eval_store_month_quotas (f->eval, 202611, &error);
    g_assert_no_error (error);
    struct {
        const char *person;
        gint64 required, handled, missing, fine;
    } expect[] = {
        /* person order */
        { "g-liu", 1, 0, 1, 80 }, { "g-wang", 1, 1, 0, 0 }, { "t-chen", 5, 3, 2, 200 },
        { "t-zhou", 5, 7, 0, 0 }, { "v-li", 2, 1, 1, 80 },  { "v-zhang", 2, 0, 2, 160 },
    };
    g_assert_cmpuint (quotas->len, ==, G_N_ELEMENTS (expect));
    gint64 total = 0;
    for (gsize i = 0; i < G_N_ELEMENTS (expect); i++) {
        const EvalQuotaRow *q = quotas->pdata[i];
        g_assert_cmpstr (q->person, ==, expect[i].person);
        g_assert_cmpint (q->required, ==, expect[i].required);
        g_assert_cmpint (q->handled, ==, expect[i].handled);
        g_assert_cmpint (q->missing, ==, expect[i].missing);
        g_assert_cmpint (q->fine_yuan, ==, expect[i].fine);
        total += q->fine_yuan;
    }
    g_assert_cmpint (total, ==, 520);

    g_autoptr (GPtrArray) figures = month_figures (f, 202611, FALSE);
    g_assert_cmpint (find (figures, EVAL_SCOPE_WINDOW, "minzheng")->score_milli, ==, 86666);
    g_assert_cmpint (find (figures, EVAL_SCOPE_WINDOW, "shebao")->score_milli, ==, 64285);
    g_autofree char *person = NULL, *window = NULL;
    gint64 person_yuan = 0, window_yuan = 0;
    g_assert_true (
        eval_store_month_rewards (f->eval, 202611, &person, &person_yuan, &window, &window_yuan, &error));
    g_assert_cmpstr (person, ==, "g-wang");
    g_assert_cmpint (person_yuan, ==, 100);
    g_assert_cmpstr (window, ==, "minzheng");
    g_assert_cmpint (window_yuan, ==, 100);
}

/* Issue 16: a case a group agent handed to its station (intake's
 * handover.accepted) is the group agent's matter for D-EV-3, in the month
 * the case was accepted, whether intake's event comes before or after
 * routing's acceptance; the accepting station principal counts it too. */
static void
test_group_handover_quota (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    accept (f, "T01-2026-000001", at (2026, 11, 2, 9), "qingshui", "station:qingshui", "minzheng", "k-zhao",
            NULL);
    g_assert_true (eval_store_add_group_case (f->eval, "T01-2026-000001", "g-liu", &error));
    /* Intake's event first, routing's acceptance after. */
    g_assert_true (eval_store_add_group_case (f->eval, "T01-2026-000002", "g-liu", &error));
    accept (f, "T01-2026-000002", at (2026, 11, 20, 9), "qingshui", "station:qingshui", "minzheng", "k-zhao",
            NULL);
    /* Recorded twice (a replay): counted once. */
    g_assert_true (eval_store_add_group_case (f->eval, "T01-2026-000002", "g-liu", &error));
    /* Another month's handover is not November's. */
    accept (f, "T01-2026-000003", at (2026, 12, 1, 9), "qingshui", "station:qingshui", "minzheng", "k-zhao",
            NULL);
    g_assert_true (eval_store_add_group_case (f->eval, "T01-2026-000003", "g-wang", &error));
    g_assert_no_error (error);
    commit (f);

    EvalPerson roster[] = { { "g-liu", DBN_AGENT_LEVEL_GROUP }, { "g-wang", DBN_AGENT_LEVEL_GROUP } };
    begin (f);
    g_assert_true (eval_store_close_month (f->eval, &f->settings, 202611, roster, G_N_ELEMENTS (roster),
                                           at (2026, 12, 1, 8), &error));
    g_assert_no_error (error);
    commit (f);
    g_autoptr (GPtrArray) quotas = eval_store_month_quotas (f->eval, 202611, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (quotas->len, ==, 2);
    const EvalQuotaRow *liu = quotas->pdata[0], *wang = quotas->pdata[1];
    g_assert_cmpstr (liu->person, ==, "g-liu");
    g_assert_cmpint (liu->handled, ==, 2);
    g_assert_cmpint (liu->missing, ==, 0);
    g_assert_cmpint (liu->fine_yuan, ==, 0);
    g_assert_cmpstr (wang->person, ==, "g-wang");
    g_assert_cmpint (wang->handled, ==, 0);
    g_assert_cmpint (wang->fine_yuan, ==, 80);
}

/* eval_quota alone, with settings changed. */
static void
test_quota_rule (void)
{
    EvalSettings s;
    g_assert_true (eval_settings_load (&s, NULL, NULL));
    gint64 required, missing, fine;
    eval_quota (&s, DBN_AGENT_LEVEL_TOWNSHIP, 4, 0, &required, &missing, &fine);
    g_assert_cmpint (required, ==, 4);
    g_assert_cmpint (fine, ==, 400);
    eval_quota (&s, DBN_AGENT_LEVEL_VILLAGE, 4, 5, &required, &missing, &fine);
    g_assert_cmpint (missing, ==, 0);
    g_assert_cmpint (fine, ==, 0);
    s.fine_group = 50;
    s.quota_group_month = 3;
    eval_quota (&s, DBN_AGENT_LEVEL_GROUP, 4, 1, &required, &missing, &fine);
    g_assert_cmpint (missing, ==, 2);
    g_assert_cmpint (fine, ==, 100);
    /* Mondays: Feb 2026 has 4 (2, 9, 16, 23), Mar 2026 5 (2 ... 30), Jun 2026 5 (1 ... 29). */
    g_assert_cmpuint (eval_month_mondays (202602), ==, 4);
    g_assert_cmpuint (eval_month_mondays (202603), ==, 5);
    g_assert_cmpuint (eval_month_mondays (202606), ==, 5);
    g_assert_cmpuint (eval_month_mondays (202609), ==, 4);
    eval_settings_clear (&s);
}

/* [evaluation] of daiban.conf: values replace the defaults, a bad one is
 * refused naming the key, and the weights move the score. */
static void
test_settings (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *conf = g_build_filename (f->dir, "daiban.conf", NULL);
    g_assert_true (g_file_set_contents (conf,
                                        "[evaluation]\nsample_percent = 40\nfine_township = 120\n"
                                        "weight_completion = 1\nweight_on_time = 0\nweight_satisfaction = 0\n"
                                        "region_code = 421127000000\n",
                                        -1, NULL));
    g_autoptr (DbnConfig) config = dbn_config_load (f->dir, &error);
    g_assert_no_error (error);
    EvalSettings s;
    g_assert_true (eval_settings_load (&s, config, &error));
    g_assert_no_error (error);
    g_assert_cmpint (s.sample_percent, ==, 40);
    g_assert_cmpint (s.fine_township, ==, 120);
    g_assert_cmpint (s.fine_village, ==, 80);
    g_assert_cmpstr (s.region_code, ==, "421127000000");
    EvalCounters c = { .accepted = 3, .completed = 2, .on_time = 0, .rated = 2 };
    g_assert_cmpint (eval_score_milli (&s, &c), ==, 66666);
    eval_settings_clear (&s);

    const char *bad[] = {
        "[evaluation]\nsample_percent = 101\n",
        "[evaluation]\nhaochaping_basic = 0\n",
        "[evaluation]\nregion_code = 42x127\n",
        "[evaluation]\nstar_completion_1 = 95\n",
    };
    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++) {
        g_assert_true (g_file_set_contents (conf, bad[i], -1, NULL));
        g_autoptr (DbnConfig) c2 = dbn_config_load (f->dir, &error);
        g_assert_no_error (error);
        g_assert_false (eval_settings_load (&s, c2, &error));
        g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
        g_assert_nonnull (strstr (error->message, "[evaluation]"));
        g_clear_error (&error);
    }
    /* An unknown key is the config's own error. */
    g_assert_true (g_file_set_contents (conf, "[evaluation]\nsample_share = 35\n", -1, NULL));
    g_assert_null (dbn_config_load (f->dir, &error));
    g_assert_error (error, DBN_ERROR, DBN_ERROR_CONFIG);
}

/* ---- D-EV-5 ---- */

/* Rates over November and over any period: completion by the period's
 * end, on time unless a clock ran overdue, working days across the
 * National Day week, returns and repeats. */
static void
test_rates (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    /* Wed 30 Sep → Thu 8 Oct: 1 to 7 Oct are holidays, so 1 working day. */
    accept (f, "T01-2026-000001", at (2026, 9, 30, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    complete (f, "T01-2026-000001", at (2026, 10, 8, 9));
    /* Thu 8 Oct → Mon 12 Oct: Fri 9, Sat 10 (调休上班), Mon 12: 3 working days. */
    accept (f, "T01-2026-000002", at (2026, 10, 8, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    complete (f, "T01-2026-000002", at (2026, 10, 12, 9));
    EvalFact overdue = { .type = EVAL_FACT_CLOCK,
                         .case_no = "T01-2026-000002",
                         .at = at (2026, 10, 10, 0),
                         .clock = "centre",
                         .overdue = TRUE };
    apply_ok (f, &overdue);
    EvalFact met = { .type = EVAL_FACT_CLOCK,
                     .case_no = "T01-2026-000001",
                     .at = at (2026, 10, 8, 9),
                     .clock = "centre",
                     .overdue = FALSE };
    apply_ok (f, &met);
    /* Accepted in October, done in November: not completed in October. */
    accept (f, "T01-2026-000003", at (2026, 10, 30, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    complete (f, "T01-2026-000003", at (2026, 11, 2, 9));
    /* A repeat request, returned (退回件) at classification. */
    EvalFact a = { .type = EVAL_FACT_ACCEPTED,
                   .case_no = "T01-2026-000004",
                   .at = at (2026, 10, 14, 9),
                   .matter = "MZ-WUBAO",
                   .station = "qingshui",
                   .agent = "v-li",
                   .window = "minzheng",
                   .channel = "station",
                   .repeat = TRUE };
    apply_ok (f, &a);
    EvalFact r = { .type = EVAL_FACT_CLASSIFIED,
                   .case_no = "T01-2026-000004",
                   .at = at (2026, 10, 14, 10),
                   .kind = DBN_KIND_RETURNED };
    apply_ok (f, &r);
    commit (f);

    /* Twice accepted, completed twice, unknown cases. */
    g_assert_false (eval_store_apply_fact (f->eval, &a, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE);
    g_clear_error (&error);
    EvalFact again = { .type = EVAL_FACT_COMPLETED, .case_no = "T01-2026-000001", .at = at (2026, 10, 9, 9) };
    g_assert_false (eval_store_apply_fact (f->eval, &again, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_DUPLICATE);
    g_clear_error (&error);
    EvalFact ghost = { .type = EVAL_FACT_COMPLETED, .case_no = "T01-2026-999999", .at = at (2026, 10, 9, 9) };
    g_assert_false (eval_store_apply_fact (f->eval, &ghost, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE);
    g_clear_error (&error);

    g_autoptr (GPtrArray) oct = month_figures (f, 202610, FALSE);
    const EvalFigures *s = find (oct, EVAL_SCOPE_STATION, "qingshui");
    g_assert_cmpint (s->c.accepted, ==, 3);  /* 2, 3, 4 */
    g_assert_cmpint (s->c.completed, ==, 1); /* 2 */
    g_assert_cmpint (s->c.on_time, ==, 0);   /* 2 ran overdue */
    g_assert_cmpint (s->c.working_days, ==, 3);
    g_assert_cmpint (s->c.returns, ==, 1);
    g_assert_cmpint (s->c.repeats, ==, 1);
    g_assert_cmpint (eval_average_days_centi (&s->c), ==, 300);

    /* 30 Sep .. 31 Oct: case 1 as well (1 day, on time). */
    g_autoptr (GPtrArray) period = eval_store_period_figures (f->eval, &f->settings, julian (2026, 9, 30),
                                                              julian (2026, 10, 31), &error);
    g_assert_no_error (error);
    const EvalFigures *p = find (period, EVAL_SCOPE_PERSON, "v-li");
    g_assert_cmpint (p->c.accepted, ==, 4);
    g_assert_cmpint (p->c.completed, ==, 2);
    g_assert_cmpint (p->c.on_time, ==, 1);
    g_assert_cmpint (eval_average_days_centi (&p->c), ==, 200);
    gint64 num, den;
    eval_completion_rate (&p->c, &num, &den);
    g_assert_cmpint (eval_rate_permille (num, den), ==, 500);
    /* The clerk k-zhao is a person too; the township sees everything. */
    g_assert_cmpint (find (period, EVAL_SCOPE_PERSON, "k-zhao")->c.accepted, ==, 3);
    g_assert_cmpint (find (period, EVAL_SCOPE_TOWNSHIP, "T01")->c.accepted, ==, 4);
}

/* D-DL-5: outside the calendar's years (2025-2026) nothing is guessed
 * silently. A case accepted Mon 28 Dec 2026 and completed Tue 5 Jan 2027
 * gets its weekends-only working days (29, 30, 31 Dec, then 1, 4, 5 Jan:
 * 6) and is counted as uncovered; December's sample, drawn on the first
 * working day of 2027, is refused until the year is added. */
static void
test_outside_calendar (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    accept (f, "T01-2026-000001", at (2026, 12, 28, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    complete (f, "T01-2026-000001", at (2027, 1, 5, 9));
    accept (f, "T01-2026-000002", at (2026, 12, 28, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    complete (f, "T01-2026-000002", at (2026, 12, 29, 9));
    commit (f);
    g_autoptr (GPtrArray) period =
        eval_store_period_figures (f->eval, &f->settings, julian (2026, 12, 1), julian (2027, 1, 31), &error);
    g_assert_no_error (error);
    const EvalFigures *t = find (period, EVAL_SCOPE_TOWNSHIP, "T01");
    g_assert_cmpint (t->c.completed, ==, 2);
    g_assert_cmpint (t->c.working_days, ==, 6 + 1);
    g_assert_cmpint (t->c.uncovered, ==, 1);
    /* December alone: case 1 is not completed by 31 Dec, so nothing is uncovered. */
    g_autoptr (GPtrArray) dec = month_figures (f, 202612, FALSE);
    g_assert_cmpint (find (dec, EVAL_SCOPE_TOWNSHIP, "T01")->c.uncovered, ==, 0);
    g_assert_false (eval_store_draw_sample (f->eval, 202612, "S", 35, at (2027, 1, 6, 9), NULL, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_NOT_COVERED);
    g_assert_cmpstr (dbn_error_wire_code (error), ==, "eval.not-covered");
}

/* ---- D-EV-1 ---- */

/* One rating per case and stage: the second is refused with its code,
 * whatever its level, and the first stands; the other stage is still
 * free; a case never accepted and a level out of range are refused. */
static void
test_rated_twice (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    accept (f, "T01-2026-000001", at (2026, 11, 2, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    rate (f, "T01-2026-000001", EVAL_STAGE_REPLY, EVAL_LEVEL_BASIC, at (2026, 11, 3, 9));
    commit (f);
    EvalRating twice = { "T01-2026-000001", EVAL_STAGE_REPLY, EVAL_LEVEL_UNSATISFIED, at (2026, 11, 3, 10) };
    g_assert_false (eval_store_rate (f->eval, &twice, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_ALREADY_RATED);
    g_assert_cmpstr (dbn_error_wire_code (error), ==, "eval.already-rated");
    g_clear_error (&error);
    rate (f, "T01-2026-000001", EVAL_STAGE_WINDOW, EVAL_LEVEL_SATISFIED, at (2026, 11, 3, 11));
    EvalRating ghost = { "T01-2026-000404", EVAL_STAGE_REPLY, EVAL_LEVEL_SATISFIED, at (2026, 11, 3, 10) };
    g_assert_false (eval_store_rate (f->eval, &ghost, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE);
    g_clear_error (&error);
    EvalRating none = { "T01-2026-000001", EVAL_STAGE_REPLY, EVAL_LEVEL_NONE, at (2026, 11, 3, 10) };
    g_assert_false (eval_store_rate (f->eval, &none, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
    g_clear_error (&error);
    g_autoptr (GPtrArray) figures = month_figures (f, 202611, FALSE);
    const EvalFigures *p = find (figures, EVAL_SCOPE_PERSON, "v-li");
    g_assert_cmpint (p->c.rated, ==, 2);
    g_assert_cmpint (p->c.basic, ==, 1);
    g_assert_cmpint (p->c.satisfied, ==, 1);
    g_assert_cmpint (p->c.unsatisfied, ==, 0);
}

/* The three levels on the five-level scale (满意 → 4 满意, 基本满意 → 3,
 * 不满意 → 2 不满意), and a month exported in the platform's fields. */
static void
test_haochaping_export (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_assert_cmpint (eval_haochaping_grade (&f->settings, EVAL_LEVEL_SATISFIED), ==, 4);
    g_assert_cmpint (eval_haochaping_grade (&f->settings, EVAL_LEVEL_BASIC), ==, 3);
    g_assert_cmpint (eval_haochaping_grade (&f->settings, EVAL_LEVEL_UNSATISFIED), ==, 2);
    g_assert_cmpint (eval_haochaping_grade (&f->settings, EVAL_LEVEL_NONE), ==, 0);
    g_assert_cmpstr (eval_haochaping_name (4), ==, "满意");
    g_assert_cmpstr (eval_haochaping_name (1), ==, "非常不满意");

    begin (f);
    accept (f, "T01-2026-000001", at (2026, 11, 2, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    accept (f, "T01-2026-000002", at (2026, 11, 2, 10), NULL, NULL, "minzheng", "k-zhao", NULL);
    rate (f, "T01-2026-000001", EVAL_STAGE_REPLY, EVAL_LEVEL_SATISFIED, at (2026, 11, 3, 9));
    rate (f, "T01-2026-000002", EVAL_STAGE_WINDOW, EVAL_LEVEL_UNSATISFIED, at (2026, 11, 3, 10));
    rate (f, "T01-2026-000001", EVAL_STAGE_WINDOW, EVAL_LEVEL_BASIC, at (2026, 12, 1, 10)); /* December */
    commit (f);
    g_autoptr (DbnCatalog) catalog = NULL;
    {
        g_autofree char *path =
            g_build_filename (g_getenv ("DAIBAN_SOURCE_DIR"), "schemas", "data", "catalog.ini", NULL);
        catalog = dbn_catalog_load (path, &error);
        g_assert_no_error (error);
    }
    g_autofree char *text = eval_store_export_haochaping (f->eval, &f->settings, catalog, 202611, &error);
    g_assert_no_error (error);
    g_autoptr (JsonParser) parser = json_parser_new ();
    g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
    JsonObject *root = json_node_get_object (json_parser_get_root (parser));
    g_assert_cmpstr (json_object_get_string_member (root, "month"), ==, "2026-11");
    JsonArray *records = json_object_get_array_member (root, "records");
    g_assert_cmpuint (json_array_get_length (records), ==, 2);
    JsonObject *r0 = json_array_get_object_element (records, 0);
    g_assert_cmpstr (json_object_get_string_member (r0, "case_no"), ==, "T01-2026-000001");
    g_assert_cmpstr (json_object_get_string_member (r0, "matter_code"), ==, "MZ-JINGLAOYUAN");
    g_assert_cmpstr (json_object_get_string_member (r0, "department"), ==, "乡民政办、乡卫生院");
    g_assert_cmpstr (json_object_get_string_member (r0, "stage"), ==, "reply");
    g_assert_cmpstr (json_object_get_string_member (r0, "region_code"), ==, "421127");
    g_assert_cmpstr (json_object_get_string_member (r0, "channel"), ==, "station");
    g_assert_cmpstr (json_object_get_string_member (r0, "rated_person"), ==, "v-li");
    g_assert_cmpint (json_object_get_int_member (r0, "level"), ==, 4);
    JsonObject *r1 = json_array_get_object_element (records, 1);
    g_assert_cmpstr (json_object_get_string_member (r1, "stage"), ==, "window");
    g_assert_cmpstr (json_object_get_string_member (r1, "channel"), ==, "window");
    g_assert_cmpstr (json_object_get_string_member (r1, "rated_person"), ==, "k-zhao");
    g_assert_cmpint (json_object_get_int_member (r1, "level"), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (r1, "level_name"), ==, "不满意");

    g_clear_pointer (&f->settings.region_code, g_free);
    g_assert_null (eval_store_export_haochaping (f->eval, &f->settings, catalog, 202611, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
}

/* ---- D-AUD-5 ---- */

/* A closed month refuses every change: facts, ratings and callbacks dated
 * in it, a second close; the closed rows refuse UPDATE and DELETE even in
 * SQL; still after a restart. A correction is a new entry, read over the
 * closed figures, which stay as they were. Not before the month ends, and
 * no correction to an open month. */
static void
test_closed_month (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    accept (f, "T01-2026-000001", at (2026, 11, 2, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    complete (f, "T01-2026-000001", at (2026, 11, 3, 9));
    accept (f, "T01-2026-000002", at (2026, 11, 20, 9), "qingshui", "v-li", "minzheng", "k-zhao", NULL);
    commit (f);
    EvalPerson roster[] = { { "v-li", DBN_AGENT_LEVEL_VILLAGE } };
    g_assert_false (
        eval_store_close_month (f->eval, &f->settings, 202611, roster, 1, at (2026, 11, 30, 23), &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_NOT_DUE);
    g_clear_error (&error);
    EvalCounters delta = { .completed = 1, .on_time = 1, .working_days = 2 };
    g_assert_false (eval_store_add_correction (f->eval, 202611, EVAL_SCOPE_STATION, "qingshui", &delta,
                                               "sup-wu", "case 2 was done on paper", at (2026, 12, 2, 9),
                                               &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_OPEN);
    g_clear_error (&error);
    begin (f);
    g_assert_true (
        eval_store_close_month (f->eval, &f->settings, 202611, roster, 1, at (2026, 12, 1, 0), &error));
    g_assert_no_error (error);
    commit (f);
    g_assert_true (eval_store_month_is_closed (f->eval, 202611));

    close_store (f);
    open_store (f);
    g_assert_true (eval_store_month_is_closed (f->eval, 202611));
    g_assert_false (eval_store_month_is_closed (f->eval, 202612));

    g_assert_false (
        eval_store_close_month (f->eval, &f->settings, 202611, roster, 1, at (2026, 12, 2, 0), &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED);
    g_clear_error (&error);
    EvalFact late = { .type = EVAL_FACT_COMPLETED,
                      .case_no = "T01-2026-000002",
                      .at = at (2026, 11, 30, 17) };
    g_assert_false (eval_store_apply_fact (f->eval, &late, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED);
    g_assert_cmpstr (dbn_error_wire_code (error), ==, "eval.month-closed");
    g_clear_error (&error);
    EvalFact new_case = { .type = EVAL_FACT_ACCEPTED,
                          .case_no = "T01-2026-000003",
                          .at = at (2026, 11, 30, 9),
                          .matter = "MZ-WUBAO",
                          .channel = "window" };
    g_assert_false (eval_store_apply_fact (f->eval, &new_case, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED);
    g_clear_error (&error);
    EvalRating r = { "T01-2026-000001", EVAL_STAGE_REPLY, EVAL_LEVEL_SATISFIED, at (2026, 11, 30, 9) };
    g_assert_false (eval_store_rate (f->eval, &r, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED);
    g_clear_error (&error);
    /* December is open: the same rating dated there is taken. */
    r.at = at (2026, 12, 1, 9);
    g_assert_true (eval_store_rate (f->eval, &r, &error));
    g_assert_no_error (error);

    /* Not even by hand. */
    sqlite3 *db = dbn_store_get_db (f->store);
    g_assert_cmpint (sqlite3_exec (db, "UPDATE ev_figure SET completed = 2", NULL, NULL, NULL) & 0xff, ==,
                     SQLITE_CONSTRAINT);
    g_assert_cmpint (sqlite3_exec (db, "DELETE FROM ev_quota", NULL, NULL, NULL) & 0xff, ==,
                     SQLITE_CONSTRAINT);
    g_assert_cmpint (sqlite3_exec (db, "DELETE FROM ev_month", NULL, NULL, NULL) & 0xff, ==,
                     SQLITE_CONSTRAINT);

    begin (f);
    g_assert_true (eval_store_add_correction (f->eval, 202611, EVAL_SCOPE_STATION, "qingshui", &delta,
                                              "sup-wu", "case 2 was done on paper", at (2026, 12, 2, 9),
                                              &error));
    g_assert_no_error (error);
    commit (f);
    g_assert_false (eval_store_add_correction (f->eval, 202611, EVAL_SCOPE_STATION, "qingshui", &delta,
                                               "sup-wu", "", at (2026, 12, 2, 9), &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
    g_clear_error (&error);

    g_autoptr (GPtrArray) fixed = month_figures (f, 202611, FALSE);
    const EvalFigures *s = find (fixed, EVAL_SCOPE_STATION, "qingshui");
    g_assert_cmpint (s->c.accepted, ==, 2);
    g_assert_cmpint (s->c.completed, ==, 1);
    g_assert_cmpuint (s->corrections, ==, 0);
    g_autoptr (GPtrArray) corrected = month_figures (f, 202611, TRUE);
    s = find (corrected, EVAL_SCOPE_STATION, "qingshui");
    g_assert_cmpint (s->c.completed, ==, 2);
    g_assert_cmpuint (s->corrections, ==, 1);
    /* Other scopes untouched. */
    g_assert_cmpint (find (corrected, EVAL_SCOPE_PERSON, "v-li")->c.completed, ==, 1);
}

/* Values from the network that no date function may see: instants outside
 * 2000..9999 (G_MAXINT64 would make GDateTime return NULL), months that are
 * not months, a period backwards. Each is refused with eval.invalid. */
static void
test_hostile_values (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    const gint64 instants[] = { G_MAXINT64, G_MININT64, -1, 0, G_GINT64_CONSTANT (253402272000000) };
    for (gsize i = 0; i < G_N_ELEMENTS (instants); i++) {
        EvalFact a = { .type = EVAL_FACT_ACCEPTED,
                       .case_no = "T01-2026-000001",
                       .at = instants[i],
                       .matter = "MZ-WUBAO",
                       .channel = "window" };
        g_assert_false (eval_store_apply_fact (f->eval, &a, &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
        EvalRating r = { "T01-2026-000001", EVAL_STAGE_REPLY, EVAL_LEVEL_SATISFIED, instants[i] };
        g_assert_false (eval_store_rate (f->eval, &r, &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
        g_assert_false (eval_store_close_month (f->eval, &f->settings, 202611, NULL, 0, instants[i], &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
    }
    const guint months[] = { 0, 202600, 202613, 199912, G_MAXUINT };
    for (gsize i = 0; i < G_N_ELEMENTS (months); i++) {
        g_assert_null (eval_store_month_figures (f->eval, &f->settings, months[i], TRUE, &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
        g_assert_false (
            eval_store_draw_sample (f->eval, months[i], "S", 35, at (2026, 12, 1, 9), NULL, &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
        EvalCallback cb = { "T01-2026-000001", months[i], at (2026, 12, 1, 9), FALSE, 0, 0, 0 };
        g_assert_false (eval_store_record_callback (f->eval, &cb, &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
        g_assert_null (eval_store_export_haochaping (f->eval, &f->settings, NULL, months[i], &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
    }
    guint month = 0;
    const char *texts[] = { "2026-13", "2026-1", "26-11", "2026-11-01", "", "1999-12", "２０２６-11" };
    for (gsize i = 0; i < G_N_ELEMENTS (texts); i++) {
        g_assert_false (eval_month_parse (texts[i], &month, &error));
        g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
        g_clear_error (&error);
    }
    g_assert_true (eval_month_parse ("2026-11", &month, &error));
    g_assert_cmpuint (month, ==, 202611);
    g_assert_null (eval_store_period_figures (f->eval, &f->settings, julian (2026, 11, 2),
                                              julian (2026, 11, 1), &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
}

/* D-EV-5, D-RPL-2: intake's word that a case is a repeat request counts it
 * once whichever journal arrives first: before routing's acceptance (kept
 * for it) or after (set on the case); twice changes nothing; a case whose
 * month is closed is refused. */
static void
test_repeat_either_order (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    begin (f);
    g_assert_true (eval_store_mark_repeat (f->eval, "T01-2026-000002", "T01-2026-000001", &error));
    g_assert_no_error (error);
    accept (f, "T01-2026-000002", at (2026, 11, 3, 10), "qingshui", "v-li", "minzheng", NULL, NULL);
    accept (f, "T01-2026-000003", at (2026, 11, 4, 10), "qingshui", "v-li", "minzheng", NULL, NULL);
    accept (f, "T01-2026-000004", at (2026, 11, 4, 11), "qingshui", "v-li", "minzheng", NULL, NULL);
    g_assert_true (eval_store_mark_repeat (f->eval, "T01-2026-000003", "T01-2026-000001", &error));
    g_assert_true (eval_store_mark_repeat (f->eval, "T01-2026-000003", "T01-2026-000001", &error));
    g_assert_no_error (error);
    g_assert_false (eval_store_mark_repeat (f->eval, "", NULL, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
    g_clear_error (&error);
    commit (f);
    g_autoptr (GPtrArray) figures = month_figures (f, 202611, FALSE);
    const EvalFigures *station = find (figures, EVAL_SCOPE_STATION, "qingshui");
    g_assert_cmpint (station->c.accepted, ==, 3);
    g_assert_cmpint (station->c.repeats, ==, 2);

    begin (f);
    g_assert_true (
        eval_store_close_month (f->eval, &f->settings, 202611, NULL, 0, at (2026, 12, 1, 9), &error));
    g_assert_no_error (error);
    g_assert_false (eval_store_mark_repeat (f->eval, "T01-2026-000004", "T01-2026-000001", &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_MONTH_CLOSED);
    commit (f);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
    g_test_add_func ("/evaluation/D-EV-4/stars-at-thresholds", test_stars_thresholds);
    ADD ("/evaluation/D-EV-4/stars-at-thresholds-through-store", test_stars_through_store);
    g_test_add_func ("/evaluation/D-EV-2/sample-key-documented", test_sample_key_documented);
    g_test_add_func ("/evaluation/D-EV-2/sample-reproducible-within-one", test_sample_reproducible);
    ADD ("/evaluation/D-EV-2/sample-of-the-month", test_sample_through_store);
    g_test_add_func ("/evaluation/D-EV-2/first-working-day", test_first_working_day);
    ADD ("/evaluation/D-EV-3/quotas-and-fines-by-hand", test_quotas_by_hand);
    ADD ("/evaluation/D-EV-3/group-handover-counts-for-group-agent", test_group_handover_quota);
    g_test_add_func ("/evaluation/D-EV-3/quota-rule", test_quota_rule);
    ADD ("/evaluation/D-EV-6/settings-and-weights", test_settings);
    ADD ("/evaluation/D-EV-5/rates", test_rates);
    ADD ("/evaluation/D-EV-5/repeat-request-either-order", test_repeat_either_order);
    ADD ("/evaluation/D-DL-5/outside-the-calendar-flagged", test_outside_calendar);
    ADD ("/evaluation/D-EV-1/rated-twice-refused", test_rated_twice);
    ADD ("/evaluation/D-EV-1/haochaping-export", test_haochaping_export);
    ADD ("/evaluation/D-AUD-5/closed-month-refuses-change", test_closed_month);
    ADD ("/evaluation/input/hostile-values-refused", test_hostile_values);
    return g_test_run ();
}
