/* dbn_matter_row.c: see dbn_matter_row.h. The list's items are the codes
 * (the search filters on them); the row looks the name up in the catalog. */
#include "dbn_matter_row.h"

struct _DbnMatterRow {
    GtkWidget parent_instance;
    DbnCatalog *catalog;   /* borrowed: the connection's */
    GtkStringObject *item; /* owned ref, or NULL */
    GtkLabel *label;       /* template child */
};

enum { PROP_0, PROP_ITEM, N_PROPS };
static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE (DbnMatterRow, dbn_matter_row, GTK_TYPE_WIDGET)

void
dbn_matter_row_set_item (DbnMatterRow *self, GtkStringObject *item)
{
    g_return_if_fail (DBN_IS_MATTER_ROW (self));
    if (!g_set_object (&self->item, item))
        return;
    const char *code = item != NULL ? gtk_string_object_get_string (item) : NULL;
    const DbnMatter *m =
        code != NULL && self->catalog != NULL ? dbn_catalog_lookup (self->catalog, code) : NULL;
    g_autofree char *text = code != NULL ? g_strdup_printf ("%s  %s", m ? m->name_zh : "", code) : NULL;
    gtk_label_set_text (self->label, text != NULL ? text : "");
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ITEM]);
}

GtkStringObject *
dbn_matter_row_get_item (DbnMatterRow *self)
{
    return self->item;
}

static void
dbn_matter_row_get_property (GObject *object, guint id, GValue *value, GParamSpec *pspec)
{
    switch (id) {
    case PROP_ITEM: g_value_set_object (value, DBN_MATTER_ROW (object)->item); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
dbn_matter_row_set_property (GObject *object, guint id, const GValue *value, GParamSpec *pspec)
{
    switch (id) {
    case PROP_ITEM: dbn_matter_row_set_item (DBN_MATTER_ROW (object), g_value_get_object (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, id, pspec);
    }
}

static void
dbn_matter_row_dispose (GObject *object)
{
    DbnMatterRow *self = DBN_MATTER_ROW (object);
    gtk_widget_dispose_template (GTK_WIDGET (self), DBN_TYPE_MATTER_ROW);
    g_clear_object (&self->item);
    G_OBJECT_CLASS (dbn_matter_row_parent_class)->dispose (object);
}

static void
dbn_matter_row_class_init (DbnMatterRowClass *klass)
{
    GObjectClass *object_class = G_OBJECT_CLASS (klass);
    GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
    object_class->dispose = dbn_matter_row_dispose;
    object_class->get_property = dbn_matter_row_get_property;
    object_class->set_property = dbn_matter_row_set_property;
    props[PROP_ITEM] =
        g_param_spec_object ("item", NULL, NULL, GTK_TYPE_STRING_OBJECT,
                             G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
    g_object_class_install_properties (object_class, N_PROPS, props);
    gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
    gtk_widget_class_set_template_from_resource (widget_class, "/org/daiban/Client/dbn_matter_row.ui");
    gtk_widget_class_bind_template_child (widget_class, DbnMatterRow, label);
}

static void
dbn_matter_row_init (DbnMatterRow *self)
{
    gtk_widget_init_template (GTK_WIDGET (self));
}

static void
setup_row (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer catalog)
{
    DbnMatterRow *row = g_object_new (DBN_TYPE_MATTER_ROW, NULL);
    row->catalog = catalog;
    gtk_list_item_set_child (item, GTK_WIDGET (row));
    g_object_bind_property (item, "item", row, "item", G_BINDING_SYNC_CREATE);
}

GtkListItemFactory *
dbn_matter_row_factory_new (DbnCatalog *catalog)
{
    GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
    g_signal_connect (factory, "setup", G_CALLBACK (setup_row), catalog);
    return factory;
}
