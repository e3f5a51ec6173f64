/* routing_follow.c: routing follows intake's journal.
 *
 * A DbnSubscriber applies intake's events exactly once, each inside the
 * subscriber's transaction that also moves the stored offset. case.accepted
 * becomes a routed case (routing_machine_route) and journals case.routed;
 * case.awaiting_materials records the missing list; case.materials_supplemented
 * resumes the case (D-INT-4) and journals case.resumed. Any other event
 * type is acknowledged and ignored.
 *
 * Publishing the derived events: the service frame publishes a command's
 * events after its batch commits, but a subscriber's transaction is not a
 * batch of the frame. So derived events go to routing's journal directly
 * and wait in an outbox tagged with the intake seq they came from; an idle
 * callback at high priority (it runs before the next command batch) then
 * publishes those whose intake seq the subscriber has committed, and drops
 * the rest (their transaction rolled back: the journal no longer holds
 * them, and the same intake events are applied again). A retried intake
 * event first drops what its failed attempt left in the outbox. A crash
 * between commit and publish loses no event: it is in the journal, and
 * consumers sync.
 *
 * A domain refusal (an awaiting_materials for a case routing moved on
 * already, a case.accepted whose village org.ini lacks) is logged and
 * acknowledged, never failed: failing would roll the
 * batch back and retry it forever. Only store failures roll back.
 */
#include "routing_private.h"

#include <string.h>

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-routing"

static gboolean
flush_outbox (gpointer user_data)
{
    RoutingActions *self = user_data;
    self->flush_id = 0;
    gint64 applied = self->subscriber ? dbn_subscriber_get_applied (self->subscriber) : 0;
    DbnPublisher *publisher = dbn_service_get_publisher (self->service);
    for (guint i = 0; i < self->outbox->len; i++) {
        RoutingOutgoing *out = g_ptr_array_index (self->outbox, i);
        if (out->source_seq <= applied && publisher != NULL)
            dbn_publisher_send (publisher, out->topic, out->body);
    }
    g_ptr_array_set_size (self->outbox, 0);
    return G_SOURCE_REMOVE;
}

static void
schedule_flush (RoutingActions *self)
{
    if (self->flush_id == 0)
        self->flush_id = g_idle_add_full (G_PRIORITY_HIGH, flush_outbox, self, NULL);
}

static gboolean
on_accepted (RoutingActions *self, RoutingEmitter *emitter, GBytes *event, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseAccepted) accepted = dbn_msg_case_accepted_decode (
        g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
    if (accepted == NULL || accepted->env.case_no == NULL) {
        g_warning ("intake's case.accepted cannot be read, skipped: %s",
                   local ? local->message : "no case number");
        return TRUE;
    }
    gboolean exists = FALSE;
    if (!routing_store_has_case (self->store, accepted->env.case_no, &exists, error))
        return FALSE;
    if (exists)
        return TRUE; /* a second acceptance of one number cannot happen; keep the first */
    g_autoptr (GPtrArray) effects = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
    g_autoptr (RoutingCase) c = routing_machine_route (self->machine, accepted, effects, &local);
    if (c == NULL) {
        /* Intake refuses such a village since issue 11; an older journal or
         * an intake with another org.ini may still hold one. Its id must not
         * become a station's topic, and failing would retry it forever. */
        g_warning ("%s: intake's case.accepted not routed: %s", accepted->env.case_no, local->message);
        return TRUE;
    }
    return routing_commit_case (self, emitter, c, effects, error);
}

