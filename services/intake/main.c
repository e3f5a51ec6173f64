/* daiban-intake: takes residents' requests and makes them cases.
 * Thin main (style rule 7): the frame's dbn_service_main does options,
 * config, store, bus and teardown; this file says what intake is made of:
 * its catalog and villages, the calendar of the promised date (D-DL-4),
 * and that it follows routing (D-RPL-4: how
 * cases close). */
#include "intake_actions.h"

/* The catalog, and the villages a request may name (issue 11: they become
 * topics). */
static gpointer
new_actions (DbnService *service, GError **error)
{
    DbnConfig *config = dbn_service_get_config (service);
    g_autoptr (DbnCatalog) catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), error);
    g_autoptr (DbnOrg) org = catalog ? dbn_org_load (dbn_org_default_path (), error) : NULL;
    if (org == NULL)
        return NULL;
    /* D-DL-4: the promised date, with deadline's calendar and rule. */
    int setting = 0;
    gboolean calendar_days = FALSE;
    if (!dbn_promise_settings_load (config, &setting, &calendar_days, error))
        return NULL;
    g_autofree char *path = dbn_promise_dup_calendar_path (config);
    g_autoptr (DbnCalendar) calendar = dbn_calendar_load (path, error);
    if (calendar == NULL)
        return NULL;
    IntakeActions *actions =
        intake_actions_new (service, g_steal_pointer (&catalog), g_steal_pointer (&org), error);
    if (actions != NULL)
        intake_actions_set_promise (actions, g_steal_pointer (&calendar), setting, calendar_days);
    return actions;
}

static const DbnServiceSpec spec = {
    .name = "intake",
    .summary = "— 群众事务受理服务 / intake service",
    .migrations = intake_migrations,
    .commands = intake_commands,
    .new_actions = new_actions,
    .start = (DbnServiceStartFunc) intake_actions_follow,
    .free_actions = (GDestroyNotify) intake_actions_free,
};

DBN_SERVICE_MAIN (spec)
