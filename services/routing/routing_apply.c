/* routing_apply.c: the three steps every change of a case takes, for the
 * commands (routing_commands.c, routing_runsheet.c) and for the events that
 * follow intake (routing_follow.c): load the case, run the machine's step
 * (which refuses an illegal transition before changing anything), commit the
 * case (events journaled once and fanned out to the queue topics, handoffs in
 * the book, the row saved); and who may change which case (the rule is told
 * in routing_actions.c).
 */
#include "routing_private.h"

#include <string.h>

gboolean
routing_commit_case (RoutingActions *self, DbnOrigin *emitter, RoutingCase *c, GPtrArray *effects,
                     GError **error)
{
    /* The stored row is still the case before this change (saved below):
     * its topics are the queues the events must also reach. One read by
     * primary key per change. */
    g_autoptr (GError) local = NULL;
    g_autoptr (RoutingCase) before =
        effects->len > 0 ? routing_store_load_case (self->store, c->case_no, &local) : NULL;
    if (before == NULL && local != NULL && !g_error_matches (local, DBN_ERROR, DBN_ERROR_NOT_FOUND)) {
        g_propagate_error (error, g_steal_pointer (&local));
        return FALSE;
    }
    for (guint i = 0; i < effects->len; i++) {
        RoutingEffect *fx = g_ptr_array_index (effects, i);
        gint64 seq = 0;
        if (!routing_emit_effect (emitter, self->machine, c, before, fx, &seq, error))
            return FALSE;
        /* D-RTE-5: who, when and why of every handoff, in a book of its own. */
        if (fx->handoff
            && !routing_store_add_handoff (self->store, seq, c->case_no, emitter->now_ms, fx->from, fx->to,
                                           emitter->actor, fx->reason ? fx->reason : fx->type, error))
            return FALSE;
    }
    c->updated_at = emitter->now_ms;
    if (effects->len > 0) {
        c->updated_seq = emitter->last_seq;
        /* Issue 16 item 4: the board's masked row, after the case's events. */
        if (!routing_board_emit (self, emitter, c, before, error))
            return FALSE;
    }
    return routing_store_save_case (self->store, c, error);
}

gboolean
routing_forbid (GError **error, const char *principal, const char *what, const char *case_no)
{
    g_set_error (error, DBN_ERROR, DBN_ERROR_FORBIDDEN, "%s may not %s %s", principal, what, case_no);
    return FALSE;
}

gboolean
routing_may_write (DbnCommand *command, const RoutingCase *c, GError **error)
{
    const char *principal = dbn_command_get_principal (command);
    const char *id = dbn_principal_get_id (principal);
    switch (dbn_command_get_principal_kind (command)) {
    case DBN_PRINCIPAL_STATION:
        if (g_strcmp0 (id, c->station) == 0)
            return TRUE;
        break;
    case DBN_PRINCIPAL_WINDOW: {
        g_autofree char *hands = g_strdup_printf ("window:%s", id);
        if (g_strcmp0 (id, c->window) == 0 || g_strcmp0 (hands, c->holder) == 0)
            return TRUE;
        break;
    }
    case DBN_PRINCIPAL_COUNTY: {
        /* Issue 16: a department answers (case.county_answer, the only command
         * its kind may call) the cases it holds, those escalated to it. */
        g_autofree char *hands = g_strdup_printf ("county:%s", id);
        if (g_strcmp0 (hands, c->holder) == 0)
            return TRUE;
        break;
    }
    case DBN_PRINCIPAL_SERVICE:
    case DBN_PRINCIPAL_OPERATOR: return TRUE;
    default: break; /* supervisors and the committee read only */
    }
    return routing_forbid (error, principal, "change", c->case_no);
}

gboolean
routing_apply (RoutingActions *self, DbnOrigin *emitter, const char *case_no, const RoutingArgs *args,
               RoutingCase **out, GError **error)
{
    g_autoptr (RoutingCase) c = routing_store_load_case (self->store, case_no, error);
    if (c == NULL)
        return FALSE;
    if (emitter->command != NULL && !routing_may_write (emitter->command, c, error))
        return FALSE;
    g_autoptr (GPtrArray) effects = g_ptr_array_new_with_free_func ((GDestroyNotify) routing_effect_free);
    if (!routing_machine_step (self->machine, c, args, effects, error)
        || !routing_commit_case (self, emitter, c, effects, error))
        return FALSE;
    if (out != NULL)
        *out = g_steal_pointer (&c);
    return TRUE;
}
