/* dbn_county_page-private.h: what the tests reach the county page by. */
#pragma once

#include "dbn_county_page.h"

G_BEGIN_DECLS

/* The rows shown: the cases waiting for the department's answer. Borrowed. */
GListModel *dbn_county_page_get_visible (DbnCountyPage *self);
/* Selects the case case_no of township name; FALSE when it is not shown. */
gboolean dbn_county_page_select (DbnCountyPage *self, const char *name, const char *case_no);
/* The answer entry (the department's text). Borrowed. */
GtkEditable *dbn_county_page_get_answer_entry (DbnCountyPage *self);
/* The status line. Borrowed. */
const char *dbn_county_page_get_status (DbnCountyPage *self);
/* The failed townships' lines, one per line ("" when none). Caller owns it. */
char *dbn_county_page_dup_failures (DbnCountyPage *self);

G_END_DECLS
