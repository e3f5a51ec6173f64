/* deadline_actions.c: the clocks of a case, and the commands on them.
 *
 * A case's clocks live in dl_clock, one row each; every change of a clock
 * (start, stop, resume, end, a firing) rewrites its row and, when it has a
 * next firing, pushes (next_at, id) on the timer heap. The heap is never
 * searched: an entry whose clock moved on is recognised as stale when it
 * reaches the top (deadline_fire.c), which also makes a rolled-back
 * transaction harmless to the heap.
 *
 * The commands: deadline.case.due (read) answers the clocks with their due
 * dates and remaining working days; deadline.case.explain records an
 * explanation (D-DL-6) and emits deadline.explained, which the station's
 * agent or the window tells the applicant; it is also the written progress
 * notice of D-DL-2, so it meets the progress clock. deadline.case.suspend /
 * .resume stop and run the clocks for materials asked for during handling
 * (D-DL-7; intake's and routing's events do it for materials missing at
 * acceptance). deadline.calendar.reload reads the calendar again and
 * recomputes every running clock's due date from its anchor;
 * catalog.reload (D-CAT-3) puts an edited catalog in force for the clocks
 * started after it.
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

#include <stdlib.h>
#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

/* A case has at most one clock of each name. */
#define CLOCKS_MAX DEADLINE_N_CLOCKS

DeadlineActions *
deadline_actions_new (DbnService *service, DbnCalendar *calendar, const char *calendar_path,
                      DbnCatalog *catalog, const DeadlineSettings *settings, GError **error)
{
    g_autoptr (DeadlineActions) self = g_new0 (DeadlineActions, 1);
    self->service = service;
    self->calendar = calendar;
    self->calendar_path = g_strdup (calendar_path);
    self->catalog = catalog;
    self->settings = *settings;
    self->timers = deadline_timers_new ();
    self->store = deadline_store_new (dbn_service_get_store (service), error);
    if (self->store == NULL)
        return NULL;
    /* D-INT-8 for the cases stored before the flag was (migration 2). */
    if (!deadline_store_mark_restricted (self->store, catalog, error))
        return NULL;
    return g_steal_pointer (&self);
}

void
deadline_actions_free (DeadlineActions *self)
{
    if (self == NULL)
        return;
    if (self->tick_id != 0)
        g_source_remove (self->tick_id);
    if (self->rebuild_id != 0)
        g_source_remove (self->rebuild_id);
    g_clear_pointer (&self->routing, dbn_subscriber_free);
    g_clear_pointer (&self->intake, dbn_subscriber_free);
    deadline_store_free (self->store);
    deadline_timers_free (self->timers);
    dbn_calendar_free (self->calendar);
    dbn_catalog_free (self->catalog);
    g_free (self->calendar_path);
    g_free (self);
}

DeadlineStore *
deadline_actions_get_store (DeadlineActions *self)
{
    return self->store;
}

DeadlineTimers *
deadline_actions_get_timers (DeadlineActions *self)
{
    return self->timers;
}

static void
push_pending (gint64 at, gint64 id, gpointer user_data)
{
    deadline_timers_append_sorted (user_data, at, id);
}

gboolean
deadline_actions_rebuild (DeadlineActions *self, GError **error)
{
    deadline_timers_clear (self->timers);
    return deadline_store_foreach_pending (self->store, push_pending, self->timers, error);
}

char *
deadline_queue_topic (char kind, const char *id, const char *case_no)
{
    g_autoptr (GError) error = NULL;
    char *topic = dbn_topic_dup_queue (kind, id, &error);
    if (topic == NULL) {
        g_autofree char *key = g_strdup_printf ("deadline-topic:%c:%s", kind, case_no ? case_no : "");
        dbn_log_once (key, "%s: not published on its %c/ queue: %s", case_no ? case_no : "?", kind,
                      error->message);
    }
    return topic;
}

static void
add_queue_topic (GPtrArray *topics, char kind, const char *id, const char *case_no)
{
    char *topic = deadline_queue_topic (kind, id, case_no);
    if (topic != NULL)
        g_ptr_array_add (topics, topic);
}

