/* deadline_follow.c: the deadline service follows routing's journal (every
 * case event carries the case's queue row) and intake's (materials).
 *
 * Each event is applied exactly once, inside the subscriber's transaction
 * that moves the stored offset (dbn_subscriber). Clocks start at the
 * event's own time (env.ts), not at the time it is applied, so a deadline
 * service that was down or syncing computes the same due dates.
 *
 *   case.routed         the case exists: level, kind, queue row. Clocks:
 *                       station (village matters, D-DL-3), progress (county
 *                       matters, D-DL-2), committed (承办/上报, D-DL-4, from
 *                       the acceptance)
 *   any row at the centre  for township matters the centre clock (D-DL-1)
 *   case.classified     the kind changed: committed clock on or cancelled
 *   case.handed_off     the transfer clock (re)starts (D-DL-3)
 *   started, part_completed, escalated, county_answered, completed
 *                       the handover was reported back: transfer met
 *   case.escalated      the department clock (D-DL-3)
 *   case.county_answered  department and progress met
 *   case.completed      centre, station, committed, progress met
 *   case.returned / replied / archived   every clock ends; the case closes
 *   row state awaiting_materials   D-DL-7: the clocks stop; leaving that
 *                       state (routing's case.resumed) runs them again
 *   intake's case.awaiting_materials / case.materials_supplemented
 *                       the same stop and resume, from intake directly
 *
 * Routing's row is read generically (the frame as JSON, dbn_codec_to_json,
 * which checks it first): every routing case event carries the same row,
 * each typed decoder accepts only its own "type", and a generic reader also
 * takes event types newer than this build (intake4's case.resumed). An
 * event without a row or a case, or about a case this service never saw
 * routed, is acknowledged and ignored.
 *
 * An applied event that changes the case's queue row (or moves the case)
 * journals one deadline.due_changed in the same transaction; the service's
 * emitter publishes it once the subscriber has committed (deadline_queue.c).
 */
#include "deadline_private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

/* intake4's wire name (issue 4): every missing material arrived. */
#define MATERIALS_SUPPLEMENTED_WIRE "case.materials_supplemented"

#define BIT(name) (1u << DEADLINE_CLOCK_##name)
#define ALL_CLOCKS ((1u << DEADLINE_N_CLOCKS) - 1)

static gboolean
is_type (const DbnEnvEvent *env, const char *wire)
{
    return g_strcmp0 (env->type, wire) == 0;
}

static gboolean
committed_kind (const char *kind)
{
    return g_strcmp0 (kind, "committed") == 0 || g_strcmp0 (kind, "escalated") == 0;
}

static void
set_str (char **slot, const char *value)
{
    g_free (*slot);
    *slot = g_strdup (value ? value : "");
}

/* The queue row every routing case event carries (routing_events.c). */
typedef struct {
    char *window, *station, *area, *state, *kind, *location, *matter, *level;
} Row;

static void
row_clear (Row *row)
{
    g_free (row->window);
    g_free (row->station);
    g_free (row->area);
    g_free (row->state);
    g_free (row->kind);
    g_free (row->location);
    g_free (row->matter);
    g_free (row->level);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Row, row_clear)

static char *
member (JsonObject *o, const char *name, gsize max)
{
    JsonNode *node = json_object_get_member (o, name);
    if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        return NULL;
    const char *s = json_node_get_string (node);
    return strlen (s) <= max ? g_strdup (s) : NULL;
}

/* FALSE when the event has no complete row (run sheets, damaged frames). */
static gboolean
read_row (GBytes *event, Row *row)
{
    g_autofree char *json = dbn_codec_to_json (g_bytes_get_data (event, NULL), g_bytes_get_size (event), NULL);
    if (json == NULL)
        return FALSE;
    g_autoptr (JsonNode) root = json_from_string (json, NULL);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        return FALSE;
    JsonObject *o = json_node_get_object (root);
    /* The schema limits of the row (routing.xml). */
    row->window = member (o, "window", 32);
    row->station = member (o, "station", 32);
    row->area = member (o, "area", 32);
    row->state = member (o, "state", 32);
    row->kind = member (o, "kind", 16);
    row->location = member (o, "location", 16);
    row->matter = member (o, "matter", 32);
    row->level = member (o, "level", 16);
    return row->window && row->station && row->area && row->state && row->kind && row->location;
}