static gboolean
on_awaiting_materials (RoutingActions *self, RoutingEmitter *emitter, GBytes *event, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseAwaitingMaterials) awaiting = dbn_msg_case_awaiting_materials_decode (
        g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
    if (awaiting == NULL || awaiting->env.case_no == NULL) {
        g_warning ("intake's case.awaiting_materials cannot be read, skipped: %s",
                   local ? local->message : "no case number");
        return TRUE;
    }
    RoutingArgs args = { .input = ROUTING_INPUT_MATERIALS_MISSING, .actor = emitter->actor,
                         .missing = awaiting->missing };
    if (!routing_apply (self, emitter, awaiting->env.case_no, &args, NULL, &local)) {
        if (local->domain == ROUTING_ERROR || g_error_matches (local, DBN_ERROR, DBN_ERROR_NOT_FOUND)) {
            g_warning ("%s: awaiting materials not applied: %s", awaiting->env.case_no, local->message);
            return TRUE;
        }
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    return TRUE;
}

/* D-INT-4: intake has every material now; the case resumes. */
static gboolean
on_materials_supplemented (RoutingActions *self, RoutingEmitter *emitter, GBytes *event, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseMaterialsSupplemented) supplied = dbn_msg_case_materials_supplemented_decode (
        g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
    if (supplied == NULL || supplied->env.case_no == NULL) {
        g_warning ("intake's case.materials_supplemented cannot be read, skipped: %s",
                   local ? local->message : "no case number");
        return TRUE;
    }
    RoutingArgs args = { .input = ROUTING_INPUT_MATERIALS_SUPPLIED, .actor = emitter->actor,
                         .materials = supplied->materials };
    /* The resumption is the supplementer's act (who handed the papers in). */
    const char *service_actor = emitter->actor;
    if (supplied->env.actor != NULL)
        emitter->actor = supplied->env.actor;
    gboolean applied = routing_apply (self, emitter, supplied->env.case_no, &args, NULL, &local);
    emitter->actor = service_actor; /* supplied's string dies with it */
    if (!applied) {
        if (local->domain == ROUTING_ERROR || g_error_matches (local, DBN_ERROR, DBN_ERROR_NOT_FOUND)) {
            g_warning ("%s: materials supplemented not applied: %s", supplied->env.case_no, local->message);
            return TRUE;
        }
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    return TRUE;
}

static gboolean
apply_intake_event (DbnSubscriber *subscriber, gint64 seq, GBytes *event, gpointer user_data,
                    GError **error)
{
    RoutingActions *self = user_data;
    /* Whatever an earlier attempt at this seq or later left is void. */
    for (guint i = self->outbox->len; i > 0; i--)
        if (((RoutingOutgoing *) g_ptr_array_index (self->outbox, i - 1))->source_seq >= seq)
            g_ptr_array_remove_index (self->outbox, i - 1);

    DbnEnvEvent env = { 0 };
    if (!dbn_env_event_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &env, NULL))
        return TRUE; /* the subscriber checked it already; nothing of ours */
    RoutingEmitter emitter = {
        .store = dbn_service_get_store (self->service),
        .outbox = self->outbox,
        .source_seq = seq,
        .now_ms = dbn_clock_now_ms (dbn_service_get_clock (self->service)),
        .actor = "service:routing",
    };
    gboolean ok = TRUE;
    if (g_strcmp0 (env.type, DBN_MSG_CASE_ACCEPTED_WIRE) == 0)
        ok = on_accepted (self, &emitter, event, error);
    else if (g_strcmp0 (env.type, DBN_MSG_CASE_AWAITING_MATERIALS_WIRE) == 0)
        ok = on_awaiting_materials (self, &emitter, event, error);
    else if (g_strcmp0 (env.type, DBN_MSG_CASE_MATERIALS_SUPPLEMENTED_WIRE) == 0)
        ok = on_materials_supplemented (self, &emitter, event, error);
    dbn_env_event_clear (&env);
    if (self->outbox->len > 0)
        schedule_flush (self);
    return ok;
}

gboolean
routing_follow_start (RoutingActions *self, DbnBus *bus, GError **error)
{
    DbnConfig *config = dbn_service_get_config (self->service);
    const char *publish = dbn_config_get_publish_endpoint (config, "intake");
    const char *command = dbn_config_get_command_endpoint (config, "intake");
    if (publish == NULL || command == NULL) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "daiban.conf has no endpoints for intake");
        return FALSE;
    }
    self->subscriber = dbn_subscriber_new (bus, dbn_service_get_store (self->service), "intake",
                                           publish, command, apply_intake_event, self, error);
    return self->subscriber != NULL;
}

void
routing_follow_stop (RoutingActions *self)
{
    if (self->flush_id != 0) {
        g_source_remove (self->flush_id);
        self->flush_id = 0;
    }
    g_clear_pointer (&self->subscriber, dbn_subscriber_free);
}
