/* dbn_config.c: daiban.conf, a GKeyFile in the data folder.
 *
 * Loading starts from the embedded defaults (every service on 127.0.0.1,
 * township T01, the shipped catalog, synchronous=full) and lays the file
 * over them, so an operator writes only what differs and a missing file is
 * a working single-machine setup.
 *
 * The parser is strict: an unknown group or key, a bad value, or two sockets
 * on one endpoint is an error naming the file, the group and the key. A typo
 * such as "synchronus = normal" silently ignored would change durability
 * without anyone noticing; a service refusing to start says exactly where to
 * look. The file format follows the header comment, including comments after
 * a value ("township = T01   # prefix ..."), which GKeyFile alone would
 * take as part of the value: a '#' preceded by blank space ends the value
 * (no endpoint, township or mode contains one).
 *
 * A service's own group ([deadline]) is checked here for its keys only; the
 * service reads the values with dbn_config_get_setting and validates them.
 *
 * The struct keeps the values, not the GKeyFile: getters return borrowed
 * strings that must stay valid, and set_endpoints must be able to add a
 * service the file never named.
 */
/* O_CLOEXEC, write(), close(): the build is strict C11. */
#define _POSIX_C_SOURCE 200809L
#define G_LOG_DOMAIN    "daiban-config"

#include "daiban/dbn_config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "daiban/dbn_error.h"

#define CONFIG_FILE_NAME     "daiban.conf"
#define MAIN_GROUP           "daiban"
#define SERVICE_GROUP_PREFIX "service:"
#define COUNTY_GROUP         "county"
#define TOWNSHIP_GROUP_PREFIX "township:"
#define TOWNSHIP_MAX_LEN     16

/* Groups a service reads itself, with the keys they may hold; the service
 * validates the values when it starts (docs/deadline.md). */
static const struct {
    const char *group;
    const char *keys[24];
} service_settings[] = {
    { "deadline",
      { "centre", "progress", "station", "transfer", "department", "committed", "grace", "calendar",
        "tick_ms",
        /* D-DL-3: each clock's unit, working or calendar days. */
        "centre_unit", "progress_unit", "station_unit", "transfer_unit", "department_unit", "committed_unit",
        /* D-EV-7: the follow-up of a bad rating. */
        "followup", "followup_unit", NULL } },
    /* docs/audit.md, "The service" */
    { "audit",
      { "producers", "head_every_entries", "head_every_ms", "spotcheck_per_window", "summary_sign_hour",
        NULL } },
    /* docs/evaluation.md */
    { "evaluation",
      { "sample_percent",
        "quota_township_week",
        "quota_village_month",
        "quota_group_month",
        "fine_township",
        "fine_village",
        "fine_group",
        "reward_person",
        "reward_window",
        "star_satisfaction",
        "star_completion_1",
        "star_completion_2",
        "star_completion_3",
        "weight_completion",
        "weight_on_time",
        "weight_satisfaction",
        "haochaping_satisfied",
        "haochaping_basic",
        "haochaping_unsatisfied",
        "region_code",
        NULL } },
};

typedef struct {
    char *command; /* ROUTER endpoint: commands and sync */
    char *publish; /* PUB endpoint: events and heartbeats */
} Endpoints;

struct _DbnConfig {
    char *data_dir;       /* the data folder */
    char *file;           /* data_dir/daiban.conf, named in errors */
    char *township;       /* case number prefix */
    char *catalog_path;   /* the service catalog */
    gboolean sync_full;   /* synchronous=full */
    GHashTable *services; /* service name → Endpoints* */
    GHashTable *settings; /* "group/key" → value of a service's own group ([deadline]) */
    char *county_name;    /* [county] name_zh, NULL outside a county folder */
    char *committee_key;  /* [county] committee_key, absolute; NULL when not set */
    GPtrArray *townships; /* CountyTownship*, in [county] townships order */
};

/* One township set a county folder names ([township:<id>]). */
typedef struct {
    char *id;
    char *name;   /* name_zh, or the id */
    char *folder; /* absolute: the township set's daiban.conf and public keys */
} CountyTownship;

static void
county_township_free (CountyTownship *township)
{
    g_free (township->id);
    g_free (township->name);
    g_free (township->folder);
    g_free (township);
}

/* The design's services, in start order: upstream before downstream, so a
 * consumer's first sync finds its producer listening. */
