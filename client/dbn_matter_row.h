/* dbn_matter_row.h: a row of the intake page's matter list: the matter's
 * Chinese name and its catalog code, from an item holding the code. */
#pragma once

#include <gtk/gtk.h>
#include <daiban/daiban.h>

G_BEGIN_DECLS

#define DBN_TYPE_MATTER_ROW (dbn_matter_row_get_type ())
G_DECLARE_FINAL_TYPE (DbnMatterRow, dbn_matter_row, DBN, MATTER_ROW, GtkWidget)

/* Shows item's code (property "item", a GtkStringObject or NULL) with its
 * name from catalog. */
void dbn_matter_row_set_item (DbnMatterRow *self, GtkStringObject *item);
GtkStringObject *dbn_matter_row_get_item (DbnMatterRow *self);
/* A factory whose rows are DbnMatterRows of catalog (borrowed: it must
 * outlive the factory and its rows) bound to the list item's item. Caller
 * owns it. */
GtkListItemFactory *dbn_matter_row_factory_new (DbnCatalog *catalog);

G_END_DECLS
