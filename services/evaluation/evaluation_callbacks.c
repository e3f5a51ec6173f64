/* evaluation_callbacks.c: return visits (回访, D-EV-2) and the follow-up of
 * a bad rating (D-EV-7) over the wire.
 *
 *   eval.callback.record  a supervisor of the case's area records the call
 *                         of a drawn case, once (eval.duplicate after);
 *                         unsatisfied on any of the three counts as an
 *                         unsatisfied rating (the model) and opens the
 *                         follow-up
 *   eval.callback.list    the month's drawn cases with their callbacks, the
 *                         reader's area only; no phone numbers (intake
 *                         answers intake.case.contact to that supervisor)
 *   eval.followup.record  what was done: closes the open follow-up; deadline
 *                         stops its clock on eval.followup.recorded
 *
 * A follow-up is one row of ev_followup, open until its result is recorded.
 * While one is open a second bad rating or callback of the case joins it
 * (the supervisor was told of each: eval.rated and eval.callback.recorded
 * go to a/<area>); after it is recorded, a new one opens a new follow-up.
 */
#include "evaluation_private.h"

#include <daiban/dbn_sql.h>
#include <sqlite3.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-evaluation"

static const char *
or_empty (const char *s)
{
    return s != NULL ? s : "";
}

/* D-EV-2, D-EV-7: a supervisor acts on its own area's cases only; services
 * and the operator may too (the CLI on the county host). */
static gboolean
may_supervise (DbnCommand *command, const CaseWhere *w, const char *case_no, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_SUPERVISOR:
        /* D-INT-8: a petition never reaches the area's supervisors. */
        if (w->area != NULL && !w->restricted && g_strcmp0 (dbn_principal_get_id (principal), w->area) == 0)
            return TRUE;
        break;
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR: return TRUE;
    default: break;
    }
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s is not the supervisor of %s's area", principal,
                 case_no);
    return FALSE;
}

static gboolean
prepare (EvaluationActions *self, const char *sql, sqlite3_stmt **out, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store), sql, -1, out, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

static gboolean
step_done (EvaluationActions *self, sqlite3_stmt *st, GError **error)
{
    int rc = sqlite3_step (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (dbn_service_get_store (self->service), rc, error);
    return TRUE;
}

gboolean
evaluation_open_followup (EvaluationActions *self, DbnCommand *command, const char *case_no,
                          const CaseWhere *w, const char *cause, GError **error)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    if (!prepare (self, "INSERT OR IGNORE INTO ev_followup (case_no, cause, opened_at) VALUES (?1, ?2, ?3)",
                  &st, error))
        return FALSE;
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 2, cause, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 3, dbn_command_get_now_ms (command));
    if (!step_done (self, st, error))
        return FALSE;
    if (sqlite3_changes (dbn_store_get_db (dbn_service_get_store (self->service))) == 0)
        return TRUE; /* one is open: this joins it */
    g_autoptr (DbnMsgEvalFollowupOpened) ev = dbn_msg_eval_followup_opened_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_EVAL_FOLLOWUP_OPENED_WIRE, case_no);
    ev->window = g_strdup (or_empty (w->window));
    ev->station = g_strdup (or_empty (w->station));
    ev->area = g_strdup (or_empty (w->area));
    ev->matter = g_strdup (or_empty (w->matter));
    ev->cause = g_strdup (cause);
    g_autoptr (GBytes) body = dbn_msg_eval_followup_opened_encode (ev, error);
    if (body == NULL || !dbn_command_emit (command, "audit", &ev->env, body, error))
        return FALSE;
    evaluation_publish_case_topics (command, w, TRUE, body);
    return TRUE;
}

/* The latest month whose sample drew case_no; FALSE with _NOT_SAMPLED. */
static gboolean
sampled_month (EvaluationActions *self, const char *case_no, guint *month, GError **error)
{
    g_autoptr (sqlite3_stmt) st = NULL;
    if (!prepare (self,
                  "SELECT month FROM ev_sample_case WHERE case_no = ?1 AND rank IS NOT NULL"
                  " ORDER BY month DESC LIMIT 1",
                  &st, error))
        return FALSE;
    sqlite3_bind_text (st, 1, case_no, -1, SQLITE_STATIC);
    int rc = sqlite3_step (st);
    if (rc == SQLITE_ROW) {
        *month = (guint) sqlite3_column_int (st, 0);
        return TRUE;
    }
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (dbn_service_get_store (self->service), rc, error);
    g_set_error (error, EVAL_ERROR, EVAL_ERROR_NOT_SAMPLED, "case %s was not drawn for a callback", case_no);
    return FALSE;
}

/* A level of a reached callback: required and one of the three. */
static gboolean
callback_level (const char *text, gboolean reached, EvalLevel *level, GError **error)
{
    *level = text != NULL && *text != '\0' ? eval_level_from_string (text) : EVAL_LEVEL_NONE;
    gboolean given = text != NULL && *text != '\0';
    if (reached ? *level != EVAL_LEVEL_NONE : !given)
        return TRUE;
    g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID,
                 "a callback that reached the applicant grades attitude, quality and speed (satisfied, basic,"
                 " unsatisfied); one that did not grades none");
    return FALSE;
}