char **
deadline_case_topics (const DeadlineCase *c)
{
    GPtrArray *topics = g_ptr_array_new ();
    /* Routing's station ids come from org.ini; the check is the second wall
     * (issue 11), so a bad one costs the event its queue, never a leak. */
    add_queue_topic (topics, 's', c->station, c->case_no);
    if (c->window != NULL && *c->window != '\0')
        add_queue_topic (topics, 'q', c->window, c->case_no);
    /* D-INT-8: a petition's deadlines reach its station and its window (the
     * mediation officer's), never the area's supervisors (as routing). */
    if (c->area != NULL && *c->area != '\0' && !c->restricted)
        add_queue_topic (topics, 'a', c->area, c->case_no);
    /* D-AUD-2: the committee's live feed. */
    g_ptr_array_add (topics, g_strdup ("audit"));
    g_ptr_array_add (topics, NULL);
    return (char **) g_ptr_array_free (topics, FALSE);
}

/* ---- the clocks of a case ---- */

gboolean
deadline_schedule (DeadlineActions *self, DeadlineClock *k, const char *area, GError **error)
{
    gboolean covered = TRUE;
    k->due_day = deadline_due_day (self->calendar, area, k->unit, k->anchor_day, k->anchor_n, &covered);
    if (!covered && k->covered) {
        /* D-DL-5: never silently guessed: flagged on the clock and logged. */
        g_autofree char *due = deadline_day_to_iso (k->due_day);
        g_warning ("%s: %s clock due %s lies outside the calendar's years: counted on weekends only",
                   k->case_no, deadline_clock_name_to_string (k->name), due);
    }
    k->covered = covered;
    k->next_at = deadline_next_at (self->calendar, area, k->unit, k->due_day, k->started_at, k->stage,
                                   k->explained, self->settings.grace);
    if (!deadline_store_put_clock (self->store, k, error))
        return FALSE;
    if (k->next_at != 0)
        deadline_timers_push (self->timers, k->next_at, k->id);
    return TRUE;
}

static int
clock_length (DeadlineActions *self, const DeadlineCase *c, DeadlineClockName name)
{
    int length = self->settings.lengths[name];
    if (name == DEADLINE_CLOCK_COMMITTED && length == 0) {
        /* D-DL-4: the catalog entry carries the promised limit. */
        const DbnMatter *matter = dbn_catalog_lookup (self->catalog, c->matter);
        length = matter ? matter->limit_days : 0;
    }
    return length;
}

static DeadlineClock *
find_clock (GPtrArray *clocks, DeadlineClockName name)
{
    for (guint i = 0; i < clocks->len; i++)
        if (((DeadlineClock *) clocks->pdata[i])->name == name)
            return clocks->pdata[i];
    return NULL;
}

static gboolean
is_open (const DeadlineClock *k)
{
    return k->state == DEADLINE_STATE_RUNNING || k->state == DEADLINE_STATE_STOPPED;
}

gboolean
deadline_start_clock (DeadlineActions *self, DeadlineCase *c, DeadlineClockName name, gint64 at,
                      gboolean restart, GError **error)
{
    int length = clock_length (self, c, name);
    if (length <= 0 || c->closed)
        return TRUE; /* configured off */
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    DeadlineClock *k = find_clock (clocks, name);
    if (k != NULL && !restart && k->state != DEADLINE_STATE_CANCELLED)
        return TRUE;
    if (k == NULL) {
        k = g_new0 (DeadlineClock, 1);
        k->case_no = g_strdup (c->case_no);
        k->name = name;
        g_ptr_array_add (clocks, k);
    }
    k->length = length;
    /* D-DL-3: the unit is the clock's from its start; a later change of the
     * setting reaches clocks started after it. */
    k->unit = self->settings.units[name];
    k->started_at = at;
    k->stage = DEADLINE_STAGE_NONE;
    k->explained = FALSE;
    k->covered = TRUE;
    if (c->suspended_at != 0) {
        /* D-DL-7: a clock that starts while the case waits starts stopped. */
        k->state = DEADLINE_STATE_STOPPED;
        k->anchor_day = deadline_day_of_ms (at);
        k->anchor_n = length;
        k->due_day = 0;
        k->next_at = 0;
        return deadline_store_put_clock (self->store, k, error);
    }
    k->state = DEADLINE_STATE_RUNNING;
    k->anchor_day = deadline_day_of_ms (at);
    k->anchor_n = length;
    return deadline_schedule (self, k, c->area, error);
}

