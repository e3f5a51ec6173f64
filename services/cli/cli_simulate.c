/* cli_simulate.c: `daiban simulate` (issue 13 item 9), a month played
 * through the real services on a manual clock:
 *
 *   daiban simulate --month 2026-11 [--stations N] [--seed S]
 *                   [--profile poisson|seed-report] [--rate R] [--satisfied P]
 *                   [--close] [--json] [--data DIR]
 *
 * It starts `daiban up`'s services itself, in a fresh data folder (a new
 * temporary one without --data), with DAIBAN_CLOCK_FILE naming a clock file
 * it moves working day by working day (the national calendar). Each day the
 * stations hand in that day's cases of the plan (sim_plan.c): some with a
 * material missing and supplemented, the catalog's 上报件 escalated to the
 * county and answered, some returned; every other case is classified,
 * assigned, started, completed and replied to, and the applicant rates the
 * reply. A few late cases wait past their due day until deadline turns
 * them red, get the window's explanation (D-DL-6) and are completed then.
 * It then prints the month's figures as `daiban eval month` prints
 * them (the evaluation service's eval.month), and with --close closes the
 * month on the first working day after it (quotas and fines, D-EV-3).
 *
 * The figures are the same for the same seed: the plan is a function of the
 * seed, every command waits for the one before it, a late case waits for
 * deadline's red, and the ratings wait until evaluation has followed the
 * day's events (accepted, completed, on time, returns, rated).
 *
 * The stations are the first N of org.ini (the services read that one file):
 * asking for more than it has is refused, naming how many there are. */
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <gio/gio.h>

#include "cli_common.h"
#include "cli_eval.h"
#include "audit_service.h"
#include "sim_plan.h"

#define CALL_MS 10000
/* The file clock re-reads its file at most once per 50 ms of monotonic time
 * (dbn_clock.c): after that long, every later reading in every service sees
 * the new value. */
#define CLOCK_REREAD_US (60 * G_TIME_SPAN_MILLISECOND)
#define FOLLOW_WAIT_US  (30 * G_USEC_PER_SEC)
#define STOP_GRACE_US   (10 * G_USEC_PER_SEC)

typedef struct {
    char *data_dir;
    DbnConfig *config;
    char *clock_file;
    DbnClock *clock;      /* this process's: the key registry's times */
    GHashTable *buses;    /* principal ("" = operator) → DbnBus* */
    GHashTable *clients;  /* "principal service" → DbnClient* (declared before buses: freed first) */
    GPtrArray *processes; /* GSubprocess* */
    guint n_keys;
} Sim;

static void
sim_clear (Sim *s)
{
    /* SIGTERM to all, up to 10 s to stop (GLib reaps them on its worker
     * thread: a stopped one has no identifier left), then SIGKILL. */
    for (guint i = 0; s->processes != NULL && i < s->processes->len; i++)
        g_subprocess_send_signal (s->processes->pdata[i], SIGTERM);
    gint64 end = g_get_monotonic_time () + STOP_GRACE_US;
    for (guint i = 0; s->processes != NULL && i < s->processes->len; i++) {
        GSubprocess *p = s->processes->pdata[i];
        while (g_subprocess_get_identifier (p) != NULL && g_get_monotonic_time () < end)
            g_usleep (10 * 1000);
        if (g_subprocess_get_identifier (p) != NULL) {
            fprintf (stderr, "daiban simulate: a service did not stop in time; killing it\n");
            g_subprocess_force_exit (p);
        }
        g_subprocess_wait (p, NULL, NULL);
    }
    g_clear_pointer (&s->processes, g_ptr_array_unref);
    g_clear_pointer (&s->clients, g_hash_table_unref);
    g_clear_pointer (&s->buses, g_hash_table_unref);
    g_clear_pointer (&s->clock, dbn_clock_free);
    g_clear_pointer (&s->config, dbn_config_free);
    g_free (s->clock_file);
    g_free (s->data_dir);
}

