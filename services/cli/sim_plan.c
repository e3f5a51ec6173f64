/* sim_plan.c: the simulated month, planned from its seed (see sim_plan.h).
 *
 * The random numbers come from GRand (a Mersenne Twister, the same sequence
 * for the same seed on every GLib since 2.2) seeded with the SHA-256 of the
 * seed text, so any text is a seed and nearby texts give unrelated months. */
#include "sim_plan.h"

#include <math.h>

gboolean
sim_params_init (SimParams *params, const char *profile)
{
    *params = (SimParams){
        .rate = 0.8,
        .petition_percent = 15,
        .return_percent = 3,
        .missing_percent = 20,
        .late_percent = 5,
        .satisfied_percent = 95,
        .basic_percent = 30,
    };
    if (profile == NULL || g_strcmp0 (profile, "poisson") == 0)
        return TRUE;
    if (g_strcmp0 (profile, "seed-report") == 0) {
        /* 篇1: "代办各类事项214件，包括信访件36件，办结率为98%": 214 matters,
         * 36 of them petitions; 4 returned leave 210 completed, 98.1 %. */
        params->total = 214;
        params->petitions = 36;
        params->returns = 4;
        return TRUE;
    }
    return FALSE;
}

void
sim_plan_free (SimPlan *self)
{
    if (self == NULL)
        return;
    g_array_unref (self->cases);
    g_ptr_array_unref (self->days);
    g_free (self);
}

static GRand *
rand_from_seed (const char *seed)
{
    guint8 digest[32];
    gsize len = sizeof digest;
    g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
    g_checksum_update (sum, (const guchar *) seed, -1);
    g_checksum_get_digest (sum, digest, &len);
    guint32 words[8];
    for (guint i = 0; i < 8; i++)
        words[i] = (guint32) digest[4 * i] << 24 | (guint32) digest[4 * i + 1] << 16
                   | (guint32) digest[4 * i + 2] << 8 | digest[4 * i + 3];
    return g_rand_new_with_seed_array (words, 8);
}

/* Knuth's multiplication method: fine for the small means of a station's day. */
static guint
poisson (GRand *rand, double mean)
{
    double limit = exp (-mean), p = 1.0;
    guint k = 0;
    do {
        k++;
        p *= g_rand_double (rand);
    } while (p > limit);
    return k - 1;
}

static int
by_day (gconstpointer a, gconstpointer b)
{
    const SimCase *x = a, *y = b;
    return x->day != y->day ? (x->day < y->day ? -1 : 1)
                            : (x->station < y->station ? -1 : x->station > y->station);
}

/* Marks `count` of the cases chosen uniformly (a partial Fisher-Yates over
 * the indexes), among those `eligible` says may be. */
static void
mark (GRand *rand, GArray *cases, guint count, gboolean petition)
{
    g_autoptr (GArray) pool = g_array_new (FALSE, FALSE, sizeof (guint));
    for (guint i = 0; i < cases->len; i++) {
        const SimCase *c = &g_array_index (cases, SimCase, i);
        if (petition || !c->petition)
            g_array_append_val (pool, i);
    }
    for (guint k = 0; k < count && k < pool->len; k++) {
        guint j = k + (guint) g_rand_int_range (rand, 0, (gint32) (pool->len - k));
        guint tmp = g_array_index (pool, guint, k);
        g_array_index (pool, guint, k) = g_array_index (pool, guint, j);
        g_array_index (pool, guint, j) = tmp;
        SimCase *c = &g_array_index (cases, SimCase, g_array_index (pool, guint, k));
        if (petition)
            c->petition = TRUE;
        else
            c->returned = TRUE;
    }
}

