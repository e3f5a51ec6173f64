/* deadline_actions.c: daiban-deadline's command table, and the life of its
 * state.
 *
 * The imports run one way: this table → the families (deadline_commands.c,
 * deadline_reload.c, deadline_queue.c, the followers deadline_follow.c and
 * the firings deadline_fire.c; with deadline_clocks.c, which they share,
 * through deadline_private.h) → the store, timers and clock rules
 * (deadline_store.h, deadline_timers.h, deadline_clock.h).
 */
#include "deadline_private.h"

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
    g_clear_pointer (&self->evaluation, dbn_subscriber_free);
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

#define READERS                                                                                              \
    (DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION | DBN_PRINCIPAL_SUPERVISOR | DBN_PRINCIPAL_COMMITTEE)

const DbnCommandSpec deadline_commands[] = {
    { DBN_MSG_DEADLINE_CASE_DUE_WIRE, deadline_case_due, FALSE, READERS },
    /* A county department reads its own queue's clocks only (dbn_auth_may_read_queue). */
    { DBN_MSG_DEADLINE_QUEUE_WIRE, deadline_queue_command, FALSE, READERS | DBN_PRINCIPAL_COUNTY },
    { DBN_MSG_DEADLINE_CASE_EXPLAIN_WIRE, deadline_case_explain, TRUE,
      DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_DEADLINE_CASE_SUSPEND_WIRE, deadline_case_suspend, TRUE,
      DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    { DBN_MSG_DEADLINE_CASE_RESUME_WIRE, deadline_case_resume, TRUE,
      DBN_PRINCIPAL_WINDOW | DBN_PRINCIPAL_STATION },
    /* Only services and the operator: the calendar is the office's. */
    { DBN_MSG_DEADLINE_CALENDAR_RELOAD_WIRE, deadline_calendar_reload, TRUE, 0 },
    /* D-CAT-3: the administrator (operator) or a supervisor, as intake and routing. */
    { DBN_MSG_CATALOG_RELOAD_WIRE, deadline_catalog_reload, FALSE, DBN_PRINCIPAL_SUPERVISOR },
    { NULL, NULL, FALSE, 0 },
};