static const char *const service_names[] = {
    "intake", "routing", "deadline", "evaluation", "audit", NULL,
};

static const struct {
    const char *name;
    const char *command;
    const char *publish;
} default_endpoints[] = {
    { "intake", "tcp://127.0.0.1:47101", "tcp://127.0.0.1:47102" },
    { "routing", "tcp://127.0.0.1:47111", "tcp://127.0.0.1:47112" },
    { "deadline", "tcp://127.0.0.1:47121", "tcp://127.0.0.1:47122" },
    { "evaluation", "tcp://127.0.0.1:47131", "tcp://127.0.0.1:47132" },
    { "audit", "tcp://127.0.0.1:47141", "tcp://127.0.0.1:47142" },
};

const char *const *
dbn_config_service_names (void)
{
    return service_names;
}

char *
dbn_config_resolve_data_dir (const char *option)
{
    if (option != NULL && *option != '\0')
        return g_strdup (option);
    const char *env = g_getenv ("DAIBAN_DATA");
    if (env != NULL && *env != '\0')
        return g_strdup (env);
    return g_build_filename (g_get_user_data_dir (), "daiban", NULL);
}

static const char *
default_catalog_path (void)
{
    /* Running from the source tree (tests, `daiban up` in a checkout) uses
     * the catalog being edited; an installed build uses the installed one. */
    static const char source_catalog[] = DBN_SOURCE_DIR "/schemas/data/catalog.ini";
    if (g_file_test (source_catalog, G_FILE_TEST_IS_REGULAR))
        return source_catalog;
    return DBN_DATA_INSTALL_DIR "/catalog.ini";
}

static void
endpoints_free (Endpoints *endpoints)
{
    g_free (endpoints->command);
    g_free (endpoints->publish);
    g_free (endpoints);
}

static Endpoints *
lookup_or_add (DbnConfig *self, const char *service)
{
    Endpoints *endpoints = g_hash_table_lookup (self->services, service);
    if (endpoints == NULL) {
        endpoints = g_new0 (Endpoints, 1);
        g_hash_table_insert (self->services, g_strdup (service), endpoints);
    }
    return endpoints;
}

static DbnConfig *
config_new_defaults (const char *data_dir)
{
    DbnConfig *self = g_new0 (DbnConfig, 1);
    self->data_dir = g_strdup (data_dir);
    self->file = g_build_filename (data_dir, CONFIG_FILE_NAME, NULL);
    self->township = g_strdup ("T01");
    self->catalog_path = g_strdup (default_catalog_path ());
    self->sync_full = TRUE;
    self->services = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) endpoints_free);
    self->townships = g_ptr_array_new_with_free_func ((GDestroyNotify) county_township_free);
    self->settings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    for (gsize i = 0; i < G_N_ELEMENTS (default_endpoints); i++)
        dbn_config_set_endpoints (self, default_endpoints[i].name, default_endpoints[i].command,
                                  default_endpoints[i].publish);
    return self;
}

void
dbn_config_free (DbnConfig *self)
{
    if (self == NULL)
        return;
    g_free (self->data_dir);
    g_free (self->file);
    g_free (self->township);
    g_free (self->catalog_path);
    g_clear_pointer (&self->services, g_hash_table_unref);
    g_clear_pointer (&self->settings, g_hash_table_unref);
    g_free (self->county_name);
    g_free (self->committee_key);
    g_clear_pointer (&self->townships, g_ptr_array_unref);
    g_free (self);
}

/* Always returns FALSE. */
static gboolean G_GNUC_PRINTF (5, 6)
    config_fail (DbnConfig *self, GError **error, const char *group, const char *key, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    g_autofree char *message = g_strdup_vprintf (format, args);
    va_end (args);
    if (key != NULL)
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "%s: [%s] %s: %s", self->file, group, key, message);
    else
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "%s: [%s]: %s", self->file, group, message);
    return FALSE;
}

/* The value with a trailing "  # comment" and surrounding blanks removed.
 * Caller owns it; NULL with an error when GKeyFile cannot unescape it. */
static char *
read_value (DbnConfig *self, GKeyFile *keyfile, const char *group, const char *key, GError **error)
{
    g_autoptr (GError) local = NULL;
    g_autofree char *value = g_key_file_get_string (keyfile, group, key, &local);
    if (value == NULL) {
        config_fail (self, error, group, key, "%s", local->message);
        return NULL;
    }
    for (char *p = value; *p != '\0'; p++) {
        if (*p == '#' && (p == value || g_ascii_isspace (p[-1]))) {
            *p = '\0';
            break;
        }
    }
    g_strstrip (value);
    return g_steal_pointer (&value);
}

