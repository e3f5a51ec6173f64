/* routing_store.h: routing's tables in its SQLite file: cases, the handoff
 * book (D-RTE-5), run sheets (D-RTE-3), and the queries behind queues and
 * timelines. Every write runs inside the caller's transaction. */
#pragma once

#include "routing_machine.h"

G_BEGIN_DECLS

/* The store's migrations, NULL-terminated. */
extern const char *const routing_migrations[];

typedef struct _RoutingStore RoutingStore;

/* Prepares routing's statements on store (borrowed; it must outlive the
 * result, and the result must be freed before it). Caller owns the result. */
RoutingStore *routing_store_new (DbnStore *store, GError **error);
void routing_store_free (RoutingStore *self);

/* The case, or NULL: with DBN_ERROR_NOT_FOUND when it does not exist, with
 * a store error when reading failed. Caller owns it. */
RoutingCase *routing_store_load_case (RoutingStore *self, const char *case_no, GError **error);
/* TRUE and *exists when the case is stored. */
gboolean routing_store_has_case (RoutingStore *self, const char *case_no, gboolean *exists, GError **error);
/* Inserts or replaces the whole row. */
gboolean routing_store_save_case (RoutingStore *self, const RoutingCase *c, GError **error);

/* D-RTE-5: one line of the handoff book; seq is the event that reports it. */
gboolean routing_store_add_handoff (RoutingStore *self, gint64 seq, const char *case_no, gint64 at_ms,
                                    const char *from, const char *to, const char *by, const char *why,
                                    GError **error);

/* Called per case; return FALSE to stop. The case is borrowed for the call. */
typedef gboolean (*RoutingCaseFunc) (const RoutingCase *c, gpointer user_data);

/* The open (not archived) cases of a queue, by case number: kind is
 * "window", "station", "area", "county" or "public" (the board's: every
 * case, id ignored; an area's, a county's and the board's leave restricted
 * cases out, D-INT-8). Only case numbers greater than after (NULL: from the first); at
 * most max cases. */
gboolean routing_store_foreach_in_queue (RoutingStore *self, const char *kind, const char *id,
                                         const char *after, guint max, RoutingCaseFunc func,
                                         gpointer user_data, GError **error);
/* The cases of a station whose papers are still at the station (D-RTE-3),
 * by case number, at most max. */
gboolean routing_store_foreach_at_station (RoutingStore *self, const char *station, guint max,
                                           RoutingCaseFunc func, gpointer user_data, GError **error);

/* The case's events from the journal, oldest first, with the run sheets it
 * travelled on: appends GBytes* to events, at most max. */
gboolean routing_store_read_timeline (RoutingStore *self, const char *case_no, guint max, GPtrArray *events,
                                      GError **error);

/* Run sheets (D-RTE-3). */
gboolean routing_store_count_sheets (RoutingStore *self, const char *station, const char *date, gint64 *count,
                                     GError **error);
gboolean routing_store_add_sheet (RoutingStore *self, const char *sheet, const char *station,
                                  const char *date, gint64 at_ms, const char *by, gint64 seq, GError **error);
gboolean routing_store_add_sheet_item (RoutingStore *self, const char *sheet, const char *case_no,
                                       GError **error);
/* Marks the item received; *found is FALSE when the sheet has no such
 * unacknowledged item. */
gboolean routing_store_ack_item (RoutingStore *self, const char *sheet, const char *case_no, gint64 at_ms,
                                 const char *by, gboolean *found, GError **error);
gboolean routing_store_count_in_transit (RoutingStore *self, const char *sheet, gint64 *count,
                                         GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RoutingStore, routing_store_free)

G_END_DECLS
