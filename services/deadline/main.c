/* daiban-deadline: due dates, clock stops, warnings, overdue and violations
 * (D-DL-1..7). Thin main (style rule 7): options, config, calendar and
 * catalog, store, rebuild of the pending timers, loop; the behaviour is in
 * deadline_actions.c, deadline_follow.c and deadline_fire.c. */
#include <stdlib.h>

#include "deadline_actions.h"

#undef G_LOG_DOMAIN
#define G_LOG_DOMAIN "daiban-deadline"

/* [deadline] calendar (relative to the data folder), else DIR/calendar.ini,
 * else the shipped file. Caller owns it. */
static char *
calendar_path (DbnConfig *config)
{
    const char *set = dbn_config_get_setting (config, "deadline", "calendar");
    if (set != NULL && *set != '\0')
        return g_path_is_absolute (set) ? g_strdup (set)
                                        : g_build_filename (dbn_config_get_data_dir (config), set, NULL);
    return dbn_calendar_dup_default_path (dbn_config_get_data_dir (config));
}

static DeadlineActions *
make_actions (DbnService *service, DbnConfig *config, GError **error)
{
    DeadlineSettings settings;
    if (!deadline_settings_load (&settings, config, error))
        return NULL;
    g_autofree char *path = calendar_path (config);
    DbnCalendar *calendar = dbn_calendar_load (path, error);
    if (calendar == NULL)
        return NULL;
    DbnCatalog *catalog = dbn_catalog_load (dbn_config_get_catalog_path (config), error);
    if (catalog == NULL) {
        dbn_calendar_free (calendar);
        return NULL;
    }
    g_autoptr (DeadlineActions) actions = deadline_actions_new (service, calendar, path, catalog, &settings, error);
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

int
main (int argc, char **argv)
{
    int status = 0;
    g_autofree char *data_dir = dbn_service_parse_options (&argc, &argv, "daiban-deadline",
                                                           "— 限时办结服务 / deadline service", &status);
    if (data_dir == NULL)
        return status;

    g_autoptr (GError) error = NULL;
    g_autoptr (DbnConfig) config = dbn_config_load (data_dir, &error);
    g_autoptr (DbnClock) clock = dbn_clock_new_from_env ();
    g_autoptr (DbnService) service = config ? dbn_service_new ("deadline", config, clock, deadline_migrations, &error) : NULL;
    g_autoptr (DeadlineActions) actions = service ? make_actions (service, config, &error) : NULL;
    g_autoptr (DbnBus) bus = dbn_bus_new ();
    if (actions != NULL) {
        dbn_service_add_commands (service, deadline_commands, actions);
        /* Serve first (firings publish), then follow and tick. */
        if (!dbn_service_start (service, bus, &error) || !deadline_actions_follow (actions, bus, &error))
            g_clear_pointer (&actions, deadline_actions_free);
    }
    if (actions == NULL) {
        g_clear_pointer (&service, dbn_service_free);
        return dbn_service_report_start_failure ("daiban-deadline", error);
    }
    deadline_actions_start_ticking (actions);
    dbn_service_run_until_signal ("deadline");
    /* Subscribers and statements before the store, sockets before the bus. */
    g_clear_pointer (&actions, deadline_actions_free);
    g_clear_pointer (&service, dbn_service_free);
    return EXIT_SUCCESS;
}