static gboolean
endpoint_is_valid (const char *endpoint)
{
    static const char *const schemes[] = { "tcp://", "ipc://", "inproc://" };
    for (gsize i = 0; i < G_N_ELEMENTS (schemes); i++) {
        if (g_str_has_prefix (endpoint, schemes[i])) {
            const char *rest = endpoint + strlen (schemes[i]);
            if (*rest == '\0')
                return FALSE;
            for (const char *p = rest; *p != '\0'; p++)
                if (g_ascii_isspace (*p) || g_ascii_iscntrl (*p))
                    return FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean
township_is_valid (const char *township)
{
    gsize length = strlen (township);
    if (length == 0 || length > TOWNSHIP_MAX_LEN)
        return FALSE;
    for (const char *p = township; *p != '\0'; p++)
        if (!g_ascii_isalnum (*p))
            return FALSE;
    return TRUE;
}

/* Service names become file names (<service>.db) and log tags. */
static gboolean
service_name_is_valid (const char *name)
{
    if (*name == '\0' || strlen (name) > 32)
        return FALSE;
    for (const char *p = name; *p != '\0'; p++)
        if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-' && *p != '_')
            return FALSE;
    return TRUE;
}

static gboolean
is_default_service (const char *name)
{
    for (gsize i = 0; i < G_N_ELEMENTS (default_endpoints); i++)
        if (strcmp (default_endpoints[i].name, name) == 0)
            return TRUE;
    return FALSE;
}

static gboolean
apply_main_group (DbnConfig *self, GKeyFile *keyfile, GError **error)
{
    g_auto (GStrv) keys = g_key_file_get_keys (keyfile, MAIN_GROUP, NULL, NULL);
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        const char *key = keys[i];
        g_autofree char *value = read_value (self, keyfile, MAIN_GROUP, key, error);
        if (value == NULL)
            return FALSE;
        if (strcmp (key, "township") == 0) {
            if (!township_is_valid (value))
                return config_fail (self, error, MAIN_GROUP, key, "\"%s\" is not 1 to %d letters or digits",
                                    value, TOWNSHIP_MAX_LEN);
            g_free (self->township);
            self->township = g_steal_pointer (&value);
        } else if (strcmp (key, "catalog") == 0) {
            if (*value == '\0')
                return config_fail (self, error, MAIN_GROUP, key, "empty path");
            /* A relative path is relative to the data folder, not to
             * wherever the service happened to be started. */
            g_free (self->catalog_path);
            self->catalog_path = g_path_is_absolute (value) ? g_steal_pointer (&value)
                                                            : g_build_filename (self->data_dir, value, NULL);
        } else if (strcmp (key, "synchronous") == 0) {
            if (g_ascii_strcasecmp (value, "full") == 0)
                self->sync_full = TRUE;
            else if (g_ascii_strcasecmp (value, "normal") == 0)
                self->sync_full = FALSE;
            else
                return config_fail (self, error, MAIN_GROUP, key, "\"%s\" is neither full nor normal", value);
        } else {
            return config_fail (self, error, MAIN_GROUP, key,
                                "unknown key (known: township, catalog, synchronous)");
        }
    }
    return TRUE;
}

static gboolean
apply_service_group (DbnConfig *self, GKeyFile *keyfile, const char *group, GError **error)
{
    const char *service = group + strlen (SERVICE_GROUP_PREFIX);
    if (!service_name_is_valid (service))
        return config_fail (self, error, group, NULL,
                            "a service name is lower-case letters, digits, '-' and '_'");
    g_auto (GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
    g_autofree char *command = NULL;
    g_autofree char *publish = NULL;
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        const char *key = keys[i];
        char **slot;
        if (strcmp (key, "command") == 0)
            slot = &command;
        else if (strcmp (key, "publish") == 0)
            slot = &publish;
        else
            return config_fail (self, error, group, key, "unknown key (known: command, publish)");
        g_autofree char *value = read_value (self, keyfile, group, key, error);
        if (value == NULL)
            return FALSE;
        if (!endpoint_is_valid (value))
            return config_fail (self, error, group, key,
                                "\"%s\" is not a tcp://, ipc:// or inproc:// endpoint", value);
        g_free (*slot);
        *slot = g_steal_pointer (&value);
    }
    /* A service with no default must be given both sockets. */
    if (!is_default_service (service) && (command == NULL || publish == NULL))
        return config_fail (self, error, group, command == NULL ? "command" : "publish",
                            "missing (required for a service without defaults)");
    dbn_config_set_endpoints (self, service, command, publish);
    return TRUE;
}

static gboolean
apply_settings_group (DbnConfig *self, GKeyFile *keyfile, const char *group, gsize which, GError **error)
{
    g_auto (GStrv) keys = g_key_file_get_keys (keyfile, group, NULL, NULL);
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        if (!g_strv_contains (service_settings[which].keys, keys[i])) {
            g_autofree char *known = g_strjoinv (", ", (char **) service_settings[which].keys);
            return config_fail (self, error, group, keys[i], "unknown key (known: %s)", known);
        }
        char *value = read_value (self, keyfile, group, keys[i], error);
        if (value == NULL)
            return FALSE;
        g_hash_table_insert (self->settings, g_strdup_printf ("%s/%s", group, keys[i]), value);
    }
    return TRUE;
}

static gssize
settings_group_index (const char *group)
{
    for (gsize i = 0; i < G_N_ELEMENTS (service_settings); i++)
        if (strcmp (service_settings[i].group, group) == 0)
            return (gssize) i;
    return -1;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
    return strcmp (a, b);
}

/* Two sockets cannot bind one address; say so at load, naming both,
 * instead of letting the second service die with EADDRINUSE. Services are
 * checked in start order, then the extra ones by name, so the message is
 * stable. */
static gboolean
check_unique_endpoints (DbnConfig *self, GError **error)
{
    g_autoptr (GPtrArray) names = g_ptr_array_new ();
    for (gsize i = 0; service_names[i] != NULL; i++)
        g_ptr_array_add (names, (gpointer) service_names[i]);
    GList *extra = g_list_sort (g_hash_table_get_keys (self->services), compare_strings);
    for (GList *l = extra; l != NULL; l = l->next)
        if (!g_strv_contains (service_names, l->data))
            g_ptr_array_add (names, l->data);
    g_list_free (extra);

    g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
    for (guint i = 0; i < names->len; i++) {
        const char *service = names->pdata[i];
        Endpoints *endpoints = g_hash_table_lookup (self->services, service);
        if (endpoints == NULL)
            continue;
        const char *keys[] = { "command", "publish" };
        const char *values[] = { endpoints->command, endpoints->publish };
        for (gsize k = 0; k < G_N_ELEMENTS (keys); k++) {
            if (values[k] == NULL)
                continue;
            const char *owner = g_hash_table_lookup (seen, values[k]);
            if (owner != NULL) {
                g_autofree char *group = g_strconcat (SERVICE_GROUP_PREFIX, service, NULL);
                return config_fail (self, error, group, keys[k], "%s is also %s", values[k], owner);
            }
            g_hash_table_insert (seen, (gpointer) values[k],
                                 g_strdup_printf ("[" SERVICE_GROUP_PREFIX "%s] %s", service, keys[k]));
        }
    }
    return TRUE;
}

/* [county]: the county's name and the township sets it follows, in order.
 * Each listed id needs its [township:<id>] group; a group nobody lists is
 * a typo and refused, as everywhere in this file. */
static gboolean
apply_county_group (DbnConfig *self, GKeyFile *keyfile, GError **error)
{
    g_auto (GStrv) keys = g_key_file_get_keys (keyfile, COUNTY_GROUP, NULL, NULL);
    g_autofree char *list = NULL;
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        g_autofree char *value = read_value (self, keyfile, COUNTY_GROUP, keys[i], error);
        if (value == NULL)
            return FALSE;
        if (strcmp (keys[i], "name_zh") == 0) {
            g_free (self->county_name);
            self->county_name = g_steal_pointer (&value);
        } else if (strcmp (keys[i], "townships") == 0) {
            g_free (list);
            list = g_steal_pointer (&value);
        } else if (strcmp (keys[i], "committee_key") == 0) {
            if (*value == '\0')
                return config_fail (self, error, COUNTY_GROUP, keys[i], "empty path");
            /* Relative to the county's folder, like a township's folder. */
            g_free (self->committee_key);
            self->committee_key = g_path_is_absolute (value) ? g_steal_pointer (&value)
                                                             : g_build_filename (self->data_dir, value, NULL);
        } else
            return config_fail (self, error, COUNTY_GROUP, keys[i],
                                "unknown key (known: name_zh, townships, committee_key)");
    }
    if (list == NULL)
        return config_fail (self, error, COUNTY_GROUP, "townships", "missing (the township ids, T01;T02)");
    g_auto (GStrv) ids = g_strsplit (list, ";", -1);
    for (gsize i = 0; ids[i] != NULL; i++) {
        g_strstrip (ids[i]);
        if (*ids[i] == '\0' && ids[i + 1] == NULL)
            break; /* "T01;T02;" */
        if (!township_is_valid (ids[i]))
            return config_fail (self, error, COUNTY_GROUP, "townships", "\"%s\" is not 1 to %d letters or digits",
                                ids[i], TOWNSHIP_MAX_LEN);
        if (dbn_config_find_township (self, ids[i]) >= 0)
            return config_fail (self, error, COUNTY_GROUP, "townships", "%s is listed twice", ids[i]);
        g_autofree char *group = g_strconcat (TOWNSHIP_GROUP_PREFIX, ids[i], NULL);
        if (!g_key_file_has_group (keyfile, group))
            return config_fail (self, error, group, NULL, "missing (every listed township needs its folder)");
        CountyTownship *township = g_new0 (CountyTownship, 1);
        township->id = g_strdup (ids[i]);
        g_ptr_array_add (self->townships, township);
        g_auto (GStrv) tkeys = g_key_file_get_keys (keyfile, group, NULL, NULL);
        for (gsize k = 0; tkeys != NULL && tkeys[k] != NULL; k++) {
            g_autofree char *value = read_value (self, keyfile, group, tkeys[k], error);
            if (value == NULL)
                return FALSE;
            if (strcmp (tkeys[k], "name_zh") == 0) {
                g_free (township->name);
                township->name = g_steal_pointer (&value);
            } else if (strcmp (tkeys[k], "folder") == 0) {
                if (*value == '\0')
                    return config_fail (self, error, group, tkeys[k], "empty path");
                /* Relative to the county's folder, like catalog. */
                g_free (township->folder);
                township->folder = g_path_is_absolute (value) ? g_steal_pointer (&value)
                                                              : g_build_filename (self->data_dir, value, NULL);
            } else
                return config_fail (self, error, group, tkeys[k], "unknown key (known: folder, name_zh)");
        }
        if (township->folder == NULL)
            return config_fail (self, error, group, "folder",
                                "missing (the township set's folder: its daiban.conf and service keys)");
        if (township->name == NULL)
            township->name = g_strdup (township->id);
    }
    return TRUE;
}