static void
child_setup (gpointer user_data)
{
    /* Between fork and exec: no service outlives the simulation. */
    prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static char *
next_key (Sim *s)
{
    return g_strdup_printf ("sim-%u", ++s->n_keys);
}

/* 09:00 China Standard Time of date, in ms since the epoch. */
static gint64
morning_ms (const GDate *date)
{
    g_autoptr (GDateTime) t =
        g_date_time_new_utc (g_date_get_year (date), g_date_get_month (date), g_date_get_day (date), 9, 0, 0);
    return (g_date_time_to_unix (t) - 8 * 3600) * 1000;
}

static gboolean
set_clock (Sim *s, gint64 ms, GError **error)
{
    g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", ms);
    g_autofree char *tmp = g_strconcat (s->clock_file, ".tmp", NULL);
    if (!g_file_set_contents (tmp, text, -1, error))
        return FALSE;
    if (g_rename (tmp, s->clock_file) != 0) {
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", s->clock_file,
                     g_strerror (errno));
        return FALSE;
    }
    g_usleep (CLOCK_REREAD_US);
    return TRUE;
}

/* The command's reply from service as principal (NULL: the operator);
 * NULL with the error, or the service's refusal. */
static GBytes *
sim_call (Sim *s, const char *principal, const char *service, GBytes *body, GError **error)
{
    if (body == NULL)
        return NULL;
    g_autofree char *name = g_strdup_printf ("%s %s", principal ? principal : "", service);
    DbnClient *client = g_hash_table_lookup (s->clients, name);
    if (client == NULL) {
        DbnBus *bus = g_hash_table_lookup (s->buses, principal ? principal : "");
        g_return_val_if_fail (bus != NULL, NULL);
        client = dbn_client_new (bus, dbn_config_get_command_endpoint (s->config, service), error);
        if (client == NULL)
            return NULL;
        g_hash_table_insert (s->clients, g_steal_pointer (&name), client);
    }
    g_autoptr (GBytes) reply = dbn_client_call (client, body, CALL_MS, error);
    if (reply == NULL || !dbn_reply_check (reply, error))
        return NULL;
    return g_steal_pointer (&reply);
}

/* Sends a command and drops its reply; the owned body is consumed. */
static gboolean
send_command (Sim *s, const char *principal, const char *service, GBytes *body, const char *what,
              const char *case_no, GError **error)
{
    g_autoptr (GBytes) owned = body;
    g_autoptr (GBytes) reply = sim_call (s, principal, service, owned, error);
    if (reply == NULL && error != NULL && *error != NULL)
        g_prefix_error (error, "%s %s: ", what, case_no ? case_no : "");
    return reply != NULL;
}

static gboolean
add_principal (Sim *s, const char *principal, GError **error)
{
    g_autofree char *path = NULL;
    if (principal != NULL && !dbn_keys_add (s->data_dir, principal, s->clock, &path, error))
        return FALSE;
    if (principal == NULL)
        path = dbn_keys_dup_secret_path (s->data_dir, "operator");
    DbnBus *bus = dbn_bus_new ();
    if (!dbn_auth_setup_bus (bus, s->config, path, error)) {
        dbn_bus_free (bus);
        return FALSE;
    }
    g_hash_table_insert (s->buses, g_strdup (principal ? principal : ""), bus);
    return TRUE;
}

static gboolean
start_services (Sim *s, GError **error)
{
    s->processes = g_ptr_array_new_with_free_func (g_object_unref);
    for (int i = 0; cli_built_services[i] != NULL; i++) {
        g_autofree char *binary = cli_find_service_binary (cli_built_services[i]);
        if (binary == NULL) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "daiban-%s is not installed / 找不到服务程序",
                         cli_built_services[i]);
            return FALSE;
        }
        g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
        g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
        g_subprocess_launcher_setenv (launcher, "DAIBAN_CLOCK_FILE", s->clock_file, TRUE);
        GSubprocess *p = g_subprocess_launcher_spawn (launcher, error, binary, "--data", s->data_dir, NULL);
        if (p == NULL)
            return FALSE;
        g_ptr_array_add (s->processes, p);
    }
    /* Ready: each answers sys.status. */
    for (int i = 0; cli_built_services[i] != NULL; i++) {
        gint64 end = g_get_monotonic_time () + FOLLOW_WAIT_US;
        gboolean ready = FALSE;
        while (!ready && g_get_monotonic_time () < end) {
            g_autoptr (DbnMsgSysStatus) cmd = dbn_msg_sys_status_new ();
            cmd->env.key = next_key (s);
            g_autoptr (GBytes) body = dbn_msg_sys_status_encode (cmd, NULL);
            DbnBus *bus = g_hash_table_lookup (s->buses, "");
            g_autoptr (DbnClient) client = dbn_client_new (
                bus, dbn_config_get_command_endpoint (s->config, cli_built_services[i]), NULL);
            g_autoptr (GBytes) reply = client ? dbn_client_call (client, body, 200, NULL) : NULL;
            ready = reply != NULL;
        }
        if (!ready) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT, "daiban-%s did not start / 服务未能启动",
                         cli_built_services[i]);
            return FALSE;
        }
    }
    return TRUE;
}

