/* dbn_queue_model.h: one queue (a window's, a station's) as a GListModel.
 *
 * The Clone pattern of the ZeroMQ guide on routing's queues: subscribe to the
 * queue's topic, take a `routing.queue` snapshot with the journal seq it
 * reflects, then apply every event of the topic with a greater seq by
 * upserting its case's row (an archived case leaves the queue). Events that
 * arrive while a snapshot is being fetched wait, and those the snapshot
 * already reflects are dropped.
 *
 * The due column comes from the deadline service the same way, on its own
 * journal: a `deadline.queue` snapshot (in pages) with the deadline seq it
 * reflects, then every `deadline.due_changed` of the topic with a greater
 * seq. The two streams' seqs are never compared with each other.
 */
#pragma once

#include <gio/gio.h>
#include <daiban/daiban.h>

G_BEGIN_DECLS

#define DBN_TYPE_QUEUE_ITEM (dbn_queue_item_get_type ())
G_DECLARE_FINAL_TYPE (DbnQueueItem, dbn_queue_item, DBN, QUEUE_ITEM, GObject)

/* A row with case number case_no and nothing else known. Caller owns it. */
DbnQueueItem *dbn_queue_item_new (const char *case_no);
/* Borrowed strings (never NULL: "" when unknown), valid until the item changes. */
const char *dbn_queue_item_get_case_no (DbnQueueItem *self);
const char *dbn_queue_item_get_matter (DbnQueueItem *self);
const char *dbn_queue_item_get_matter_name (DbnQueueItem *self);
const char *dbn_queue_item_get_applicant (DbnQueueItem *self);
const char *dbn_queue_item_get_kind (DbnQueueItem *self);
const char *dbn_queue_item_get_state (DbnQueueItem *self);
const char *dbn_queue_item_get_holder (DbnQueueItem *self);
const char *dbn_queue_item_get_responsible (DbnQueueItem *self);
const char *dbn_queue_item_get_location (DbnQueueItem *self);
const char *dbn_queue_item_get_window (DbnQueueItem *self);
const char *dbn_queue_item_get_sheet (DbnQueueItem *self);
const char *dbn_queue_item_get_area (DbnQueueItem *self);
/* The deadline service's row (deadline_due): TRUE and *due set when the
 * case has an open clock with a due date; FALSE while stopped, with no
 * open clock, or before the deadline service answered. */
gboolean dbn_queue_item_get_due_date (DbnQueueItem *self, GDate *due);
/* TRUE when the deadline service has a row for the case (a clock open). */
gboolean dbn_queue_item_get_due_known (DbnQueueItem *self);
/* none, warning, overdue or violation ("" unknown). Borrowed. */
const char *dbn_queue_item_get_stage (DbnQueueItem *self);
/* TRUE while the case awaits materials: its clocks are stopped (D-DL-7). */
gboolean dbn_queue_item_get_suspended (DbnQueueItem *self);
/* While stopped: the working days that will remain on resuming; G_MININT unknown. */
int dbn_queue_item_get_remaining (DbnQueueItem *self);
/* TRUE when that clock counts calendar days (D-DL-3's "3 days"), FALSE
 * for working days (every other clock, and a row without a unit). */
gboolean dbn_queue_item_get_calendar_days (DbnQueueItem *self);
/* FALSE when the due date was counted on weekends only (D-DL-5). */
gboolean dbn_queue_item_get_covered (DbnQueueItem *self);
gint64 dbn_queue_item_get_updated_seq (DbnQueueItem *self);
/* TRUE for a row that is a command still in the outbox ("未发送"). */
gboolean dbn_queue_item_get_pending (DbnQueueItem *self);

/* Setters for rows built by hand (the outbox's pending rows, benchmarks).
 * Each copies its string. */
void dbn_queue_item_set (DbnQueueItem *self, const char *matter, const char *matter_name, const char *kind,
                         const char *state, const char *responsible);
void dbn_queue_item_set_applicant (DbnQueueItem *self, const char *applicant);
void dbn_queue_item_set_pending (DbnQueueItem *self, gboolean pending);
/* Sets the due column as a deadline_due record would: due YYYY-MM-DD (NULL
 * or invalid: none), stage (NULL: "none"), suspended. */