static gboolean
apply_file (DbnConfig *self, GKeyFile *keyfile, GError **error)
{
    g_auto (GStrv) groups = g_key_file_get_groups (keyfile, NULL);
    for (gsize i = 0; groups[i] != NULL; i++) {
        const char *group = groups[i];
        gboolean ok;
        if (strcmp (group, MAIN_GROUP) == 0)
            ok = apply_main_group (self, keyfile, error);
        else if (g_str_has_prefix (group, SERVICE_GROUP_PREFIX))
            ok = apply_service_group (self, keyfile, group, error);
        else if (settings_group_index (group) >= 0)
            ok = apply_settings_group (self, keyfile, group, (gsize) settings_group_index (group), error);
        else if (strcmp (group, COUNTY_GROUP) == 0)
            ok = apply_county_group (self, keyfile, error);
        else if (g_str_has_prefix (group, TOWNSHIP_GROUP_PREFIX))
            ok = TRUE; /* read with [county], checked below */
        else
            ok = config_fail (self, error, group, NULL,
                              "unknown group (known: [daiban], [service:<name>], [deadline], [evaluation], "
                              "[audit], [county], [township:<id>])");
        if (!ok)
            return FALSE;
    }
    for (gsize i = 0; groups[i] != NULL; i++)
        if (g_str_has_prefix (groups[i], TOWNSHIP_GROUP_PREFIX) &&
            dbn_config_find_township (self, groups[i] + strlen (TOWNSHIP_GROUP_PREFIX)) < 0)
            return config_fail (self, error, groups[i], NULL, "not listed in [county] townships");
    return check_unique_endpoints (self, error);
}

