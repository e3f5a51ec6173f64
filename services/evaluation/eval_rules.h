/* eval_rules.h: the rules of the assessment (考核, D-EV-1..6) as pure
 * functions over counters: the three rating levels and their place on the
 * national five-level 好差评 scale, rates in integers, stars, the monthly
 * score, quotas and fines, months and their first working day, and the
 * [evaluation] settings of daiban.conf. No store, no bus: the rules are
 * tested without a process (docs/evaluation.md). */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

#define EVAL_ERROR (eval_error_quark ())
GQuark eval_error_quark (void);

/* The codes (EvalError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

/* D-EV-1: the three balls of the box. 0 is "no level" (a callback not reached). */
typedef enum {
    EVAL_LEVEL_NONE,
    EVAL_LEVEL_SATISFIED,   /* 满意, blue */
    EVAL_LEVEL_BASIC,       /* 基本满意, yellow */
    EVAL_LEVEL_UNSATISFIED, /* 不满意, red */
} EvalLevel;

/* D-EV-1: what is rated. */
typedef enum {
    EVAL_STAGE_REPLY,  /* the station's reply to the applicant (D-RPL-1) */
    EVAL_STAGE_WINDOW, /* a walk-in served at a window (D-INT-7) */
    EVAL_N_STAGES,
} EvalStage;

/* Whose figures (D-EV-4..6). */
typedef enum {
    EVAL_SCOPE_PERSON, /* an agent, clerk or township agent */
    EVAL_SCOPE_WINDOW,
    EVAL_SCOPE_STATION,
    EVAL_SCOPE_TOWNSHIP,
    EVAL_N_SCOPES,
} EvalScope;

/* "satisfied", "basic", "unsatisfied" (the CLI's words); "" for NONE. Static. */
const char *eval_level_to_string (EvalLevel level);
/* 满意 / 基本满意 / 不满意. Static. */
const char *eval_level_name_zh (EvalLevel level);
/* EVAL_LEVEL_NONE for a word that is not a level. */
EvalLevel eval_level_from_string (const char *text);
const char *eval_stage_to_string (EvalStage stage);
/* -1 for an unknown word. */
int eval_stage_from_string (const char *text);
const char *eval_scope_to_string (EvalScope scope);
int eval_scope_from_string (const char *text);

/* [evaluation] of daiban.conf, with the seed's values as defaults. */
typedef struct {
    int sample_percent;      /* D-EV-2: share of handled cases called back, 35 */
    int quota_township_week; /* D-EV-3: matters a township agent handles a week, 1 */
    int quota_village_month; /* D-EV-3: a village agent a month, 2 */
    int quota_group_month;   /* D-EV-3: a group agent a month, 1 */
    int fine_township;       /* D-EV-3: yuan per missing matter, 100 */
    int fine_village;        /* D-EV-3: 80 */
    int fine_group;          /* D-EV-3: 80 */
    int reward_person;       /* D-EV-6: yuan to the top-scoring person (seed: none given), 100 */
    int reward_window;       /* D-EV-6: yuan to the top-scoring window, 100 */
    int star_satisfaction;   /* D-EV-4: satisfaction percent every star needs, 90 */
    int star_completion[3];  /* D-EV-4: completion percent for 1/2/3 stars, 80/85/90 */
    int weight_completion;   /* D-EV-6: score weights, 40 / 30 / 30 */
    int weight_on_time;
    int weight_satisfaction;
    int haochaping[4]; /* D-EV-1: five-level grade of each level (index EvalLevel), 0/4/3/2 */
    char *region_code; /* 行政区划代码 for the 好差评 export; NULL: not set */
    char *township;    /* the township's id ([daiban] township), the township scope's id */
} EvalSettings;

/* Fills settings with the defaults, then reads [evaluation] from config
 * (NULL: defaults only). FALSE with DBN_ERROR_CONFIG naming the key for a
 * value out of range. Free with eval_settings_clear. */
gboolean eval_settings_load (EvalSettings *settings, DbnConfig *config, GError **error);
void eval_settings_clear (EvalSettings *settings);

/* D-EV-1: the national five-level grade (5 非常满意 … 1 非常不满意) of a
 * level under settings; 0 for NONE. */
int eval_haochaping_grade (const EvalSettings *settings, EvalLevel level);
/* 非常满意, 满意, 基本满意, 不满意, 非常不满意 for 5..1; "" otherwise. Static. */
const char *eval_haochaping_name (int grade);

