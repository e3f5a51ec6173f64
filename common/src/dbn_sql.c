/* dbn_sql.c: see dbn_sql.h. */
#include "daiban/dbn_sql.h"

sqlite3_stmt *
dbn_sql_reuse (sqlite3_stmt *st)
{
    sqlite3_reset (st);
    sqlite3_clear_bindings (st);
    return st;
}

char *
dbn_sql_column_dup (sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text (st, col);
    return text ? g_strdup ((const char *) text) : NULL;
}

void
dbn_sql_bind_text (sqlite3_stmt *st, int index, const char *value)
{
    if (value != NULL)
        sqlite3_bind_text (st, index, value, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null (st, index);
}

void
dbn_sql_bind_text_or_null (sqlite3_stmt *st, int index, const char *value)
{
    dbn_sql_bind_text (st, index, value != NULL && *value != '\0' ? value : NULL);
}