DbnConfig *
dbn_config_load (const char *data_dir, GError **error)
{
    g_return_val_if_fail (data_dir != NULL, NULL);
    g_return_val_if_fail (error == NULL || *error == NULL, NULL);
    g_autoptr (DbnConfig) self = config_new_defaults (data_dir);
    g_autoptr (GKeyFile) keyfile = g_key_file_new ();
    g_autoptr (GError) local = NULL;
    if (!g_key_file_load_from_file (keyfile, self->file, G_KEY_FILE_NONE, &local)) {
        if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer (&self);
        g_set_error (error, DBN_ERROR, DBN_ERROR_CONFIG, "%s: %s", self->file, local->message);
        return NULL;
    }
    if (!apply_file (self, keyfile, error))
        return NULL;
    return g_steal_pointer (&self);
}

static char *
default_file_text (void)
{
    GString *text = g_string_new (NULL);
    g_string_append (text, "# daiban.conf: every endpoint and the data folder's settings.\n"
                           "# Written with the built-in defaults; edit and restart the services.\n"
                           "# A key left out keeps its default. Lines starting with # are comments.\n"
                           "\n"
                           "[" MAIN_GROUP "]\n"
                           "# Prefix of case numbers: <township>-<year>-<6 digits>.\n"
                           "township = T01\n"
                           "# The service catalog; a relative path is relative to this folder.\n");
    g_string_append_printf (text, "# Default: %s\n", default_catalog_path ());
    g_string_append (text, "#catalog = catalog.ini\n"
                           "# Durability of acknowledged work: full (survives power loss) or\n"
                           "# normal (survives a crashed process, not a crashed machine).\n"
                           "synchronous = full\n"
                           "\n"
                           "# One group per service, in the order `daiban up` starts them.\n"
                           "# command: ROUTER socket for commands and sync.\n"
                           "# publish: PUB socket for events and heartbeats.\n"
                           "# Endpoints are tcp://, ipc:// or inproc:// addresses; to spread the\n"
                           "# services over several hosts, bind to an interface's address.\n");
    for (gsize i = 0; i < G_N_ELEMENTS (default_endpoints); i++)
        g_string_append_printf (text, "\n[" SERVICE_GROUP_PREFIX "%s]\ncommand = %s\npublish = %s\n",
                                default_endpoints[i].name, default_endpoints[i].command,
                                default_endpoints[i].publish);
    g_string_append (
        text,
        "\n# The deadline service's clocks (docs/deadline.md): working days, but the\n"
        "# station-scope clock's \"3 days\" (D-DL-3) are calendar days;\n"
        "# uncomment to change the defaults shown.\n"
        "#[deadline]\n#centre = 1\n#progress = 5\n#station = 3\n#station_unit = calendar\n#transfer = 2\n"
        "#department = 3\n#committed = 0\n#followup = 15\n#grace = 1\n#calendar = calendar.ini\n"
        "\n# The evaluation service's rules (docs/evaluation.md): the return-visit\n"
        "# share, quotas and fines in yuan, rewards, stars in percent, the score's\n"
        "# weights, the 好差评 grades (1..5) of the three levels, and the region\n"
        "# code (行政区划代码) the 好差评 export needs.\n"
        "#[evaluation]\n#sample_percent = 35\n#quota_township_week = 1\n"
        "#quota_village_month = 2\n#quota_group_month = 1\n#fine_township = 100\n"
        "#fine_village = 80\n#fine_group = 80\n#reward_person = 100\n"
        "#reward_window = 100\n#star_satisfaction = 90\n#star_completion_1 = 80\n"
        "#star_completion_2 = 85\n#star_completion_3 = 90\n#weight_completion = 40\n"
        "#weight_on_time = 30\n#weight_satisfaction = 30\n#haochaping_satisfied = 4\n"
        "#haochaping_basic = 3\n#haochaping_unsatisfied = 2\n"
        "# region_code has no default (6 or 12 digits, GB/T 2260).\n#region_code =\n");
    return g_string_free (text, FALSE);
}

