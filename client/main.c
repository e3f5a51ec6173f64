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
    bindtextdomain ("daiban", DBN_LOCALE_DIR);
    bind_textdomain_codeset ("daiban", "UTF-8");
    textdomain ("daiban");
    dbn_log_init ("daiban-client");
    g_autoptr (DbnApplication) app = dbn_application_new ();
    return g_application_run (G_APPLICATION (app), argc, argv);
}