/* The evaluation service's township row of the month (all zero when none). */
static gboolean
township_figure (Sim *s, const char *month, DbnMsgEvalFigure **out, GError **error)
{
    g_autoptr (DbnMsgEvalMonth) m = dbn_msg_eval_month_new ();
    m->env.key = next_key (s);
    m->month = g_strdup (month);
    g_autoptr (GBytes) body = dbn_msg_eval_month_encode (m, error);
    g_autoptr (GBytes) reply = sim_call (s, NULL, "evaluation", body, error);
    if (reply == NULL)
        return FALSE;
    g_autoptr (DbnMsgEvalMonthReply) r =
        dbn_msg_eval_month_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    if (r == NULL)
        return FALSE;
    *out = NULL;
    for (guint i = 0; i < r->figures->len && *out == NULL; i++) {
        GBytes *b = r->figures->pdata[i];
        g_autoptr (DbnMsgEvalFigure) f =
            dbn_msg_eval_figure_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), error);
        if (f == NULL)
            return FALSE;
        if (g_strcmp0 (f->scope, "township") == 0)
            *out = g_steal_pointer (&f);
    }
    if (*out == NULL)
        *out = dbn_msg_eval_figure_new ();
    return TRUE;
}

typedef struct {
    gint64 accepted, completed, on_time, returns, rated;
} SimCounts;

/* Waits until evaluation has followed the other services' journals as far
 * as counts: the events travel between processes, so this polls. */
static gboolean
wait_followed (Sim *s, const char *month, const SimCounts *want, GError **error)
{
    gint64 end = g_get_monotonic_time () + FOLLOW_WAIT_US;
    for (;;) {
        g_autoptr (DbnMsgEvalFigure) f = NULL;
        if (!township_figure (s, month, &f, error))
            return FALSE;
        if (f->accepted == want->accepted && f->completed == want->completed && f->on_time == want->on_time
            && f->returns == want->returns && f->rated == want->rated)
            return TRUE;
        if (g_get_monotonic_time () > end) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT,
                         "evaluation counts %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                         "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                         " (accepted/completed/on time/returns/rated), the simulation sent %" G_GINT64_FORMAT
                         "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT,
                         f->accepted, f->completed, f->on_time, f->returns, f->rated, want->accepted,
                         want->completed, want->on_time, want->returns, want->rated);
            return FALSE;
        }
        g_usleep (10 * 1000);
    }
}

/* Waits until routing holds the case in state `received` (it follows
 * intake's journal; a supplemented case comes back to received). */
static gboolean
wait_received (Sim *s, const char *case_no, GError **error)
{
    gint64 end = g_get_monotonic_time () + FOLLOW_WAIT_US;
    for (;;) {
        g_autoptr (DbnMsgRoutingCaseGet) m = dbn_msg_routing_case_get_new ();
        m->env.key = next_key (s);
        m->case_no = g_strdup (case_no);
        g_autoptr (GBytes) body = dbn_msg_routing_case_get_encode (m, error);
        g_autoptr (GError) local = NULL;
        g_autoptr (GBytes) reply = sim_call (s, NULL, "routing", body, &local);
        if (reply != NULL) {
            g_autoptr (DbnMsgRoutingCaseGetReply) r = dbn_msg_routing_case_get_reply_decode (
                g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
            if (r == NULL)
                return FALSE;
            if (g_strcmp0 (r->state, "received") == 0)
                return TRUE;
        } else if (!g_error_matches (local, DBN_ERROR, DBN_ERROR_NOT_FOUND)) {
            g_propagate_prefixed_error (error, g_steal_pointer (&local), "routing.case.get %s: ", case_no);
            return FALSE;
        }
        if (g_get_monotonic_time () > end) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT, "routing never received %s", case_no);
            return FALSE;
        }
        g_usleep (5 * 1000);
    }
}