static gboolean
set_file_error (GError **error, int saved_errno, const char *path, const char *what)
{
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s: %s", path, what,
                 g_strerror (saved_errno));
    return FALSE;
}

gboolean
dbn_config_write_default (const char *data_dir, GError **error)
{
    g_return_val_if_fail (data_dir != NULL, FALSE);
    if (g_mkdir_with_parents (data_dir, 0700) != 0)
        return set_file_error (error, errno, data_dir, "cannot create the data folder");
    g_autofree char *file = g_build_filename (data_dir, CONFIG_FILE_NAME, NULL);
    /* O_EXCL: an operator's file is never overwritten, even by a second
     * `daiban up` racing this one. */
    int fd = g_open (file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST)
            return TRUE;
        return set_file_error (error, errno, file, "cannot create");
    }
    g_autofree char *text = default_file_text ();
    gsize length = strlen (text);
    gsize done = 0;
    while (done < length) {
        ssize_t n = write (fd, text + done, length - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close (fd);
            g_unlink (file);
            return set_file_error (error, saved, file, "cannot write");
        }
        done += (gsize) n;
    }
    if (close (fd) != 0) {
        int saved = errno;
        g_unlink (file);
        return set_file_error (error, saved, file, "cannot write");
    }
    return TRUE;
}