gboolean
deadline_end_clocks (DeadlineActions *self, DeadlineCase *c, guint mask, DeadlineState state,
                     GError **error)
{
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        if (!is_open (k) || (mask & (1u << k->name)) == 0)
            continue;
        k->state = state;
        k->next_at = 0;
        if (!deadline_store_put_clock (self->store, k, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
deadline_suspend (DeadlineActions *self, DeadlineCase *c, gint64 at, const char *by, GError **error)
{
    if (c->suspended_at != 0)
        return TRUE;
    c->suspended_at = at;
    g_free (c->suspended_by);
    c->suspended_by = g_strdup (by);
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    gint64 today = deadline_day_of_ms (at);
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        /* An overdue clock stays overdue: waiting now does not undo the delay. */
        if (k->state != DEADLINE_STATE_RUNNING || k->stage >= DEADLINE_STAGE_OVERDUE)
            continue;
        k->state = DEADLINE_STATE_STOPPED;
        k->anchor_n = MAX (0, deadline_remaining (self->calendar, c->area, k->unit, today, k->due_day));
        k->due_day = 0;
        k->next_at = 0;
        if (!deadline_store_put_clock (self->store, k, error))
            return FALSE;
    }
    return TRUE;
}

gboolean
deadline_resume (DeadlineActions *self, DeadlineCase *c, gint64 at, GError **error)
{
    if (c->suspended_at == 0)
        return TRUE;
    c->suspended_at = 0;
    g_clear_pointer (&c->suspended_by, g_free);
    g_autoptr (GPtrArray) clocks = deadline_store_get_clocks (self->store, c->case_no, error);
    if (clocks == NULL)
        return FALSE;
    for (guint i = 0; i < clocks->len; i++) {
        DeadlineClock *k = clocks->pdata[i];
        if (k->state != DEADLINE_STATE_STOPPED)
            continue;
        /* D-DL-7: what remained, counted again from today; a new yellow
         * warning one working day before the new date. */
        k->state = DEADLINE_STATE_RUNNING;
        k->anchor_day = deadline_day_of_ms (at);
        k->stage = DEADLINE_STAGE_NONE;
        if (!deadline_schedule (self, k, c->area, error))
            return FALSE;
    }
    return TRUE;
}

/* ---- who may ---- */

static gboolean
may_access (DbnCommand *command, const DeadlineCase *c, gboolean write, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    gboolean ok = FALSE;
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION:
        ok = g_strcmp0 (id, c->station) == 0;
        break;
    case DBN_PRINCIPAL_WINDOW:
        ok = g_strcmp0 (id, c->window) == 0;
        break;
    case DBN_PRINCIPAL_SUPERVISOR:
        ok = !write && g_strcmp0 (id, c->area) == 0;
        break;
    case DBN_PRINCIPAL_COMMITTEE:
        ok = !write;
        break;
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR:
        ok = TRUE;
        break;
    default:
        break;
    }
    if (!ok)
        g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not %s the clocks of %s",
                     principal, write ? "change" : "read", c->case_no);
    return ok;
}

#define DEADLINE_DECODE(name, command, error)                                        \
    dbn_msg_##name##_decode (g_bytes_get_data (dbn_command_get_body (command), NULL),   \
                             g_bytes_get_size (dbn_command_get_body (command)), error)

static DeadlineCase *
load_case (DeadlineActions *self, DbnCommand *command, const char *case_no, gboolean write,
           GError **error)
{
    DeadlineCase *c = NULL;
    if (!deadline_store_get_case (self->store, case_no, &c, error))
        return NULL;
    if (c == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_NOT_FOUND, "the deadline service has no case %s",
                     case_no);
        return NULL;
    }
    if (!may_access (command, c, write, error)) {
        deadline_case_free (c);
        return NULL;
    }
    return c;
}

