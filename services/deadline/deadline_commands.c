/* deadline_commands.c: the commands on a case's clocks.
 *
 * The commands: deadline.case.due (read) answers the clocks with their due
 * dates and remaining working days; deadline.case.explain records an
 * explanation (D-DL-6) and emits deadline.explained, which the station's
 * agent or the window tells the applicant; it is also the written progress
 * notice of D-DL-2, so it meets the progress clock. deadline.case.suspend /
 * .resume stop and run the clocks for materials asked for during handling
 * (D-DL-7; intake's and routing's events do it for materials missing at
 * acceptance).
 *
 * Who may: the frame checks the principal's kind; the handlers narrow it as
 * routing does: a station its own station's cases, a window its own
 * window's, a supervisor (reads only) its area, the committee reads all.
 *
 * Every command that changes clocks reads the case's queue row first and
 * emits deadline.due_changed in its batch when the row changed
 * (deadline_queue.c, where deadline.queue also lives).
 */
#include "deadline_private.h"

#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

/* A case has at most one clock of each name. */
#define CLOCKS_MAX DEADLINE_N_CLOCKS

static gboolean
may_access (DbnCommand *command, const DeadlineCase *c, gboolean write, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    gboolean ok = FALSE;
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION: ok = g_strcmp0 (id, c->station) == 0; break;
    case DBN_PRINCIPAL_WINDOW: ok = g_strcmp0 (id, c->window) == 0; break;
    case DBN_PRINCIPAL_SUPERVISOR: ok = !write && g_strcmp0 (id, c->area) == 0; break;
    case DBN_PRINCIPAL_COMMITTEE: ok = !write; break;
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR: ok = TRUE; break;
    default: break;
    }
    if (!ok)
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not %s the clocks of %s", principal,
                     write ? "change" : "read", c->case_no);
    return ok;
}

static DeadlineCase *
load_case (DeadlineActions *self, DbnCommand *command, const char *case_no, gboolean write, GError **error)
{
    DeadlineCase *c = NULL;
    if (!deadline_store_get_case (self->store, case_no, &c, error))
        return NULL;
    if (c == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "the deadline service has no case %s", case_no);
        return NULL;
    }
    if (!may_access (command, c, write, error)) {
        deadline_case_free (c);
        return NULL;
    }
    return c;
}

static GBytes *
due_reply (DeadlineActions *self, const DeadlineCase *c, gint64 now, GError **error)
{
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return NULL;
    gint64 today = deadline_day_of_ms (now);
    g_autoptr (DbnMsgDeadlineCaseDueReply) reply = dbn_msg_deadline_case_due_reply_new ();
    reply->case_no = g_strdup (c->case_no);
    reply->suspended = c->suspended_at != 0;
    reply->today = deadline_day_to_iso (today);
    reply->clocks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
    for (guint i = 0; i < MIN (clocks->len, CLOCKS_MAX); i++) {
        DeadlineClock *k = clocks->pdata[i];
        g_autoptr (DbnMsgDeadlineClock) item = dbn_msg_deadline_clock_new ();
        item->name = g_strdup (deadline_clock_name_to_string (k->name));
        item->rule = g_strdup (deadline_clock_rule (k->name));
        item->length = k->length;
        item->unit = g_strdup (deadline_unit_to_string (k->unit));
        item->state = g_strdup (deadline_state_to_string (k->state));
        item->stage = g_strdup (deadline_stage_to_string (k->stage));
        item->started = k->started_at;
        item->due = k->due_day != 0 ? deadline_day_to_iso (k->due_day) : NULL;
        if (k->state == DEADLINE_STATE_STOPPED)
            item->remaining = k->anchor_n;
        else if (k->due_day != 0)
            item->remaining = deadline_remaining (self->calendar, c->area, k->unit, today, k->due_day);
        item->covered = k->covered;
        item->explained = k->explained;
        GBytes *encoded = dbn_msg_deadline_clock_encode (item, error);
        if (encoded == NULL)
            return NULL;
        g_ptr_array_add (reply->clocks, encoded);
    }
    return dbn_msg_deadline_case_due_reply_encode (reply, error);
}

GBytes *
deadline_case_due (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgDeadlineCaseDue) req = DEADLINE_DECODE (deadline_case_due, command, error);
    if (req == NULL)
        return NULL;
    g_autoptr (DeadlineCase) c = load_case (self, command, req->case_no, FALSE, error);
    if (c == NULL)
        return NULL;
    return due_reply (self, c, dbn_command_get_now_ms (command), error);
}

static gboolean
text_given (const char *text)
{
    for (const char *p = text ? text : ""; *p; p = g_utf8_next_char (p))
        if (!g_unichar_isspace (g_utf8_get_char (p)))
            return TRUE;
    return FALSE;
}