const char *
dbn_config_get_data_dir (DbnConfig *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->data_dir;
}

const char *
dbn_config_get_township (DbnConfig *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->township;
}

const char *
dbn_config_get_setting (DbnConfig *self, const char *group, const char *key)
{
    g_return_val_if_fail (self != NULL && group != NULL && key != NULL, NULL);
    g_autofree char *name = g_strdup_printf ("%s/%s", group, key);
    return g_hash_table_lookup (self->settings, name);
}

const char *
dbn_config_get_catalog_path (DbnConfig *self)
{
    g_return_val_if_fail (self != NULL, NULL);
    return self->catalog_path;
}

gboolean
dbn_config_get_sync_full (DbnConfig *self)
{
    g_return_val_if_fail (self != NULL, TRUE);
    return self->sync_full;
}

const char *
dbn_config_get_command_endpoint (DbnConfig *self, const char *service)
{
    g_return_val_if_fail (self != NULL && service != NULL, NULL);
    Endpoints *endpoints = g_hash_table_lookup (self->services, service);
    return endpoints != NULL ? endpoints->command : NULL;
}

const char *
dbn_config_get_publish_endpoint (DbnConfig *self, const char *service)
{
    g_return_val_if_fail (self != NULL && service != NULL, NULL);
    Endpoints *endpoints = g_hash_table_lookup (self->services, service);
    return endpoints != NULL ? endpoints->publish : NULL;
}

char *
dbn_config_dup_store_path (DbnConfig *self, const char *service)
{
    g_return_val_if_fail (self != NULL && service != NULL, NULL);
    g_autofree char *name = g_strconcat (service, ".db", NULL);
    return g_build_filename (self->data_dir, name, NULL);
}

/* NULL for command or publish keeps the current value. */
void
dbn_config_set_endpoints (DbnConfig *self, const char *service, const char *command, const char *publish)
{
    g_return_if_fail (self != NULL && service != NULL);
    Endpoints *endpoints = lookup_or_add (self, service);
    if (command != NULL) {
        g_free (endpoints->command);
        endpoints->command = g_strdup (command);
    }
    if (publish != NULL) {
        g_free (endpoints->publish);
        endpoints->publish = g_strdup (publish);
    }
}

const char *
dbn_config_get_county_name (DbnConfig *self)
{
    return self->county_name;
}

const char *
dbn_config_get_county_committee_key (DbnConfig *self)
{
    return self->committee_key;
}

guint
dbn_config_get_n_townships (DbnConfig *self)
{
    return self->townships->len;
}

gssize
dbn_config_find_township (DbnConfig *self, const char *id)
{
    for (guint i = 0; i < self->townships->len; i++)
        if (strcmp (((CountyTownship *) self->townships->pdata[i])->id, id) == 0)
            return (gssize) i;
    return -1;
}

const char *
dbn_config_get_township_id (DbnConfig *self, guint i)
{
    g_return_val_if_fail (i < self->townships->len, NULL);
    return ((CountyTownship *) self->townships->pdata[i])->id;
}

const char *
dbn_config_get_township_name (DbnConfig *self, guint i)
{
    g_return_val_if_fail (i < self->townships->len, NULL);
    return ((CountyTownship *) self->townships->pdata[i])->name;
}

const char *
dbn_config_get_township_folder (DbnConfig *self, guint i)
{
    g_return_val_if_fail (i < self->townships->len, NULL);
    return ((CountyTownship *) self->townships->pdata[i])->folder;
}
