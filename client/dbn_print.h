/* dbn_print.h: the papers a station hands the applicant: the acceptance
 * form (承办单), the one-time notification of missing materials (一次性告知书,
 * D-INT-4), the run sheet (交接清单, D-RTE-3), and the station's logbook
 * (代办记录簿, D-INT-3), which runs over as many A4 pages as it needs, and
 * the papers of a case's end: the completion card (落实卡, D-RPL-1, with the
 * signature image), the result notice (结果告知单, D-RPL-3) and the written
 * progress notice (D-DL-2); dbn_case_papers.h fills them for any case. Drawn
 * with Pango on cairo: the same drawing goes to the printer
 * (GtkPrintOperation) and to a PDF (cairo_pdf_surface). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef enum {
    DBN_FORM_ACCEPTANCE, /* 承办单 */
    DBN_FORM_NOTICE,     /* 一次性告知书 */
    DBN_FORM_RUNSHEET,   /* 交接清单 */
    DBN_FORM_LOGBOOK,    /* 代办记录簿: one row per acceptance or refusal, paged */
    DBN_FORM_CARD,       /* 代办事项落实卡 (D-RPL-1): with the applicant's signature image */
    DBN_FORM_RESULT,     /* 办理结果告知单 (D-RPL-3) */
    DBN_FORM_PROGRESS,   /* 办理进度书面告知 for a matter the township cannot decide (D-DL-2) */
    DBN_FORM_DAY_SUMMARY, /* 当日汇总: a window's day, signed by the duty leader (D-AUD-6) */
} DbnFormKind;

typedef struct _DbnPrintForm DbnPrintForm;

/* A form about number (the case number, or the run sheet id). Caller owns it. */
DbnPrintForm *dbn_print_form_new (DbnFormKind kind, const char *number);
void dbn_print_form_free (DbnPrintForm *self);
/* Adds a "label: value" line (both copied). */
void dbn_print_form_add_row (DbnPrintForm *self, const char *label, const char *value);
/* The applicant's signature or thumbprint (a PNG, e.g. the completion
 * card's from the evaluation service) drawn above the signature line
 * instead of a blank one. FALSE with G_IO_ERROR when png is not a PNG;
 * the form keeps no image then. */
gboolean dbn_print_form_set_signature (DbnPrintForm *self, GBytes *png, GError **error);
/* The title printed at the top (承办单 …). Static. */
const char *dbn_print_form_get_title (DbnPrintForm *self);
/* Draws the form's first page on cr, a page of width × height points. */
void dbn_print_form_draw (DbnPrintForm *self, cairo_t *cr, double width, double height);
/* The number of pages (1 for every form but a long logbook). */
int dbn_print_form_get_n_pages (DbnPrintForm *self);
/* Draws page (0-based) of the form. */
void dbn_print_form_draw_page (DbnPrintForm *self, cairo_t *cr, double width, double height, int page);
/* Writes the form as an A4 PDF at path. FALSE with G_IO_ERROR. */
gboolean dbn_print_form_export_pdf (DbnPrintForm *self, const char *path, GError **error);
/* Opens the print dialog for parent (may be NULL). Returns at once; the
 * form is copied into the operation. */
void dbn_print_form_print (DbnPrintForm *self, GtkWindow *parent);

/* Runs the same GtkPrintOperation without a dialog, exporting to the PDF
 * at path (what "print to file" does). FALSE with the operation's error. */
gboolean dbn_print_form_print_to_file (DbnPrintForm *self, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DbnPrintForm, dbn_print_form_free)

G_END_DECLS
