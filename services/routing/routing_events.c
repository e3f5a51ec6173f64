/* routing_events.c: effects → events.
 *
 * Every case event carries the case's queue row (window, station, area,
 * state, kind, holder, responsible, location) besides its own fields, so a
 * client that holds a queue snapshot upserts the row from any event without
 * asking again (the Clone pattern), and a station's client, a window's
 * client and a supervisor's client all follow the same event.
 *
 * Fan-out: the journal stores an event once, with topic s/<station> (the
 * station entrusted the case, D-RTE-6, and every case has one); after the
 * commit it is published on s/<station>, q/<window> and a/<area>. A
 * consumer that follows the whole journal (sys.sync) sees it once; a queue
 * client subscribed to its own prefix sees it once. Publishing three copies
 * costs three small frames; storing three copies would make sync replay
 * every change three times. A restricted case (a petition, D-INT-8) is not
 * published on its area's topic.
 */
#include "routing_events.h"

#include <string.h>

gboolean
routing_case_topics (const RoutingCase *c, char **station, char **window, char **area, GError **error)
{
    *window = *area = NULL;
    *station = dbn_topic_dup_queue ('s', c->station, error);
    if (*station == NULL)
        return FALSE;
    if (c->window && *c->window && (*window = dbn_topic_dup_queue ('q', c->window, error)) == NULL)
        goto refused;
    /* D-INT-8: a petition's events reach its station and its window (the
     * mediation officer's), never the area's supervisors. */
    if (c->area && *c->area && !c->restricted && (*area = dbn_topic_dup_queue ('a', c->area, error)) == NULL)
        goto refused;
    return TRUE;
refused:
    g_clear_pointer (station, g_free);
    g_clear_pointer (window, g_free);
    return FALSE;
}

#define FILL_ROW(ev, c)                                                                                      \
    G_STMT_START                                                                                             \
    {                                                                                                        \
        (ev)->window = g_strdup ((c)->window ? (c)->window : "");                                            \
        (ev)->station = g_strdup ((c)->station);                                                             \
        (ev)->area = g_strdup ((c)->area ? (c)->area : "");                                                  \
        (ev)->state = g_strdup (routing_state_to_string ((c)->state));                                       \
        (ev)->kind = g_strdup (dbn_handling_kind_to_string ((c)->kind));                                     \
        (ev)->holder = g_strdup ((c)->holder);                                                               \
        (ev)->responsible = g_strdup ((c)->responsible);                                                     \
        (ev)->location = g_strdup (routing_location_to_string ((c)->location));                              \
    }                                                                                                        \
    G_STMT_END

static gboolean
send_on_case_topics (DbnOrigin *self, const RoutingCase *c, const RoutingCase *before, const DbnEnvEvent *env,
                     GBytes *body, gint64 *seq, GError **error)
{
    if (body == NULL)
        return FALSE;
    g_autofree char *station = NULL, *window = NULL, *area = NULL;
    if (!routing_case_topics (c, &station, &window, &area, error))
        return FALSE;
    /* A case that moved (a handoff to another window, a new station or area)
     * is published on the queues it left too, so a client keeping a queue
     * from snapshot + updates sees it go: the row it carries names the new
     * queue, and the client drops it (docs/routing.md, as deadline.due_changed
     * does). Repeats of the new topics are skipped by the emitter. */
    g_autofree char *was_station = NULL, *was_window = NULL, *was_area = NULL;
    if (before != NULL && !routing_case_topics (before, &was_station, &was_window, &was_area, error))
        return FALSE;
    const char *topics[] = { station,
                             window ? window : "",
                             area ? area : "",
                             was_station ? was_station : "",
                             was_window ? was_window : "",
                             was_area ? was_area : "",
                             NULL };
    if (!dbn_origin_emit (self, topics, env, body, error))
        return FALSE;
    *seq = env->seq;
    return TRUE;
}

/* Declares ev of message `name`, stamps it and fills its queue row; the
 * block that follows sets its own fields; ENCODE encodes and sends it. */
