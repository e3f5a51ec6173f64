/* test_sim_plan.c: the plan `daiban simulate` plays (services/cli/sim_plan.c):
 * a function of its seed; the seed report's totals exactly, for any seed;
 * Poisson arrivals whose mean is the rate; late cases that fit the month. */
#include <math.h>
#include <string.h>

#include "sim_plan.h"

typedef struct {
    DbnCalendar *calendar;
    DbnCatalog *catalog;
} Data;

static void
data_init (Data *d)
{
    g_autofree char *cal = g_build_filename (DBN_SOURCE_DIR, "schemas", "data", "calendar.ini", NULL);
    g_autofree char *cat = g_build_filename (DBN_SOURCE_DIR, "schemas", "data", "catalog.ini", NULL);
    g_autoptr (GError) error = NULL;
    d->calendar = dbn_calendar_load (cal, &error);
    g_assert_no_error (error);
    d->catalog = dbn_catalog_load (cat, &error);
    g_assert_no_error (error);
}

static void
data_clear (Data *d)
{
    dbn_calendar_free (d->calendar);
    dbn_catalog_free (d->catalog);
}

static SimPlan *
plan (Data *d, const char *profile, const char *seed, guint stations)
{
    SimParams params;
    g_assert_true (sim_params_init (&params, profile));
    g_autoptr (GError) error = NULL;
    SimPlan *p = sim_plan_new (&params, seed, 2026, 11, d->calendar, d->catalog, stations, &error);
    g_assert_no_error (error);
    return p;
}

/* Field by field: a struct's padding is not part of the plan. */
static gboolean
same_cases (const SimPlan *a, const SimPlan *b)
{
    if (a->cases->len != b->cases->len)
        return FALSE;
    for (guint i = 0; i < a->cases->len; i++) {
        const SimCase *x = &g_array_index (a->cases, SimCase, i), *y = &g_array_index (b->cases, SimCase, i);
        if (x->day != y->day || x->station != y->station || x->matter != y->matter
            || x->petition != y->petition || x->missing != y->missing || x->escalated != y->escalated
            || x->returned != y->returned || x->late != y->late || x->done_day != y->done_day
            || x->rating != y->rating)
            return FALSE;
    }
    return TRUE;
}

/* The same seed, the same plan; November 2026 has 21 working days. */
static void
test_same_seed_same_plan (void)
{
    Data d;
    data_init (&d);
    g_autoptr (SimPlan) a = plan (&d, NULL, "t1", 6);
    g_autoptr (SimPlan) b = plan (&d, NULL, "t1", 6);
    g_autoptr (SimPlan) c = plan (&d, NULL, "t2", 6);
    g_assert_cmpuint (a->days->len, ==, 21);
    g_assert_cmpuint (a->cases->len, ==, b->cases->len);
    g_assert_true (same_cases (a, b));
    gboolean differs = !same_cases (a, c);
    g_assert_true (differs);
    data_clear (&d);
}

/* 篇1: 214 matters, 36 petitions; 4 returned leave 210 completed (98 %),
 * whatever the seed; petitions are the restricted matter, no joint case. */
static void
test_seed_report_totals (void)
{
    Data d;
    data_init (&d);
    for (guint k = 0; k < 20; k++) {
        g_autofree char *seed = g_strdup_printf ("seed-%u", k);
        g_autoptr (SimPlan) p = plan (&d, "seed-report", seed, 6);
        g_assert_cmpuint (p->cases->len, ==, 214);
        guint petitions = 0, returned = 0;
        for (guint i = 0; i < p->cases->len; i++) {
            const SimCase *c = &g_array_index (p->cases, SimCase, i);
            petitions += c->petition;
            returned += c->returned;
            g_assert_true (c->petition == c->matter->restricted);
            g_assert_true (c->matter->kind != DBN_KIND_JOINT);
            g_assert_false (c->petition && c->returned);
            g_assert_cmpuint (c->station, <, 6);
            g_assert_cmpuint (c->done_day, <, p->days->len);
            if (i > 0)
                g_assert_cmpuint (c->day, >=, g_array_index (p->cases, SimCase, i - 1).day);
            if (c->late) {
                g_assert_true (c->matter->kind == DBN_KIND_COMMITTED);
                g_assert_cmpuint (c->done_day, ==, c->day + (guint) c->matter->limit_days + 1);
                g_assert_false (c->returned || c->missing || c->petition);
            } else {
                g_assert_cmpuint (c->done_day, ==, c->day);
            }
        }
        g_assert_cmpuint (petitions, ==, 36);
        g_assert_cmpuint (returned, ==, 4);
    }
    data_clear (&d);
}

/* Poisson arrivals: over 200 seeds of 6 stations × 21 days at 0.8, the
 * mean month is 100.8 matters, within 4 standard errors (σ of a month =
 * √100.8 ≈ 10, of the mean of 200 ≈ 0.71). */
static void
test_poisson_mean (void)
{
    Data d;
    data_init (&d);
    double sum = 0;
    for (guint k = 0; k < 200; k++) {
        g_autofree char *seed = g_strdup_printf ("p%u", k);
        g_autoptr (SimPlan) p = plan (&d, "poisson", seed, 6);
        sum += p->cases->len;
    }
    double mean = sum / 200, expected = 0.8 * 6 * 21;
    g_assert_cmpfloat (fabs (mean - expected), <, 4 * sqrt (expected / 200));
    data_clear (&d);
}

static void
test_unknown_profile (void)
{
    SimParams params;
    g_assert_false (sim_params_init (&params, "seed-reprot"));
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/sim-plan/same-seed-same-plan", test_same_seed_same_plan);
    g_test_add_func ("/sim-plan/D-EV-5/seed-report-214-36-98", test_seed_report_totals);
    g_test_add_func ("/sim-plan/poisson-mean", test_poisson_mean);
    g_test_add_func ("/sim-plan/unknown-profile", test_unknown_profile);
    return g_test_run ();
}
