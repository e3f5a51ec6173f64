/* dbn_case_papers.h: the papers of any case, from any PC (issue 15 item 1,
 * issue 13 item 3): the 承办单 again (with the promised date, D-DL-4), the
 * 办理结果告知单 (D-RPL-3), the written progress notice of a matter the
 * township cannot decide (D-DL-2), the 《代办事项落实卡》 (D-RPL-1, with
 * the applicant's signature as the evaluation service keeps it) and the
 * 一次性告知书 again while materials are missing (D-INT-4).
 *
 * Nothing comes from a local file: each paper is filled from the services'
 * answers (intake.case.get, routing.case.get, deadline.case.due, eval.card)
 * and drawn by dbn_print.c, the one renderer of every paper. The widget is
 * a row for a case's detail (the station's cases page, the clerk's view):
 * choose the paper, print it or export it to PDF.
 */
#pragma once

#include <gtk/gtk.h>

#include "dbn_connection.h"
#include "dbn_print.h"

G_BEGIN_DECLS

typedef enum {
    DBN_CASE_PAPER_ACCEPTANCE, /* 承办单 (reprint) */
    DBN_CASE_PAPER_RESULT,     /* 办理结果告知单 */
    DBN_CASE_PAPER_PROGRESS,   /* 办理进度书面告知书 */
    DBN_CASE_PAPER_CARD,       /* 代办事项落实卡 */
    DBN_CASE_PAPER_MISSING,    /* 一次性告知书 (D-INT-4) again, while materials are missing */
} DbnCasePaper;

/* The services' answers a paper is filled from; any may be NULL (not
 * asked, or refused). Borrowed. */
typedef struct {
    GBytes *intake;   /* intake_case_get_reply */
    GBytes *routing;  /* routing_case_get_reply */
    GBytes *deadline; /* deadline_case_due_reply */
    GBytes *card;     /* eval_card_reply */
} DbnCaseAnswers;

/* Which services paper needs answers from, NULL-terminated (static). */
const char *const *dbn_case_paper_services (DbnCasePaper paper);
/* The PDF's file name of paper (static), e.g. "completion-card.pdf". */
const char *dbn_case_paper_file_name (DbnCasePaper paper);

/* Fills paper from the answers, catalog (may be NULL) giving the matter's
 * limit; printed_at (ms) is the date of this copy. NULL with DBN_ERROR
 * when the answers do not make the paper (the case not replied yet for a
 * result notice, a matter the township decides for a progress notice, no
 * card) or cannot be read. Caller owns the form. */
DbnPrintForm *dbn_case_paper_build (DbnCasePaper paper, const DbnCaseAnswers *answers, DbnCatalog *catalog,
                                    gint64 printed_at, GError **error);

#define DBN_TYPE_CASE_PAPERS (dbn_case_papers_get_type ())
G_DECLARE_FINAL_TYPE (DbnCasePapers, dbn_case_papers, DBN, CASE_PAPERS, GtkWidget)

/* PDFs go to dir/cases/<case>/ (the PC's client folder). */
void dbn_case_papers_set_up (DbnCasePapers *self, DbnConnection *connection, const char *dir);
/* The case the papers are of (the selected one; NULL: none). The number
 * can also be typed: a case archived and gone from every queue reprints. */
void dbn_case_papers_set_case (DbnCasePapers *self, const char *case_no);

/* ---- what the tests reach ---- */
void dbn_case_papers_choose (DbnCasePapers *self, DbnCasePaper paper);
GtkEditable *dbn_case_papers_get_entry (DbnCasePapers *self);
const char *dbn_case_papers_get_status (DbnCasePapers *self);
/* The PDF the last export wrote, NULL until one did (and while one runs). */
const char *dbn_case_papers_get_last_pdf (DbnCasePapers *self);

G_END_DECLS
