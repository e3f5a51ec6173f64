/* dbn_county_page.h: a county department's page (issue 16 item 1): the
 * escalated cases (上报件) of every township that reach the department, each
 * with its township, answered (approved or refused, with the department's
 * text) from here. One page connects to several townships: each is its own
 * DbnConnection (that township's daiban.conf and a county:<dept> key in its
 * registry) with its own outbox. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"
#include "dbn_outbox.h"
#include "dbn_queue_model.h"

G_BEGIN_DECLS

#define DBN_TYPE_COUNTY_PAGE (dbn_county_page_get_type ())
G_DECLARE_FINAL_TYPE (DbnCountyPage, dbn_county_page, DBN, COUNTY_PAGE, GtkWidget)

/* The page of county department dept (an id of org.ini's [county:<id>]). */
GtkWidget *dbn_county_page_new (const char *dept);
/* Adds a township, shown as name: keeps the department's queue there
 * (routing.queue county <dept>, topic c/<dept>/) and sends its answers
 * through outbox. Takes references. */
void dbn_county_page_add_township (DbnCountyPage *self, const char *name, DbnConnection *connection,
                                   DbnOutbox *outbox);
/* A township that could not be opened (a county folder's township whose
 * folder or keys are wrong): failure, the sentence for a person, is shown
 * above the list so the department knows which township it does not see. */
void dbn_county_page_add_failed_township (DbnCountyPage *self, const char *name, const char *failure);
/* The queue kept from township name, NULL when there is none. Borrowed. */
DbnQueueModel *dbn_county_page_get_model (DbnCountyPage *self, const char *name);

G_END_DECLS
