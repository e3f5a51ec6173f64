/* evaluation_actions.c: daiban-evaluation, the fourth service (issue 13).
 *
 * It owns ratings, return visits, quotas, scores and stars; the model is
 * evaluation_core (eval_store.h, docs/evaluation.md). This file maps the
 * other services' journals onto the model's facts and serves the commands.
 *
 * Following (exactly once: each event applied in the transaction that moves
 * the offset, dbn_service_follow):
 *   routing  case.routed      ACCEPTED (matter and channel decoded as
 *                             itself, the queue row for window, station,
 *                             area; the responsible principal as the
 *                             org.ini agent credited, D-INT-6, D-EV-3)
 *            case.classified  CLASSIFIED (kind and window from the row)
 *            case.assigned,   CARRIED when the row's holder is a township
 *            case.handed_off  agent (D-RTE-1; D-EV-3, eval_credit.h)
 *            case.completed   COMPLETED; case.returned RETURNED;
 *            case.replied     REPLIED; case.archived ARCHIVED
 *   deadline deadline.overdue CLOCK overdue (D-EV-4's on-time rate; not
 *                             D-EV-7's followup clock)
 *   intake   case.accepted    with previous: a repeat request (D-EV-5)
 *   audit    audit.head       the month's last head: the draw's seed
 *                             (evaluation_draw.c)
 *   intake   handover.accepted  the case a group agent handed over counts
 *                             for its quota (D-EV-3, issue 16)
 * Events are read with the generated decoders and dbn_msg_case_row_read,
 * never as JSON. A fact the model refuses because it does not apply (a case
 * it never saw accepted, a second acceptance, a month closed) is logged and
 * acknowledged: replaying it would refuse it again.
 *
 * Return visits and follow-ups are in evaluation_callbacks.c, the draw in
 * evaluation_draw.c.
 *
 * Who may (docs/security.md): a station rates its own station's cases, a
 * window its own window's; a supervisor reads its area's figures, the
 * committee reads all; closing and exporting are the operator's (and the
 * services').
 */
#include "evaluation_private.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "eval_card.h"
#include "eval_credit.h"
#include "eval_board.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-evaluation"

#define DECODE EVAL_DECODE

EvaluationActions *
evaluation_actions_new (DbnService *service, GError **error)
{
    DbnConfig *config = dbn_service_get_config (service);
    g_autoptr (EvaluationActions) self = g_new0 (EvaluationActions, 1);
    self->service = service;
    if (!eval_settings_load (&self->settings, config, error))
        return NULL;
    /* The same calendar as deadline's ([deadline] calendar), so working days
     * count alike in both services (D-DL-5). */
    const char *set = dbn_config_get_setting (config, "deadline", "calendar");
    g_autofree char *path =
        set != NULL && *set != '\0'
            ? (g_path_is_absolute (set) ? g_strdup (set)
                                        : g_build_filename (dbn_config_get_data_dir (config), set, NULL))
            : dbn_calendar_dup_default_path (dbn_config_get_data_dir (config));
    self->calendar = dbn_calendar_load (path, error);
    if (self->calendar == NULL)
        return NULL;
    self->catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), error);
    if (self->catalog == NULL)
        return NULL;
    self->org = dbn_org_load (dbn_org_default_path (), error);
    if (self->org == NULL)
        return NULL;
    self->store = eval_store_new (dbn_service_get_store (service), self->calendar, error);
    if (self->store == NULL)
        return NULL;
    return g_steal_pointer (&self);
}

void
evaluation_actions_free (EvaluationActions *self)
{
    if (self == NULL)
        return;
    /* Subscribers and statements before the store (the frame frees it). */
    if (self->draw_id != 0)
        g_source_remove (self->draw_id);
    g_clear_pointer (&self->routing, dbn_subscriber_free);
    g_clear_pointer (&self->deadline, dbn_subscriber_free);
    g_clear_pointer (&self->intake, dbn_subscriber_free);
    g_clear_pointer (&self->audit, dbn_subscriber_free);
    g_clear_pointer (&self->store, eval_store_free);
    g_clear_pointer (&self->org, dbn_org_free);
    g_clear_pointer (&self->catalog, dbn_catalog_free);
    g_clear_pointer (&self->calendar, dbn_calendar_free);
    eval_settings_clear (&self->settings);
    g_free (self);
}

