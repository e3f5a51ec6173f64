/* routing_follow.c: routing follows intake's journal.
 *
 * A DbnSubscriber applies intake's events exactly once, each inside the
 * subscriber's transaction that also moves the stored offset. case.accepted
 * becomes a routed case (routing_machine_route) and journals case.routed;
 * case.awaiting_materials records the missing list; case.materials_supplemented
 * resumes the case (D-INT-4) and journals case.resumed; case.corrected
 * (D-AUD-5) journals case.correction, so the timeline shows it. Any other
 * event type is acknowledged and ignored.
 *
 * The derived events go through the service's emitter (dbn_service_follow):
 * journaled in the subscriber's transaction, published once it commits,
 * dropped when it rolls back (then the same intake events are applied
 * again). A crash between commit and publish loses no event: it is in the
 * journal, and consumers sync.
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
on_accepted (RoutingActions *self, DbnOrigin *origin, GBytes *event, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseAccepted) accepted =
        dbn_msg_case_accepted_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
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
    return routing_commit_case (self, origin, c, effects, error);
}

static gboolean
on_awaiting_materials (RoutingActions *self, DbnOrigin *origin, GBytes *event, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseAwaitingMaterials) awaiting = dbn_msg_case_awaiting_materials_decode (
        g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
    if (awaiting == NULL || awaiting->env.case_no == NULL) {
        g_warning ("intake's case.awaiting_materials cannot be read, skipped: %s",
                   local ? local->message : "no case number");
        return TRUE;
    }
    RoutingArgs args = { .input = ROUTING_INPUT_MATERIALS_MISSING,
                         .actor = origin->actor,
                         .missing = awaiting->missing };
    if (!routing_apply (self, origin, awaiting->env.case_no, &args, NULL, &local)) {
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
on_materials_supplemented (RoutingActions *self, DbnOrigin *origin, GBytes *event, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseMaterialsSupplemented) supplied = dbn_msg_case_materials_supplemented_decode (
        g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
    if (supplied == NULL || supplied->env.case_no == NULL) {
        g_warning ("intake's case.materials_supplemented cannot be read, skipped: %s",
                   local ? local->message : "no case number");
        return TRUE;
    }
    RoutingArgs args = { .input = ROUTING_INPUT_MATERIALS_SUPPLIED,
                         .actor = origin->actor,
                         .materials = supplied->materials };
    /* The resumption is the supplementer's act (who handed the papers in). */
    const char *service_actor = origin->actor;
    if (supplied->env.actor != NULL)
        origin->actor = supplied->env.actor;
    gboolean applied = routing_apply (self, origin, supplied->env.case_no, &args, NULL, &local);
    origin->actor = service_actor; /* supplied's string dies with it */
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

/* D-AUD-5: intake corrected the applicant's data; the timeline shows it
 * (routing holds none of those fields: the case itself does not change). */
static gboolean
on_corrected (RoutingActions *self, DbnOrigin *origin, GBytes *event, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autoptr (DbnMsgCaseCorrected) corrected =
        dbn_msg_case_corrected_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &local);
    if (corrected == NULL || corrected->env.case_no == NULL) {
        g_warning ("intake's case.corrected cannot be read, skipped: %s",
                   local ? local->message : "no case number");
        return TRUE;
    }
    g_autoptr (RoutingCase) c = routing_store_load_case (self->store, corrected->env.case_no, &local);
    if (c == NULL) {
        if (g_error_matches (local, DBN_ERROR, DBN_ERROR_NOT_FOUND)) {
            g_warning ("%s: correction not shown: %s", corrected->env.case_no, local->message);
            return TRUE;
        }
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    g_autoptr (GPtrArray) effects = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
    RoutingEffect *fx = g_new0 (RoutingEffect, 1);
    fx->type = DBN_MSG_CASE_CORRECTION_WIRE;
    fx->field = g_strdup (corrected->field);
    fx->value = g_strdup (corrected->value);
    fx->previous = g_strdup (corrected->previous);
    fx->reason = g_strdup (corrected->reason);
    g_ptr_array_add (effects, fx);
    /* The correction is the corrector's act. */
    const char *service_actor = origin->actor;
    if (corrected->env.actor != NULL)
        origin->actor = corrected->env.actor;
    gboolean ok = routing_commit_case (self, origin, c, effects, error);
    origin->actor = service_actor;
    return ok;
}

static gboolean
apply_intake_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                    GError **error)
{
    RoutingActions *self = user_data;
    if (g_strcmp0 (env->type, DBN_MSG_CASE_ACCEPTED_WIRE) == 0)
        return on_accepted (self, origin, event, error);
    if (g_strcmp0 (env->type, DBN_MSG_CASE_AWAITING_MATERIALS_WIRE) == 0)
        return on_awaiting_materials (self, origin, event, error);
    if (g_strcmp0 (env->type, DBN_MSG_CASE_MATERIALS_SUPPLEMENTED_WIRE) == 0)
        return on_materials_supplemented (self, origin, event, error);
    if (g_strcmp0 (env->type, DBN_MSG_CASE_CORRECTED_WIRE) == 0)
        return on_corrected (self, origin, event, error);
    return TRUE;
}

gboolean
routing_follow_start (RoutingActions *self, DbnBus *bus, GError **error)
{
    self->subscriber = dbn_service_follow (self->service, bus, "intake", apply_intake_event, self, error);
    return self->subscriber != NULL;
}

void
routing_follow_stop (RoutingActions *self)
{
    g_clear_pointer (&self->subscriber, dbn_subscriber_free);
}