/* Hands the case in at its station's PC; the case number, NULL on error. */
static char *
submit (Sim *s, const SimCase *c, const DbnStation *station, guint n, GError **error)
{
    const DbnMatter *m = c->matter;
    g_autofree char *principal = g_strconcat ("station:", station->id, NULL);
    g_autoptr (DbnMsgIntakeSubmit) cmd = dbn_msg_intake_submit_new ();
    cmd->env.key = next_key (s);
    cmd->applicant = g_strdup_printf ("模拟申办人%u", n);
    /* Region 110105, birth dates spread over 1950-2009, sequence from n. */
    char first17[18];
    g_snprintf (first17, sizeof first17, "110105%04u%02u%02u%03u", 1950 + n % 60, 1 + (n / 60) % 12,
                1 + (n / 720) % 28, (n / 20160) % 1000);
    cmd->id_number = g_strdup_printf ("%s%c", first17, dbn_idnumber_check_char (first17));
    cmd->phone = g_strdup_printf ("139%08u", n);
    cmd->village = g_strdup (station->village);
    cmd->matter = g_strdup (m->code);
    guint have = g_strv_length (m->materials) - (c->missing ? 1 : 0);
    cmd->materials = g_new0 (char *, have + 1);
    for (guint i = 0; i < have; i++)
        cmd->materials[i] = g_strdup (m->materials[i]);
    cmd->consent = TRUE;
    g_autoptr (GBytes) body = dbn_msg_intake_submit_encode (cmd, error);
    g_autoptr (GBytes) reply = sim_call (s, principal, "intake", body, error);
    if (reply == NULL) {
        g_prefix_error (error, "intake.submit %s: ", m->code);
        return NULL;
    }
    g_autoptr (DbnMsgIntakeSubmitReply) r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
    if (r == NULL)
        return NULL;
    if (c->missing) {
        /* D-INT-4: the agent fetches the missing material the same day. */
        g_autoptr (DbnMsgIntakeSupplement) sup = dbn_msg_intake_supplement_new ();
        sup->env.key = next_key (s);
        sup->case_no = g_strdup (r->case_no);
        sup->materials = g_strdupv (r->missing);
        if (!send_command (s, principal, "intake", dbn_msg_intake_supplement_encode (sup, error),
                           "intake.supplement", r->case_no, error))
            return NULL;
    }
    return g_strdup (r->case_no);
}

/* The case's handling at the centre, up to the reply (D-RTE-1..5, D-RPL-1). */
static gboolean finish (Sim *s, const SimCase *c, const char *n, const DbnStation *station, GError **error);

/* D-DL-1, D-DL-6: waits until deadline has turned one of the case's clocks
 * red (it fires on its own tick once the clock has passed the due day),
 * then records the window's explanation. */
static gboolean
explain_overdue (Sim *s, const char *n, GError **error)
{
    gint64 end = g_get_monotonic_time () + FOLLOW_WAIT_US;
    for (gboolean red = FALSE; !red;) {
        if (g_get_monotonic_time () > end) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_TIMEOUT, "deadline never turned %s red", n);
            return FALSE;
        }
        g_autoptr (DbnMsgDeadlineCaseDue) m = dbn_msg_deadline_case_due_new ();
        m->env.key = next_key (s);
        m->case_no = g_strdup (n);
        g_autoptr (GBytes) body = dbn_msg_deadline_case_due_encode (m, error);
        g_autoptr (GBytes) reply = sim_call (s, NULL, "deadline", body, error);
        if (reply == NULL)
            return FALSE;
        g_autoptr (DbnMsgDeadlineCaseDueReply) r = dbn_msg_deadline_case_due_reply_decode (
            g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), error);
        if (r == NULL)
            return FALSE;
        for (guint i = 0; i < r->clocks->len && !red; i++) {
            GBytes *b = r->clocks->pdata[i];
            g_autoptr (DbnMsgDeadlineClock) k =
                dbn_msg_deadline_clock_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), error);
            if (k == NULL)
                return FALSE;
            red = g_strcmp0 (k->stage, "overdue") == 0 || g_strcmp0 (k->stage, "violation") == 0;
        }
        if (!red)
            g_usleep (20 * 1000);
    }
    g_autoptr (DbnMsgDeadlineCaseExplain) ex = dbn_msg_deadline_case_explain_new ();
    ex->env.key = next_key (s);
    ex->case_no = g_strdup (n);
    ex->text = g_strdup ("县级部门系统故障，材料延后一天送达；已电话告知申办人");
    return send_command (s, NULL, "deadline", dbn_msg_deadline_case_explain_encode (ex, error),
                         "deadline.case.explain", n, error);
}

