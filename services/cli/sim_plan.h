/* sim_plan.h: the month `daiban simulate` plays (issue 13 item 9), worked
 * out before anything is sent: which case arrives on which working day at
 * which station, for which matter, and what happens to it. A pure function
 * of its parameters and seed, so the same seed plays the same month and a
 * test can work out the figures (and the quotas, D-EV-3) from the plan. */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

typedef enum {
    SIM_RATING_SATISFIED,
    SIM_RATING_BASIC,
    SIM_RATING_UNSATISFIED,
} SimRating;

typedef struct {
    guint day;               /* index into the month's working days */
    guint station;           /* index into the stations given */
    const DbnMatter *matter; /* borrowed from the catalog */
    gboolean petition;       /* a restricted matter (信访, D-INT-8) */
    gboolean missing;        /* handed in without its last material, supplemented the same day (D-INT-4) */
    gboolean escalated;      /* a 上报件: escalated to the county, answered (D-RTE-1) */
    gboolean returned;       /* returned, not completed (D-INT-5) */
    gboolean late;           /* completed after its limit: overdue, then explained (D-DL-6) */
    guint done_day;          /* the working day it is completed or returned, and rated */
    SimRating rating;        /* the applicant's rating at the reply (D-EV-1) */
} SimCase;

typedef struct {
    guint total;             /* 0: Poisson arrivals at `rate`; else exactly this many */
    double rate;             /* mean matters per station per working day (Poisson) */
    guint petitions;         /* with total: exactly this many petitions */
    guint returns;           /* with total: exactly this many returns */
    guint petition_percent;  /* Poisson: share of petitions */
    guint return_percent;    /* Poisson: share of returns */
    guint missing_percent;   /* share handed in with a material missing */
    guint late_percent;      /* share of ordinary cases given a short matter and completed late */
    guint satisfied_percent; /* share rated satisfied or basic (the rest unsatisfied) */
    guint basic_percent;     /* of those, the share rated basic */
} SimParams;

/* The defaults; profile "seed-report" (篇1: 214 matters, 36 petitions,
 * 98 % completed) or NULL. FALSE for an unknown profile. */
gboolean sim_params_init (SimParams *params, const char *profile);

typedef struct {
    GArray *cases;   /* SimCase, in the order they are submitted (by day) */
    GPtrArray *days; /* GDate*: the month's working days */
} SimPlan;

/* Plans the month (working days from calendar) for n_stations stations over
 * the catalog's matters that are not joint cases. NULL with an error when
 * the month has no working day or the catalog no usable matter. */
SimPlan *sim_plan_new (const SimParams *params, const char *seed, guint year, guint month,
                       DbnCalendar *calendar, DbnCatalog *catalog, guint n_stations, GError **error);
void sim_plan_free (SimPlan *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SimPlan, sim_plan_free)

G_END_DECLS
