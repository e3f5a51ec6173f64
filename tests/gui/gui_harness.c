/* gui_harness.c: the GUI tests' shared waits, screenshots and windows
 * (gui_harness.h). */
#include "gui_harness.h"

#include <string.h>

#include <locale.h>

#include <glib/gstdio.h>
#define G_SETTINGS_ENABLE_BACKEND
#include <gio/gsettingsbackend.h>
#include <glib/gi18n.h>

#include "dbn_application.h"

void
gui_test_init (int *argc, char ***argv, const char *log_name, gboolean check_gl)
{
    setlocale (LC_ALL, "");
    bindtextdomain ("daiban", g_getenv ("DAIBAN_LOCALE_DIR") ? g_getenv ("DAIBAN_LOCALE_DIR") : ".");
    bind_textdomain_codeset ("daiban", "UTF-8");
    textdomain ("daiban");
    g_test_init (argc, argv, NULL);
    gtk_init ();
    if (check_gl)
        g_assert_false (gl_driver_loaded ());
    dbn_log_init (log_name);
    dbn_application_load_style ();
}

/* ---- waiting without sleeping ---- */

/* A 10 ms tick keeps g_main_context_iteration from blocking past the
 * deadline when nothing else is due. */
static gboolean
wake (gpointer data)
{
    return G_SOURCE_CONTINUE;
}

gboolean
wait_for (Condition cond, gpointer data, guint timeout_ms)
{
    gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
    guint tick = g_timeout_add (10, wake, NULL);
    gboolean ok = cond (data);
    while (!ok && g_get_monotonic_time () < deadline) {
        g_main_context_iteration (NULL, TRUE);
        ok = cond (data);
    }
    g_source_remove (tick);
    return ok;
}

static gboolean
frame_done (gpointer data)
{
    return *(gboolean *) data;
}

static void
on_after_paint (GdkFrameClock *clock, gpointer data)
{
    *(gboolean *) data = TRUE;
}

void
settle (GtkWidget *window)
{
    while (g_main_context_iteration (NULL, FALSE))
        ;
    GdkFrameClock *clock = gtk_widget_get_frame_clock (window);
    if (clock == NULL)
        return;
    gboolean painted = FALSE;
    gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &painted);
    gtk_widget_queue_draw (window);
    wait_for (frame_done, &painted, 2000);
    g_signal_handler_disconnect (clock, id);
}

/* ---- screenshots ---- */

GdkTexture *
screenshot_texture (GtkWidget *window, const char *name)
{
    settle (window);
    int w = gtk_widget_get_width (window), h = gtk_widget_get_height (window);
    g_assert_cmpint (w, >, 0);
    g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (window);
    GtkSnapshot *snapshot = gtk_snapshot_new ();
    gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), w, h);
    GskRenderNode *node = gtk_snapshot_free_to_node (snapshot);
    g_assert_nonnull (node);
    GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
    GdkTexture *texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
    gsk_render_node_unref (node);
    const char *build = g_getenv ("DAIBAN_BUILD_DIR");
    g_autofree char *dir = g_build_filename (build ? build : ".", "screenshots", NULL);
    g_mkdir_with_parents (dir, 0755);
    g_autofree char *path = g_build_filename (dir, name, NULL);
    g_assert_true (gdk_texture_save_to_png (texture, path));
    g_test_message ("screenshot %s", path);
    return texture;
}

void
screenshot (GtkWidget *window, const char *name)
{
    g_object_unref (screenshot_texture (window, name));
}

/* ---- papers ---- */

char *
pdf_text (const char *pdf)
{
    g_autofree char *out = NULL;
    int status = 0;
    g_autoptr (GError) error = NULL;
    const char *argv[] = { "pdftotext", "-layout", pdf, "-", NULL };
    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, &out, NULL, &status, &error));
    g_assert_no_error (error);
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    return g_steal_pointer (&out);
}

