/* dbn_county_connections.h: a county department's links to the township
 * sets its data folder names (issue 16 item 1).
 *
 * A county folder's daiban.conf lists the townships ([county] townships,
 * [township:<id>] name_zh and folder: dbn_config.h); each folder holds a
 * copy of that township set's daiban.conf and its keys/registry (the public
 * keys of its services). With the department's one county:<dept> key (made
 * on the county's PC, imported into each township's registry) this opens one
 * DbnConnection and one DbnOutbox per township, the outbox in
 * <client_dir>/<township id>/outbox.db, so an answer typed while a
 * township's line is down waits there and goes to THAT township later. A
 * township that cannot be opened keeps its error; the others work.
 */
#pragma once

#include "dbn_connection.h"
#include "dbn_county_page.h"
#include "dbn_outbox.h"

G_BEGIN_DECLS

typedef struct _DbnCountyConnections DbnCountyConnections;

/* Called when a township's services, online state or unsent count change. */
typedef void (*DbnCountyChangedFunc) (gpointer user_data);

/* Opens every township of config (a county folder's daiban.conf, borrowed:
 * only read here) with the secret key file key_path, outboxes under
 * client_dir. Never NULL: a township that fails is kept with its error.
 * changed (may be NULL) is called with user_data until the result is freed.
 * Caller owns the result. */
DbnCountyConnections *dbn_county_connections_new (DbnConfig *config, const char *key_path,
                                                  const char *client_dir, DbnCountyChangedFunc changed,
                                                  gpointer user_data);
void dbn_county_connections_free (DbnCountyConnections *self);

/* The townships listed, and how many of them opened. */
guint dbn_county_connections_get_n (DbnCountyConnections *self);
guint dbn_county_connections_get_n_opened (DbnCountyConnections *self);
/* Township i's id, name_zh, connection and outbox (NULL when it failed),
 * and the sentence a person reads when it failed (NULL when it opened).
 * Borrowed. */
const char *dbn_county_connections_get_id (DbnCountyConnections *self, guint i);
const char *dbn_county_connections_get_name (DbnCountyConnections *self, guint i);
DbnConnection *dbn_county_connections_get_connection (DbnCountyConnections *self, guint i);
DbnOutbox *dbn_county_connections_get_outbox (DbnCountyConnections *self, guint i);
const char *dbn_county_connections_get_failure (DbnCountyConnections *self, guint i);

/* Gives page every township: the opened ones to answer through, the failed
 * ones as a line with their error. */
void dbn_county_connections_fill_page (DbnCountyConnections *self, DbnCountyPage *page);

/* "青山乡 在线 ●  白水乡 离线 ○  三河乡 未打开 ✕": one mark per township, for
 * the header bar. Caller owns it. */
char *dbn_county_connections_dup_status_text (DbnCountyConnections *self);
/* TRUE when some township that opened is offline (intake or routing silent). */
gboolean dbn_county_connections_get_some_offline (DbnCountyConnections *self);
/* Commands not yet answered, over every township's outbox. */
guint dbn_county_connections_get_n_pending (DbnCountyConnections *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnCountyConnections, dbn_county_connections_free)

G_END_DECLS
