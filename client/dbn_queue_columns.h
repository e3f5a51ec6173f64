/* dbn_queue_columns.h: the columns both the clerk's and the station's
 * queues show, each a GtkSignalListItemFactory over DbnQueueItem with its
 * sorter, and the search filter. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

typedef enum {
    DBN_COLUMN_CASE,        /* 编号 */
    DBN_COLUMN_MATTER,      /* 事项 */
    DBN_COLUMN_APPLICANT,   /* 申办人, masked */
    DBN_COLUMN_KIND,        /* 类别 */
    DBN_COLUMN_STATE,       /* 状态 (未发送 for outbox rows) */
    DBN_COLUMN_DUE,         /* 期限, coloured when near or past */
    DBN_COLUMN_RESPONSIBLE, /* 首问责任人 */
    DBN_COLUMN_WINDOW,      /* 窗口 */
    DBN_COLUMN_LOCATION,    /* 材料位置 (station, in transit, centre) */
} DbnColumn;

/* Called when a row whose applicant is unknown is shown (fetch it lazily). */
typedef void (*DbnNeedApplicantFunc) (DbnQueueItem *item, gpointer user_data);

/* Appends column to view with a sorter on its value. need (may be NULL)
 * is called for the applicant column. connection (borrowed, may be NULL:
 * dates without days) gives the due column its calendar and today. */
void dbn_queue_columns_add (GtkColumnView *view, DbnColumn column, DbnConnection *connection,
                            DbnNeedApplicantFunc need, gpointer user_data);
/* Shows model in view with the n columns (as dbn_queue_columns_add), through
 * a filter model (no filter yet; *filtered, borrowed: for
 * dbn_queue_filter_update) and the view's sorter, one row selected at a
 * time, none at first. Returns the selection; caller owns it. */
GtkSingleSelection *dbn_queue_columns_set_model (GtkColumnView *view, DbnQueueModel *model,
                                                 const DbnColumn *columns, gsize n, DbnConnection *connection,
                                                 DbnNeedApplicantFunc need, gpointer user_data,
                                                 GtkFilterListModel **filtered);
/* Selects case_no's row of selection; FALSE when it is not in it. */
gboolean dbn_queue_selection_select (GtkSingleSelection *selection, const char *case_no);
/* The text a column shows for item. Caller owns it. */
char *dbn_queue_item_dup_text (DbnQueueItem *item, DbnColumn column);
/* A filter keeping the rows whose case number, matter, applicant or state
 * contains the text of search (case-insensitively). Caller owns it. */
GtkFilter *dbn_queue_filter_new (GtkEditable *search);
/* Applies the search: no filter at all while search is empty (a queue of
 * 100,000 rows is not walked for nothing), else filter, re-run. */
void dbn_queue_filter_update (GtkFilterListModel *model, GtkFilter *filter, GtkEditable *search);
/* Working days from today to the item's due date (negative when past),
 * counted with calendar (dbn_calendar_working_days_between, the item's
 * area's closures included); G_MININT when there is no due date or no
 * calendar. */
int dbn_queue_item_days_left (DbnQueueItem *item, DbnCalendar *calendar, const GDate *today);
/* The due column's text: "2026-12-02（剩 3 个工作日）", "已暂停" while the
 * clocks are stopped, "—" when the deadline service has no date. Caller owns it. */
char *dbn_queue_item_dup_due_text (DbnQueueItem *item, DbnCalendar *calendar, const GDate *today);
/* The due cell's CSS class: "overdue" (red: overdue or violation, or past),
 * "due-soon" (yellow: warning, or at most 1 working day left), "suspended"
 * (grey: clocks stopped), or NULL. Static. */
const char *dbn_queue_item_due_class (DbnQueueItem *item, DbnCalendar *calendar, const GDate *today);

G_END_DECLS
