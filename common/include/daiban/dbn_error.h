/* dbn_error.h: one table from (GError domain, code) to the stable wire code
 * and the Chinese and English sentences a person sees in a reply.
 *
 * Every module that returns errors across the wire registers its codes once
 * (dbn_error_register_builtin() covers libdaiban's own domains); a reply then
 * carries code = dbn_error_wire_code(error). Wire codes look like
 * "codec.missing-field" and never change meaning once shipped.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Errors of libdaiban that are not owned by one module (request-level). */
#define DBN_ERROR (dbn_error_quark ())
GQuark dbn_error_quark (void);

/* The codes (DbnError) are generated from schemas/errors.xml (docs/errors.md). */
#include "dbn_error_codes.h"

/* Loads the table generated from schemas/errors.xml: every domain's codes,
 * the services' too, so a client or the CLI can match any wire code.
 * Idempotent; every program calls it once at start (dbn_init does), and a
 * lookup loads it first, so a library's caller that did not is served too. */
void dbn_error_register_builtin (void);

/* The wire code of error, or "internal" for an unregistered pair. Static string. */
const char *dbn_error_wire_code (const GError *error);

/* Sentences for a reply: the registered sentence, then ": " and
 * error->message when that adds detail. Caller owns the returned strings. */
char *dbn_error_dup_message_zh (const GError *error);
char *dbn_error_dup_message_en (const GError *error);

/* The reverse, for clients: builds a GError from a reply's code and
 * sentences. Unknown codes map to DBN_ERROR_INTERNAL with the code kept in
 * the message. The message is "<en> / <zh>" so a log line carries both. */
GError *dbn_error_new_from_wire (const char *wire_code, const char *message_zh, const char *message_en);

/* One line for a person, "[code] sentence", in one language, from a
 * reply's code and its two sentences (each "<sentence>: <detail>", the
 * detail written once, in English, by the service). english: the English
 * sentence with its detail. Otherwise the Chinese sentence and, of the
 * detail, only a leading file position ("（…/catalog.ini:3）"), which reads
 * the same in any language; with_detail keeps the whole detail (internal
 * and setup errors, where the detail is the point). Caller owns it. */
char *dbn_error_dup_line (const char *code, const char *message_zh, const char *message_en, gboolean english,
                          gboolean with_detail);

/* TRUE when error is the registered pair for wire_code (for tests and clients). */
gboolean dbn_error_matches_wire (const GError *error, const char *wire_code);

G_END_DECLS