#define BEGIN_EVENT(name, Type, WIRE)                                                                        \
    g_autoptr (Type) ev = dbn_msg_##name##_new ();                                                           \
    dbn_origin_stamp (self, &ev->env, WIRE, c->case_no);                                                     \
    FILL_ROW (ev, c)
#define ENCODE(name)                                                                                         \
    g_autoptr (GBytes) body = dbn_msg_##name##_encode (ev, error);                                           \
    return send_on_case_topics (self, c, before, &ev->env, body, seq, error)

gboolean
routing_emit_effect (DbnOrigin *self, RoutingMachine *machine, const RoutingCase *c,
                     const RoutingCase *before, const RoutingEffect *fx, gint64 *seq, GError **error)
{
    const char *type = fx->type;

    if (strcmp (type, DBN_MSG_CASE_ROUTED_WIRE) == 0) {
        BEGIN_EVENT (case_routed, DbnMsgCaseRouted, DBN_MSG_CASE_ROUTED_WIRE);
        ev->matter = g_strdup (c->matter);
        ev->level = g_strdup (dbn_deciding_level_to_string (c->level));
        const char *const *departments = routing_machine_get_departments (machine, c->matter);
        /* Bounded by the schema (16); a catalog listing more is cut. */
        guint n = MIN (g_strv_length ((char **) departments), 16);
        ev->departments = g_new0 (char *, n + 1);
        for (guint i = 0; i < n; i++)
            ev->departments[i] = g_strdup (departments[i]);
        ev->village = g_strdup (c->village);
        ev->channel = g_strdup (c->channel);
        ENCODE (case_routed);
    } else if (strcmp (type, DBN_MSG_CASE_CLASSIFIED_WIRE) == 0) {
        BEGIN_EVENT (case_classified, DbnMsgCaseClassified, DBN_MSG_CASE_CLASSIFIED_WIRE);
        ev->previous = g_strdup (fx->previous);
        ev->reason = g_strdup (fx->reason);
        ev->parts = g_strdupv (c->parts);
        ENCODE (case_classified);
    } else if (strcmp (type, DBN_MSG_CASE_ASSIGNED_WIRE) == 0) {
        BEGIN_EVENT (case_assigned, DbnMsgCaseAssigned, DBN_MSG_CASE_ASSIGNED_WIRE);
        ev->from = g_strdup (fx->from);
        ev->to = g_strdup (fx->to);
        ev->reason = g_strdup (fx->reason);
        ENCODE (case_assigned);
    } else if (strcmp (type, DBN_MSG_CASE_HANDED_OFF_WIRE) == 0) {
        BEGIN_EVENT (case_handed_off, DbnMsgCaseHandedOff, DBN_MSG_CASE_HANDED_OFF_WIRE);
        ev->from = g_strdup (fx->from);
        ev->to = g_strdup (fx->to);
        ev->reason = g_strdup (fx->reason);
        ENCODE (case_handed_off);
    } else if (strcmp (type, DBN_MSG_CASE_STARTED_WIRE) == 0) {
        BEGIN_EVENT (case_started, DbnMsgCaseStarted, DBN_MSG_CASE_STARTED_WIRE);
        ENCODE (case_started);
    } else if (strcmp (type, DBN_MSG_CASE_PART_COMPLETED_WIRE) == 0) {
        BEGIN_EVENT (case_part_completed, DbnMsgCasePartCompleted, DBN_MSG_CASE_PART_COMPLETED_WIRE);
        ev->part = g_strdup (fx->part);
        ev->result = g_strdup (fx->result);
        ev->parts_done = fx->parts_done;
        ev->parts_total = fx->parts_total;
        ENCODE (case_part_completed);
    } else if (strcmp (type, DBN_MSG_CASE_COMPLETED_WIRE) == 0) {
        BEGIN_EVENT (case_completed, DbnMsgCaseCompleted, DBN_MSG_CASE_COMPLETED_WIRE);
        ev->result = g_strdup (fx->result);
        ev->unaccompanied = g_strdup (fx->unaccompanied);
        ENCODE (case_completed);
    } else if (strcmp (type, DBN_MSG_CASE_ESCALATED_WIRE) == 0) {
        BEGIN_EVENT (case_escalated, DbnMsgCaseEscalated, DBN_MSG_CASE_ESCALATED_WIRE);
        ev->county = g_strdup (fx->county);
        ev->from = g_strdup (fx->from);
        ev->reason = g_strdup (fx->reason);
        ENCODE (case_escalated);
    } else if (strcmp (type, DBN_MSG_CASE_COUNTY_ANSWERED_WIRE) == 0) {
        BEGIN_EVENT (case_county_answered, DbnMsgCaseCountyAnswered, DBN_MSG_CASE_COUNTY_ANSWERED_WIRE);
        ev->county = g_strdup (fx->county);
        ev->answer = g_strdup (fx->answer);
        ev->approved = fx->approved;
        ENCODE (case_county_answered);
    } else if (strcmp (type, DBN_MSG_CASE_RETURNED_WIRE) == 0) {
        BEGIN_EVENT (case_returned, DbnMsgCaseReturned, DBN_MSG_CASE_RETURNED_WIRE);
        ev->reason = g_strdup (fx->reason);
        ev->apply_to = g_strdup (fx->apply_to);
        ENCODE (case_returned);
    } else if (strcmp (type, DBN_MSG_CASE_REPLIED_WIRE) == 0) {
        BEGIN_EVENT (case_replied, DbnMsgCaseReplied, DBN_MSG_CASE_REPLIED_WIRE);
        ev->outcome = g_strdup (fx->outcome);
        ev->text = g_strdup (fx->text);
        ev->has_satisfied = fx->has_satisfied;
        ev->satisfied = fx->satisfied;
        ev->has_confirmed = fx->has_confirmed;
        ev->confirmed = fx->confirmed;
        ev->has_fee_charged = fx->has_fee_charged;
        ev->fee_charged = fx->fee_charged;
        ENCODE (case_replied);
    } else if (strcmp (type, DBN_MSG_CASE_CORRECTION_WIRE) == 0) {
        BEGIN_EVENT (case_correction, DbnMsgCaseCorrection, DBN_MSG_CASE_CORRECTION_WIRE);
        ev->field = g_strdup (fx->field);
        ev->value = g_strdup (fx->value);
        ev->previous = g_strdup (fx->previous);
        ev->reason = g_strdup (fx->reason);
        ENCODE (case_correction);
    } else if (strcmp (type, DBN_MSG_CASE_ARCHIVED_WIRE) == 0) {
        BEGIN_EVENT (case_archived, DbnMsgCaseArchived, DBN_MSG_CASE_ARCHIVED_WIRE);
        ENCODE (case_archived);
    } else if (strcmp (type, DBN_MSG_CASE_ACCOMPANIED_WIRE) == 0) {
        BEGIN_EVENT (case_accompanied, DbnMsgCaseAccompanied, DBN_MSG_CASE_ACCOMPANIED_WIRE);
        ev->note = g_strdup (fx->note);
        ENCODE (case_accompanied);
    } else if (strcmp (type, DBN_MSG_CASE_RESUMED_WIRE) == 0) {
        BEGIN_EVENT (case_resumed, DbnMsgCaseResumed, DBN_MSG_CASE_RESUMED_WIRE);
        ev->materials = g_strdupv (fx->materials ? fx->materials : (char *[]){ NULL });
        ENCODE (case_resumed);
    } else if (strcmp (type, DBN_MSG_RUNSHEET_ACKNOWLEDGED_WIRE) == 0) {
        BEGIN_EVENT (runsheet_acknowledged, DbnMsgRunsheetAcknowledged, DBN_MSG_RUNSHEET_ACKNOWLEDGED_WIRE);
        ev->sheet = g_strdup (fx->sheet);
        ev->remaining = fx->remaining;
        ENCODE (runsheet_acknowledged);
    }
    g_set_error (error, DBN_ERROR, DBN_ERROR_INTERNAL, "no event for effect %s", type);
    return FALSE;
}