/* ---- following ---- */

static const char *
nonempty (const char *s)
{
    return s != NULL && *s != '\0' ? s : NULL;
}

static gboolean
kind_from_string (const char *text, DbnHandlingKind *kind)
{
    for (int k = DBN_KIND_IMMEDIATE; k <= DBN_KIND_RETURNED; k++)
        if (g_strcmp0 (text, dbn_handling_kind_to_string (k)) == 0) {
            *kind = k;
            return TRUE;
        }
    return FALSE;
}

/* Applies fact; the model's refusals of a fact that does not apply are
 * acknowledged (see the header comment), a store error rolls back. */
static gboolean
apply (EvaluationActions *self, const EvalFact *fact, const char *type, GError **error)
{
    g_autoptr (GError) local = NULL;
    if (eval_store_apply_fact (self->store, fact, &local))
        return TRUE;
    if (local->domain == EVAL_ERROR) {
        g_debug ("%s for %s not counted: %s", type, fact->case_no, local->message);
        return TRUE;
    }
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
}

static gboolean
on_routing (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin, GError **error)
{
    EvaluationActions *self = user_data;
    (void) origin;
    if (env->case_no == NULL)
        return TRUE; /* run sheets */
    const guint8 *data = g_bytes_get_data (event, NULL);
    gsize len = g_bytes_get_size (event);
    g_autoptr (DbnMsgCaseRow) row = NULL;
    g_autoptr (GError) bad = NULL;
    if (!dbn_msg_case_row_read (data, len, &row, &bad)) {
        g_debug ("routing's %s for %s has a broken row, skipped: %s", env->type, env->case_no, bad->message);
        return TRUE;
    }
    if (row == NULL)
        return TRUE;
    EvalFact fact = { .case_no = env->case_no, .at = env->ts };
    g_autoptr (DbnMsgCaseRouted) routed = NULL;
    if (g_strcmp0 (env->type, DBN_MSG_CASE_ROUTED_WIRE) == 0) {
        routed = dbn_msg_case_routed_decode (data, len, &bad);
        if (routed == NULL) {
            g_warning ("routing's case.routed for %s is not readable, skipped: %s", env->case_no,
                       bad->message);
            return TRUE;
        }
        fact.type = EVAL_FACT_ACCEPTED;
        fact.matter = routed->matter;
        fact.window = nonempty (row->window);
        fact.area = nonempty (row->area);
        /* D-EV-3: the quota is an org.ini agent's, not the station's key. */
        fact.agent = eval_credit_accepting_agent (self->org, row->responsible, row->holder);
        /* D-INT-7: a walk-in is the window's; the model says "window". */
        gboolean walk_in = g_strcmp0 (routed->channel, "walk-in") == 0;
        fact.channel = walk_in ? "window" : routed->channel;
        fact.station = walk_in ? NULL : nonempty (row->station);
    } else if (g_strcmp0 (env->type, DBN_MSG_CASE_CLASSIFIED_WIRE) == 0) {
        if (!kind_from_string (row->kind, &fact.kind))
            return TRUE;
        fact.type = EVAL_FACT_CLASSIFIED;
        fact.window = nonempty (row->window);
    } else if (g_strcmp0 (env->type, DBN_MSG_CASE_ASSIGNED_WIRE) == 0
               || g_strcmp0 (env->type, DBN_MSG_CASE_HANDED_OFF_WIRE) == 0) {
        /* D-RTE-1, D-EV-3: a township agent given the case carries it. */
        fact.township_agent = eval_credit_township_agent (self->org, row->holder);
        if (fact.township_agent == NULL)
            return TRUE;
        fact.type = EVAL_FACT_CARRIED;
    } else if (g_strcmp0 (env->type, DBN_MSG_CASE_COMPLETED_WIRE) == 0) {
        fact.type = EVAL_FACT_COMPLETED;
    } else if (g_strcmp0 (env->type, DBN_MSG_CASE_RETURNED_WIRE) == 0) {
        fact.type = EVAL_FACT_RETURNED;
    } else if (g_strcmp0 (env->type, DBN_MSG_CASE_REPLIED_WIRE) == 0) {
        fact.type = EVAL_FACT_REPLIED;
    } else if (g_strcmp0 (env->type, DBN_MSG_CASE_ARCHIVED_WIRE) == 0) {
        fact.type = EVAL_FACT_ARCHIVED;
    } else {
        return TRUE;
    }
    return apply (self, &fact, env->type, error);
}

