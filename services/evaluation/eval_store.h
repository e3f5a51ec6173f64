/* eval_store.h: the evaluation service's own tables (its SQLite file,
 * beside the shared journal, offsets and idempotency tables), and the
 * model over them: facts in, ratings, return visits, month figures,
 * closing, corrections, the 好差评 export (docs/evaluation.md).
 *
 *   ev_case        one row per case: who handled it, when it was accepted,
 *                  completed or returned, its working days, whether a clock
 *                  ran overdue (deadline's outcome)
 *   ev_rating      D-EV-1: one per (case, stage), with its attribution
 *   ev_sample      D-EV-2: the month's draw, with its seed and share
 *   ev_sample_case   the drawn cases in rank order
 *   ev_callback    D-EV-2: one per drawn case, with its attribution
 *   ev_month       the closed months
 *   ev_figure      the closed figures, per scope (never updated)
 *   ev_quota       D-EV-3: a closed month's quota, handled, missing and fine per agent
 *   ev_reward      D-EV-6: a closed month's top-scoring person and window
 *   ev_correction  D-AUD-5: a change to a closed month, as a new entry
 *
 * The caller runs each call inside its own transaction (the service: the
 * one that also moves its consumer offset); a call that fails has written
 * nothing the caller must keep (roll back).
 */
#pragma once

#include "eval_rules.h"

G_BEGIN_DECLS

extern const char *const eval_migrations[];

/* What the service learns from the other services' events. Strings are
 * borrowed for the call. Which fields each type reads is noted. */
typedef enum {
    EVAL_FACT_ACCEPTED,   /* case_no, at, matter, station, window, area, agent, channel, repeat */
    EVAL_FACT_CLASSIFIED, /* case_no, at, kind; window, clerk, township_agent when not NULL */
    EVAL_FACT_COMPLETED,  /* case_no, at: done (D-RPL-1 follows) */
    EVAL_FACT_RETURNED,   /* case_no, at: refused or returned (退回件, D-INT-5, D-RTE-2) */
    EVAL_FACT_REPLIED,    /* case_no, at: the applicant was replied to */
    EVAL_FACT_ARCHIVED,   /* case_no, at: read-only from now on (D-RPL-4) */
    EVAL_FACT_CLOCK,      /* case_no, at, clock, overdue: deadline's outcome of one clock */
    EVAL_FACT_CARRIED,    /* case_no, at, township_agent: the township agent carrying it (D-RTE-1, D-EV-3) */
} EvalFactType;

typedef struct {
    EvalFactType type;
    const char *case_no;        /* every type */
    gint64 at;                  /* ms, when it happened; decides the month it counts in */
    const char *matter;         /* catalog code */
    const char *station;        /* the station that entrusted it; NULL: a walk-in (D-INT-7) */
    const char *window;         /* the window that owns it */
    const char *area;           /* the calendar area of its working days (NULL: national) */
    const char *agent;          /* the agent who accepted it (D-INT-6); NULL: none */
    const char *channel;        /* "station", "window" or "phone" */
    gboolean repeat;            /* the same applicant asked for the same matter before (D-EV-5) */
    DbnHandlingKind kind;       /* CLASSIFIED: D-RTE-2 */
    const char *clerk;          /* CLASSIFIED: the window clerk handling it */
    const char *township_agent; /* CLASSIFIED: the township agent carrying it (D-RTE-1) */
    const char *clock;          /* CLOCK: deadline's clock name */
    gboolean overdue;           /* CLOCK: it ran past its due day */
} EvalFact;

typedef struct {
    const char *case_no;
    EvalStage stage;
    EvalLevel level;
    gint64 at; /* ms */
} EvalRating;

typedef struct {
    const char *case_no;
    guint month;        /* the sample's month (the month the case was handled in) */
    gint64 at;          /* ms of the call */
    gboolean reached;   /* FALSE: nobody answered; the levels are NONE */
    EvalLevel attitude; /* 态度 */
    EvalLevel quality;  /* 质量 */
    EvalLevel speed;    /* 效率 */
} EvalCallback;

/* One scope's figures over a period. */
typedef struct {
    EvalScope scope;
    char *id; /* person, window or station id; the township's id */
    EvalCounters c;
    int stars;          /* D-EV-4 */
    gint64 score_milli; /* D-EV-6 */
    guint corrections;  /* closed month: corrections laid over the closed counters */
} EvalFigures;

void eval_figures_free (EvalFigures *f);

/* D-EV-3: one agent's month. */
typedef struct {
    const char *id; /* borrowed */
    DbnAgentLevel level;
} EvalPerson;

typedef struct {
    char *person;        /* the agent's id */
    DbnAgentLevel level; /* township, village or group */
    gint64 required;     /* matters the month asked for */
    gint64 handled;      /* matters accepted or carried in the month */
    gint64 missing;      /* max (0, required - handled) */
    gint64 fine_yuan;    /* missing × the level's fine */
} EvalQuotaRow;

void eval_quota_row_free (EvalQuotaRow *q);

typedef struct _EvalStore EvalStore;

/* Prepares the statements on store and reads the closed months. store and
 * calendar are borrowed and must outlive the result (free this first). */
EvalStore *eval_store_new (DbnStore *store, DbnCalendar *calendar, GError **error);
void eval_store_free (EvalStore *self);