static gboolean
handle (Sim *s, const SimCase *c, const char *n, const DbnStation *station, GError **error)
{
    if (!wait_received (s, n, error))
        return FALSE;
    if (c->returned) {
        g_autoptr (DbnMsgCaseReturn) m = dbn_msg_case_return_new ();
        m->env.key = next_key (s);
        m->case_no = g_strdup (n);
        m->reason = g_strdup ("不属于代办范围，须本人到县政务服务中心办理");
        m->apply_to = g_strdup ("县政务服务中心");
        if (!send_command (s, NULL, "routing", dbn_msg_case_return_encode (m, error), "case.return", n,
                           error))
            return FALSE;
    } else {
        g_autoptr (DbnMsgCaseClassify) cl = dbn_msg_case_classify_new ();
        cl->env.key = next_key (s);
        cl->case_no = g_strdup (n);
        cl->kind = g_strdup (dbn_handling_kind_to_string (c->matter->kind));
        cl->reason = g_strdup ("按事项清单分类");
        if (!send_command (s, NULL, "routing", dbn_msg_case_classify_encode (cl, error), "case.classify", n,
                           error))
            return FALSE;
        g_autoptr (DbnMsgCaseAssign) as = dbn_msg_case_assign_new ();
        as->env.key = next_key (s);
        as->case_no = g_strdup (n);
        if (!send_command (s, NULL, "routing", dbn_msg_case_assign_encode (as, error), "case.assign", n,
                           error))
            return FALSE;
        g_autoptr (DbnMsgCaseStart) st = dbn_msg_case_start_new ();
        st->env.key = next_key (s);
        st->case_no = g_strdup (n);
        if (!send_command (s, NULL, "routing", dbn_msg_case_start_encode (st, error), "case.start", n, error))
            return FALSE;
        if (c->escalated) {
            g_autoptr (DbnMsgCaseEscalate) es = dbn_msg_case_escalate_new ();
            es->env.key = next_key (s);
            es->case_no = g_strdup (n);
            es->reason = g_strdup ("须县级部门审批");
            if (!send_command (s, NULL, "routing", dbn_msg_case_escalate_encode (es, error), "case.escalate",
                               n, error))
                return FALSE;
            g_autoptr (DbnMsgCaseCountyAnswer) an = dbn_msg_case_county_answer_new ();
            an->env.key = next_key (s);
            an->case_no = g_strdup (n);
            an->answer = g_strdup ("经审核，同意");
            an->approved = TRUE;
            if (!send_command (s, NULL, "routing", dbn_msg_case_county_answer_encode (an, error),
                               "case.county_answer", n, error))
                return FALSE;
        }
    }
    return c->late || finish (s, c, n, station, error);
}

/* The case's completion (a late one's on its done day) and the reply. */
static gboolean
finish (Sim *s, const SimCase *c, const char *n, const DbnStation *station, GError **error)
{
    g_autofree char *principal = g_strconcat ("station:", station->id, NULL);
    if (c->late && !explain_overdue (s, n, error))
        return FALSE;
    if (!c->returned) {
        g_autoptr (DbnMsgCaseComplete) co = dbn_msg_case_complete_new ();
        co->env.key = next_key (s);
        co->case_no = g_strdup (n);
        co->result = g_strdup ("已办结");
        /* D-RTE-4: the agent went with the applicant (no separate step simulated). */
        if (c->matter->presence)
            co->unaccompanied = g_strdup ("申办人已自行到场办理");
        if (!send_command (s, NULL, "routing", dbn_msg_case_complete_encode (co, error), "case.complete", n,
                           error))
            return FALSE;
    }
    g_autoptr (DbnMsgCaseReply) re = dbn_msg_case_reply_new ();
    re->env.key = next_key (s);
    re->case_no = g_strdup (n);
    if (c->returned)
        re->reason = g_strdup ("不属于代办范围，已告知到县政务服务中心办理");
    else
        re->result = g_strdup ("已办结，结果已告知申办人");
    return send_command (s, principal, "routing", dbn_msg_case_reply_encode (re, error), "case.reply", n,
                         error);
}

