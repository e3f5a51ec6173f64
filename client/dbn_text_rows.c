/* dbn_text_rows.c: see dbn_text_rows.h. Several screens list plain lines;
 * one factory keeps them looking the same. */
#include "dbn_text_rows.h"

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    GtkWidget *label = gtk_label_new (NULL);
    gtk_label_set_xalign (GTK_LABEL (label), 0);
    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
    gtk_list_item_set_child (item, label);
}

static void
bind_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
    gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                        gtk_string_object_get_string (gtk_list_item_get_item (item)));
}

GtkListItemFactory *
dbn_text_rows_factory_new (void)
{
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
    g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
    return factory;
}
