/* evaluation_draw.c: the return-visit draw seeded from the audit record
 * (D-EV-2), made by the service itself on the first working day of the
 * month after.
 *
 * Why follow audit's journal rather than ask the audit service at the draw:
 * a head is kept the moment it is published, in the same exactly-once way
 * as every other fact, so the draw does not depend on audit answering on
 * that morning, a restarted evaluation draws the same, and no new audit
 * command is needed. Only audit.head is kept: one row per month, the last
 * head signed in it (heads come in journal order, later ones cover more).
 *
 * The seed is the head's root, 64 lowercase hex digits: fixed and public
 * (signed, and kept by the committee's clients), and not known to anyone
 * before the month's last head is signed, so nobody can pick the friendly
 * cases. Without any head at or before the month's end (audit not deployed,
 * or not yet heard from) the seed is daiban-<township>-<YYYY-MM> and the
 * sample says so (source fallback). The source and the head are recorded
 * with the sample (ev_sample_source, fixed like ev_sample).
 *
 * When: on the first working day after the month (the model refuses
 * earlier: eval.not-due), once evaluation holds a head signed after the
 * month's end. Heads arrive in journal order, so that head proves the
 * month's last one is here and final, however late evaluation caught up
 * with audit. Without it (audit silent, or not deployed) the draw waits to
 * the end of that working day, then takes the last head it has, or the
 * fallback. eval.sample drawing on demand follows the same rule.
 */
#include "evaluation_private.h"

#include <daiban/dbn_sql.h>
#include <sqlite3.h>
#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-evaluation"

/* How often the timer looks at the clock. The draw's day is a date, so a
 * second is plenty; the manual clock of tests moves in whole days. */
#define DRAW_TICK_MS 1000

static guint
month_of_ms (gint64 ms)
{
    g_autoptr (GDateTime) t = dbn_clock_local_from_ms (ms);
    return (guint) (g_date_time_get_year (t) * 100 + g_date_time_get_month (t));
}

static guint
month_before (guint month)
{
    return month % 100 == 1 ? (month / 100 - 1) * 100 + 12 : month - 1;
}

gboolean
evaluation_on_audit (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                     GError **error)
{
    EvaluationActions *self = user_data;
    (void) origin;
    if (g_strcmp0 (env->type, DBN_MSG_AUDIT_HEAD_WIRE) != 0)
        return TRUE;
    g_autoptr (GError) bad = NULL;
    g_autoptr (DbnMsgAuditHead) head =
        dbn_msg_audit_head_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &bad);
    if (head == NULL) {
        g_warning ("audit's head at seq %" G_GINT64_FORMAT " is not readable, skipped: %s", env->seq,
                   bad->message);
        return TRUE;
    }
    if (head->size <= 0 || head->time <= 0 || head->root == NULL || strlen (head->root) != 64
        || head->signature == NULL || head->key == NULL) {
        g_warning ("audit's head at seq %" G_GINT64_FORMAT " has no size, time or root, skipped", env->seq);
        return TRUE;
    }
    DbnStore *store = dbn_service_get_store (self->service);
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "INSERT INTO ev_audit_head (month, size, time_ms, root, signature, key)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (month) DO UPDATE SET"
                                 " size = excluded.size, time_ms = excluded.time_ms, root = excluded.root,"
                                 " signature = excluded.signature, key = excluded.key"
                                 " WHERE excluded.size >= ev_audit_head.size",
                                 -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    sqlite3_bind_int (st, 1, (int) month_of_ms (head->time));
    sqlite3_bind_int64 (st, 2, head->size);
    sqlite3_bind_int64 (st, 3, head->time);
    sqlite3_bind_text (st, 4, head->root, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 5, head->signature, -1, SQLITE_STATIC);
    sqlite3_bind_text (st, 6, head->key, -1, SQLITE_STATIC);
    rc = sqlite3_step (st);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    return TRUE;
}

/* Whether month's head is final here: a head signed after the month's end
 * has arrived (heads come in journal order, so every head up to the month's
 * end has too), or the first working day after it has passed (audit not
 * heard from: draw with what there is, said so). FALSE also when not due. */
