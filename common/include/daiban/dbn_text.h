/* dbn_text.h: checks and copies of request text that every service does.
 *
 * Requests carry free text (a reason, a note, an address) bounded in length
 * by the schemas; what the schemas cannot say (blank, control characters)
 * is checked here, once, for every service.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when s is NULL, empty or only ASCII white space. */
gboolean dbn_text_is_blank (const char *s);

typedef enum {
    DBN_TEXT_STRICT = 0,      /* every byte below 0x20 and DEL (0x7f) is refused */
    DBN_TEXT_TAB_OK = 1 << 0, /* a tab is allowed */
    DBN_TEXT_DEL_OK = 1 << 1, /* DEL is allowed */
} DbnTextFlags;

/* FALSE with DBN_ERROR_INVALID ("<what> holds control characters") when
 * value (may be NULL) holds a control character that flags do not allow.
 * Control characters would break one-item-per-line storage and the CLI's
 * lines. */
gboolean dbn_text_check (const char *value, const char *what, DbnTextFlags flags, GError **error);

/* Replaces *field by a copy of value (NULL stays NULL). value may be *field
 * itself or point into it: it is copied before *field is freed. */
void dbn_text_set (char **field, const char *value);

/* D-AUD-3: "20", "12.5" or "12.50" yuan as fen (the catalog's unit); FALSE
 * for anything else (a fee is never negative and has at most two decimals). */
gboolean dbn_text_parse_yuan (const char *text, gint64 *fen);

G_END_DECLS