static gboolean
on_routing (DeadlineActions *self, const DbnEnvEvent *env, GBytes *event, DbnOrigin *sink,
            GError **error)
{
    g_auto (Row) r = { 0 };
    Row *row = &r;
    if (env->case_no == NULL || !read_row (event, row))
        return TRUE; /* not a case event with a queue row (run sheets) */
    g_autoptr (DeadlineCase) c = NULL;
    if (!deadline_store_get_case (self->store, env->case_no, &c, error))
        return FALSE;
    gboolean routed = is_type (env, DBN_MSG_CASE_ROUTED_WIRE);
    /* The row before (a new case has none: the queues gain it). */
    g_auto (DeadlineRow) before = { 0 };
    deadline_row_clear (&before);
    if (c != NULL && !c->closed && !deadline_row_read (self, c, &before, error))
        return FALSE;
    if (c == NULL) {
        if (!routed)
            return TRUE;
        if (row->matter == NULL || row->level == NULL) {
            g_warning ("routing's case.routed for %s has no matter or level, skipped", env->case_no);
            return TRUE;
        }
        c = g_new0 (DeadlineCase, 1);
        c->case_no = g_strdup (env->case_no);
        c->matter = g_strdup (row->matter);
        c->level = g_strdup (row->level);
        c->accepted_at = env->ts;
        /* D-INT-8: as routing marks it, from the catalog. */
        const DbnMatter *matter = dbn_catalog_lookup (self->catalog, c->matter);
        c->restricted = matter != NULL && matter->restricted;
    }
    if (c->closed)
        return TRUE;
    set_str (&c->window, row->window);
    set_str (&c->station, row->station);
    set_str (&c->area, row->area);
    set_str (&c->kind, row->kind);
    gint64 at = env->ts;

    /* D-DL-7 from the row: stopped while it waits for materials. */
    gboolean awaiting = g_strcmp0 (row->state, "awaiting_materials") == 0;
    if (awaiting && c->suspended_at == 0) {
        if (!deadline_suspend (self, c, at, DEADLINE_BY_MATERIALS, error))
            return FALSE;
    } else if (!awaiting && c->suspended_at != 0 && g_strcmp0 (c->suspended_by, DEADLINE_BY_MATERIALS) == 0) {
        if (!deadline_resume (self, c, at, error))
            return FALSE;
    }

    gboolean ok = TRUE;
    if (routed) {
        if (g_strcmp0 (c->level, "village") == 0)
            ok = deadline_start_clock (self, c, DEADLINE_CLOCK_STATION, at, FALSE, error);
        else if (g_strcmp0 (c->level, "county") == 0)
            ok = deadline_start_clock (self, c, DEADLINE_CLOCK_PROGRESS, at, FALSE, error);
        if (ok && committed_kind (c->kind))
            ok = deadline_start_clock (self, c, DEADLINE_CLOCK_COMMITTED, c->accepted_at, FALSE, error);
    }
    /* D-DL-1: within N working days of reaching the centre. */
    if (ok && !c->centre_seen && g_strcmp0 (c->level, "township") == 0 &&
        g_strcmp0 (row->location, "centre") == 0) {
        c->centre_seen = TRUE;
        ok = deadline_start_clock (self, c, DEADLINE_CLOCK_CENTRE, at, FALSE, error);
    }
    if (!ok)
        return FALSE;

    if (is_type (env, DBN_MSG_CASE_CLASSIFIED_WIRE)) {
        /* D-DL-4: the promise dates from the acceptance. */
        ok = committed_kind (c->kind)
                 ? deadline_start_clock (self, c, DEADLINE_CLOCK_COMMITTED, c->accepted_at, FALSE, error)
                 : deadline_end_clocks (self, c, BIT (COMMITTED), DEADLINE_STATE_CANCELLED, error);
    } else if (is_type (env, DBN_MSG_CASE_HANDED_OFF_WIRE)) {
        ok = deadline_start_clock (self, c, DEADLINE_CLOCK_TRANSFER, at, TRUE, error);
    } else if (is_type (env, DBN_MSG_CASE_STARTED_WIRE) || is_type (env, DBN_MSG_CASE_PART_COMPLETED_WIRE)) {
        ok = deadline_end_clocks (self, c, BIT (TRANSFER), DEADLINE_STATE_MET, error);
    } else if (is_type (env, DBN_MSG_CASE_ESCALATED_WIRE)) {
        ok = deadline_end_clocks (self, c, BIT (TRANSFER), DEADLINE_STATE_MET, error) &&
             deadline_start_clock (self, c, DEADLINE_CLOCK_DEPARTMENT, at, TRUE, error);
    } else if (is_type (env, DBN_MSG_CASE_COUNTY_ANSWERED_WIRE)) {
        ok = deadline_end_clocks (self, c, BIT (TRANSFER) | BIT (DEPARTMENT) | BIT (PROGRESS),
                                  DEADLINE_STATE_MET, error);
    } else if (is_type (env, DBN_MSG_CASE_COMPLETED_WIRE)) {
        ok = deadline_end_clocks (self, c, ALL_CLOCKS, DEADLINE_STATE_MET, error);
    } else if (is_type (env, DBN_MSG_CASE_RETURNED_WIRE) || is_type (env, DBN_MSG_CASE_REPLIED_WIRE) ||
               is_type (env, DBN_MSG_CASE_ARCHIVED_WIRE)) {
        ok = deadline_end_clocks (self, c, ALL_CLOCKS, DEADLINE_STATE_MET, error);
        c->closed = TRUE;
    }
    return ok && deadline_store_put_case (self->store, c, error) &&
           deadline_row_changed (self, c, &before, sink, error);
}

