/* dbn_signature_pad.h: the applicant signs (or leaves a thumbprint) with
 * the mouse or a pen on the completion card (落实卡, D-RPL-1). */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define DBN_TYPE_SIGNATURE_PAD (dbn_signature_pad_get_type ())
G_DECLARE_FINAL_TYPE (DbnSignaturePad, dbn_signature_pad, DBN, SIGNATURE_PAD, GtkWidget)

GtkWidget *dbn_signature_pad_new (void);
void dbn_signature_pad_clear (DbnSignaturePad *self);
gboolean dbn_signature_pad_is_empty (DbnSignaturePad *self);
/* Adds a point in widget coordinates; new_stroke starts a new line (what
 * the drag gesture does; tests draw with it). */
void dbn_signature_pad_add_point (DbnSignaturePad *self, double x, double y, gboolean new_stroke);
/* Writes the strokes, black on white, as a PNG of the pad's size (at least
 * 400×150). FALSE with the error when the file cannot be written. */
gboolean dbn_signature_pad_save_png (DbnSignaturePad *self, const char *path, GError **error);
/* The same PNG in memory (what goes to the evaluation service with the
 * rating, D-RPL-1). Caller owns it; NULL with G_IO_ERROR. */
GBytes *dbn_signature_pad_dup_png (DbnSignaturePad *self, GError **error);

G_END_DECLS
