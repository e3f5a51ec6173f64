/* dbn_supervisor_view.c: a thin host, as the station's screen is: each page
 * is its own widget; this only stacks them and names the area. */
#include "dbn_supervisor_view.h"

#include <glib/gi18n.h>

#include "dbn_callback_page.h"
#include "dbn_clerk_view.h"
#include "dbn_commands.h"
#include "dbn_eval_page.h"

struct _DbnSupervisorView {
    GtkWidget parent_instance;
    GtkStack *stack;
};

G_DEFINE_TYPE (DbnSupervisorView, dbn_supervisor_view, GTK_TYPE_WIDGET)

static void
dbn_supervisor_view_dispose (GObject *object)
{
    GtkWidget *child;
    while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
        gtk_widget_unparent (child);
    G_OBJECT_CLASS (dbn_supervisor_view_parent_class)->dispose (object);
}

static void
dbn_supervisor_view_class_init (DbnSupervisorViewClass *klass)
{
    G_OBJECT_CLASS (klass)->dispose = dbn_supervisor_view_dispose;
    gtk_widget_class_set_layout_manager_type (GTK_WIDGET_CLASS (klass), GTK_TYPE_BIN_LAYOUT);
}

static void
dbn_supervisor_view_init (DbnSupervisorView *self)
{
    GtkWidget *root = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
    gtk_widget_set_parent (root, GTK_WIDGET (self));
    self->stack = GTK_STACK (gtk_stack_new ());
    gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);
    GtkWidget *switcher = gtk_stack_switcher_new ();
    gtk_stack_switcher_set_stack (GTK_STACK_SWITCHER (switcher), self->stack);
    gtk_widget_set_halign (switcher, GTK_ALIGN_CENTER);
    gtk_widget_set_margin_top (switcher, 6);
    gtk_box_append (GTK_BOX (root), switcher);
    gtk_box_append (GTK_BOX (root), GTK_WIDGET (self->stack));
}

GtkWidget *
dbn_supervisor_view_new (DbnConnection *connection, DbnOutbox *outbox, const char *area_id,
                         const char *client_dir)
{
    DbnSupervisorView *self = g_object_new (DBN_TYPE_SUPERVISOR_VIEW, NULL);
    DbnOrg *org = dbn_connection_get_org (connection);
    const DbnArea *area = org ? dbn_org_lookup_area (org, area_id) : NULL;
    const char *who =
        area ? (dbn_ui_is_english () && area->name_en ? area->name_en : area->name_zh) : area_id;
    gtk_stack_add_titled (self->stack, dbn_clerk_view_new (connection, outbox, "area", area_id), "queue",
                          _ ("片区案件"));
    gtk_stack_add_titled (self->stack, dbn_eval_page_new (connection, who, client_dir), "board",
                          _ ("月度考核"));
    gtk_stack_add_titled (self->stack, dbn_callback_page_new (connection, outbox), "callbacks", _ ("回访"));
    return GTK_WIDGET (self);
}

GtkWidget *
dbn_supervisor_view_get_page (DbnSupervisorView *self, const char *name)
{
    return gtk_stack_get_child_by_name (self->stack, name);
}

void
dbn_supervisor_view_show_page (DbnSupervisorView *self, const char *name)
{
    gtk_stack_set_visible_child_name (self->stack, name);
}
