/* gui_harness.h: what every GUI test does the same way, under Xvfb:
 * waiting on the main loop without sleeping, letting a window paint,
 * saving its screenshot (and a PDF's pages) in build/screenshots/, reading
 * a PDF's text, and opening a main window on GSettings' memory backend. One copy, linked by each test in
 * tests/gui/CMakeLists.txt. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_main_window.h"
#include "dbn_test_harness.h"

G_BEGIN_DECLS

/* The start of each GUI test's main: the locale and the daiban text domain
 * (DAIBAN_LOCALE_DIR), g_test_init, gtk_init, then, when check_gl, the
 * assertion that no GL driver got loaded (gl_driver_loaded), then the log
 * as log_name and the client's style sheet. */
void gui_test_init (int *argc, char ***argv, const char *log_name, gboolean check_gl);

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until cond holds or timeout_ms passed; TRUE if it holds. */
gboolean wait_for (Condition cond, gpointer data, guint timeout_ms);

/* Lets the window lay out and paint one frame with what it shows now. */
void settle (GtkWidget *window);

/* Renders window, saves it as build/screenshots/name and returns the
 * texture (caller owns it) so the test can look at its pixels. */
GdkTexture *screenshot_texture (GtkWidget *window, const char *name);

/* As screenshot_texture, for a test that only keeps the file. */
void screenshot (GtkWidget *window, const char *name);
/* Pixels of texture (a snapshot of window, as screenshot takes it) inside
 * widget's bounds in window whose colour is within 12 of rgb per channel:
 * how much of a chart's colour is drawn. */
guint count_pixels (GdkTexture *texture, GtkWidget *widget, GtkWidget *window, guint8 r, guint8 g, guint8 b);

/* The text a PDF renders, by pdftotext (poppler-utils): a blank page has
 * none, whatever its metadata says. Caller owns it. */
char *pdf_text (const char *pdf);

/* A paper's page as a PNG build/screenshots/name.png (pdftoppm), so the
 * papers are looked at as the applicant gets them: page counts from 1;
 * 0 lets pdftoppm take the first page without naming it. */
void paper_screenshot (const char *pdf, const char *name, int page);

/* TRUE when a Mesa DRI driver or the EGL/GLX vendor library is mapped.
 * GDK_DEBUG=gl-disable (tests/CMakeLists.txt) keeps GDK from probing
 * OpenGL: a Mesa driver loaded by that probe leaks under LSan, so each
 * test's main asserts this is FALSE, naming the cause. */
gboolean gl_driver_loaded (void);

/* A main window for key on a fresh memory GSettings backend, with its data
 * and client folders; width and height its default size, or 0 for GTK's. */
DbnMainWindow *open_main_window (const char *key, const char *data_dir, const char *client_dir, int width,
                                 int height);

/* `daiban --data DIR [--key KEY] args...` in h's data folder (key NULL:
 * as the operator), which must exit 0: its stdout, or only its first line
 * when first_line. Caller owns it. */
char *cli_out (DbnHarness *h, const char *key, const char *const *args, gboolean first_line);

/* The window's connection is up (a Condition for wait_for). */
gboolean is_online (gpointer window);

G_END_DECLS
