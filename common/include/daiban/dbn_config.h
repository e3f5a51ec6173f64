/* dbn_config.h: daiban.conf, the one key file holding every endpoint and
 * the data folder's layout.
 *
 *   [daiban]
 *   township = T01            # prefix of case numbers <township>-<year>-<6 digits>
 *   catalog = /path/catalog.ini   # default: the catalog shipped in schemas/data
 *   synchronous = full        # full | normal (SQLite durability of acks)
 *   [service:intake]
 *   command = tcp://127.0.0.1:47101   # ROUTER: commands and sync
 *   publish = tcp://127.0.0.1:47102   # PUB: events and heartbeats
 *   [service:routing] ...
 *   [deadline]                # the deadline service's own settings (docs/deadline.md)
 *   progress = 5
 *   [evaluation]              # the evaluation rules' settings (docs/evaluation.md)
 *
 * A county's folder (docs/county.md) names the township sets it follows:
 *
 *   [county]
 *   name_zh = 青山县
 *   townships = T01;T02
 *   committee_key = keys/county-committee.secret   # the county's key in every
 *                             # township's registry (a committee principal)
 *   [township:T01]
 *   name_zh = 青山镇
 *   folder = townships/T01    # that set's daiban.conf and keys/ (public keys);
 *                             # relative to this folder
 *
 * A missing file means the embedded defaults (every service on 127.0.0.1);
 * dbn_config_write_default() writes them out so an operator can edit them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DbnConfig DbnConfig;

/* The services in the order `daiban up` starts them. NULL-terminated, static. */
const char *const *dbn_config_service_names (void);

/* The data folder to use: option (if not NULL/empty), else $DAIBAN_DATA,
 * else g_get_user_data_dir()/daiban. Caller owns the result. */
char *dbn_config_resolve_data_dir (const char *option);

/* Loads DIR/daiban.conf (defaults when the file is absent). On a malformed
 * file returns NULL with DBN_ERROR_CONFIG naming the file and the problem.
 * Caller owns the result. */
DbnConfig *dbn_config_load (const char *data_dir, GError **error);
void dbn_config_free (DbnConfig *self);

/* Creates DIR (0700) and writes DIR/daiban.conf with the defaults unless it
 * exists. TRUE when the file exists afterwards. */
gboolean dbn_config_write_default (const char *data_dir, GError **error);

/* Borrowed strings, valid while self lives. */
const char *dbn_config_get_data_dir (DbnConfig *self);
const char *dbn_config_get_township (DbnConfig *self);
const char *dbn_config_get_catalog_path (DbnConfig *self);
/* TRUE for synchronous=full (the default). */
gboolean dbn_config_get_sync_full (DbnConfig *self);
/* NULL for a service not in the file nor in the defaults. */
const char *dbn_config_get_command_endpoint (DbnConfig *self, const char *service);
const char *dbn_config_get_publish_endpoint (DbnConfig *self, const char *service);
/* The raw value of key in a service's own group ([deadline]; the keys the
 * group may hold are checked at load, the values by the service), or NULL
 * when the file does not set it. Borrowed. */
const char *dbn_config_get_setting (DbnConfig *self, const char *group, const char *key);
/* DIR/<service>.db. Caller owns the result. */
char *dbn_config_dup_store_path (DbnConfig *self, const char *service);

/* The county's township sets, in [county] townships order: 0 outside a
 * county folder. Borrowed strings; the folder is absolute. */
const char *dbn_config_get_county_name (DbnConfig *self);
/* [county] committee_key: the secret key file the county acts with in
 * every township (a committee principal registered in each); absolute,
 * NULL when not set. */
const char *dbn_config_get_county_committee_key (DbnConfig *self);
guint dbn_config_get_n_townships (DbnConfig *self);
/* The index of township id, or -1. */
gssize dbn_config_find_township (DbnConfig *self, const char *id);
const char *dbn_config_get_township_id (DbnConfig *self, guint i);
const char *dbn_config_get_township_name (DbnConfig *self, guint i);
const char *dbn_config_get_township_folder (DbnConfig *self, guint i);

/* Tests and deployments override single values before use. */
void dbn_config_set_endpoints (DbnConfig *self, const char *service, const char *command,
                               const char *publish);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnConfig, dbn_config_free)

G_END_DECLS
