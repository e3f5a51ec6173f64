/* dbn_county_figures.h: the county committee's page of its townships'
 * figures (issue 16 item 3): for one month, a row per township (accepted,
 * completed, on-time rate, satisfaction, stars, score: the township scope
 * of that township's eval.month), each township's windows with their stars,
 * charts of the townships side by side and of their on-time trend
 * (dbn_eval_chart), and per township the county's check of its audit
 * record (county.db, written by `daiban county keep|prove`). Each township
 * is its own DbnConnection (its folder's daiban.conf, the county's
 * committee key registered there): one that is offline says so in its own
 * row and fills in when it is back; the others carry on. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"

G_BEGIN_DECLS

#define DBN_TYPE_COUNTY_FIGURES (dbn_county_figures_get_type ())
G_DECLARE_FINAL_TYPE (DbnCountyFigures, dbn_county_figures, DBN, COUNTY_FIGURES, GtkWidget)

/* The page of county county_name (daiban.conf's [county] name_zh), on this
 * month by the client's clock. */
GtkWidget *dbn_county_figures_new (const char *county_name);
/* Adds township id (the county folder's [township:<id>]), shown as name,
 * read over connection (takes a reference). */
void dbn_county_figures_add_township (DbnCountyFigures *self, const char *id, const char *name,
                                      DbnConnection *connection);
/* The county's store of kept heads (DIR/county.db); re-read every few
 * seconds, read-only. A file that is not there: "未核验". NULL: none. */
void dbn_county_figures_set_audit_store (DbnCountyFigures *self, const char *path);

G_END_DECLS
