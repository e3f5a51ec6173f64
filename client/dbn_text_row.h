/* dbn_text_row.h: a list row that is one wrapped line of text (a
 * GtkStringObject of a GtkStringList shown in a GtkListView): the case
 * timeline, the visit log, the logbook. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DBN_TYPE_TEXT_ROW (dbn_text_row_get_type ())
G_DECLARE_FINAL_TYPE (DbnTextRow, dbn_text_row, DBN, TEXT_ROW, GtkWidget)

/* Shows item's string (property "item", a GtkStringObject or NULL). */
void dbn_text_row_set_item (DbnTextRow *self, GtkStringObject *item);
GtkStringObject *dbn_text_row_get_item (DbnTextRow *self);
/* A factory whose rows are DbnTextRows bound to the list item's item.
 * Caller owns it. */
GtkListItemFactory *dbn_text_row_factory_new (void);

G_END_DECLS
