/* intake_follow.c: intake follows routing's journal, for how cases close.
 *
 * Intake keeps the case record, and routing owns the case's life after
 * intake. Two rules need routing's word at intake: D-RPL-4, a case replied
 * to or archived is read-only everywhere, so intake's copy must refuse a
 * supplement once routing closed the case; and D-RPL-2, accepting a case
 * again requires that the earlier case was actually replied to. Intake
 * learns both from routing's journal through a DbnSubscriber, as the
 * deadline service does: each event applied exactly once, inside the
 * subscriber's transaction that also moves the stored offset, so a crash
 * neither loses nor repeats a closing.
 *
 * Only case.returned, case.replied and case.archived change anything: they
 * set case_record.closed to that state (events come in journal order, so
 * the last one stands: returned, then replied, then archived). Every other
 * event is acknowledged and ignored. Reading only the envelope, not each
 * type's decoder, keeps intake indifferent to routing's payloads.
 *
 * Rejected: asking routing (routing.case.get) inside intake.supplement and
 * intake.submit. A handler would block its batch on another service and
 * intake would stop taking requests whenever routing is down; the journal
 * costs one UPDATE per closed case and keeps intake working alone. The
 * price is that intake knows a reply a moment after routing made it (the
 * events' way across): `intake.case.get`'s `closed` says what intake has
 * heard.
 */
#include "intake_private.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-intake"

static const char *
closing_state (const char *type)
{
    if (g_strcmp0 (type, DBN_MSG_CASE_RETURNED_WIRE) == 0)
        return "returned";
    if (g_strcmp0 (type, DBN_MSG_CASE_REPLIED_WIRE) == 0)
        return "replied";
    if (g_strcmp0 (type, DBN_MSG_CASE_ARCHIVED_WIRE) == 0)
        return "archived";
    return NULL;
}

static gboolean
apply_routing_event (gpointer user_data, const DbnEnvEvent *env, GBytes *event, DbnOrigin *origin,
                     GError **error)
{
    IntakeActions *self = user_data;
    const char *state = closing_state (env->type);
    gboolean ok = TRUE;
    if (state != NULL && env->case_no != NULL) {
        sqlite3_stmt *st = self->close_case;
        sqlite3_reset (st);
        sqlite3_bind_text (st, 1, state, -1, SQLITE_STATIC);
        sqlite3_bind_text (st, 2, env->case_no, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step (st);
        sqlite3_reset (st);
        sqlite3_clear_bindings (st);
        /* A case intake never took (another township's store) changes no row. */
        if (rc != SQLITE_DONE)
            ok = dbn_store_set_error (dbn_service_get_store (self->service), rc, error);
    }
    return ok;
}

gboolean
intake_actions_follow (IntakeActions *self, DbnBus *bus, GError **error)
{
    DbnStore *store = dbn_service_get_store (self->service);
    int rc =
        sqlite3_prepare_v3 (dbn_store_get_db (store), "UPDATE case_record SET closed = ?1 WHERE case_no = ?2",
                            -1, SQLITE_PREPARE_PERSISTENT, &self->close_case, NULL);
    if (rc != SQLITE_OK)
        return dbn_store_set_error (store, rc, error);
    /* The frame's follower: intake emits nothing from it today, and whatever
     * it emits would go out through the service's emitter after the commit. */
    self->routing = dbn_service_follow (self->service, bus, "routing", apply_routing_event, self, error);
    return self->routing != NULL;
}
