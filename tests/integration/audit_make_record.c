/* dbn-audit-make-record: writes a record with audit_core for the tests that
 * check it from outside (tests/docs/check_audit_formats.py).
 *
 *   dbn-audit-make-record FILE ENTRIES EVERY
 */
#include <stdlib.h>

#include "audit_fixture.h"

int
main (int argc, char **argv)
{
    if (argc != 4) {
        g_printerr ("usage: dbn-audit-make-record FILE ENTRIES EVERY\n");
        return 2;
    }
    g_autoptr (GError) error = NULL;
    if (!audit_fixture_make (argv[1], g_ascii_strtoll (argv[2], NULL, 10), (guint) atoi (argv[3]), 14, -1,
                             NULL, &error)) {
        g_printerr ("dbn-audit-make-record: %s\n", error->message);
        return 1;
    }
    return 0;
}
