/* dbn_audit_feed.h: the committee's live feed (D-AUD-2): every event the
 * audit service journals on topic audit/ (audit.entry, audit.head,
 * audit.violation), once each and in seq order, live and through sys.sync
 * after a reconnect (DbnCatchup), plus a command link to the audit service
 * for its reads (audit.case, audit.proof, audit.verify).
 *
 * The connection (dbn_connection.h) talks to intake, routing, deadline and
 * evaluation; the audit service is the committee's alone, so its link is
 * here, on the connection's bus (the principal's identity). */
#pragma once

#include "dbn_connection.h"

G_BEGIN_DECLS

typedef struct _DbnAuditFeed DbnAuditFeed;

/* One event of audit/, in seq order, never twice. */
typedef void (*DbnAuditFeedEventFunc) (GBytes *event, gboolean from_sync, gpointer user_data);
/* A hole in what was delivered (a drop in the middle): start again. */
typedef void (*DbnAuditFeedGapFunc) (gpointer user_data);

/* Opens the links from connection's daiban.conf. Nothing is delivered before
 * dbn_audit_feed_start. NULL with DBN_ERROR_CONFIG when daiban.conf has no
 * audit service. Caller owns the result; freeing it drops the calls in
 * flight without calling back. */
DbnAuditFeed *dbn_audit_feed_new (DbnConnection *connection, DbnAuditFeedEventFunc on_event,
                                  DbnAuditFeedGapFunc on_gap, gpointer user_data, GError **error);
void dbn_audit_feed_free (DbnAuditFeed *self);

/* Delivers every event after seq (0: the whole record's feed). */
void dbn_audit_feed_start (DbnAuditFeed *self, gint64 seq);
/* The audit service's command client (borrowed): dbn_client_send_async. */
DbnClient *dbn_audit_feed_get_client (DbnAuditFeed *self);
/* TRUE when the audit service's heartbeat was heard within 3 s. */
gboolean dbn_audit_feed_is_reachable (DbnAuditFeed *self);
/* Seq of the last event delivered. */
gint64 dbn_audit_feed_get_last (DbnAuditFeed *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnAuditFeed, dbn_audit_feed_free)

G_END_DECLS