GBytes *
evaluation_callback_record (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalCallbackRecord) req = EVAL_DECODE (eval_callback_record, command, error);
    if (req == NULL)
        return NULL;
    EvalLevel attitude, quality, speed;
    if (!callback_level (req->attitude, req->reached, &attitude, error)
        || !callback_level (req->quality, req->reached, &quality, error)
        || !callback_level (req->speed, req->reached, &speed, error))
        return NULL;
    g_auto (CaseWhere) w = { 0 };
    guint month = 0;
    if (!evaluation_case_where (self, req->case_no, &w, error)
        || !may_supervise (command, &w, req->case_no, error)
        || !sampled_month (self, req->case_no, &month, error))
        return NULL;
    EvalCallback cb = {
        .case_no = req->case_no,
        .month = month,
        .at = dbn_command_get_now_ms (command),
        .reached = req->reached,
        .attitude = attitude,
        .quality = quality,
        .speed = speed,
    };
    if (!eval_store_record_callback (self->store, &cb, error))
        return NULL;
    g_autoptr (sqlite3_stmt) st = NULL;
    if (!prepare (self, "UPDATE ev_callback SET note = ?3, actor = ?4 WHERE month = ?1 AND case_no = ?2", &st,
                  error))
        return NULL;
    sqlite3_bind_int (st, 1, (int) month);
    sqlite3_bind_text (st, 2, req->case_no, -1, SQLITE_STATIC);
    dbn_sql_bind_text_or_null (st, 3, req->note);
    sqlite3_bind_text (st, 4, dbn_command_get_actor (command), -1, SQLITE_STATIC);
    if (!step_done (self, st, error))
        return NULL;
    gboolean unsatisfied = req->reached
                           && (attitude == EVAL_LEVEL_UNSATISFIED || quality == EVAL_LEVEL_UNSATISFIED
                               || speed == EVAL_LEVEL_UNSATISFIED);

    g_autofree char *month_text = eval_month_to_string (month);
    g_autoptr (DbnMsgEvalCallbackRecorded) ev = dbn_msg_eval_callback_recorded_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_EVAL_CALLBACK_RECORDED_WIRE, req->case_no);
    ev->window = g_strdup (or_empty (w.window));
    ev->station = g_strdup (or_empty (w.station));
    ev->area = g_strdup (or_empty (w.area));
    ev->month = g_strdup (month_text);
    ev->reached = req->reached;
    if (req->reached) {
        ev->attitude = g_strdup (eval_level_to_string (attitude));
        ev->quality = g_strdup (eval_level_to_string (quality));
        ev->speed = g_strdup (eval_level_to_string (speed));
    }
    ev->unsatisfied = unsatisfied;
    g_autoptr (GBytes) body = dbn_msg_eval_callback_recorded_encode (ev, error);
    if (body == NULL || !dbn_command_emit (command, "audit", &ev->env, body, error))
        return NULL;
    evaluation_publish_case_topics (command, &w, TRUE, body);
    if (unsatisfied && !evaluation_open_followup (self, command, req->case_no, &w, "callback", error))
        return NULL;

    g_autoptr (DbnMsgEvalCallbackRecordReply) reply = dbn_msg_eval_callback_record_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->month = g_steal_pointer (&month_text);
    reply->unsatisfied = unsatisfied;
    reply->seq = ev->env.seq;
    return dbn_msg_eval_callback_record_reply_encode (reply, error);
}

/* Which drawn cases a reader sees: a supervisor its area's but no petition
 * (D-INT-8), the committee, services and the operator all. */
static gboolean
may_list (EvaluationActions *self, DbnCommand *command, const char *area, const char *matter)
{
    if (dbn_command_get_principal_kind (command) != DBN_PRINCIPAL_SUPERVISOR)
        return TRUE;
    const DbnMatter *m = dbn_catalog_lookup (self->catalog, matter);
    if (m != NULL && m->restricted)
        return FALSE;
    return area != NULL && g_strcmp0 (dbn_principal_get_id (dbn_command_get_principal (command)), area) == 0;
}

