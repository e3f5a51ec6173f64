/* dbn_signature_pad.c: strokes as a list of points, drawn with cairo.
 *
 * A point with a NaN x starts a new stroke. The same drawing function
 * paints the widget (through gtk_snapshot_append_cairo) and the PNG, so
 * what the applicant saw is what is stored.
 */
#include "dbn_signature_pad.h"

#include <math.h>

#define MIN_W 400
#define MIN_H 150
/* A signature of more points than this is not a signature; stop growing. */
#define MAX_POINTS 100000

typedef struct {
    double x, y;
} Point;

struct _DbnSignaturePad {
    GtkWidget parent_instance;
    GArray *points; /* Point; x = NAN separates strokes */
    double start_x; /* where the current drag began */
    double start_y;
};

G_DEFINE_TYPE (DbnSignaturePad, dbn_signature_pad, GTK_TYPE_WIDGET)

static void
draw (DbnSignaturePad *self, cairo_t *cr, int width, int height)
{
    cairo_set_source_rgb (cr, 1, 1, 1);
    cairo_paint (cr);
    cairo_set_source_rgb (cr, 0.7, 0.7, 0.7);
    cairo_set_line_width (cr, 1);
    cairo_move_to (cr, 10, height - 20.5);
    cairo_line_to (cr, width - 10, height - 20.5);
    cairo_stroke (cr);
    cairo_set_source_rgb (cr, 0, 0, 0);
    cairo_set_line_width (cr, 2.5);
    cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
    cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
    gboolean pen_up = TRUE;
    for (guint i = 0; i < self->points->len; i++) {
        Point p = g_array_index (self->points, Point, i);
        if (isnan (p.x)) {
            pen_up = TRUE;
            continue;
        }
        if (pen_up)
            cairo_move_to (cr, p.x, p.y);
        else
            cairo_line_to (cr, p.x, p.y);
        pen_up = FALSE;
    }
    cairo_stroke (cr);
}

static void
dbn_signature_pad_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
    int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
    cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
    draw (DBN_SIGNATURE_PAD (widget), cr, w, h);
    cairo_destroy (cr);
}

static void
dbn_signature_pad_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                           int *natural, int *min_baseline, int *nat_baseline)
{
    *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? MIN_W : MIN_H;
}

void
dbn_signature_pad_add_point (DbnSignaturePad *self, double x, double y, gboolean new_stroke)
{
    g_return_if_fail (DBN_IS_SIGNATURE_PAD (self));
    if (self->points->len >= MAX_POINTS)
        return;
    if (new_stroke && self->points->len > 0) {
        Point gap = { NAN, NAN };
        g_array_append_val (self->points, gap);
    }
    Point p = { x, y };
    g_array_append_val (self->points, p);
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, DbnSignaturePad *self)
{
    self->start_x = x;
    self->start_y = y;
    dbn_signature_pad_add_point (self, x, y, TRUE);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, DbnSignaturePad *self)
{
    dbn_signature_pad_add_point (self, self->start_x + dx, self->start_y + dy, FALSE);
}

static void
dbn_signature_pad_finalize (GObject *object)
{
    g_array_unref (DBN_SIGNATURE_PAD (object)->points);
    G_OBJECT_CLASS (dbn_signature_pad_parent_class)->finalize (object);
}

static void
dbn_signature_pad_class_init (DbnSignaturePadClass *klass)
{
    G_OBJECT_CLASS (klass)->finalize = dbn_signature_pad_finalize;
    GTK_WIDGET_CLASS (klass)->snapshot = dbn_signature_pad_snapshot;
    GTK_WIDGET_CLASS (klass)->measure = dbn_signature_pad_measure;
    gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "signaturepad");
}

static void
dbn_signature_pad_init (DbnSignaturePad *self)
{
    self->points = g_array_new (FALSE, FALSE, sizeof (Point));
    GtkGesture *drag = gtk_gesture_drag_new ();
    g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
    g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
    gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
}

GtkWidget *
dbn_signature_pad_new (void)
{
    return g_object_new (DBN_TYPE_SIGNATURE_PAD, NULL);
}

void
dbn_signature_pad_clear (DbnSignaturePad *self)
{
    g_array_set_size (self->points, 0);
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
dbn_signature_pad_is_empty (DbnSignaturePad *self)
{
    return self->points->len == 0;
}

static cairo_status_t
append_png (void *closure, const unsigned char *data, unsigned int length)
{
    g_byte_array_append (closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

GBytes *
dbn_signature_pad_dup_png (DbnSignaturePad *self, GError **error)
{
    int w = MAX (gtk_widget_get_width (GTK_WIDGET (self)), MIN_W);
    int h = MAX (gtk_widget_get_height (GTK_WIDGET (self)), MIN_H);
    cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create (surface);
    draw (self, cr, w, h);
    cairo_destroy (cr);
    GByteArray *png = g_byte_array_new ();
    cairo_status_t status = cairo_surface_write_to_png_stream (surface, append_png, png);
    cairo_surface_destroy (surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        g_byte_array_unref (png);
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot draw the signature: %s",
                     cairo_status_to_string (status));
        return NULL;
    }
    return g_byte_array_free_to_bytes (png);
}

gboolean
dbn_signature_pad_save_png (DbnSignaturePad *self, const char *path, GError **error)
{
    g_autoptr (GBytes) png = dbn_signature_pad_dup_png (self, error);
    return png != NULL
           && g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png),
                                   error);
}
