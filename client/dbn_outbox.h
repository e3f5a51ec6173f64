/* dbn_outbox.h: every command the client sends, kept in a local SQLite file
 * until its service answered (architecture.md, "No loss, no duplicates" 5).
 *
 * A command is stored first, then sent; rows are sent one at a time in the
 * order they were stored, each with the idempotency key it was stored with,
 * so a resend after a timeout gets the service's first answer back (the
 * service keeps the first reply per principal and key), and a command is
 * applied exactly once however often it travels. A station with its line
 * down keeps working: its rows wait as "未发送 not yet sent".
 */
#pragma once

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_OUTBOX (dbn_outbox_get_type ())
G_DECLARE_FINAL_TYPE (DbnOutbox, dbn_outbox, DBN, OUTBOX, GObject)

/* Opens (creating) the outbox file at path and starts sending its pending
 * rows through connection. NULL with a DBN_STORE_ERROR. Caller owns it. */
DbnOutbox *dbn_outbox_new (DbnConnection *connection, const char *path, GError **error);

/* Stores an encoded command for service (its env.key must be key) and
 * returns the row id (> 0); 0 with a DBN_STORE_ERROR when it cannot be
 * stored, and then nothing is sent. label is a line for people (the case
 * number, the applicant). The command goes out when every earlier row has
 * been answered. */
gint64 dbn_outbox_enqueue (DbnOutbox *self, const char *service, const char *cmd, const char *key,
                           GBytes *body, const char *label, GError **error);

/* Rows not yet answered (property "n-pending"). */
guint dbn_outbox_get_n_pending (DbnOutbox *self);

/* One pending row, for the "not yet sent" lists. */
typedef struct {
    gint64 id;      /* row id, the order of sending */
    char *service;  /* intake, routing */
    char *cmd;      /* e.g. intake.submit */
    char *label;    /* what people see */
    gint64 created; /* ms since the epoch */
} DbnOutboxRow;
void dbn_outbox_row_free (DbnOutboxRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnOutboxRow, dbn_outbox_row_free)

/* The pending rows, oldest first. Caller owns the array (of DbnOutboxRow*). */
GPtrArray *dbn_outbox_dup_pending (DbnOutbox *self);

/* Tries the head row now instead of at the next retry (e.g. on reconnection). */
void dbn_outbox_flush (DbnOutbox *self);

G_END_DECLS
