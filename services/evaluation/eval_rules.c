/* eval_rules.c: the assessment's rules (see eval_rules.h).
 *
 * Every threshold is compared in integers: a rate is kept as the pair
 * (numerator, denominator) and "at least p %" is num × 100 >= p × den, so a
 * rate of 89.9 % is below 90 % however it would print. Floating point would
 * have been shorter and wrong at exactly the thresholds D-EV-4 names.
 *
 * Months are plain integers (202611) and days GDate julian numbers: both
 * order and compare as integers in SQL, and neither depends on a time zone
 * once the instant has been turned into the office's civil day.
 */
#include "eval_rules.h"

#include <string.h>

/* The quark name is a string of dashes, not arithmetic. */
/* clang-format off */
G_DEFINE_QUARK (eval-error-quark, eval_error)
/* clang-format on */

static const char *const level_words[] = { "", "satisfied", "basic", "unsatisfied" };
static const char *const level_names_zh[] = { "", "满意", "基本满意", "不满意" };
static const char *const stage_words[EVAL_N_STAGES] = { "reply", "window" };
static const char *const scope_words[EVAL_N_SCOPES] = { "person", "window", "station", "township" };

const char *
eval_level_to_string (EvalLevel level)
{
    g_return_val_if_fail ((guint) level < G_N_ELEMENTS (level_words), "");
    return level_words[level];
}

const char *
eval_level_name_zh (EvalLevel level)
{
    g_return_val_if_fail ((guint) level < G_N_ELEMENTS (level_names_zh), "");
    return level_names_zh[level];
}

EvalLevel
eval_level_from_string (const char *text)
{
    for (guint i = EVAL_LEVEL_SATISFIED; i < G_N_ELEMENTS (level_words); i++)
        if (g_strcmp0 (text, level_words[i]) == 0)
            return (EvalLevel) i;
    return EVAL_LEVEL_NONE;
}

const char *
eval_stage_to_string (EvalStage stage)
{
    g_return_val_if_fail ((guint) stage < EVAL_N_STAGES, "?");
    return stage_words[stage];
}

static int
word_index (const char *const *words, int n, const char *text)
{
    for (int i = 0; i < n; i++)
        if (g_strcmp0 (text, words[i]) == 0)
            return i;
    return -1;
}

int
eval_stage_from_string (const char *text)
{
    return word_index (stage_words, EVAL_N_STAGES, text);
}

const char *
eval_scope_to_string (EvalScope scope)
{
    g_return_val_if_fail ((guint) scope < EVAL_N_SCOPES, "?");
    return scope_words[scope];
}

int
eval_scope_from_string (const char *text)
{
    return word_index (scope_words, EVAL_N_SCOPES, text);
}

gboolean
eval_settings_load (EvalSettings *settings, DbnConfig *config, GError **error)
{
    /* The seed's values (D-EV-2..4); the rewards and weights are ours, the
     * seed asks for rewards without naming an amount (docs/evaluation.md). */
    *settings = (EvalSettings){
        .sample_percent = 35,
        .quota_township_week = 1,
        .quota_village_month = 2,
        .quota_group_month = 1,
        .fine_township = 100,
        .fine_village = 80,
        .fine_group = 80,
        .reward_person = 100,
        .reward_window = 100,
        .star_satisfaction = 90,
        .star_completion = { 80, 85, 90 },
        .weight_completion = 40,
        .weight_on_time = 30,
        .weight_satisfaction = 30,
        .haochaping = { 0, 4, 3, 2 },
    };
    struct {
        const char *key;
        int *slot;
        int min, max;
    } keys[] = {
        { "sample_percent", &settings->sample_percent, 0, 100 },
        { "quota_township_week", &settings->quota_township_week, 0, 100 },
        { "quota_village_month", &settings->quota_village_month, 0, 1000 },
        { "quota_group_month", &settings->quota_group_month, 0, 1000 },
        { "fine_township", &settings->fine_township, 0, 100000 },
        { "fine_village", &settings->fine_village, 0, 100000 },
        { "fine_group", &settings->fine_group, 0, 100000 },
        { "reward_person", &settings->reward_person, 0, 1000000 },
        { "reward_window", &settings->reward_window, 0, 1000000 },
        { "star_satisfaction", &settings->star_satisfaction, 0, 100 },
        { "star_completion_1", &settings->star_completion[0], 0, 100 },
        { "star_completion_2", &settings->star_completion[1], 0, 100 },
        { "star_completion_3", &settings->star_completion[2], 0, 100 },
        { "weight_completion", &settings->weight_completion, 0, 1000 },
        { "weight_on_time", &settings->weight_on_time, 0, 1000 },
        { "weight_satisfaction", &settings->weight_satisfaction, 0, 1000 },
        { "haochaping_satisfied", &settings->haochaping[EVAL_LEVEL_SATISFIED], 1, 5 },
        { "haochaping_basic", &settings->haochaping[EVAL_LEVEL_BASIC], 1, 5 },
        { "haochaping_unsatisfied", &settings->haochaping[EVAL_LEVEL_UNSATISFIED], 1, 5 },
    };
    const char *township = config ? dbn_config_get_township (config) : NULL;
    settings->township = g_strdup (township ? township : "T01");
    for (gsize i = 0; i < G_N_ELEMENTS (keys); i++) {
        const char *value = config ? dbn_config_get_setting (config, "evaluation", keys[i].key) : NULL;
        if (value == NULL)
            continue;
        gint64 n = 0;
        if (!g_ascii_string_to_signed (value, 10, keys[i].min, keys[i].max, &n, NULL)) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                         "daiban.conf: [evaluation] %s: \"%s\" is not a number %d..%d", keys[i].key, value,
                         keys[i].min, keys[i].max);
            eval_settings_clear (settings);
            return FALSE;
        }
        *keys[i].slot = (int) n;
    }
    const char *region = config ? dbn_config_get_setting (config, "evaluation", "region_code") : NULL;
    if (region != NULL) {
        /* 行政区划代码: 6 digits (county) or 12 (village), GB/T 2260 and its extension. */
        gsize len = strlen (region);
        gboolean digits = len == 6 || len == 9 || len == 12;
        for (gsize i = 0; digits && i < len; i++)
            digits = g_ascii_isdigit (region[i]);
        if (!digits) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                         "daiban.conf: [evaluation] region_code: \"%s\" is not 6, 9 or 12 digits", region);
            eval_settings_clear (settings);
            return FALSE;
        }
        settings->region_code = g_strdup (region);
    }
    /* The stars climb: 2 stars can never ask less than 1. */
    if (settings->star_completion[0] > settings->star_completion[1]
        || settings->star_completion[1] > settings->star_completion[2]) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG,
                     "daiban.conf: [evaluation] star_completion_1..3 must not decrease (%d, %d, %d)",
                     settings->star_completion[0], settings->star_completion[1],
                     settings->star_completion[2]);
        eval_settings_clear (settings);
        return FALSE;
    }
    return TRUE;
}

