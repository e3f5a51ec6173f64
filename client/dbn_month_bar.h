/* dbn_month_bar.h: the month selector of the pages that show one month at
 * a time (the supervisor's 考核 page, the return-visit list, the county's
 * figures): ◀, the month's label and ▶, whose PREFIX.prev and PREFIX.next
 * actions step the page's month by dbn_eval_month_shift. One place, so the
 * pages look and step alike. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

/* A button that activates action ("board.prev"). */
GtkWidget *dbn_action_button (const char *label, const char *action);

/* Shows month ("2026-11") on page: the page's own public set_month, cast
 * to this type as GLib's callbacks are (DBN_MONTH_SHOW_FUNC). */
typedef void (*DbnMonthShowFunc) (gpointer page, const char *month);
#define DBN_MONTH_SHOW_FUNC(f) ((DbnMonthShowFunc) (f))

/* Installs PREFIX.prev and PREFIX.next on klass, a final type: the month
 * before or after the page's, given to show. The page keeps the month it
 * shows as a char * at month_offset of its instance (G_STRUCT_OFFSET). */
void dbn_month_bar_install_actions (GtkWidgetClass *klass, const char *prefix, glong month_offset,
                                    DbnMonthShowFunc show);

/* The bar: ◀ (PREFIX.prev), *month_label (title-3, empty), ▶ (PREFIX.next).
 * The page appends its own buttons and its status after them. */
GtkWidget *dbn_month_bar_new (const char *prefix, GtkLabel **month_label);
/* A dim status label showing text that takes the bar's room left, its end
 * ellipsized; appended to bar. */
GtkLabel *dbn_month_bar_add_status (GtkWidget *bar, const char *text);

/* This month, "2026-11", by connection's clock (dbn_connection_get_today:
 * DAIBAN_CLOCK_FILE's day when set). Caller owns it. */
char *dbn_month_today (DbnConnection *connection);

G_END_DECLS
