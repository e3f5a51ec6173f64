/* dbn_connection.h: the client's link to the services, acting as one principal.
 *
 * A connection loads daiban.conf from a data folder and a secret key file
 * (from `daiban keys add`), and from then on talks CURVE to intake and
 * routing: commands through DEALER clients, events and heartbeats through SUB
 * sockets. It watches each service's heartbeat (one a second) to say which
 * are reachable, and asks its views to resynchronise when routing comes back.
 * The deadline service (the due column) is a third link, optional: a
 * daiban.conf without it gives a client whose due column stays "—".
 */
#pragma once

#include <gio/gio.h>
#include <daiban/daiban.h>

G_BEGIN_DECLS

#define DBN_TYPE_CONNECTION (dbn_connection_get_type ())
G_DECLARE_FINAL_TYPE (DbnConnection, dbn_connection, DBN, CONNECTION, GObject)

/* Loads DIR/daiban.conf, the catalog it names and the key file, and
 * connects (connecting never waits for a service). NULL with the error of
 * dbn_config_load, dbn_catalog_load or dbn_auth_setup_bus (a keys.* error
 * naming the file). Caller owns the result. */
DbnConnection *dbn_connection_new (const char *data_dir, const char *key_path, GError **error);

/* Borrowed, valid while self lives. */
const char *dbn_connection_get_principal (DbnConnection *self);
const char *dbn_connection_get_data_dir (DbnConnection *self);
/* The secret key file given to dbn_connection_new. */
const char *dbn_connection_get_key_path (DbnConnection *self);
DbnCatalog *dbn_connection_get_catalog (DbnConnection *self);
/* The principal's bus and the loaded daiban.conf, for a view that opens
 * links of its own (the committee's to the audit service). */
DbnBus *dbn_connection_get_bus (DbnConnection *self);
DbnConfig *dbn_connection_get_config (DbnConnection *self);
/* org.ini (dbn_org_default_path), or NULL when it cannot be read. */
DbnOrg *dbn_connection_get_org (DbnConnection *self);
/* The working-day calendar the deadline service reads (daiban.conf's
 * [deadline] calendar, else DIR/calendar.ini, else the shipped file), or
 * NULL when none can be loaded (the due column then shows dates only). */
DbnCalendar *dbn_connection_get_calendar (DbnConnection *self);
/* Today in the office's time zone, from the clock of DAIBAN_CLOCK_FILE
 * when set (tests move time with it), else the wall clock. */
void dbn_connection_get_today (DbnConnection *self, GDate *today);

/* TRUE when service's heartbeat was heard within the last 3 s. */
gboolean dbn_connection_is_reachable (DbnConnection *self, const char *service);
/* TRUE when intake and routing are both reachable (property "online"). */
gboolean dbn_connection_get_online (DbnConnection *self);
/* "受理 ● 流转 ○ 时限 ●": one mark per service, for the header bar. Caller owns it. */
char *dbn_connection_dup_status_text (DbnConnection *self);

/* Subscribes to topic (e.g. "q/jisheng/") on routing's publisher and on
 * deadline's; every event on it is emitted as ::event (topic, GBytes body)
 * from routing, ::deadline-event from deadline. ::deadline-resync is
 * emitted when the deadline service becomes reachable. */
void dbn_connection_subscribe (DbnConnection *self, const char *topic);
/* Every event of service's subscribed topics up to seq is known (the seq of
 * the view's snapshot): from here on the topic's events are emitted once
 * each, in seq order, including those the SUB missed (fetched with sys.sync
 * after a reconnect or when a heartbeat shows the topic may have moved on).
 * An event missing in the middle emits ::resync (routing) or
 * ::deadline-resync instead. Nothing of a topic is emitted before this. */
void dbn_connection_catch_up_from (DbnConnection *self, const char *service, gint64 seq);
/* Events emitted from sys.sync rather than live, and reconnections of
 * service's subscriber seen by its monitor (tests, diagnostics). */
guint dbn_connection_get_recovered (DbnConnection *self);
guint dbn_connection_get_reconnects (DbnConnection *self, const char *service);

/* Sends an encoded command to service and completes with its ok reply, or
 * with the service's error (dbn_reply_check), DBN_ERROR_TIMEOUT after
 * timeout_ms, or DBN_ERROR_CONFIG for a service daiban.conf lacks. */
void dbn_connection_call_async (DbnConnection *self, const char *service, GBytes *command, guint timeout_ms,
                                GAsyncReadyCallback callback, gpointer user_data);
/* The reply (caller owns it), or NULL with the error. */
GBytes *dbn_connection_call_finish (DbnConnection *self, GAsyncResult *result, GError **error);

G_END_DECLS