void
eval_settings_clear (EvalSettings *settings)
{
    g_clear_pointer (&settings->region_code, g_free);
    g_clear_pointer (&settings->township, g_free);
}

int
eval_haochaping_grade (const EvalSettings *settings, EvalLevel level)
{
    if (level <= EVAL_LEVEL_NONE || level > EVAL_LEVEL_UNSATISFIED)
        return 0;
    return settings->haochaping[level];
}

const char *
eval_haochaping_name (int grade)
{
    static const char *const names[] = { "", "非常不满意", "不满意", "基本满意", "满意", "非常满意" };
    return grade >= 1 && grade <= 5 ? names[grade] : "";
}

void
eval_counters_add (EvalCounters *sum, const EvalCounters *add)
{
    sum->accepted += add->accepted;
    sum->completed += add->completed;
    sum->on_time += add->on_time;
    sum->working_days += add->working_days;
    sum->returns += add->returns;
    sum->repeats += add->repeats;
    sum->rated += add->rated;
    sum->satisfied += add->satisfied;
    sum->basic += add->basic;
    sum->unsatisfied += add->unsatisfied;
    sum->uncovered += add->uncovered;
}

void
eval_completion_rate (const EvalCounters *c, gint64 *num, gint64 *den)
{
    *num = c->completed;
    *den = c->accepted;
}

void
eval_on_time_rate (const EvalCounters *c, gint64 *num, gint64 *den)
{
    *num = c->on_time;
    *den = c->completed;
}

void
eval_satisfaction_rate (const EvalCounters *c, gint64 *num, gint64 *den)
{
    *num = c->satisfied + c->basic;
    *den = c->rated;
}

gboolean
eval_rate_at_least (gint64 num, gint64 den, int percent)
{
    return den > 0 && num * 100 >= (gint64) percent * den;
}

gint64
eval_rate_permille (gint64 num, gint64 den)
{
    return den > 0 ? num * 1000 / den : -1;
}

gint64
eval_average_days_centi (const EvalCounters *c)
{
    return c->completed > 0 ? c->working_days * 100 / c->completed : -1;
}

int
eval_stars (const EvalSettings *settings, const EvalCounters *c)
{
    gint64 sn, sd, cn, cd;
    eval_satisfaction_rate (c, &sn, &sd);
    eval_completion_rate (c, &cn, &cd);
    /* D-EV-4: satisfaction first, then the highest completion step reached. */
    if (!eval_rate_at_least (sn, sd, settings->star_satisfaction))
        return 0;
    int stars = 0;
    for (int i = 0; i < 3; i++)
        if (eval_rate_at_least (cn, cd, settings->star_completion[i]))
            stars = i + 1;
    return stars;
}

