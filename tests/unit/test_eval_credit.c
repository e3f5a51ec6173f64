/* test_eval_credit.c: who a matter counts for (D-EV-3; eval_credit.h,
 * docs/evaluation.md "Who a matter counts for"), over the shipped org.ini,
 * and the model's CARRIED fact, which gives a case its township agent. */
#include <glib/gstdio.h>

#include "eval_credit.h"
#include "eval_store.h"

static DbnOrg *
shipped_org (void)
{
    g_autoptr (GError) error = NULL;
    DbnOrg *org = dbn_org_load (dbn_org_default_path (), &error);
    g_assert_no_error (error);
    return org;
}

/* A station's matter is its head's (qingshui: qs-wang), a petition its
 * mediation officer's when the officer holds it (qs-zhang, D-INT-8); an
 * agent's or group agent's own key is that agent; a window's walk-in and
 * unknown ids credit nobody. */
static void
test_accepting_agent (void)
{
    g_autoptr (DbnOrg) org = shipped_org ();
    g_assert_cmpstr (eval_credit_accepting_agent (org, "station:qingshui", "station:qingshui"), ==,
                     "qs-wang");
    g_assert_cmpstr (eval_credit_accepting_agent (org, "station:shiqiao", NULL), ==, "sq-huang");
    g_assert_cmpstr (eval_credit_accepting_agent (org, "station:qingshui", "agent:qs-zhang"), ==, "qs-zhang");
    /* Another station's agent holding it is not this station's taker. */
    g_assert_cmpstr (eval_credit_accepting_agent (org, "station:qingshui", "agent:sq-zhou"), ==, "qs-wang");
    /* A township agent holding it carries it; the station still took it. */
    g_assert_cmpstr (eval_credit_accepting_agent (org, "station:qingshui", "agent:ts-li"), ==, "qs-wang");
    g_assert_cmpstr (eval_credit_accepting_agent (org, "group:qs-liu", "station:qingshui"), ==, "qs-liu");
    g_assert_cmpstr (eval_credit_accepting_agent (org, "agent:qs-li", NULL), ==, "qs-li");
    g_assert_null (eval_credit_accepting_agent (org, "agent:ts-li", NULL));
    g_assert_null (eval_credit_accepting_agent (org, "window:minzheng", "window:minzheng"));
    g_assert_null (eval_credit_accepting_agent (org, "station:nowhere", NULL));
    g_assert_null (eval_credit_accepting_agent (org, "agent:nobody", NULL));
    g_assert_null (eval_credit_accepting_agent (org, NULL, NULL));
    g_assert_null (eval_credit_accepting_agent (org, "", ""));
}

static void
test_township_agent (void)
{
    g_autoptr (DbnOrg) org = shipped_org ();
    g_assert_cmpstr (eval_credit_township_agent (org, "agent:ts-chen"), ==, "ts-chen");
    g_assert_null (eval_credit_township_agent (org, "agent:qs-zhang")); /* a village agent */
    g_assert_null (eval_credit_township_agent (org, "window:jisheng"));
    g_assert_null (eval_credit_township_agent (org, "county:minzheng"));
    g_assert_null (eval_credit_township_agent (org, "agent:"));
    g_assert_null (eval_credit_township_agent (org, NULL));
}

static gint64
at (int month, int day)
{
    g_autoptr (GTimeZone) tz = g_time_zone_new_offset (8 * 3600);
    g_autoptr (GDateTime) t = g_date_time_new (tz, 2026, month, day, 10, 0, 0);
    return g_date_time_to_unix (t) * 1000;
}

/* D-EV-3 in the model: CARRIED sets the case's township agent (the last
 * one to be given it), whose quota it then counts for; without an agent it
 * is refused, for a case never accepted _UNKNOWN_CASE. */