/* Applies one fact. Errors: _DUPLICATE (accepted twice), _UNKNOWN_CASE
 * (any other type for a case never accepted), _MONTH_CLOSED (at lies in a
 * closed month), _INVALID (a required field missing), DBN_STORE_ERROR. */
gboolean eval_store_apply_fact (EvalStore *self, const EvalFact *fact, GError **error);

/* D-EV-1: records a rating, attributed to the case's window, station and
 * people as they stand. _ALREADY_RATED for a second rating of the case and
 * stage, _UNKNOWN_CASE, _MONTH_CLOSED, _INVALID (level NONE). */
/* Issue 16, D-EV-3: case_no came from group agent agent's handover; it counts
 * for that agent's quota in the month the case was accepted. Recording it
 * twice is harmless. */
gboolean eval_store_add_group_case (EvalStore *self, const char *case_no, const char *agent, GError **error);
gboolean eval_store_rate (EvalStore *self, const EvalRating *rating, GError **error);

/* D-EV-2: draws month's sample from the cases handled (completed or
 * returned) in it, with seed and percent, and records both. Not before the
 * first working day of the month after (_NOT_DUE), once (_DUPLICATE).
 * *drawn (may be NULL) gets the case numbers in rank order (caller owns). */
gboolean eval_store_draw_sample (EvalStore *self, guint month, const char *seed, guint percent, gint64 now_ms,
                                 GPtrArray **drawn, GError **error);
/* The recorded sample: *seed, *percent, the handled cases it was drawn
 * from (*population, sorted) and the drawn ones in rank order (*drawn).
 * Any out pointer may be NULL. FALSE with _NOT_SAMPLED when not drawn. */
gboolean eval_store_dup_sample (EvalStore *self, guint month, char **seed, guint *percent,
                                GPtrArray **population, GPtrArray **drawn, GError **error);
/* D-EV-2: a callback of a drawn case: _NOT_SAMPLED, _DUPLICATE, _MONTH_CLOSED
 * (at in a closed month), _INVALID (reached with a level NONE). Reached with
 * any of the three unsatisfied counts as an unsatisfied rating, in the
 * month of the call. */
gboolean eval_store_record_callback (EvalStore *self, const EvalCallback *callback, GError **error);

/* D-EV-5: intake's word that case_no is a repeat request (it accepts
 * previous again, D-RPL-2), in either order with routing's acceptance.
 * _MONTH_CLOSED when the case's month is closed, _INVALID without a case. */
gboolean eval_store_mark_repeat (EvalStore *self, const char *case_no, const char *previous, GError **error);

/* Figures of every scope over the days [from, to] (julian), computed from
 * the facts: scope order, then id. Caller owns the array. */
GPtrArray *eval_store_period_figures (EvalStore *self, const EvalSettings *settings, guint32 from, guint32 to,
                                      GError **error);
/* A month's figures: computed while open; once closed, the closed figures,
 * with the corrections laid over them when with_corrections. */
GPtrArray *eval_store_month_figures (EvalStore *self, const EvalSettings *settings, guint month,
                                     gboolean with_corrections, GError **error);
gboolean eval_store_month_is_closed (EvalStore *self, guint month);

/* Closes month: computes its figures (one scan of the month's cases,
 * ratings and callbacks), the quota of every person in roster (n of them:
 * agents with no case owe their whole quota, D-EV-3) and the rewards
 * (D-EV-6), and writes them, fixed. Not before the month has ended
 * (_NOT_DUE), once (_MONTH_CLOSED). */
gboolean eval_store_close_month (EvalStore *self, const EvalSettings *settings, guint month,
                                 const EvalPerson *roster, guint n, gint64 now_ms, GError **error);
/* The roster of every agent in org (EvalPerson; ids borrowed from org). */
GArray *eval_roster_from_org (DbnOrg *org);
/* A closed month's quota rows in person order (EvalQuotaRow*). */
GPtrArray *eval_store_month_quotas (EvalStore *self, guint month, GError **error);
/* A closed month's rewards: *person and *window (NULL when nobody earned one),
 * their amounts in yuan. Caller owns the strings. */
gboolean eval_store_month_rewards (EvalStore *self, guint month, char **person, gint64 *person_yuan,
                                   char **window, gint64 *window_yuan, GError **error);

/* D-AUD-5: a correction to a closed month's figures for one scope: delta
 * is added to the closed counters when read with corrections; the closed
 * rows stay as they were. _MONTH_OPEN for a month not closed, _INVALID for
 * an empty reason. */
gboolean eval_store_add_correction (EvalStore *self, guint month, EvalScope scope, const char *id,
                                    const EvalCounters *delta, const char *actor, const char *reason,
                                    gint64 at, GError **error);

/* D-EV-1: the month's ratings in the shape of a provincial 好差评 platform:
 * {"month", "region_code", "records": [{case_no, matter_code, department,
 * stage, region_code, channel, rated_person, level, level_name}]} in rating
 * order. catalog (may be NULL) gives the departments. _INVALID when
 * settings has no region_code. Caller owns the JSON text. */
char *eval_store_export_haochaping (EvalStore *self, const EvalSettings *settings, DbnCatalog *catalog,
                                    guint month, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvalFigures, eval_figures_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvalQuotaRow, eval_quota_row_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvalStore, eval_store_free)

G_END_DECLS