static gboolean
on_deadline (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin, GError **error)
{
    EvaluationActions *self = user_data;
    (void) origin;
    if (env->case_no == NULL || g_strcmp0 (env->type, DBN_MSG_DEADLINE_OVERDUE_WIRE) != 0)
        return TRUE;
    g_autoptr (GError) bad = NULL;
    g_autoptr (DbnMsgDeadlineOverdue) ev =
        dbn_msg_deadline_overdue_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &bad);
    if (ev == NULL) {
        g_warning ("deadline's overdue for %s is not readable, skipped: %s", env->case_no, bad->message);
        return TRUE;
    }
    /* D-EV-7's follow-up clock is the office's answer to a bad rating, not
     * the case's own deadline: it says nothing of the on-time rate. */
    if (g_strcmp0 (ev->clock, "followup") == 0)
        return TRUE;
    EvalFact fact = {
        .type = EVAL_FACT_CLOCK,
        .case_no = env->case_no,
        .at = env->ts,
        .clock = ev->clock,
        .overdue = TRUE,
    };
    return apply (self, &fact, env->type, error);
}

/* Intake's journal (D-EV-5, D-RPL-2): case.accepted naming a previous case
 * is a repeat request. Everything else an acceptance needs comes with
 * routing's case.routed, which carries the queue row (window, area, the
 * responsible agent) that intake does not know.
 * A group agent's request the station accepted (handover.accepted, issue 16)
 * is also the group agent's matter (D-EV-3). */
static gboolean
on_intake (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin, GError **error)
{
    EvaluationActions *self = user_data;
    (void) origin;
    if (env->case_no != NULL && g_strcmp0 (env->type, DBN_MSG_HANDOVER_ACCEPTED_WIRE) == 0) {
        g_autoptr (GError) bad_handover = NULL;
        g_autoptr (DbnMsgHandoverAccepted) handover = dbn_msg_handover_accepted_decode (
            g_bytes_get_data (event, NULL), g_bytes_get_size (event), &bad_handover);
        if (handover == NULL || nonempty (handover->group_agent) == NULL) {
            g_warning ("intake's handover.accepted for %s is not readable, skipped: %s", env->case_no,
                       bad_handover ? bad_handover->message : "no group agent");
            return TRUE;
        }
        return eval_store_add_group_case (self->store, env->case_no, handover->group_agent, error);
    }
    if (env->case_no == NULL || g_strcmp0 (env->type, DBN_MSG_CASE_ACCEPTED_WIRE) != 0)
        return TRUE;
    g_autoptr (GError) bad = NULL;
    g_autoptr (DbnMsgCaseAccepted) ev =
        dbn_msg_case_accepted_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &bad);
    if (ev == NULL) {
        g_warning ("intake's case.accepted for %s is not readable, skipped: %s", env->case_no, bad->message);
        return TRUE;
    }
    if (nonempty (ev->previous_case) == NULL)
        return TRUE;
    g_autoptr (GError) local = NULL;
    if (eval_store_mark_repeat (self->store, env->case_no, ev->previous_case, &local))
        return TRUE;
    if (local->domain == EVAL_ERROR) {
        g_debug ("repeat request %s not counted: %s", env->case_no, local->message);
        return TRUE;
    }
    g_propagate_error (error, g_steal_pointer (&local));
    return FALSE;
}

gboolean
evaluation_actions_follow (EvaluationActions *self, DbnBus *bus, GError **error)
{
    self->routing = dbn_service_follow (self->service, bus, "routing", on_routing, self, error);
    if (self->routing == NULL)
        return FALSE;
    self->deadline = dbn_service_follow (self->service, bus, "deadline", on_deadline, self, error);
    if (self->deadline == NULL)
        return FALSE;
    self->intake = dbn_service_follow (self->service, bus, "intake", on_intake, self, error);
    if (self->intake == NULL)
        return FALSE;
    self->audit = dbn_service_follow (self->service, bus, "audit", evaluation_on_audit, self, error);
    if (self->audit == NULL)
        return FALSE;
    evaluation_start_drawing (self);
    return TRUE;
}