static void
test_carried_counts_for_township_agent (void)
{
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("daiban-credit-XXXXXX", &error);
    g_assert_no_error (error);
    g_autofree char *path = g_build_filename (dir, "evaluation.db", NULL);
    g_autofree char *cal_path =
        g_build_filename (g_getenv ("DAIBAN_SOURCE_DIR"), "schemas", "data", "calendar.ini", NULL);
    DbnCalendar *calendar = dbn_calendar_load (cal_path, &error);
    g_assert_no_error (error);
    DbnStore *store = dbn_store_open (path, DBN_STORE_SYNC_NORMAL, eval_migrations, &error);
    g_assert_no_error (error);
    EvalStore *eval = eval_store_new (store, calendar, &error);
    g_assert_no_error (error);
    EvalSettings settings;
    g_assert_true (eval_settings_load (&settings, NULL, &error));

    g_assert_true (dbn_store_begin (store, &error));
    EvalFact a = { .type = EVAL_FACT_ACCEPTED,
                   .case_no = "T01-2026-000001",
                   .at = at (11, 5),
                   .matter = "JS-BINGCANER",
                   .station = "qingshui",
                   .window = "jisheng",
                   .agent = "qs-wang",
                   .channel = "station" };
    g_assert_true (eval_store_apply_fact (eval, &a, &error));
    EvalFact c1 = {
        .type = EVAL_FACT_CARRIED, .case_no = a.case_no, .at = at (11, 5), .township_agent = "ts-li"
    };
    g_assert_true (eval_store_apply_fact (eval, &c1, &error));
    /* D-RTE-5: handed to another township agent, who carries it now. */
    EvalFact c2 = {
        .type = EVAL_FACT_CARRIED, .case_no = a.case_no, .at = at (11, 6), .township_agent = "ts-chen"
    };
    g_assert_true (eval_store_apply_fact (eval, &c2, &error));
    g_assert_no_error (error);
    EvalFact none = { .type = EVAL_FACT_CARRIED, .case_no = a.case_no, .at = at (11, 6) };
    g_assert_false (eval_store_apply_fact (eval, &none, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_INVALID);
    g_clear_error (&error);
    EvalFact unknown = {
        .type = EVAL_FACT_CARRIED, .case_no = "T01-2026-000009", .at = at (11, 6), .township_agent = "ts-li"
    };
    g_assert_false (eval_store_apply_fact (eval, &unknown, &error));
    g_assert_error (error, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE);
    g_clear_error (&error);
    const EvalPerson roster[] = { { "qs-wang", DBN_AGENT_LEVEL_VILLAGE },
                                  { "ts-chen", DBN_AGENT_LEVEL_TOWNSHIP },
                                  { "ts-li", DBN_AGENT_LEVEL_TOWNSHIP } };
    g_assert_true (
        eval_store_close_month (eval, &settings, 202611, roster, G_N_ELEMENTS (roster), at (12, 1), &error));
    g_assert_no_error (error);
    g_assert_true (dbn_store_commit (store, &error));

    g_autoptr (GPtrArray) quotas = eval_store_month_quotas (eval, 202611, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (quotas->len, ==, 3);
    /* person order: qs-wang 1 of 2, ts-chen 1 of 5, ts-li 0 of 5. */
    const gint64 handled[] = { 1, 1, 0 }, fine[] = { 80, 400, 500 };
    for (guint i = 0; i < quotas->len; i++) {
        const EvalQuotaRow *q = quotas->pdata[i];
        g_assert_cmpstr (q->person, ==, roster[i].id);
        g_assert_cmpint (q->handled, ==, handled[i]);
        g_assert_cmpint (q->fine_yuan, ==, fine[i]);
    }

    eval_settings_clear (&settings);
    eval_store_free (eval);
    dbn_store_free (store);
    dbn_calendar_free (calendar);
    g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;
    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
        g_autofree char *file = g_build_filename (dir, name, NULL);
        g_unlink (file);
    }
    g_rmdir (dir);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    g_test_add_func ("/eval-credit/D-EV-3/accepting-agent", test_accepting_agent);
    g_test_add_func ("/eval-credit/D-EV-3/township-agent", test_township_agent);
    g_test_add_func ("/eval-credit/D-EV-3/carried-counts-for-township-agent",
                     test_carried_counts_for_township_agent);
    return g_test_run ();
}
