/* weak_quarks.c: stand-ins for error quarks of modules not merged yet.
 *
 * dbn_log.c pulls in dbn_error.c, which names every libdaiban error domain.
 * Until dbn_codec.c and dbn_bus.c define theirs, tests that log would not
 * link. The definitions are weak: once the real ones exist, a test that
 * links them gets theirs and this file changes nothing. Delete it when
 * codec and bus are merged.
 */
#include <glib.h>

GQuark dbn_codec_error_quark (void);
GQuark dbn_bus_error_quark (void);

__attribute__ ((weak)) GQuark
dbn_codec_error_quark (void)
{
    return g_quark_from_static_string ("dbn-codec-error-quark");
}

__attribute__ ((weak)) GQuark
dbn_bus_error_quark (void)
{
    return g_quark_from_static_string ("dbn-bus-error-quark");
}