/* ---- commands ---- */

void
case_where_clear (CaseWhere *w)
{
    g_clear_pointer (&w->window, g_free);
    g_clear_pointer (&w->station, g_free);
    g_clear_pointer (&w->area, g_free);
    g_clear_pointer (&w->matter, g_free);
}

/* The case's window, station and area as the model holds them (from
 * routing's case.routed); FALSE with EVAL_ERROR_UNKNOWN_CASE. */
gboolean
evaluation_case_where (EvaluationActions *self, const char *case_no, CaseWhere *out, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2 (
        dbn_store_get_db (store),
        "SELECT window_id, station_id, area_id, matter FROM ev_case WHERE case_no = ?1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_STATIC);
    rc = sqlite3_step (st);
    gboolean ok = rc == SQLITE_ROW;
    if (ok) {
        out->window = g_strdup ((const char *) sqlite3_column_text (st, 0));
        out->station = g_strdup ((const char *) sqlite3_column_text (st, 1));
        out->area = g_strdup ((const char *) sqlite3_column_text (st, 2));
        out->matter = g_strdup ((const char *) sqlite3_column_text (st, 3));
        const DbnMatter *m = dbn_catalog_lookup (self->catalog, out->matter);
        out->restricted = m != NULL && m->restricted;
    } else if (rc == SQLITE_DONE) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_UNKNOWN_CASE, "the evaluation service has no case %s",
                     case_no);
    } else {
        dbn_store_set_error (store, rc, error);
    }
    sqlite3_finalize (st);
    return ok;
}

/* D-EV-1: a station rates its own station's cases, a window its own
 * window's (walk-ins); services and the operator may. */
static gboolean
may_rate (DbnCommand *command, const CaseWhere *w, const char *case_no, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    gboolean ok = FALSE;
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION: ok = g_strcmp0 (id, w->station) == 0; break;
    case DBN_PRINCIPAL_WINDOW: ok = g_strcmp0 (id, w->window) == 0; break;
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR: ok = TRUE; break;
    default: break;
    }
    if (!ok)
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not rate %s", principal, case_no);
    return ok;
}

static GBytes *
eval_rate (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalRate) req = DECODE (eval_rate, command, error);
    if (req == NULL)
        return NULL;
    int stage = eval_stage_from_string (req->stage);
    EvalLevel level = eval_level_from_string (req->level);
    if (stage < 0 || level == EVAL_LEVEL_NONE) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "a rating is a stage (reply, window) and a level (satisfied, basic, unsatisfied)");
        return NULL;
    }
    /* D-RPL-1: the completion card's signature is checked before anything is written. */
    if (!eval_card_check (req, stage, error))
        return NULL;
    g_auto (CaseWhere) w = { 0 };
    if (!evaluation_case_where (self, req->case_no, &w, error)
        || !may_rate (command, &w, req->case_no, error))
        return NULL;
    EvalRating rating = {
        .case_no = req->case_no,
        .stage = stage,
        .level = level,
        .at = dbn_command_get_now_ms (command),
    };
    if (!eval_store_rate (self->store, &rating, error))
        return NULL;
    /* D-RPL-1: the reply's rating is the completion card's; stored with it. */
    if (stage == EVAL_STAGE_REPLY
        && !eval_card_record (dbn_service_get_store (self->service), req, level,
                              dbn_command_get_principal (command), rating.at, error))
        return NULL;

    g_autoptr (DbnMsgEvalRated) ev = dbn_msg_eval_rated_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_EVAL_RATED_WIRE, req->case_no);
    ev->window = g_strdup (w.window ? w.window : "");
    ev->station = g_strdup (w.station ? w.station : "");
    ev->area = g_strdup (w.area ? w.area : "");
    ev->stage = g_strdup (eval_stage_to_string (stage));
    ev->level = g_strdup (eval_level_to_string (level));
    if (req->signature != NULL)
        ev->signature_sha256 = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, req->signature);
    g_autoptr (GBytes) body = dbn_msg_eval_rated_encode (ev, error);
    if (body == NULL || !dbn_command_emit (command, "audit", &ev->env, body, error))
        return NULL;
    /* The window's and station's topics for their own figures; D-EV-7: an
     * unsatisfied rating on the area's at once, so the supervisor is told,
     * and its follow-up opened (deadline's clock). */
    evaluation_publish_case_topics (command, &w, level == EVAL_LEVEL_UNSATISFIED, body);
    if (level == EVAL_LEVEL_UNSATISFIED
        && !evaluation_open_followup (self, command, req->case_no, &w, eval_stage_to_string (stage), error))
        return NULL;

    g_autoptr (DbnMsgEvalRateReply) reply = dbn_msg_eval_rate_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->stage = g_strdup (ev->stage);
    reply->level = g_strdup (ev->level);
    reply->seq = ev->env.seq;
    return dbn_msg_eval_rate_reply_encode (reply, error);
}

