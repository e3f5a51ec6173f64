/* daiban-intake: takes residents' requests and makes them cases.
 * Thin main (style rule 7): the frame's dbn_service_main does options,
 * config, store, bus and teardown; this file says what intake is made of:
 * its catalog and villages, and that it follows routing (D-RPL-4: how
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
    return org ? intake_actions_new (service, g_steal_pointer (&catalog), g_steal_pointer (&org), error)
               : NULL;
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
