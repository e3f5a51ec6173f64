/* daiban-routing: owns the case's whole life after intake (D-RTE-*,
 * D-RPL-*). Thin main (style rule 7): options, config, catalog and org,
 * store, loop; the behaviour is in routing_actions.c and routing_machine.c. */
#include <stdlib.h>

#include "routing_actions.h"

/* The catalog and the organisation, checked against each other: a matter
 * whose window or county department the org lacks could never be routed. */
static gboolean
load_configuration (DbnConfig *config, DbnCatalog **catalog, DbnOrg **org, GError **error)
{
    *catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), error);
    if (*catalog == NULL)
        return FALSE;
    *org = dbn_org_load (dbn_org_default_path (), error);
    return *org != NULL && dbn_org_check_catalog (*org, *catalog, error);
}

int
main (int argc, char **argv)
{
    int status = 0;
    g_autofree char *data_dir = dbn_service_parse_options (&argc, &argv, "daiban-routing",
                                                           "— 案件流转服务 / routing service", &status);
    if (data_dir == NULL)
        return status;

    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (data_dir, &error);
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    g_autoptr (DbnCatalog) catalog = NULL;
    g_autoptr (DbnOrg) org = NULL;
    gboolean configured = config != NULL && load_configuration (config, &catalog, &org, &error);
    g_autoptr (DbnService) service = configured ? dbn_service_new ("routing", config, clock, routing_migrations, &error) : NULL;
    g_autoptr (RoutingActions) actions = service ? routing_actions_new (service, g_steal_pointer (&catalog),
                                                                        g_steal_pointer (&org), &error) : NULL;
    g_autoptr (DbnBus) bus = dbn_bus_new ();
    if (actions != NULL) {
        dbn_service_add_commands (service, routing_commands, actions);
        /* Serve first, then follow intake: derived events need the publisher. */
        if (!dbn_service_start (service, bus, &error) || !routing_actions_follow_intake (actions, bus, &error))
            g_clear_pointer (&actions, routing_actions_free);
    }
    if (actions == NULL) {
        g_clear_pointer (&service, dbn_service_free);
        return dbn_service_report_start_failure ("daiban-routing", error);
    }
    dbn_service_run_until_signal ("routing");
    /* Subscriber and statements before the store, sockets before the bus. */
    g_clear_pointer (&actions, routing_actions_free);
    g_clear_pointer (&service, dbn_service_free);
    return EXIT_SUCCESS;
}
