/* dbn_station_pages.c: see dbn_station_pages.h. */
#include "dbn_station_pages.h"

#include <glib/gi18n.h>

#include "dbn_commands.h"

const char *
dbn_station_entry_text (GtkEntry *entry)
{
    const char *t = gtk_editable_get_text (GTK_EDITABLE (entry));
    return t != NULL && *t != '\0' ? t : NULL;
}

gint64
dbn_station_enqueue (DbnOutbox *outbox, const char *service, const char *cmd, const char *key, GBytes *body,
                     const char *label, GtkLabel *status)
{
    g_autoptr (GBytes) owned = body;
    g_autoptr (GError) error = NULL;
    if (owned == NULL) {
        gtk_label_set_text (status, _ ("命令无法编码（字段过长？）"));
        return 0;
    }
    gint64 id = dbn_outbox_enqueue (outbox, service, cmd, key, owned, label, &error);
    if (id == 0) {
        g_autofree char *line = dbn_error_line (error);
        gtk_label_set_text (status, line);
    }
    return id;
}