/* The counts everything else derives from (D-EV-4, D-EV-5). Cases count in
 * the period they were accepted in; ratings and callbacks in the period
 * they were given in. */
typedef struct {
    gint64 accepted;     /* cases accepted in the period */
    gint64 completed;    /* of those, completed by the period's last day */
    gint64 on_time;      /* of the completed, with no clock overdue (deadline's outcome) */
    gint64 working_days; /* sum over the completed of working days from acceptance to completion */
    gint64 returns;      /* of the accepted, returned (退回件, D-RTE-2) */
    gint64 repeats;      /* of the accepted, repeat requests of the same applicant and matter */
    gint64 rated;        /* ratings given, plus unsatisfied callbacks (D-EV-2) */
    gint64 satisfied;    /* 满意 */
    gint64 basic;        /* 基本满意 */
    gint64 unsatisfied;  /* 不满意, including unsatisfied callbacks */
    gint64 uncovered;    /* of the completed, working days counted outside the calendar's
                          * years, on weekends only (D-DL-5: flagged, not guessed) */
} EvalCounters;

void eval_counters_add (EvalCounters *sum, const EvalCounters *add);

/* Rates as (numerator, denominator); every comparison is done in integers
 * so 89.9 % never rounds to 90 %. A zero denominator has no rate. */
/* 办结率: completed / accepted. */
void eval_completion_rate (const EvalCounters *c, gint64 *num, gint64 *den);
/* on time / completed. */
void eval_on_time_rate (const EvalCounters *c, gint64 *num, gint64 *den);
/* (满意 + 基本满意) / rated: a basically satisfied applicant is satisfied. */
void eval_satisfaction_rate (const EvalCounters *c, gint64 *num, gint64 *den);
/* TRUE when num/den >= percent/100 (den > 0), exactly. */
gboolean eval_rate_at_least (gint64 num, gint64 den, int percent);
/* num/den in tenths of a percent, rounded down (for display only); -1 for den 0. */
gint64 eval_rate_permille (gint64 num, gint64 den);
/* Average working days in hundredths, rounded down; -1 with nothing completed. */
gint64 eval_average_days_centi (const EvalCounters *c);

/* D-EV-4: 0..3 stars. Satisfaction at least star_satisfaction % and
 * completion at least star_completion[i] % gives i + 1 stars; nothing rated
 * or nothing accepted gives none. */
int eval_stars (const EvalSettings *settings, const EvalCounters *c);
/* D-EV-6: the monthly score in thousandths of a point, 0..100000:
 * Σ weight × rate / Σ weight, each rate in points (100 = all), a rate with
 * no denominator counting 0. Rounded down. */
gint64 eval_score_milli (const EvalSettings *settings, const EvalCounters *c);

/* D-EV-3: what a person of level owes for a month in which they handled
 * `handled` matters; mondays is the number of weeks beginning in the month
 * (a township agent's quota is per week). Writes the required matters, the
 * missing ones and the fine in yuan. */
void eval_quota (const EvalSettings *settings, DbnAgentLevel level, guint mondays, gint64 handled,
                 gint64 *required, gint64 *missing, gint64 *fine_yuan);

/* Months are year × 100 + month (202611), years 2000..9999. */
/* TRUE for such a month. */
gboolean eval_month_valid (guint month);
/* TRUE for an instant (ms) whose office day lies in 2000..9999: anything
 * else from the network is refused before it reaches a date function. */
gboolean eval_instant_valid (gint64 ms);
/* Parses "2026-11". FALSE with EVAL_ERROR_INVALID otherwise. */
gboolean eval_month_parse (const char *text, guint *month, GError **error);
/* "2026-11". Caller owns the result. */
char *eval_month_to_string (guint month);
/* The month a date lies in. */
guint eval_month_of_date (const GDate *date);
/* The month after. */
guint eval_month_next (guint month);
/* First and last day of the month (julian day numbers, GDate's). */
void eval_month_bounds (guint month, guint32 *first, guint32 *last);
/* The Mondays in the month: the weeks that begin in it (D-EV-3). */
guint eval_month_mondays (guint month);
/* The civil day (julian, UTC+8: dbn_clock's office time) of an instant. */
guint32 eval_day_of_ms (gint64 ms);
/* D-EV-2: the first working day of month (national calendar, D-DL-5), as a
 * julian day. *covered FALSE when the calendar does not cover it. */
guint32 eval_first_working_day (DbnCalendar *calendar, guint month, gboolean *covered);

G_END_DECLS