void
paper_screenshot (const char *pdf, const char *name, int page)
{
    const char *build = g_getenv ("DAIBAN_BUILD_DIR");
    g_autofree char *dir = g_build_filename (build ? build : ".", "screenshots", NULL);
    g_mkdir_with_parents (dir, 0755);
    g_autofree char *base = g_build_filename (dir, name, NULL);
    g_autofree char *number = g_strdup_printf ("%d", page);
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    const char *const head[] = { "pdftoppm", "-png", "-r", "72" };
    for (gsize i = 0; i < G_N_ELEMENTS (head); i++)
        g_ptr_array_add (argv, (gpointer) head[i]);
    if (page > 0) {
        g_ptr_array_add (argv, (gpointer) "-f");
        g_ptr_array_add (argv, number);
        g_ptr_array_add (argv, (gpointer) "-l");
        g_ptr_array_add (argv, number);
    }
    g_ptr_array_add (argv, (gpointer) "-singlefile");
    g_ptr_array_add (argv, (gpointer) pdf);
    g_ptr_array_add (argv, base);
    g_ptr_array_add (argv, NULL);
    int status = 0;
    g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                                 NULL, &status, NULL));
    g_assert_true (g_spawn_check_wait_status (status, NULL));
    g_test_message ("screenshot %s.png", base);
}

/* ---- the X server ---- */

gboolean
gl_driver_loaded (void)
{
    g_autofree char *maps = NULL;
    if (!g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL))
        return FALSE;
    return strstr (maps, "_dri.so") != NULL || strstr (maps, "libEGL_mesa") != NULL
           || strstr (maps, "libGLX_mesa") != NULL;
}

/* ---- windows ---- */

DbnMainWindow *
open_main_window (const char *key, const char *data_dir, const char *client_dir, int width, int height)
{
    g_autoptr (GSettingsBackend) backend = g_memory_settings_backend_new ();
    g_autoptr (GSettings) settings = g_settings_new_with_backend ("org.daiban.Client", backend);
    g_settings_set_string (settings, "key-file", key);
    g_settings_set_string (settings, "data-dir", data_dir);
    g_settings_set_string (settings, "client-dir", client_dir);
    DbnMainWindow *window = dbn_main_window_new (NULL, settings);
    g_assert_nonnull (dbn_main_window_get_view (window)); /* connected */
    if (width > 0 && height > 0)
        gtk_window_set_default_size (GTK_WINDOW (window), width, height);
    gtk_window_present (GTK_WINDOW (window));
    return window;
}

/* ---- the command line ---- */

char *
cli_out (DbnHarness *h, const char *key, const char *const *args, gboolean first_line)
{
    g_autoptr (GPtrArray) all = g_ptr_array_new ();
    g_ptr_array_add (all, (gpointer) "--data");
    g_ptr_array_add (all, (gpointer) dbn_harness_get_data_dir (h));
    if (key != NULL) {
        g_ptr_array_add (all, (gpointer) "--key");
        g_ptr_array_add (all, (gpointer) key);
    }
    for (int i = 0; args[i] != NULL; i++)
        g_ptr_array_add (all, (gpointer) args[i]);
    g_ptr_array_add (all, NULL);
    DbnCliRun r = dbn_harness_run_cli ((const char *const *) all->pdata);
    if (r.status != 0)
        g_error ("daiban %s: %s", args[0], r.err);
    char *out = NULL;
    if (first_line) {
        g_auto (GStrv) lines = g_strsplit (r.out, "\n", 2);
        out = g_strdup (lines[0]);
    } else {
        out = g_strdup (r.out);
    }
    dbn_cli_run_clear (&r);
    return out;
}

gboolean
is_online (gpointer window)
{
    DbnConnection *c = dbn_main_window_get_connection (window);
    return c != NULL && dbn_connection_get_online (c);
}

guint
count_pixels (GdkTexture *texture, GtkWidget *widget, GtkWidget *window, guint8 r, guint8 g, guint8 b)
{
    graphene_rect_t bounds;
    g_assert_true (gtk_widget_compute_bounds (widget, window, &bounds));
    int w = gdk_texture_get_width (texture), h = gdk_texture_get_height (texture);
    gsize stride = (gsize) w * 4;
    g_autofree guint8 *data = g_malloc (stride * h);
    gdk_texture_download (texture, data, stride); /* CAIRO_FORMAT_ARGB32: B G R A in memory */
    guint n = 0;
    for (int y = MAX (0, (int) bounds.origin.y); y < MIN (h, (int) (bounds.origin.y + bounds.size.height));
         y++)
        for (int x = MAX (0, (int) bounds.origin.x); x < MIN (w, (int) (bounds.origin.x + bounds.size.width));
             x++) {
            const guint8 *p = data + y * stride + x * 4;
            if (ABS (p[2] - r) < 12 && ABS (p[1] - g) < 12 && ABS (p[0] - b) < 12)
                n++;
        }
    return n;
}
