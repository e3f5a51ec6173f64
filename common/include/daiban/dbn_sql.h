/* dbn_sql.h: the few SQLite helpers every store writes the same way.
 *
 * Each store (libdaiban's journal, intake, routing, deadline, evaluation,
 * audit) prepares its own statements; these are the pieces around them that
 * were copied into each: the autoptr of a statement, a kept statement made
 * ready again, a column read as an owned string, and a string bound as NULL
 * when absent.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Resets a prepared statement kept for reuse and clears its bindings, so it
 * starts afresh (and keeps no read transaction open). Returns st. */
sqlite3_stmt *dbn_sql_reuse (sqlite3_stmt *st);

/* Column col of the current row as a new string; NULL for SQL NULL. */
char *dbn_sql_column_dup (sqlite3_stmt *st, int col);

/* Binds value as text (copied), or NULL when value is NULL. */
void dbn_sql_bind_text (sqlite3_stmt *st, int index, const char *value);

/* The same, but an empty string is bound as NULL too: for columns where ""
 * and absent mean one thing. */
void dbn_sql_bind_text_or_null (sqlite3_stmt *st, int index, const char *value);

G_END_DECLS
