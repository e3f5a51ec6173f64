/* dbn_print.c: a title, the number, label/value rows, and the signature
 * lines; laid out top-down with PangoCairo in points, so the PDF and the
 * printer get the same page. */
#include "dbn_print.h"

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>
#include <string.h>

#define A4_W   595.0
#define A4_H   842.0
#define MARGIN 56.0
/* A logbook page holds this many rows: fixed, so the page count is known
 * before drawing (GtkPrintOperation asks it first). A row's text is cut to
 * two lines' worth so that the rows always fit. */
#define LOGBOOK_ROWS_PER_PAGE 18

struct _DbnPrintForm {
    DbnFormKind kind; /* which paper */
    char *number;     /* case number or sheet id */
    GPtrArray *rows;  /* char*: label, value, label, value ... */
    GBytes *signature; /* PNG, or NULL: a blank signature line */
};

DbnPrintForm *
dbn_print_form_new (DbnFormKind kind, const char *number)
{
    DbnPrintForm *self = g_new0 (DbnPrintForm, 1);
    self->kind = kind;
    self->number = g_strdup (number);
    self->rows = g_ptr_array_new_with_free_func (g_free);
    return self;
}

void
dbn_print_form_free (DbnPrintForm *self)
{
    if (self == NULL)
        return;
    g_free (self->number);
    g_ptr_array_unref (self->rows);
    g_clear_pointer (&self->signature, g_bytes_unref);
    g_free (self);
}

void
dbn_print_form_add_row (DbnPrintForm *self, const char *label, const char *value)
{
    g_ptr_array_add (self->rows, g_strdup (label));
    g_ptr_array_add (self->rows, g_strdup (value ? value : "—"));
}

const char *
dbn_print_form_get_title (DbnPrintForm *self)
{
    switch (self->kind) {
    case DBN_FORM_ACCEPTANCE: return _ ("群众事务代办承办单");
    case DBN_FORM_NOTICE: return _ ("一次性告知书");
    case DBN_FORM_RUNSHEET: return _ ("代办事项交接清单");
    case DBN_FORM_LOGBOOK: return _ ("代办记录簿");
    case DBN_FORM_CARD: return _ ("代办事项落实卡");
    case DBN_FORM_RESULT: return _ ("办理结果告知单");
    case DBN_FORM_PROGRESS: return _ ("办理进度书面告知书");
    case DBN_FORM_DAY_SUMMARY: return _ ("窗口当日汇总");
    }
    return "";
}

typedef struct {
    const guint8 *data;
    gsize len;
    gsize at;
} PngReader;

static cairo_status_t
read_png (void *closure, unsigned char *out, unsigned int length)
{
    PngReader *r = closure;
    if (r->len - r->at < length)
        return CAIRO_STATUS_READ_ERROR;
    memcpy (out, r->data + r->at, length);
    r->at += length;
    return CAIRO_STATUS_SUCCESS;
}

/* The PNG as a cairo surface (caller destroys it), or NULL. */
static cairo_surface_t *
surface_from_png (GBytes *png)
{
    gsize len = 0;
    const guint8 *data = g_bytes_get_data (png, &len);
    PngReader r = { data, len, 0 };
    cairo_surface_t *surface = cairo_image_surface_create_from_png_stream (read_png, &r);
    if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy (surface);
        return NULL;
    }
    return surface;
}

gboolean
dbn_print_form_set_signature (DbnPrintForm *self, GBytes *png, GError **error)
{
    g_clear_pointer (&self->signature, g_bytes_unref);
    cairo_surface_t *surface = png != NULL ? surface_from_png (png) : NULL;
    if (surface == NULL) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", _ ("签名图像无法读取"));
        return FALSE;
    }
    cairo_surface_destroy (surface);
    self->signature = g_bytes_ref (png);
    return TRUE;
}

/* Draws the signature scaled into the box at (x, y) of w × h points. */
static void
draw_signature (DbnPrintForm *self, cairo_t *cr, double x, double y, double w, double h)
{
    cairo_surface_t *surface = surface_from_png (self->signature);
    if (surface == NULL)
        return;
    double sw = cairo_image_surface_get_width (surface), sh = cairo_image_surface_get_height (surface);
    double scale = MIN (w / sw, h / sh);
    cairo_save (cr);
    cairo_translate (cr, x, y);
    cairo_scale (cr, scale, scale);
    cairo_set_source_surface (cr, surface, 0, 0);
    cairo_paint (cr);
    cairo_restore (cr);
    cairo_surface_destroy (surface);
}