SimPlan *
sim_plan_new (const SimParams *params, const char *seed, guint year, guint month, DbnCalendar *calendar,
              DbnCatalog *catalog, guint n_stations, GError **error)
{
    g_return_val_if_fail (params != NULL && seed != NULL && calendar != NULL && catalog != NULL, NULL);
    g_autoptr (SimPlan) self = g_new0 (SimPlan, 1);
    self->cases = g_array_new (FALSE, TRUE, sizeof (SimCase));
    self->days = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_free);
    guint n_days = g_date_get_days_in_month ((GDateMonth) month, (GDateYear) year);
    for (guint d = 1; d <= n_days; d++) {
        GDate *date = g_date_new_dmy ((GDateDay) d, (GDateMonth) month, (GDateYear) year);
        gboolean covered = FALSE;
        if (dbn_calendar_is_workday (calendar, NULL, date, &covered) && covered)
            g_ptr_array_add (self->days, date);
        else
            g_date_free (date);
    }
    /* Ordinary matters and petitions, each in catalog order. Joint cases
     * (联办件) need their parts named by a clerk: not simulated. */
    g_autoptr (GPtrArray) ordinary = g_ptr_array_new ();
    g_autoptr (GPtrArray) petitions = g_ptr_array_new ();
    g_autoptr (GPtrArray) short_ones = g_ptr_array_new ();
    for (guint i = 0; i < dbn_catalog_get_n_matters (catalog); i++) {
        const DbnMatter *m = dbn_catalog_get_matter (catalog, i);
        if (m->kind == DBN_KIND_JOINT)
            continue;
        g_ptr_array_add (m->restricted ? petitions : ordinary, (gpointer) m);
        if (!m->restricted && m->kind == DBN_KIND_COMMITTED && m->limit_days <= 5)
            g_ptr_array_add (short_ones, (gpointer) m);
    }
    if (self->days->len == 0 || n_stations == 0 || ordinary->len == 0 || petitions->len == 0) {
        g_set_error (
            error, DBN_ERROR, DBN_ERROR_INVALID,
            "%04u-%02u: nothing to simulate (working days %u, stations %u, matters %u, petition matters %u)",
            year, month, self->days->len, n_stations, ordinary->len, petitions->len);
        return NULL;
    }
    g_autoptr (GRand) rand = rand_from_seed (seed);
    if (params->total > 0) {
        /* A Poisson process with a known total is a uniform spread of that
         * total over the station-days (multinomial). */
        for (guint i = 0; i < params->total; i++) {
            SimCase c = { 0 };
            c.day = (guint) g_rand_int_range (rand, 0, (gint32) self->days->len);
            c.station = (guint) g_rand_int_range (rand, 0, (gint32) n_stations);
            g_array_append_val (self->cases, c);
        }
        g_array_sort (self->cases, by_day);
        mark (rand, self->cases, params->petitions, TRUE);
        mark (rand, self->cases, params->returns, FALSE);
    } else {
        for (guint d = 0; d < self->days->len; d++)
            for (guint s = 0; s < n_stations; s++)
                for (guint k = poisson (rand, params->rate); k > 0; k--) {
                    SimCase c = { .day = d, .station = s };
                    c.petition = (guint) g_rand_int_range (rand, 0, 100) < params->petition_percent;
                    c.returned =
                        !c.petition && (guint) g_rand_int_range (rand, 0, 100) < params->return_percent;
                    g_array_append_val (self->cases, c);
                }
    }
    for (guint i = 0; i < self->cases->len; i++) {
        SimCase *c = &g_array_index (self->cases, SimCase, i);
        GPtrArray *pool = c->petition ? petitions : ordinary;
        c->matter = pool->pdata[g_rand_int_range (rand, 0, (gint32) pool->len)];
        c->done_day = c->day;
        /* Late: a 承办件 of at most five working days (an 即办件 has no
         * clock), completed the working day after its due day (overdue at
         * the end of that day, docs/deadline.md), when that day is still in
         * the month. */
        if (!c->returned && !c->petition && short_ones->len > 0
            && (guint) g_rand_int_range (rand, 0, 100) < params->late_percent) {
            const DbnMatter *m = short_ones->pdata[g_rand_int_range (rand, 0, (gint32) short_ones->len)];
            if (c->day + (guint) m->limit_days + 1 < self->days->len) {
                c->matter = m;
                c->late = TRUE;
                c->done_day = c->day + (guint) m->limit_days + 1;
            }
        }
        c->escalated = !c->returned && c->matter->kind == DBN_KIND_ESCALATED;
        c->missing = (guint) g_rand_int_range (rand, 0, 100) < params->missing_percent
                     && g_strv_length (c->matter->materials) > 1 && !c->late;
        guint r = (guint) g_rand_int_range (rand, 0, 100);
        c->rating = r >= params->satisfied_percent                                    ? SIM_RATING_UNSATISFIED
                    : (guint) g_rand_int_range (rand, 0, 100) < params->basic_percent ? SIM_RATING_BASIC
                                                                                      : SIM_RATING_SATISFIED;
    }
    return g_steal_pointer (&self);
}
