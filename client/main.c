/* main.c: daiban-client, the desktop program of window clerks and village
 * stations. Chinese by default; English when the locale asks for it. */
#include <locale.h>

#include <daiban/daiban.h>
#include <glib/gi18n.h>

#include "dbn_application.h"

int
main (int argc, char **argv)
{
    setlocale (LC_ALL, "");
    /* DAIBAN_LOCALE_DIR: the build tree's translations (build/client/locale). */
    const char *locale_dir = g_getenv ("DAIBAN_LOCALE_DIR");
    bindtextdomain ("daiban", locale_dir != NULL ? locale_dir : DBN_LOCALE_DIR);
    bind_textdomain_codeset ("daiban", "UTF-8");
    textdomain ("daiban");
    dbn_init ("daiban-client");
    g_autoptr (DbnApplication) app = dbn_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
}