/* The words under the rows: why the paper is given. */
static const char *
footnote (DbnFormKind kind)
{
    switch (kind) {
    case DBN_FORM_NOTICE: return _ ("以上材料一次性告知，补齐后即可办理；补正期间不计入办理时限。");
    case DBN_FORM_CARD: return _ ("申办人确认上述事项已办理落实，并对代办服务作出评价。");
    case DBN_FORM_RESULT: return _ ("特此告知。对办理结果有异议的，可向乡镇便民服务中心反映。");
    case DBN_FORM_PROGRESS:
        return _ ("本事项须报县级部门审批，乡镇不能直接办结。现将办理进度书面告知，办结后将及时答复。");
    default: return NULL;
    }
}

static double
text (cairo_t *cr, double x, double y, double width, const char *font, const char *s, PangoAlignment align)
{
    PangoLayout *layout = pango_cairo_create_layout (cr);
    PangoFontDescription *desc = pango_font_description_from_string (font);
    pango_layout_set_font_description (layout, desc);
    pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
    pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment (layout, align);
    pango_layout_set_text (layout, s, -1);
    cairo_move_to (cr, x, y);
    pango_cairo_show_layout (cr, layout);
    int w, h;
    pango_layout_get_size (layout, &w, &h);
    pango_font_description_free (desc);
    g_object_unref (layout);
    return (double) h / PANGO_SCALE;
}

int
dbn_print_form_get_n_pages (DbnPrintForm *self)
{
    if (self->kind != DBN_FORM_LOGBOOK)
        return 1;
    guint rows = self->rows->len / 2;
    return MAX (1, (int) ((rows + LOGBOOK_ROWS_PER_PAGE - 1) / LOGBOOK_ROWS_PER_PAGE));
}

void
dbn_print_form_draw (DbnPrintForm *self, cairo_t *cr, double width, double height)
{
    dbn_print_form_draw_page (self, cr, width, height, 0);
}

void
dbn_print_form_draw_page (DbnPrintForm *self, cairo_t *cr, double width, double height, int page)
{
    double inner = width - 2 * MARGIN;
    gboolean logbook = self->kind == DBN_FORM_LOGBOOK;
    guint first = logbook ? (guint) page * LOGBOOK_ROWS_PER_PAGE * 2 : 0;
    guint end = logbook ? MIN (self->rows->len, first + LOGBOOK_ROWS_PER_PAGE * 2) : self->rows->len;
    double y = MARGIN;
    cairo_set_source_rgb (cr, 0, 0, 0);
    y += text (cr, MARGIN, y, inner, "Noto Serif CJK SC Bold 20", dbn_print_form_get_title (self),
               PANGO_ALIGN_CENTER)
         + 8;
    g_autofree char *number = g_strdup_printf ("%s %s", _ ("编号："), self->number);
    y += text (cr, MARGIN, y, inner, "Noto Sans CJK SC 11", number, PANGO_ALIGN_RIGHT) + 6;
    cairo_set_line_width (cr, 1);
    cairo_move_to (cr, MARGIN, y);
    cairo_line_to (cr, width - MARGIN, y);
    cairo_stroke (cr);
    y += 10;
    for (guint i = first; i + 1 < end && y < height - 2 * MARGIN; i += 2) {
        const char *value = self->rows->pdata[i + 1];
        g_autofree char *head =
            logbook && g_utf8_strlen (value, -1) > 90 ? g_utf8_substring (value, 0, 88) : NULL;
        g_autofree char *cut = head != NULL ? g_strconcat (head, "…", NULL) : NULL;
        double h1 =
            text (cr, MARGIN, y, 130, logbook ? "Noto Sans CJK SC Bold 9" : "Noto Sans CJK SC Bold 11",
                  self->rows->pdata[i], PANGO_ALIGN_LEFT);
        double h2 =
            text (cr, MARGIN + 140, y, inner - 140, logbook ? "Noto Sans CJK SC 9" : "Noto Sans CJK SC 11",
                  cut ? cut : value, PANGO_ALIGN_LEFT);
        y += MAX (h1, h2) + (logbook ? 5 : 8);
    }
    if (logbook) {
        g_autofree char *foot =
            g_strdup_printf (_ ("第 %d 页，共 %d 页"), page + 1, dbn_print_form_get_n_pages (self));
        text (cr, MARGIN, height - MARGIN - 14, inner, "Noto Sans CJK SC 9", foot, PANGO_ALIGN_CENTER);
        return;
    }
    const char *note = footnote (self->kind);
    if (note != NULL)
        y += text (cr, MARGIN, y + 6, inner, "Noto Sans CJK SC 10", note, PANGO_ALIGN_LEFT) + 12;
    y = MAX (y + 24, height - MARGIN - 60);
    if (self->kind == DBN_FORM_DAY_SUMMARY) {
        /* D-AUD-6: the leader's hand beside the Ed25519 signature above. */
        text (cr, MARGIN, y, inner, "Noto Sans CJK SC 11", _ ("值班领导签字：________"), PANGO_ALIGN_LEFT);
        return;
    }
    if (self->signature != NULL) {
        /* D-RPL-1: the applicant's own strokes, above and right of the
         * label, as a hand signs over the line. */
        text (cr, MARGIN, y, inner / 2, "Noto Sans CJK SC 11", _ ("申办人签字（捺印）："), PANGO_ALIGN_LEFT);
        draw_signature (self, cr, MARGIN + 132, y - 52, 140, 50);
    } else {
        text (cr, MARGIN, y, inner / 2, "Noto Sans CJK SC 11", _ ("申办人签字（捺印）：________"),
              PANGO_ALIGN_LEFT);
    }
    text (cr, MARGIN + inner / 2, y, inner / 2, "Noto Sans CJK SC 11", _ ("代办员签字：________"),
          PANGO_ALIGN_LEFT);
}

