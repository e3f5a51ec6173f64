/* dbn_idnumber.c: GB 11643-1999 check. No library knows Chinese ID numbers,
 * so this is written by hand: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11. */
#include "daiban/dbn_idnumber.h"

#include <string.h>

#include "daiban/dbn_error.h"

static const int weights[17] = { 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2 };
static const char check_chars[11] = { '1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2' };

char
dbn_idnumber_check_char (const char *first17)
{
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (first17[i] - '0') * weights[i];
    return check_chars[sum % 11];
}

gboolean
dbn_idnumber_validate (const char *id, GError **error)
{
    if (id == NULL || strlen (id) != 18) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "ID number must have 18 characters");
        return FALSE;
    }
    for (int i = 0; i < 17; i++) {
        if (!g_ascii_isdigit (id[i])) {
            g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "ID number character %d is not a digit", i + 1);
            return FALSE;
        }
    }
    int year = (id[6] - '0') * 1000 + (id[7] - '0') * 100 + (id[8] - '0') * 10 + (id[9] - '0');
    int month = (id[10] - '0') * 10 + (id[11] - '0');
    int day = (id[12] - '0') * 10 + (id[13] - '0');
    if (year < 1880 || month < 1 || month > 12 || day < 1
        || !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year)) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "ID number holds no valid birth date (%.8s)",
                     id + 6);
        return FALSE;
    }
    char expected = dbn_idnumber_check_char (id);
    char given = g_ascii_toupper (id[17]);
    if (given != expected) {
        g_set_error (error, DBN_ERROR, DBN_ERROR_INVALID, "ID number check character is %c, expected %c",
                     given, expected);
        return FALSE;
    }
    return TRUE;
}