static gboolean
draw_ready (EvaluationActions *self, guint month, gint64 now_ms, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "SELECT 1 FROM ev_audit_head WHERE month > ?1 LIMIT 1", -1, &st, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    sqlite3_bind_int (st, 1, (int) month);
    rc = sqlite3_step (st);
    if (rc == SQLITE_ROW)
        return TRUE;
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    gboolean covered = TRUE;
    guint32 due = eval_first_working_day (self->calendar, eval_month_next (month), &covered);
    /* Outside the calendar's years the model refuses (eval.not-covered). */
    if (!covered || eval_day_of_ms (now_ms) > due)
        return TRUE;
    g_autofree char *name = eval_month_to_string (month);
    g_set_error (
        error, EVAL_ERROR, EVAL_ERROR_NOT_DUE,
        "the sample of %s waits for the audit record's first head after the month's end, or the end of"
        " the first working day after it",
        name);
    return FALSE;
}

gboolean
evaluation_draw (EvaluationActions *self, guint month, gint64 now_ms, GError **error)
{
    if (!draw_ready (self, month, now_ms, error))
        return FALSE;
    DbnStore *store = dbn_service_get_store (self->service);
    sqlite3 *db = dbn_store_get_db (store);
    g_autoptr (sqlite3_stmt) get = NULL;
    int rc = sqlite3_prepare_v2 (db,
                                 "SELECT size, time_ms, root, signature, key FROM ev_audit_head"
                                 " WHERE month <= ?1 ORDER BY month DESC LIMIT 1",
                                 -1, &get, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    sqlite3_bind_int (get, 1, (int) month);
    rc = sqlite3_step (get);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    gboolean have_head = rc == SQLITE_ROW;
    g_autofree char *name = eval_month_to_string (month);
    g_autofree char *seed =
        have_head
            ? dbn_sql_column_dup (get, 2)
            : g_strdup_printf ("daiban-%s-%s", self->settings.township ? self->settings.township : "", name);
    if (!eval_store_draw_sample (self->store, month, seed, (guint) self->settings.sample_percent, now_ms,
                                 NULL, error))
        return FALSE;
    g_autoptr (sqlite3_stmt) put = NULL;
    rc = sqlite3_prepare_v2 (db,
                             "INSERT INTO ev_sample_source (month, source, head_size, head_time, head_root,"
                             " head_signature, head_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                             -1, &put, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    sqlite3_bind_int (put, 1, (int) month);
    sqlite3_bind_text (put, 2, have_head ? "audit-head" : "fallback", -1, SQLITE_STATIC);
    if (have_head) {
        for (int i = 0; i < 5; i++)
            sqlite3_bind_value (put, 3 + i, sqlite3_column_value (get, i));
    }
    rc = sqlite3_step (put);
    if (rc != SQLITE_DONE)
        return dbn_store_set_error (store, rc, error);
    g_message ("drew the return visits of %s, seeded from %s", name,
               have_head ? "the audit head at the month's end" : "the fallback (no audit head known)");
    return TRUE;
}

static gboolean
is_drawn (EvaluationActions *self, guint month)
{
    g_autoptr (GError) error = NULL;
    return eval_store_dup_sample (self->store, month, NULL, NULL, NULL, NULL, &error);
}

static gboolean
on_draw_tick (gpointer user_data)
{
    EvaluationActions *self = user_data;
    gint64 now = dbn_clock_now_ms (dbn_service_get_clock (self->service));
    guint month = month_before (month_of_ms (now));
    if (month == self->drawn_month)
        return G_SOURCE_CONTINUE;
    if (is_drawn (self, month)) {
        self->drawn_month = month;
        return G_SOURCE_CONTINUE;
    }
    DbnEmitter *emitter = dbn_service_get_emitter (self->service);
    g_autoptr (GError) error = NULL;
    if (!dbn_emitter_begin (emitter, &error)) {
        g_warning ("drawing the return visits: %s", error->message);
        return G_SOURCE_CONTINUE;
    }
    if (evaluation_draw (self, month, now, &error) && dbn_emitter_commit (emitter, &error)) {
        self->drawn_month = month;
        return G_SOURCE_CONTINUE;
    }
    dbn_emitter_rollback (emitter);
    /* Not due yet (before the first working day), or the calendar lacks the
     * year (D-DL-5: said, not guessed): asked again on the next tick. */
    if (!g_error_matches (error, EVAL_ERROR, EVAL_ERROR_NOT_DUE) && self->warned_month != month) {
        g_warning ("drawing the return visits failed, retried every second: %s",
                   error ? error->message : "?");
        self->warned_month = month;
    }
    return G_SOURCE_CONTINUE;
}

void
evaluation_start_drawing (EvaluationActions *self)
{
    if (self->draw_id == 0)
        self->draw_id = g_timeout_add (DRAW_TICK_MS, on_draw_tick, self);
}

/* D-EV-2: the return-visit list of a month. The first call on or after the
 * draw's day draws, as the timer would have (the same seed: the caller's
 * seed is ignored, so nobody picks the cases); later calls answer the
 * recorded draw, with its seed, population and head. */
GBytes *
evaluation_sample_command (DbnService *service, DbnCommand *command, gpointer user_data, GError **error)
{
    EvaluationActions *self = user_data;
    (void) service;
    g_autoptr (DbnMsgEvalSample) req = EVAL_DECODE (eval_sample, command, error);
    guint month = 0;
    if (req == NULL || !eval_month_parse (req->month, &month, error))
        return NULL;
    if (!is_drawn (self, month) && !evaluation_draw (self, month, dbn_command_get_now_ms (command), error))
        return NULL;
    g_autofree char *seed = NULL;
    guint percent = 0;
    g_autoptr (GPtrArray) population = NULL;
    g_autoptr (GPtrArray) drawn = NULL;
    if (!eval_store_dup_sample (self->store, month, &seed, &percent, &population, &drawn, error))
        return NULL;
    g_autoptr (DbnMsgEvalSampleReply) reply = dbn_msg_eval_sample_reply_new ();
    reply->month = g_strdup (req->month);
    reply->seed = g_steal_pointer (&seed);
    reply->percent = percent;
    g_ptr_array_add (population, NULL);
    g_ptr_array_add (drawn, NULL);
    reply->population = g_strdupv ((char **) population->pdata);
    reply->cases = g_strdupv ((char **) drawn->pdata);

    DbnStore *store = dbn_service_get_store (self->service);
    g_autoptr (sqlite3_stmt) st = NULL;
    int rc = sqlite3_prepare_v2 (dbn_store_get_db (store),
                                 "SELECT s.source, s.head_size, s.head_time, s.head_root, s.head_signature,"
                                 " s.head_key, p.drawn_at FROM ev_sample p LEFT JOIN ev_sample_source s"
                                 " ON s.month = p.month WHERE p.month = ?1",
                                 -1, &st, NULL);
    if (rc != SQLITE_OK) {
        dbn_store_set_error (store, rc, error);
        return NULL;
    }
    sqlite3_bind_int (st, 1, (int) month);
    if (sqlite3_step (st) == SQLITE_ROW) {
        /* A draw older than the source table has none: its seed was printed. */
        reply->seed_source =
            sqlite3_column_type (st, 0) == SQLITE_NULL ? g_strdup ("fallback") : dbn_sql_column_dup (st, 0);
        if (sqlite3_column_type (st, 1) != SQLITE_NULL) {
            reply->has_head_size = TRUE;
            reply->head_size = sqlite3_column_int64 (st, 1);
            reply->has_head_time = TRUE;
            reply->head_time = sqlite3_column_int64 (st, 2);
            reply->head_root = dbn_sql_column_dup (st, 3);
            reply->head_signature = dbn_sql_column_dup (st, 4);
            reply->head_key = dbn_sql_column_dup (st, 5);
        }
        reply->has_drawn_at = TRUE;
        reply->drawn_at = sqlite3_column_int64 (st, 6);
    }
    return dbn_msg_eval_sample_reply_encode (reply, error);
}