gboolean
dbn_print_form_export_pdf (DbnPrintForm *self, const char *path, GError **error)
{
    cairo_surface_t *surface = cairo_pdf_surface_create (path, A4_W, A4_H);
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, dbn_print_form_get_title (self));
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_SUBJECT, self->number);
    cairo_t *cr = cairo_create (surface);
    for (int page = 0; page < dbn_print_form_get_n_pages (self); page++) {
        dbn_print_form_draw_page (self, cr, A4_W, A4_H, page);
        cairo_show_page (cr);
    }
    cairo_destroy (cr);
    cairo_surface_finish (surface);
    cairo_status_t status = cairo_surface_status (surface);
    cairo_surface_destroy (surface);
    if (status != CAIRO_STATUS_SUCCESS) {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cannot write %s: %s", path,
                     cairo_status_to_string (status));
        return FALSE;
    }
    return TRUE;
}

static void
on_draw_page (GtkPrintOperation *op, GtkPrintContext *context, int page, gpointer user_data)
{
    dbn_print_form_draw_page (user_data, gtk_print_context_get_cairo_context (context),
                              gtk_print_context_get_width (context), gtk_print_context_get_height (context),
                              page);
}

static void
free_form_notify (gpointer data, GClosure *closure)
{
    dbn_print_form_free (data);
}

static DbnPrintForm *
copy_form (DbnPrintForm *self)
{
    DbnPrintForm *copy = dbn_print_form_new (self->kind, self->number);
    for (guint i = 0; i < self->rows->len; i++)
        g_ptr_array_add (copy->rows, g_strdup (self->rows->pdata[i]));
    copy->signature = self->signature != NULL ? g_bytes_ref (self->signature) : NULL;
    return copy;
}

static GtkPrintOperation *
operation_new (DbnPrintForm *self)
{
    GtkPrintOperation *op = gtk_print_operation_new ();
    gtk_print_operation_set_n_pages (op, dbn_print_form_get_n_pages (self));
    gtk_print_operation_set_unit (op, GTK_UNIT_POINTS);
    gtk_print_operation_set_job_name (op, self->number);
    g_signal_connect_data (op, "draw-page", G_CALLBACK (on_draw_page), copy_form (self), free_form_notify, 0);
    return op;
}

gboolean
dbn_print_form_print_to_file (DbnPrintForm *self, const char *path, GError **error)
{
    g_autoptr (GtkPrintOperation) op = operation_new (self);
    gtk_print_operation_set_export_filename (op, path);
    return gtk_print_operation_run (op, GTK_PRINT_OPERATION_ACTION_EXPORT, NULL, error)
           != GTK_PRINT_OPERATION_RESULT_ERROR;
}

void
dbn_print_form_print (DbnPrintForm *self, GtkWindow *parent)
{
    GtkPrintOperation *op = operation_new (self);
    /* Async: the dialog must not block the queue's main loop. */
    gtk_print_operation_set_allow_async (op, TRUE);
    gtk_print_operation_run (op, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, NULL);
    g_object_unref (op);
}