static gboolean
rate (Sim *s, const SimCase *c, const char *n, const DbnStation *station, GError **error)
{
    static const char *const levels[] = { "satisfied", "basic", "unsatisfied" };
    g_autofree char *principal = g_strconcat ("station:", station->id, NULL);
    g_autoptr (DbnMsgEvalRate) m = dbn_msg_eval_rate_new ();
    m->env.key = next_key (s);
    m->case_no = g_strdup (n);
    m->stage = g_strdup ("reply");
    m->level = g_strdup (levels[c->rating]);
    return send_command (s, principal, "evaluation", dbn_msg_eval_rate_encode (m, error), "eval.rate", n,
                         error);
}

/* The first working day after the month (eval.close's day, D-EV-2). */
static GDate *
first_day_after (DbnCalendar *calendar, guint year, guint month)
{
    GDate *d = g_date_new_dmy (1, (GDateMonth) month, (GDateYear) year);
    g_date_add_months (d, 1);
    for (int i = 0; i < 40 && !dbn_calendar_is_workday (calendar, NULL, d, NULL); i++)
        g_date_add_days (d, 1);
    return d;
}

static gboolean
play (Sim *s, const SimPlan *plan, DbnOrg *org, const char *month, DbnCalendar *calendar, guint year,
      guint mon, gboolean close, GError **error)
{
    SimCounts sent = { 0 };
    g_autoptr (GPtrArray) numbers = g_ptr_array_new_with_free_func (g_free);
    guint next = 0;
    for (guint d = 0; d < plan->days->len; d++) {
        if (!set_clock (s, morning_ms (plan->days->pdata[d]), error))
            return FALSE;
        guint first = next;
        for (; next < plan->cases->len && g_array_index (plan->cases, SimCase, next).day == d; next++) {
            const SimCase *c = &g_array_index (plan->cases, SimCase, next);
            char *n = submit (s, c, dbn_org_get_station (org, c->station), next + 1, error);
            if (n == NULL)
                return FALSE;
            g_ptr_array_add (numbers, n);
        }
        for (guint i = first; i < next; i++) {
            const SimCase *c = &g_array_index (plan->cases, SimCase, i);
            if (!handle (s, c, numbers->pdata[i], dbn_org_get_station (org, c->station), error))
                return FALSE;
            sent.accepted++;
        }
        /* The late cases of earlier days whose day has come. */
        for (guint i = 0; i < first; i++) {
            const SimCase *c = &g_array_index (plan->cases, SimCase, i);
            if (c->done_day == d
                && !finish (s, c, numbers->pdata[i], dbn_org_get_station (org, c->station), error))
                return FALSE;
        }
        for (guint i = 0; i < next; i++) {
            const SimCase *c = &g_array_index (plan->cases, SimCase, i);
            if (c->done_day != d)
                continue;
            if (c->returned)
                sent.returns++;
            else
                sent.completed++;
            if (!c->late && !c->returned)
                sent.on_time++;
        }
        /* A rating needs evaluation to know the case and its reply. */
        if (!wait_followed (s, month, &sent, error))
            return FALSE;
        for (guint i = 0; i < next; i++) {
            const SimCase *c = &g_array_index (plan->cases, SimCase, i);
            if (c->done_day != d)
                continue;
            if (!rate (s, c, numbers->pdata[i], dbn_org_get_station (org, c->station), error))
                return FALSE;
            sent.rated++;
        }
    }
    if (!wait_followed (s, month, &sent, error))
        return FALSE;
    if (close) {
        g_autoptr (GDate) after = first_day_after (calendar, year, mon);
        if (!set_clock (s, morning_ms (after), error))
            return FALSE;
        g_autoptr (DbnMsgEvalClose) m = dbn_msg_eval_close_new ();
        m->env.key = next_key (s);
        m->month = g_strdup (month);
        if (!send_command (s, NULL, "evaluation", dbn_msg_eval_close_encode (m, error), "eval.close", NULL,
                           error))
            return FALSE;
    }
    return TRUE;
}

static gboolean
parse_month (const char *text, guint *year, guint *month)
{
    if (text == NULL || strlen (text) != 7 || text[4] != '-')
        return FALSE;
    guint64 y = 0, m = 0;
    g_autofree char *ys = g_strndup (text, 4);
    return g_ascii_string_to_unsigned (ys, 10, 2000, 2099, &y, NULL)
           && g_ascii_string_to_unsigned (text + 5, 10, 1, 12, &m, NULL)
           && (*year = (guint) y, *month = (guint) m, TRUE);
}