GBytes *
deadline_case_explain (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgDeadlineCaseExplain) req = DEADLINE_DECODE (deadline_case_explain, command, error);
    if (req == NULL)
        return NULL;
    if (!text_given (req->text)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "an explanation needs its reason (D-DL-6)");
        return NULL;
    }
    int only = -1;
    if (req->clock != NULL && (only = deadline_clock_name_from_string (req->clock)) < 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "no clock called '%s'", req->clock);
        return NULL;
    }
    g_autoptr (DeadlineCase) c = load_case (self, command, req->case_no, TRUE, error);
    if (c == NULL)
        return NULL;
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return NULL;
    g_auto (DeadlineRow) before = { 0 };
    deadline_row_of (c, clocks, &before);
    g_autoptr (GPtrArray) names = g_ptr_array_new ();
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        if (!deadline_clock_is_open (k) || (only >= 0 && (int) k->name != only))
            continue;
        k->explained = TRUE;
        if (k->name == DEADLINE_CLOCK_PROGRESS) {
            /* D-DL-2: the applicant was told the progress in writing. */
            k->state = DEADLINE_STATE_MET;
            k->next_at = 0;
        } else if (k->stage == DEADLINE_STAGE_OVERDUE) {
            k->next_at = 0; /* D-DL-6: explained in time, no violation follows */
        }
        if (!deadline_store_put_clock (self->store, k, error))
            return NULL;
        g_ptr_array_add (names, (gpointer) deadline_clock_name_to_string (k->name));
    }
    if (names->len == 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s has no open clock%s%s to explain", c->case_no,
                     only >= 0 ? " called " : "", only >= 0 ? req->clock : "");
        return NULL;
    }
    g_ptr_array_add (names, NULL);

    g_autoptr (DbnMsgDeadlineExplained) ev = dbn_msg_deadline_explained_new ();
    dbn_command_stamp_event (command, &ev->env, DBN_MSG_DEADLINE_EXPLAINED_WIRE, c->case_no);
    ev->window = g_strdup (c->window);
    ev->station = g_strdup (c->station);
    ev->area = g_strdup (c->area);
    ev->matter = g_strdup (c->matter);
    ev->clocks = g_strdupv ((char **) names->pdata);
    ev->text = g_strdup (req->text);
    g_autoptr (GBytes) body = dbn_msg_deadline_explained_encode (ev, error);
    g_auto (GStrv) topics = deadline_case_topics (c);
    if (body == NULL || !dbn_command_emit (command, topics[0], &ev->env, body, error))
        return NULL;
    for (int i = 1; topics[i] != NULL; i++)
        dbn_command_publish_also (command, topics[i], body);
    g_autofree char *joined = g_strjoinv (",", ev->clocks);
    if (!deadline_store_add_explanation (self->store, ev->env.seq, c->case_no, ev->env.ts,
                                         dbn_command_get_actor (command), joined, req->text, error))
        return NULL;
    DbnOrigin sink = dbn_command_get_origin (command);
    if (!deadline_row_changed (self, c, &before, &sink, error))
        return NULL;

    g_autoptr (DbnMsgDeadlineCaseExplainReply) reply = dbn_msg_deadline_case_explain_reply_new ();
    reply->case_no = g_strdup (c->case_no);
    reply->clocks = g_strdupv (ev->clocks);
    reply->seq = ev->env.seq;
    return dbn_msg_deadline_case_explain_reply_encode (reply, error);
}

GBytes *
deadline_case_suspend (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgDeadlineCaseSuspend) req = DEADLINE_DECODE (deadline_case_suspend, command, error);
    if (req == NULL)
        return NULL;
    if (!text_given (req->reason)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "say what the case waits for");
        return NULL;
    }
    g_autoptr (DeadlineCase) c = load_case (self, command, req->case_no, TRUE, error);
    if (c == NULL)
        return NULL;
    if (c->closed || c->suspended_at != 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s is %s", c->case_no,
                     c->closed ? "closed" : "suspended already");
        return NULL;
    }
    gint64 now = dbn_command_get_now_ms (command);
    g_auto (DeadlineRow) before = { 0 };
    DbnOrigin sink = dbn_command_get_origin (command);
    if (!deadline_row_read (self, c, &before, error)
        || !deadline_suspend (self, c, now, DEADLINE_BY_COMMAND, error)
        || !deadline_store_put_case (self->store, c, error)
        || !deadline_row_changed (self, c, &before, &sink, error))
        return NULL;
    return due_reply (self, c, now, error);
}

GBytes *
deadline_case_resume (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgDeadlineCaseResume) req = DEADLINE_DECODE (deadline_case_resume, command, error);
    if (req == NULL)
        return NULL;
    g_autoptr (DeadlineCase) c = load_case (self, command, req->case_no, TRUE, error);
    if (c == NULL)
        return NULL;
    if (c->suspended_at == 0) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s is not suspended", c->case_no);
        return NULL;
    }
    gint64 now = dbn_command_get_now_ms (command);
    g_auto (DeadlineRow) before = { 0 };
    DbnOrigin sink = dbn_command_get_origin (command);
    if (!deadline_row_read (self, c, &before, error) || !deadline_resume (self, c, now, error)
        || !deadline_store_put_case (self->store, c, error)
        || !deadline_row_changed (self, c, &before, &sink, error))
        return NULL;
    return due_reply (self, c, now, error);
}