GBytes *
evaluation_callback_list (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalCallbackList) req = EVAL_DECODE (eval_callback_list, command, error);
    guint month = 0;
    if (req == NULL || !eval_month_parse (req->month, &month, error))
        return NULL;
    g_autofree char *seed = NULL;
    g_autoptr (GPtrArray) drawn = NULL;
    if (!eval_store_dup_sample (self->store, month, &seed, NULL, NULL, &drawn, error))
        return NULL;
    g_autoptr (DbnMsgEvalCallbackListReply) reply = dbn_msg_eval_callback_list_reply_new ();
    reply->month = g_strdup (req->month);
    reply->seed = g_steal_pointer (&seed);
    reply->items = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

    g_autoptr (sqlite3_stmt) src = NULL;
    if (!prepare (self, "SELECT source FROM ev_sample_source WHERE month = ?1", &src, error))
        return NULL;
    sqlite3_bind_int (src, 1, (int) month);
    reply->seed_source =
        sqlite3_step (src) == SQLITE_ROW ? dbn_sql_column_dup (src, 0) : g_strdup ("fallback");

    g_autoptr (sqlite3_stmt) st = NULL;
    if (!prepare (self,
                  "SELECT c.window_id, c.station_id, c.area_id, c.matter, b.reached, b.attitude, b.quality,"
                  " b.speed, b.note, b.at, b.actor FROM ev_case c LEFT JOIN ev_callback b"
                  " ON b.case_no = c.case_no AND b.month = ?2 WHERE c.case_no = ?1",
                  &st, error))
        return NULL;
    for (guint i = 0; i < drawn->len && reply->items->len < 20000; i++) {
        dbn_sql_reuse (st);
        sqlite3_bind_text (st, 1, drawn->pdata[i], -1, SQLITE_STATIC);
        sqlite3_bind_int (st, 2, (int) month);
        if (sqlite3_step (st) != SQLITE_ROW)
            continue; /* every drawn case is in ev_case: the draw reads it */
        const char *area = (const char *) sqlite3_column_text (st, 2);
        if (!may_list (self, command, area, (const char *) sqlite3_column_text (st, 3)))
            continue;
        g_autoptr (DbnMsgEvalCallbackItem) item = dbn_msg_eval_callback_item_new ();
        item->case_no = g_strdup (drawn->pdata[i]);
        item->window = g_strdup (or_empty ((const char *) sqlite3_column_text (st, 0)));
        item->station = g_strdup (or_empty ((const char *) sqlite3_column_text (st, 1)));
        item->area = g_strdup (or_empty (area));
        item->matter = g_strdup (or_empty ((const char *) sqlite3_column_text (st, 3)));
        if (sqlite3_column_type (st, 4) == SQLITE_NULL) {
            item->state = g_strdup ("pending");
        } else if (sqlite3_column_int (st, 4) == 0) {
            item->state = g_strdup ("unreached");
        } else {
            item->state = g_strdup ("reached");
            item->attitude = g_strdup (eval_level_to_string (sqlite3_column_int (st, 5)));
            item->quality = g_strdup (eval_level_to_string (sqlite3_column_int (st, 6)));
            item->speed = g_strdup (eval_level_to_string (sqlite3_column_int (st, 7)));
        }
        if (sqlite3_column_type (st, 4) != SQLITE_NULL) {
            item->note = dbn_sql_column_dup (st, 8);
            item->has_at = TRUE;
            item->at = sqlite3_column_int64 (st, 9);
            item->by = dbn_sql_column_dup (st, 10);
        }
        GBytes *encoded = dbn_msg_eval_callback_item_encode (item, error);
        if (encoded == NULL)
            return NULL;
        g_ptr_array_add (reply->items, encoded);
    }
    return dbn_msg_eval_callback_list_reply_encode (reply, error);
}

GBytes *
evaluation_followup_record (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalFollowupRecord) req = EVAL_DECODE (eval_followup_record, command, error);
    if (req == NULL)
        return NULL;
    if (req->text == NULL || g_strstrip (req->text)[0] == '\0') {
        g_set_error (error, EVAL_ERROR, EVAL_ERROR_INVALID, "a follow-up's result is told in words");
        return NULL;
    }
    g_auto (CaseWhere) w = { 0 };
    if (!evaluation_case_where (self, req->case_no, &w, error)
        || !may_supervise (command, &w, req->case_no, error))
        return NULL;
    g_autoptr (sqlite3_stmt) st = NULL;
    if (!prepare (self,
                  "UPDATE ev_followup SET recorded_at = ?2, result = ?3, actor = ?4"
                  " WHERE case_no = ?1 AND recorded_at IS NULL",
                  &st, error))
        return NULL;
    sqlite3_bind_text (st, 1, req->case_no, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (st, 2, dbn_command_get_now_ms (command));
    sqlite3_bind_text (st, 3, req->text, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 4, dbn_command_get_actor (command), -1, SQLITE_STATIC);
    if (!step_done (self, st, error))
        return NULL;
    if (sqlite3_changes (dbn_store_get_db (dbn_service_get_store (self->service))) == 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "case %s has no follow-up open", req->case_no);
        return NULL;
    }
    g_autoptr (DbnMsgEvalFollowupRecorded) ev = dbn_msg_eval_followup_recorded_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_EVAL_FOLLOWUP_RECORDED_WIRE, req->case_no);
    ev->window = g_strdup (or_empty (w.window));
    ev->station = g_strdup (or_empty (w.station));
    ev->area = g_strdup (or_empty (w.area));
    ev->text = g_strdup (req->text);
    g_autoptr (GBytes) body = dbn_msg_eval_followup_recorded_encode (ev, error);
    if (body == NULL || !dbn_command_emit (command, "audit", &ev->env, body, error))
        return NULL;
    evaluation_publish_case_topics (command, &w, TRUE, body);
    g_autoptr (DbnMsgEvalFollowupRecordReply) reply = dbn_msg_eval_followup_record_reply_new ();
    reply->case_no = g_strdup (req->case_no);
    reply->seq = ev->env.seq;
    return dbn_msg_eval_followup_record_reply_encode (reply, error);
}