/* A folder without daiban.conf gets one whose endpoints are ipc sockets
 * inside it, so a simulation never takes the ports of a `daiban up` running
 * on the same machine (the demo laptop's own services). */
static gboolean
write_config (const char *dir, GError **error)
{
    g_autofree char *path = g_build_filename (dir, "daiban.conf", NULL);
    if (g_mkdir_with_parents (dir, 0700) != 0) {
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s", dir, g_strerror (errno));
        return FALSE;
    }
    if (g_file_test (path, G_FILE_TEST_EXISTS))
        return TRUE;
    g_autoptr (GString) conf =
        g_string_new ("# Written by `daiban simulate`: its services talk over ipc sockets here.\n");
    const char *const *services = dbn_config_service_names ();
    for (int i = 0; services[i] != NULL; i++)
        g_string_append_printf (
            conf, "[service:%s]\ncommand = ipc://%s/%s-cmd.ipc\npublish = ipc://%s/%s-pub.ipc\n", services[i],
            dir, services[i], dir, services[i]);
    return g_file_set_contents (path, conf->str, -1, error);
}

/* Everything after the options; s is cleared by the caller. */
static int
simulate (Sim *s, const char *data, const char *month, guint year, guint mon, const char *seed,
          const SimParams *params, int stations, gboolean close, gboolean json)
{
    g_autoptr (GError) error = NULL;
    s->data_dir =
        data != NULL ? dbn_config_resolve_data_dir (data) : g_dir_make_tmp ("daiban-simulate-XXXXXX", &error);
    if (s->data_dir == NULL)
        return cli_report_error ("simulate", error);
    s->clock_file = g_build_filename (s->data_dir, "simulate.clock", NULL);
    s->clock = dbn_clock_new_file (s->clock_file);
    s->buses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dbn_bus_free);
    s->clients = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) dbn_client_free);
    g_autoptr (DbnOrg) org = dbn_org_load (dbn_org_default_path (), &error);
    if (org == NULL || !write_config (s->data_dir, &error)
        || (s->config = dbn_config_load (s->data_dir, &error)) == NULL)
        return cli_report_error ("simulate", error);
    g_autofree char *intake_db = dbn_config_dup_store_path (s->config, "intake");
    if (g_file_test (intake_db, G_FILE_TEST_EXISTS)) {
        fprintf (stderr,
                 "daiban simulate: %s already holds cases; a simulated month needs a fresh data folder / "
                 "数据目录已有案件，请换一个新目录\n",
                 s->data_dir);
        return CLI_EXIT_CONFIG;
    }
    guint n_stations = stations > 0 ? (guint) stations : dbn_org_get_n_stations (org);
    if (n_stations > dbn_org_get_n_stations (org)) {
        fprintf (stderr,
                 "daiban simulate: org.ini (%s) has %u stations, %u asked: add stations to it first / "
                 "组织机构只有 %u 个代办站\n",
                 dbn_org_default_path (), dbn_org_get_n_stations (org), n_stations,
                 dbn_org_get_n_stations (org));
        return CLI_EXIT_USAGE;
    }
    g_autofree char *calendar_path = dbn_calendar_dup_default_path (s->data_dir);
    g_autoptr (DbnCatalog) catalog = dbn_catalog_load (dbn_config_get_catalog_path (s->config), &error);
    if (catalog == NULL)
        return cli_report_error ("simulate", error);
    g_autoptr (DbnCalendar) calendar = dbn_calendar_load (calendar_path, &error);
    if (calendar == NULL)
        return cli_report_error ("simulate", error);
    g_autoptr (SimPlan) plan = sim_plan_new (params, seed, year, mon, calendar, catalog, n_stations, &error);
    if (plan == NULL)
        return cli_report_error ("simulate", error);
    /* The keys, then the clock at the month's first working day before any
     * service starts. */
    if (!set_clock (s, morning_ms (plan->days->pdata[0]), &error)
        || !dbn_keys_init (s->data_dir, s->clock, &error) || !audit_signing_key_ensure (s->data_dir, &error)
        || !add_principal (s, NULL, &error))
        return cli_report_error ("simulate", error);
    for (guint i = 0; i < n_stations; i++) {
        g_autofree char *principal = g_strconcat ("station:", dbn_org_get_station (org, i)->id, NULL);
        if (!add_principal (s, principal, &error))
            return cli_report_error ("simulate", error);
    }
    if (!start_services (s, &error) || !play (s, plan, org, month, calendar, year, mon, close, &error))
        return cli_report_error ("simulate", error);

    guint petitions = 0, returns = 0, missing = 0, escalated = 0, unhappy = 0, late = 0;
    for (guint i = 0; i < plan->cases->len; i++) {
        const SimCase *c = &g_array_index (plan->cases, SimCase, i);
        petitions += c->petition;
        returns += c->returned;
        missing += c->missing;
        escalated += c->escalated;
        unhappy += c->rating == SIM_RATING_UNSATISFIED;
        late += c->late;
    }
    /* With --json the summary goes to stderr, so stdout is one JSON text. */
    FILE *out = json ? stderr : stdout;
    fprintf (
        out,
        "模拟 simulated %s: %u 件 matters (信访 petitions %u, 退回 returned %u, 补齐材料 supplemented %u, "
        "上报 escalated %u, 逾期并说明 overdue and explained %u, 不满意 unsatisfied %u) at %u stations over "
        "%u "
        "working days; seed %s; data %s\n",
        month, plan->cases->len, petitions, returns, missing, escalated, late, unhappy, n_stations,
        plan->days->len, seed, s->data_dir);
    fflush (out);
    /* The figures exactly as `daiban eval month` prints them. */
    char *eval_argv[] = { (char *) "eval", (char *) "month", (char *) month, (char *) "--json", NULL };
    if (!json)
        eval_argv[3] = NULL;
    return cli_eval (json ? 4 : 3, eval_argv, s->data_dir);
}

