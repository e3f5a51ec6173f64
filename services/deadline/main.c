/* daiban-deadline: due dates, clock stops, warnings, overdue and violations
 * (D-DL-1..7). Thin main (style rule 7): the frame's dbn_service_main does
 * options, config, store, bus and teardown; here are the calendar, the
 * catalog and the rebuild of the pending timers. The behaviour is in
 * deadline_actions.c, deadline_follow.c and deadline_fire.c. */
#include "deadline_actions.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

static gpointer
new_actions (DbnService *service, GError **error)
{
    DbnConfig *config = dbn_service_get_config (service);
    DeadlineSettings settings;
    if (!deadline_settings_load (&settings, config, error))
        return NULL;
    g_autofree char *path = dbn_promise_dup_calendar_path (config);
    DbnCalendar *calendar = dbn_calendar_load (path, error);
    if (calendar == NULL)
        return NULL;
    DbnCatalog *catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), error);
    if (catalog == NULL) {
        dbn_calendar_free (calendar);
        return NULL;
    }
    g_autoptr (DeadlineActions) actions =
        deadline_actions_new (service, calendar, path, catalog, &settings, error);
    if (actions == NULL)
        return NULL;
    gint64 started = g_get_monotonic_time ();
    if (!deadline_actions_rebuild (actions, error))
        return NULL;
    g_message ("%u pending firings rebuilt from the store in %.3f s",
               deadline_timers_size (deadline_actions_get_timers (actions)),
               (g_get_monotonic_time () - started) / 1e6);
    return g_steal_pointer (&actions);
}

/* Follows routing and intake, then ticks. */
static gboolean
start (gpointer actions, DbnBus *bus, GError **error)
{
    if (!deadline_actions_follow (actions, bus, error))
        return FALSE;
    deadline_actions_start_ticking (actions);
    return TRUE;
}

static const DbnServiceSpec spec = {
    .name = "deadline",
    .summary = "— 限时办结服务 / deadline service",
    .migrations = deadline_migrations,
    .commands = deadline_commands,
    .new_actions = new_actions,
    .start = start,
    .free_actions = (GDestroyNotify) deadline_actions_free,
};

DBN_SERVICE_MAIN (spec)