/* ---- commands ---- */

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

static GBytes *
case_due (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
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

static GBytes *
case_explain (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
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
        if (!is_open (k) || (only >= 0 && (int) k->name != only))
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
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "%s has no open clock%s%s to explain",
                     c->case_no, only >= 0 ? " called " : "", only >= 0 ? req->clock : "");
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

static GBytes *
case_suspend (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
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
    if (!deadline_row_read (self, c, &before, error) ||
        !deadline_suspend (self, c, now, DEADLINE_BY_COMMAND, error) ||
        !deadline_store_put_case (self->store, c, error) ||
        !deadline_row_changed (self, c, &before, &sink, error))
        return NULL;
    return due_reply (self, c, now, error);
}

static GBytes *
case_resume (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
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
    if (!deadline_row_read (self, c, &before, error) || !deadline_resume (self, c, now, error) ||
        !deadline_store_put_case (self->store, c, error) ||
        !deadline_row_changed (self, c, &before, &sink, error))
        return NULL;
    return due_reply (self, c, now, error);
}

/* A calendar reload: the cases whose row may change, with their row as it
 * was before their first clock changed. */
typedef struct {
    DeadlineActions *self;
    guint            count;   /* running clocks recomputed */
    GHashTable      *touched; /* case number → Touched */
} Reload;

typedef struct {
    DeadlineCase *c;
    DeadlineRow   before;
} Touched;

static void
touched_free (Touched *t)
{
    deadline_case_free (t->c);
    deadline_row_clear (&t->before);
    g_free (t);
}

static gboolean
recompute (DeadlineClock *k, const char *area, gpointer user_data, GError **error)
{
    Reload *reload = user_data;
    DeadlineActions *self = reload->self;
    reload->count++;
    gboolean covered = TRUE;
    gint64 due = deadline_due_day (self->calendar, area, k->unit, k->anchor_day, k->anchor_n, &covered);
    if ((due != k->due_day || covered != k->covered) &&
        !g_hash_table_contains (reload->touched, k->case_no)) {
        /* Before this case's first clock is written: the stored row is the old one. */
        DeadlineCase *c = NULL;
        if (!deadline_store_get_case (self->store, k->case_no, &c, error))
            return FALSE;
        if (c != NULL) {
            Touched *t = g_new0 (Touched, 1);
            t->c = c;
            g_hash_table_insert (reload->touched, g_strdup (k->case_no), t);
            if (!deadline_row_read (self, c, &t->before, error))
                return FALSE;
        }
    }
    return deadline_schedule (self, k, area, error);
}

static int
compare_strings (const void *a, const void *b)
{
    return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* A reload pushed a new entry for every running clock; once its batch has
 * committed, the heap is read again from the store so the stale entries do
 * not linger (before the commit the store could still roll back). */
static gboolean
rebuild_when_idle (gpointer user_data)
{
    DeadlineActions *self = user_data;
    if (dbn_store_in_transaction (dbn_service_get_store (self->service)))
        return G_SOURCE_CONTINUE;
    self->rebuild_id = 0;
    g_autoptr (GError) error = NULL;
    if (!deadline_actions_rebuild (self, &error))
        g_warning ("rebuilding the timers after a calendar reload failed: %s", error->message);
    return G_SOURCE_REMOVE;
}

static GBytes *
calendar_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgDeadlineCalendarReload) req = DEADLINE_DECODE (deadline_calendar_reload, command, error);
    if (req == NULL)
        return NULL;
    /* D-DL-5: a broken file is refused and the calendar in use stays. */
    DbnCalendar *fresh = dbn_calendar_load (self->calendar_path, error);
    if (fresh == NULL)
        return NULL;
    DbnCalendar *old = self->calendar;
    self->calendar = fresh;
    Reload reload = { self, 0, g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) touched_free) };
    gboolean ok = deadline_store_foreach_running (self->store, recompute, &reload, error);
    /* One deadline.due_changed per case whose row changed, in case-number order. */
    g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (reload.touched, NULL);
    qsort (keys, g_hash_table_size (reload.touched), sizeof (gpointer), compare_strings);
    DbnOrigin sink = dbn_command_get_origin (command);
    for (guint i = 0; ok && keys[i] != NULL; i++) {
        Touched *t = g_hash_table_lookup (reload.touched, keys[i]);
        ok = deadline_row_changed (self, t->c, &t->before, &sink, error);
    }
    g_hash_table_unref (reload.touched);
    guint count = reload.count;
    if (!ok) {
        self->calendar = old;
        dbn_calendar_free (fresh);
        return NULL;
    }
    dbn_calendar_free (old);
    if (self->rebuild_id == 0)
        self->rebuild_id = g_idle_add (rebuild_when_idle, self);
    g_autoptr (DbnMsgDeadlineCalendarReloadReply) reply = dbn_msg_deadline_calendar_reload_reply_new ();
    reply->path = g_strdup (self->calendar_path);
    guint first = 0, last = 0;
    dbn_calendar_get_years (self->calendar, &first, &last);
    reply->first_year = first;
    reply->last_year = last;
    reply->recomputed = count;
    g_message ("calendar reloaded from %s: %u..%u, %u running clocks recomputed", self->calendar_path,
               first, last, count);
    return dbn_msg_deadline_calendar_reload_reply_encode (reply, error);
}