int
cli_simulate (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    g_autofree char *month = NULL;
    g_autofree char *seed = NULL;
    g_autofree char *profile = NULL;
    int stations = 0, satisfied = -1;
    double rate_option = -1;
    gboolean close = FALSE, json = FALSE;
    GOptionEntry entries[] = {
        { "month", 0, 0, G_OPTION_ARG_STRING, &month, "The month to play (YYYY-MM)", "YYYY-MM" },
        { "stations", 0, 0, G_OPTION_ARG_INT, &stations, "How many of org.ini's stations (default all)",
          "N" },
        { "seed", 0, 0, G_OPTION_ARG_STRING, &seed,
          "Any text; the same seed plays the same month (default daiban)", "S" },
        { "profile", 0, 0, G_OPTION_ARG_STRING, &profile,
          "poisson (default) or seed-report: 214 matters, 36 petitions, 98 % completed (篇1)", "NAME" },
        { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate_option,
          "Poisson: matters per station per working day (0.8)", "R" },
        { "satisfied", 0, 0, G_OPTION_ARG_INT, &satisfied, "Percent of ratings satisfied or basic (95)",
          "P" },
        { "close", 0, 0, G_OPTION_ARG_NONE, &close, "Close the month after it (quotas and fines, D-EV-3)",
          NULL },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print the figures as JSON (as daiban eval month --json)",
          NULL },
        { NULL },
    };
    g_autoptr (GOptionContext) context =
        g_option_context_new ("— 模拟一个月 / play a month through the services");
    if (!cli_parse_options (context, entries, &data, &argc, &argv, "simulate"))
        return CLI_EXIT_USAGE;
    guint year = 0, mon = 0;
    SimParams params;
    if (argc != 1 || !parse_month (month, &year, &mon) || !sim_params_init (&params, profile)
        || (satisfied != -1 && (satisfied < 0 || satisfied > 100)) || stations < 0
        || (rate_option != -1 && (rate_option < 0 || rate_option > 20))) {
        fprintf (stderr,
                 "daiban simulate: give --month YYYY-MM, and --profile poisson|seed-report, --satisfied "
                 "0..100, --rate 0..20 / 参数有误\n");
        return CLI_EXIT_USAGE;
    }
    if (satisfied != -1)
        params.satisfied_percent = (guint) satisfied;
    if (rate_option != -1)
        params.rate = rate_option;

    Sim s = { 0 };
    int status =
        simulate (&s, data, month, year, mon, seed != NULL ? seed : "daiban", &params, stations, close, json);
    sim_clear (&s);
    return status;
}
