/* daiban-routing: owns the case's whole life after intake (D-RTE-*,
 * D-RPL-*). Thin main (style rule 7): options, config, catalog and org,
 * store, loop; the behaviour is in routing_actions.c and routing_machine.c. */
#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>

#include "routing_actions.h"

static gboolean
on_signal (gpointer user_data)
{
    g_main_loop_quit (user_data);
    return G_SOURCE_REMOVE;
}

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
    g_autofree char *data_option = NULL;
    gboolean version = FALSE;
    GOptionEntry entries[] = {
        { "data", 'd', 0, G_OPTION_ARG_FILENAME, &data_option,
          "Data folder holding daiban.conf, keys and the SQLite files (数据目录)", "DIR" },
        { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
        { NULL },
    };
    setlocale (LC_ALL, "");
    g_autoptr (GOptionContext) options = g_option_context_new ("— 案件流转服务 / routing service");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        g_printerr ("daiban-routing: %s\n", error->message);
        return 2;
    }
    if (version) {
        g_print ("daiban-routing %s\n", DBN_VERSION);
        return 0;
    }
    dbn_log_init ("daiban-routing");
    routing_error_register ();

    g_autofree char *data_dir = dbn_config_resolve_data_dir (data_option);
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
        /* One line, both languages; a key error names the file. */
        g_autofree char *zh = dbn_error_dup_message_zh (error);
        g_printerr ("daiban-routing: 启动失败 / cannot start: [%s] %s\n", dbn_error_wire_code (error), zh);
        g_clear_pointer (&service, dbn_service_free);
        return 1;
    }

    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_unix_signal_add (SIGINT, on_signal, loop);
    g_unix_signal_add (SIGTERM, on_signal, loop);
    g_main_loop_run (loop);
    g_message ("routing: stopping");
    /* Subscriber and statements before the store, sockets before the bus. */
    g_clear_pointer (&actions, routing_actions_free);
    g_clear_pointer (&service, dbn_service_free);
    return EXIT_SUCCESS;
}