/* D-CAT-3: the configured catalog file again, swapped in whole when it
 * loads; a broken file is refused with its line and reason and the catalog
 * in force stays. Only clocks started from now on read it: a committed
 * clock already running keeps the length promised at acceptance (D-DL-4),
 * and a case keeps the restricted flag it was routed with. A read (no
 * store write), so it runs after the batch, and the followers run on the
 * same thread: no event is applied half with one catalog, half with the
 * other. */
static GBytes *
catalog_reload (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    DeadlineActions *self = user_data;
    g_autoptr (DbnMsgCatalogReload) req = DEADLINE_DECODE (catalog_reload, command, error);
    if (req == NULL)
        return NULL;
    const char *path = dbn_config_get_catalog_path (dbn_service_get_config (service));
    g_autoptr (GError) local = NULL;
    DbnCatalog *fresh = dbn_catalog_load (path, &local);
    if (fresh == NULL) {
        g_warning ("catalog reload refused, the catalog in force stays: %s", local->message);
        g_propagate_error (error, g_steal_pointer (&local));
        return NULL;
    }
    dbn_catalog_free (self->catalog);
    self->catalog = fresh;
    g_message ("catalog reloaded from %s: %u matters (by %s)", path, dbn_catalog_get_n_matters (fresh),
               dbn_command_get_actor (command));
    g_autoptr (DbnMsgCatalogReloadReply) reply = dbn_msg_catalog_reload_reply_new ();
    reply->path = g_strdup (path);
    reply->matters = dbn_catalog_get_n_matters (fresh);
    return dbn_msg_catalog_reload_reply_encode (reply, error);
}

#define READERS (DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE)

const DbnCommandSpec deadline_commands[] = {
    { DBN_MSG_DEADLINE_CASE_DUE_WIRE, case_due, FALSE, READERS },
    { DBN_MSG_DEADLINE_QUEUE_WIRE, deadline_queue_command, FALSE, READERS },
    { DBN_MSG_DEADLINE_CASE_EXPLAIN_WIRE, case_explain, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_DEADLINE_CASE_SUSPEND_WIRE, case_suspend, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_DEADLINE_CASE_RESUME_WIRE, case_resume, TRUE, DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    /* Only services and the operator: the calendar is the office's. */
    { DBN_MSG_DEADLINE_CALENDAR_RELOAD_WIRE, calendar_reload, TRUE, 0 },
    /* D-CAT-3: the administrator (operator) or a supervisor, as intake and routing. */
    { DBN_MSG_CATALOG_RELOAD_WIRE, catalog_reload, FALSE, DBN_PRINCIPAL_SUPERVISOR },
    { NULL, NULL, FALSE, 0 },
};