/* weight × num/den in thousandths of a point (100 points = the whole rate). */
static gint64
weighted (int weight, gint64 num, gint64 den)
{
    return den > 0 ? (gint64) weight * num * 100000 / den : 0;
}

gint64
eval_score_milli (const EvalSettings *settings, const EvalCounters *c)
{
    gint64 total =
        (gint64) settings->weight_completion + settings->weight_on_time + settings->weight_satisfaction;
    if (total == 0)
        return 0;
    gint64 n, d, sum = 0;
    eval_completion_rate (c, &n, &d);
    sum += weighted (settings->weight_completion, n, d);
    eval_on_time_rate (c, &n, &d);
    sum += weighted (settings->weight_on_time, n, d);
    eval_satisfaction_rate (c, &n, &d);
    sum += weighted (settings->weight_satisfaction, n, d);
    return sum / total;
}

void
eval_quota (const EvalSettings *settings, DbnAgentLevel level, guint mondays, gint64 handled,
            gint64 *required, gint64 *missing, gint64 *fine_yuan)
{
    gint64 need = 0, per = 0;
    switch (level) {
    case DBN_AGENT_LEVEL_TOWNSHIP:
        need = (gint64) settings->quota_township_week * mondays;
        per = settings->fine_township;
        break;
    case DBN_AGENT_LEVEL_VILLAGE:
        need = settings->quota_village_month;
        per = settings->fine_village;
        break;
    case DBN_AGENT_LEVEL_GROUP:
        need = settings->quota_group_month;
        per = settings->fine_group;
        break;
    }
    *required = need;
    *missing = MAX (need - handled, 0);
    *fine_yuan = *missing * per;
}

gboolean
eval_month_parse (const char *text, guint *month, GError **error)
{
    guint64 y = 0, m = 0;
    g_auto (GStrv) parts = text ? g_strsplit (text, "-", -1) : NULL;
    if (parts == NULL || g_strv_length (parts) != 2 || strlen (parts[0]) != 4 || strlen (parts[1]) != 2
        || !g_ascii_string_to_unsigned (parts[0], 10, 2000, 9999, &y, NULL)
        || !g_ascii_string_to_unsigned (parts[1], 10, 1, 12, &m, NULL)) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "\"%s\" is not a month YYYY-MM",
                     text ? text : "");
        return FALSE;
    }
    *month = (guint) (y * 100 + m);
    return TRUE;
}

gboolean
eval_month_valid (guint month)
{
    return month >= 200001 && month <= 999912 && month % 100 >= 1 && month % 100 <= 12;
}

gboolean
eval_instant_valid (gint64 ms)
{
    /* 2000-01-01T00:00+08:00 .. 9999-12-31T23:59:59.999+08:00 */
    return ms >= G_GINT64_CONSTANT (946656000000) && ms < G_GINT64_CONSTANT (253402271999999);
}

char *
eval_month_to_string (guint month)
{
    return g_strdup_printf ("%04u-%02u", month / 100, month % 100);
}

guint
eval_month_of_date (const GDate *date)
{
    return g_date_get_year (date) * 100u + g_date_get_month (date);
}

guint
eval_month_next (guint month)
{
    return month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
}

void
eval_month_bounds (guint month, guint32 *first, guint32 *last)
{
    GDate d;
    g_date_clear (&d, 1);
    g_date_set_dmy (&d, 1, (GDateMonth) (month % 100), (GDateYear) (month / 100));
    *first = g_date_get_julian (&d);
    *last = *first + g_date_get_days_in_month ((GDateMonth) (month % 100), (GDateYear) (month / 100)) - 1;
}

guint
eval_month_mondays (guint month)
{
    guint32 first, last;
    eval_month_bounds (month, &first, &last);
    GDate d;
    g_date_clear (&d, 1);
    g_date_set_julian (&d, first);
    /* Days from the 1st to its first Monday, then one every 7 days. */
    guint to_monday = (G_DATE_MONDAY - g_date_get_weekday (&d) + 7) % 7;
    return (last - first - to_monday) / 7 + 1;
}

guint32
eval_day_of_ms (gint64 ms)
{
    g_autoptr (GDateTime) local = dbn_clock_local_from_ms (ms);
    GDate d;
    g_date_clear (&d, 1);
    g_date_set_dmy (&d, (GDateDay) g_date_time_get_day_of_month (local),
                    (GDateMonth) g_date_time_get_month (local), (GDateYear) g_date_time_get_year (local));
    return g_date_get_julian (&d);
}

guint32
eval_first_working_day (DbnCalendar *calendar, guint month, gboolean *covered)
{
    guint32 first, last;
    eval_month_bounds (month, &first, &last);
    GDate before, out;
    g_date_clear (&before, 1);
    g_date_clear (&out, 1);
    g_date_set_julian (&before, first - 1);
    /* The first working day after the last day of the month before. */
    dbn_calendar_add_working_days (calendar, NULL, &before, 1, &out, covered);
    return g_date_get_julian (&out);
}
