/* dbn_text_rows.h: list rows that are one wrapped line of text each (a
 * GtkStringList shown in a GtkListView): the case timeline, visits, the
 * logbook. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A factory whose rows are a left-aligned, wrapping label showing the item's
 * GtkStringObject string. Caller owns it. */
GtkListItemFactory *dbn_text_rows_factory_new (void);

G_END_DECLS