static gboolean
apply_routing_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                     GError **error)
{
    return on_routing (user_data, env, event, origin, error);
}

static gboolean
on_intake (DeadlineActions *self, const DbnEnvEvent *env, DbnOrigin *sink, GError **error)
{
    gboolean stop = is_type (env, DBN_MSG_CASE_AWAITING_MATERIALS_WIRE);
    gboolean go = is_type (env, MATERIALS_SUPPLEMENTED_WIRE);
    if ((!stop && !go) || env->case_no == NULL)
        return TRUE;
    g_autoptr (DeadlineCase) c = NULL;
    if (!deadline_store_get_case (self->store, env->case_no, &c, error))
        return FALSE;
    if (c == NULL || c->closed)
        return TRUE; /* routing's row will say it when the case arrives there */
    g_auto (DeadlineRow) before = { 0 };
    if (!deadline_row_read (self, c, &before, error))
        return FALSE;
    gboolean ok;
    if (stop)
        ok = deadline_suspend (self, c, env->ts, DEADLINE_BY_MATERIALS, error);
    else if (g_strcmp0 (c->suspended_by, DEADLINE_BY_MATERIALS) == 0)
        ok = deadline_resume (self, c, env->ts, error);
    else
        return TRUE; /* stopped by a command for something else */
    return ok && deadline_store_put_case (self->store, c, error) &&
           deadline_row_changed (self, c, &before, sink, error);
}

static gboolean
apply_intake_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                    GError **error)
{
    return on_intake (user_data, env, origin, error);
}

gboolean
deadline_actions_follow (DeadlineActions *self, DbnBus *bus, GError **error)
{
    self->routing = dbn_service_follow (self->service, bus, "routing", apply_routing_event, self, error);
    if (self->routing == NULL)
        return FALSE;
    self->intake = dbn_service_follow (self->service, bus, "intake", apply_intake_event, self, error);
    return self->intake != NULL;
}