void
evaluation_publish_case_topics (DbnCommand *command, const CaseWhere *w, gboolean area, GBytes *body)
{
    const char kinds[] = { 'q', 's', 'a' };
    const char *ids[] = { w->window, w->station, area && !w->restricted ? w->area : NULL };
    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++) {
        if (nonempty (ids[k]) == NULL)
            continue;
        g_autofree char *topic = dbn_topic_dup_queue (kinds[k], ids[k], NULL);
        if (topic != NULL)
            dbn_command_publish_also (command, topic, body);
    }
}

/* Which figures a reader sees: a window and a station their own rows, a
 * supervisor the rows of its area's windows and stations (org.ini is not
 * loaded here: the cases' areas say which those are), the public board
 * (D-AUD-4, issue 16) the stars of every window, station and the township
 * but no person's, the committee, the services and the operator every row. */
static gboolean
may_read_figure (EvaluationActions *self, DbnCommand *command, const EvalFigures *f)
{
    const char *id = dbn_principal_get_id (dbn_command_get_principal (command));
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_WINDOW: return f->scope == EVAL_SCOPE_WINDOW && g_strcmp0 (f->id, id) == 0;
    case DBN_PRINCIPAL_STATION: return f->scope == EVAL_SCOPE_STATION && g_strcmp0 (f->id, id) == 0;
    case DBN_PRINCIPAL_BOARD: return f->scope != EVAL_SCOPE_PERSON;
    case DBN_PRINCIPAL_SUPERVISOR: {
        if (f->scope != EVAL_SCOPE_WINDOW && f->scope != EVAL_SCOPE_STATION)
            return FALSE;
        DbnStore *store = dbn_service_get_store (self->service);
        sqlite3_stmt *st = NULL;
        const char *sql = f->scope == EVAL_SCOPE_WINDOW
                              ? "SELECT 1 FROM ev_case WHERE window_id = ?1 AND area_id = ?2 LIMIT 1"
                              : "SELECT 1 FROM ev_case WHERE station_id = ?1 AND area_id = ?2 LIMIT 1";
        if (sqlite3_prepare_v2 (dbn_store_get_db (store), sql, -1, &st, NULL) != SQLITE_OK)
            return FALSE;
        sqlite3_bind_text (st, 1, f->id, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, id, -1, SQLITE_STATIC);
        gboolean ok = sqlite3_step (st) == SQLITE_ROW;
        sqlite3_finalize (st);
        return ok;
    }
    case DBN_PRINCIPAL_COMMITTEE:
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR: return TRUE;
    default: return FALSE;
    }
}

EvalStore *
evaluation_actions_get_store (EvaluationActions *self)
{
    return self->store;
}

const EvalSettings *
evaluation_actions_get_settings (EvaluationActions *self)
{
    return &self->settings;
}

gboolean
evaluation_actions_may_read_figure (EvaluationActions *self, DbnCommand *command, const EvalFigures *f)
{
    return may_read_figure (self, command, f);
}

static gboolean
parse_month (const char *text, guint *month, GError **error)
{
    return eval_month_parse (text, month, error);
}

/* The figures this command's principal may read, as eval_figure records
 * (eval.month and eval.period answer the same rows to the same reader). */
