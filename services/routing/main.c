/* daiban-routing: owns the case's whole life after intake (D-RTE-*,
 * D-RPL-*). Thin main (style rule 7): the frame's dbn_service_main does
 * options, config, store, bus and teardown; the behaviour is in
 * routing_actions.c and routing_machine.c. */
#include "routing_actions.h"

/* The catalog and the organisation, checked against each other: a matter
 * whose window or county department the org lacks could never be routed. */
static gpointer
new_actions (DbnService *service, GError **error)
{
    DbnConfig *config = dbn_service_get_config (service);
    g_autoptr (DbnCatalog) catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), error);
    g_autoptr (DbnOrg) org = catalog ? dbn_org_load (dbn_org_default_path (), error) : NULL;
    if (org == NULL || !dbn_org_check_catalog (org, catalog, error))
        return NULL;
    return routing_actions_new (service, g_steal_pointer (&catalog), g_steal_pointer (&org), error);
}

static const DbnServiceSpec spec = {
    .name = "routing",
    .summary = "— 案件流转服务 / routing service",
    .migrations = routing_migrations,
    .commands = routing_commands,
    .new_actions = new_actions,
    .start = (DbnServiceStartFunc) routing_actions_follow_intake,
    .free_actions = (GDestroyNotify) routing_actions_free,
};

DBN_SERVICE_MAIN (spec)
