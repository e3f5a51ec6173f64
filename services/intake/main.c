/* daiban-intake: takes residents' requests and makes them cases.
 * Thin main (style rule 7): options, config, store, routing's journal, loop. */
#include <stdlib.h>

#include "intake_actions.h"

int
main (int argc, char **argv)
{
    int status = 0;
    g_autofree char *data_dir = dbn_service_parse_options (&argc, &argv, "daiban-intake",
                                                           "— 群众事务受理服务 / intake service", &status);
    if (data_dir == NULL)
        return status;

    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (data_dir, &error);
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    g_autoptr (DbnCatalog) catalog = config ? dbn_catalog_load (dbn_config_get_catalog_path (config), &error) : NULL;
    /* Issue 11: the villages a request may name (they become topics). */
    g_autoptr (DbnOrg) org = catalog ? dbn_org_load (dbn_org_default_path (), &error) : NULL;
    g_autoptr (DbnService) service = org ? dbn_service_new ("intake", config, clock, intake_migrations, &error) : NULL;
    g_autoptr (IntakeActions) actions = service ? intake_actions_new (service, g_steal_pointer (&catalog),
                                                                      g_steal_pointer (&org), &error) : NULL;
    g_autoptr (DbnBus) bus = dbn_bus_new ();
    if (actions != NULL) {
        dbn_service_add_commands (service, intake_commands, actions);
        /* Serve first, then follow routing (D-RPL-4: how cases close). */
        if (!dbn_service_start (service, bus, &error) || !intake_actions_follow (actions, bus, &error))
            g_clear_pointer (&actions, intake_actions_free);
    }
    if (actions == NULL) {
        g_clear_pointer (&service, dbn_service_free);
        return dbn_service_report_start_failure ("daiban-intake", error);
    }
    dbn_service_run_until_signal ("intake");
    /* Statements before the store, sockets before the bus. */
    g_clear_pointer (&actions, intake_actions_free);
    g_clear_pointer (&service, dbn_service_free);
    return EXIT_SUCCESS;
}