void dbn_queue_item_set_due (DbnQueueItem *self, const char *due, const char *stage, gboolean suspended);
/* The unit of that row's days, as deadline_due's unit: "calendar", else working. */
void dbn_queue_item_set_due_unit (DbnQueueItem *self, const char *unit);

/* "张**": the first character of a name, the rest starred (personal data
 * stays masked on screens that others can see). Caller owns it. */
char *dbn_mask_name (const char *name);
/* Chinese name of a state / handling kind, through gettext. Static. */
const char *dbn_state_display (const char *state);
const char *dbn_kind_display (const char *kind);
/* Where the papers are: station, in_transit, centre. Static. */
const char *dbn_location_display (const char *location);

#define DBN_TYPE_QUEUE_MODEL (dbn_queue_model_get_type ())
G_DECLARE_FINAL_TYPE (DbnQueueModel, dbn_queue_model, DBN, QUEUE_MODEL, GObject)

/* An empty model of DbnQueueItem. catalog (borrowed, may be NULL) names the
 * matters of events that carry only the code. Caller owns it. */
DbnQueueModel *dbn_queue_model_new (DbnCatalog *catalog);

/* From now until apply_snapshot, events wait instead of being applied. */
void dbn_queue_model_begin_resync (DbnQueueModel *self);
/* Replaces every row (but pending ones) by the snapshot in reply (an encoded
 * routing_queue reply), then applies the waiting events newer than it.
 * FALSE with a DBN_CODEC_ERROR for a reply that does not decode; the model
 * is then unchanged and keeps waiting. */
gboolean dbn_queue_model_apply_snapshot (DbnQueueModel *self, GBytes *reply, GError **error);
/* Applies one encoded event of the queue's topic (or keeps it while a
 * resync is under way). FALSE with a DBN_CODEC_ERROR when it does not
 * decode; events without a case or older than the row are ignored (TRUE). */
gboolean dbn_queue_model_apply_event (DbnQueueModel *self, GBytes *event, GError **error);

/* From now until the last page of a deadline.queue snapshot, due events
 * wait instead of being applied. */
void dbn_queue_model_begin_due_resync (DbnQueueModel *self);
/* Takes one page (an encoded deadline_queue reply) of the snapshot that
 * begin_due_resync started; after is the `after` the page was asked with
 * (NULL for the first). When the reply is truncated, *next (caller owns)
 * gets the `after` of the next page to ask and the snapshot stays open;
 * on the last page *next is NULL, every row's due column is replaced at
 * once, and the waiting events newer than their page are applied.
 * FALSE with a DBN_CODEC_ERROR for a page that does not decode (the
 * snapshot is abandoned; events keep waiting for the next one). */
gboolean dbn_queue_model_apply_due_page (DbnQueueModel *self, GBytes *reply, const char *after, char **next,
                                         GError **error);
/* Applies one encoded deadline event of the queue's topic: only
 * deadline.due_changed changes a row, and only when its seq is newer than
 * what the row's snapshot page or last event reflected. FALSE with a
 * DBN_CODEC_ERROR when it does not decode. */
gboolean dbn_queue_model_apply_due_event (DbnQueueModel *self, GBytes *event, GError **error);
/* The deadline seq of the last due snapshot's first page, 0 before any. */
gint64 dbn_queue_model_get_due_seq (DbnQueueModel *self);

/* The seq of the last snapshot, 0 before any. */
gint64 dbn_queue_model_get_seq (DbnQueueModel *self);
/* Borrowed; NULL when the case is not in the queue. */
DbnQueueItem *dbn_queue_model_lookup (DbnQueueModel *self, const char *case_no);
/* Adds or replaces the row of item's case (takes a reference). */
void dbn_queue_model_add (DbnQueueModel *self, DbnQueueItem *item);
/* Appends many rows at once, one items-changed (benchmarks, bulk loads). */
void dbn_queue_model_add_many (DbnQueueModel *self, GPtrArray *items);
void dbn_queue_model_remove (DbnQueueModel *self, const char *case_no);
/* Tells views the row of case_no changed (after a setter). */
void dbn_queue_model_changed (DbnQueueModel *self, const char *case_no);

G_END_DECLS