static GPtrArray *
encode_figures (EvaluationActions *self, DbnCommand *command, GPtrArray *figures, GError **error)
{
    g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < figures->len && out->len < 4096; i++) {
        const EvalFigures *f = figures->pdata[i];
        if (!may_read_figure (self, command, f))
            continue;
        g_autoptr (DbnMsgEvalFigure) item = dbn_msg_eval_figure_new ();
        item->scope = g_strdup (eval_scope_to_string (f->scope));
        item->id = g_strdup (f->id);
        item->accepted = f->c.accepted;
        item->completed = f->c.completed;
        item->on_time = f->c.on_time;
        item->returns = f->c.returns;
        item->rated = f->c.rated;
        item->satisfied = f->c.satisfied;
        item->basic = f->c.basic;
        item->unsatisfied = f->c.unsatisfied;
        item->stars = f->stars;
        item->score_milli = f->score_milli;
        item->has_repeats = TRUE;
        item->repeats = f->c.repeats;
        GBytes *encoded = dbn_msg_eval_figure_encode (item, error);
        if (encoded == NULL)
            return NULL;
        g_ptr_array_add (out, encoded);
    }
    return g_steal_pointer (&out);
}

static GBytes *
eval_month_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalMonth) req = DECODE (eval_month, command, error);
    guint month = 0;
    if (req == NULL || !parse_month (req->month, &month, error))
        return NULL;
    g_autoptr (GPtrArray) figures =
        eval_store_month_figures (self->store, &self->settings, month, TRUE, error);
    if (figures == NULL)
        return NULL;
    g_autoptr (DbnMsgEvalMonthReply) reply = dbn_msg_eval_month_reply_new ();
    reply->month = g_strdup (req->month);
    reply->closed = eval_store_month_is_closed (self->store, month);
    reply->figures = encode_figures (self, command, figures, error);
    if (reply->figures == NULL)
        return NULL;
    return dbn_msg_eval_month_reply_encode (reply, error);
}

/* D-EV-4..6 "for any period": [from, to] in days of the calendar. */
static gboolean
parse_day (const char *text, guint32 *julian, GError **error)
{
    GDate d;
    g_date_clear (&d, 1);
    unsigned y = 0, m = 0, dd = 0;
    char tail = 0;
    if (text != NULL && strlen (text) == 10 && sscanf (text, "%4u-%2u-%2u%c", &y, &m, &dd, &tail) == 3
        && g_date_valid_dmy ((GDateDay) dd, (GDateMonth) m, (GDateYear) y) && y >= 2000 && y <= 2099) {
        g_date_set_dmy (&d, (GDateDay) dd, (GDateMonth) m, (GDateYear) y);
        *julian = g_date_get_julian (&d);
        return TRUE;
    }
    g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "“%s” is not a day YYYY-MM-DD / 日期应为 YYYY-MM-DD",
                 text != NULL ? text : "");
    return FALSE;
}

static GBytes *
eval_period_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalPeriod) req = DECODE (eval_period, command, error);
    guint32 from = 0, to = 0;
    if (req == NULL || !parse_day (req->from, &from, error) || !parse_day (req->to, &to, error))
        return NULL;
    if (to < from || to - from > 3 * 366) {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                     "the period %s … %s is backwards or longer than 3 years / 期间起止有误或超过三年", req->from,
                     req->to);
        return NULL;
    }
    g_autoptr (GPtrArray) figures = eval_store_period_figures (self->store, &self->settings, from, to, error);
    if (figures == NULL)
        return NULL;
    g_autoptr (DbnMsgEvalPeriodReply) reply = dbn_msg_eval_period_reply_new ();
    reply->from = g_strdup (req->from);
    reply->to = g_strdup (req->to);
    reply->figures = encode_figures (self, command, figures, error);
    if (reply->figures == NULL)
        return NULL;
    return dbn_msg_eval_period_reply_encode (reply, error);
}

