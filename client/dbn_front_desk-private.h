/* dbn_front_desk-private.h: what the tests reach the front desk by. */
#pragma once

#include "dbn_front_desk.h"

G_BEGIN_DECLS

/* The rows shown: the items still in transit. Borrowed. */
GListModel *dbn_front_desk_get_visible (DbnFrontDesk *self);
/* Selects case_no's row; FALSE when it is not shown. */
gboolean dbn_front_desk_select (DbnFrontDesk *self, const char *case_no);
/* The status line under the buttons. Borrowed. */
const char *dbn_front_desk_get_status (DbnFrontDesk *self);

G_END_DECLS
