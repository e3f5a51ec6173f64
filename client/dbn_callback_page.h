/* dbn_callback_page.h: the supervisor's return visits (回访, D-EV-2, issue
 * 13 item 4): the month's drawn cases of the area (eval.callback.list) with
 * the seed they were drawn from, each with the applicant's name and phone
 * (intake.case.contact: intake answers only the area's supervisor, so the
 * number is on no other screen), and a form to record the call
 * (eval.callback.record through the outbox: reached or not, attitude,
 * quality and speed on the three levels, a note) and the follow-up of a
 * bad one (eval.followup.record, D-EV-7). Actions: callbacks.prev,
 * callbacks.next, callbacks.refresh, callbacks.record, callbacks.followup. */
#pragma once

#include <gtk/gtk.h>

#include "dbn_outbox.h"

G_BEGIN_DECLS

#define DBN_TYPE_CALLBACK_PAGE (dbn_callback_page_get_type ())
G_DECLARE_FINAL_TYPE (DbnCallbackPage, dbn_callback_page, DBN, CALLBACK_PAGE, GtkWidget)

/* Shows the month before today's (the one drawn on its first working
 * day). Takes references. */
GtkWidget *dbn_callback_page_new (DbnConnection *connection, DbnOutbox *outbox);

/* For the tests: show month and ask for its list. */
void dbn_callback_page_set_month (DbnCallbackPage *self, const char *month);
/* Lists received (each refresh adds one, errors included). */
guint dbn_callback_page_get_n_answers (DbnCallbackPage *self);
/* Contacts received from intake. */
guint dbn_callback_page_get_n_contacts (DbnCallbackPage *self);
/* Recordings (calls and follow-ups) answered by the service (the outbox's replies). */
guint dbn_callback_page_get_n_recorded (DbnCallbackPage *self);
guint dbn_callback_page_get_n_items (DbnCallbackPage *self);
/* Row index's line: "T01-2026-000012  生育服务证…  清水村代办站  测试申办人12 13800000012  待回访". Borrowed. */
const char *dbn_callback_page_get_line (DbnCallbackPage *self, guint index);
const char *dbn_callback_page_get_status (DbnCallbackPage *self);
/* Selects row index for the form. */
void dbn_callback_page_select (DbnCallbackPage *self, guint index);
/* Fills the form: reached, and the three levels (0 满意, 1 基本满意, 2 不满意). */
void dbn_callback_page_fill (DbnCallbackPage *self, gboolean reached, guint attitude, guint quality,
                             guint speed, const char *note);

/* Fills the follow-up's text. */
void dbn_callback_page_set_followup (DbnCallbackPage *self, const char *text);

G_END_DECLS
