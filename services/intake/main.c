/* daiban-intake: takes residents' requests and makes them cases.
 * Thin main (style rule 7): options, config, store, loop. */
#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>

#include "intake_actions.h"

static gboolean
on_signal (gpointer user_data)
{
    g_main_loop_quit (user_data);
    return G_SOURCE_REMOVE;
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
    g_autoptr (GOptionContext) options = g_option_context_new ("— 群众事务受理服务 / intake service");
    g_option_context_add_main_entries (options, entries, NULL);
    g_autoptr (GError) error = NULL;
    if (!g_option_context_parse (options, &argc, &argv, &error)) {
        g_printerr ("daiban-intake: %s\n", error->message);
        return 2;
    }
    if (version) {
        g_print ("daiban-intake %s\n", DBN_VERSION);
        return 0;
    }
    dbn_log_init ("daiban-intake");
    intake_error_register ();

    g_autofree char *data_dir = dbn_config_resolve_data_dir (data_option);
    g_autoptr (DbnConfig) config = dbn_config_load (data_dir, &error);
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    g_autoptr (DbnCatalog) catalog = config ? dbn_catalog_load (dbn_config_get_catalog_path (config), &error) : NULL;
    g_autoptr (DbnService) service = catalog ? dbn_service_new ("intake", config, clock, intake_migrations, &error) : NULL;
    g_autoptr (IntakeActions) actions = service ? intake_actions_new (service, g_steal_pointer (&catalog), &error) : NULL;
    g_autoptr (DbnBus) bus = dbn_bus_new ();
    if (actions != NULL) {
        dbn_service_add_commands (service, intake_commands, actions);
        if (!dbn_service_start (service, bus, &error))
            g_clear_pointer (&actions, intake_actions_free);
    }
    if (actions == NULL) {
        /* One line, both languages; a key error names the file. */
        g_autofree char *zh = dbn_error_dup_message_zh (error);
        g_printerr ("daiban-intake: 启动失败 / cannot start: [%s] %s\n",
                    dbn_error_wire_code (error), zh);
        g_clear_pointer (&service, dbn_service_free);
        return 1;
    }

    g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    g_unix_signal_add (SIGINT, on_signal, loop);
    g_unix_signal_add (SIGTERM, on_signal, loop);
    g_main_loop_run (loop);
    g_message ("intake: stopping");
    /* Statements before the store, sockets before the bus. */
    g_clear_pointer (&actions, intake_actions_free);
    g_clear_pointer (&service, dbn_service_free);
    return EXIT_SUCCESS;
}
