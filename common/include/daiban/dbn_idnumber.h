/* dbn_idnumber.h: the resident ID number of GB 11643-1999: 17 digits and an
 * ISO 7064 MOD 11-2 check character (0-9 or X), with a valid birth date in
 * positions 7-14. Used by intake and by the client's form. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when id is a well-formed 18-character ID number with the right check
 * character and a real birth date. FALSE with DBN_ERROR_INVALID saying which
 * rule failed (in English; the caller adds the Chinese). */
gboolean dbn_idnumber_validate (const char *id, GError **error);

/* The check character ('0'..'9' or 'X') for the first 17 digits. */
char dbn_idnumber_check_char (const char *first17);

G_END_DECLS