static GBytes *
eval_close_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalClose) req = DECODE (eval_close, command, error);
    guint month = 0;
    if (req == NULL || !parse_month (req->month, &month, error))
        return NULL;
    g_autoptr (DbnOrg) org = dbn_org_load (dbn_org_default_path (), error);
    if (org == NULL)
        return NULL;
    g_autoptr (GArray) roster = eval_roster_from_org (org);
    if (!eval_store_close_month (self->store, &self->settings, month, (const EvalPerson *) roster->data,
                                 roster->len, dbn_command_get_now_ms (command), error))
        return NULL;
    g_autoptr (GPtrArray) figures =
        eval_store_month_figures (self->store, &self->settings, month, FALSE, error);
    if (figures == NULL)
        return NULL;
    g_autoptr (DbnMsgEvalReport) ev = dbn_msg_eval_report_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_EVAL_REPORT_WIRE, NULL);
    ev->month = g_strdup (req->month);
    ev->figures = figures->len;
    g_autoptr (GBytes) body = dbn_msg_eval_report_encode (ev, error);
    if (body == NULL || !dbn_command_emit (command, "audit", &ev->env, body, error))
        return NULL;
    g_autoptr (DbnMsgEvalCloseReply) reply = dbn_msg_eval_close_reply_new ();
    reply->month = g_strdup (req->month);
    reply->figures = figures->len;
    reply->seq = ev->env.seq;
    return dbn_msg_eval_close_reply_encode (reply, error);
}

static GBytes *
eval_export_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalExport) req = DECODE (eval_export, command, error);
    guint month = 0;
    if (req == NULL || !parse_month (req->month, &month, error))
        return NULL;
    g_autofree char *json =
        eval_store_export_haochaping (self->store, &self->settings, self->catalog, month, error);
    if (json == NULL)
        return NULL;
    g_autoptr (DbnMsgEvalExportReply) reply = dbn_msg_eval_export_reply_new ();
    reply->month = g_strdup (req->month);
    reply->json = g_steal_pointer (&json);
    return dbn_msg_eval_export_reply_encode (reply, error);
}

/* docs/security.md's table: stations and windows rate (their own cases,
 * checked in the handler); every reader reads the month (narrowed to its
 * rows); closing and exporting are the office's (services, operator) and,
 * for the export, the committee's. */
const DbnCommandSpec evaluation_commands[] = {
    { DBN_MSG_EVAL_RATE_WIRE, eval_rate, TRUE, DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW },
    { DBN_MSG_EVAL_MONTH_WIRE, eval_month_command, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE
          | DBN_PRINCIPAL_BOARD },
    { DBN_MSG_EVAL_PERIOD_WIRE, eval_period_command, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE },
    /* The assessment views' figures (issue 13 item 8), read as eval.month is. */
    { DBN_MSG_EVAL_BOARD_WIRE, eval_board_command, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE },
    /* The area's supervisor closes from the assessment page (issue 13 item 8). */
    { DBN_MSG_EVAL_CLOSE_WIRE, eval_close_command, TRUE, DBN_PRINCIPAL_SUPERVISOR },
    /* Drawing writes (the sample is recorded once); a supervisor asks for
     * the list (D-EV-2). */
    { DBN_MSG_EVAL_SAMPLE_WIRE, evaluation_sample_command, TRUE, DBN_PRINCIPAL_SUPERVISOR },
    { DBN_MSG_EVAL_EXPORT_WIRE, eval_export_command, FALSE, DBN_PRINCIPAL_COMMITTEE },
    /* D-RPL-1: the completion card, for a reprint (readers narrowed in eval_card.c). */
    { DBN_MSG_EVAL_CARD_WIRE, eval_card_command, FALSE,
      DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE },
    /* D-EV-2: the area's supervisor calls back and records it; D-EV-7: and
     * records the follow-up (the area is checked in the handler). The list
     * is read by the supervisor and the committee. */
    { DBN_MSG_EVAL_CALLBACK_RECORD_WIRE, evaluation_callback_record, TRUE, DBN_PRINCIPAL_SUPERVISOR },
    { DBN_MSG_EVAL_CALLBACK_LIST_WIRE, evaluation_callback_list, FALSE,
      DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE },
    { DBN_MSG_EVAL_FOLLOWUP_RECORD_WIRE, evaluation_followup_record, TRUE, DBN_PRINCIPAL_SUPERVISOR },
    { NULL, NULL, FALSE, 0 },
};

DbnCatalog *
evaluation_actions_get_catalog (EvaluationActions *self)
{
    return self->catalog;
}
