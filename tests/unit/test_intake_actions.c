/* test_intake_actions.c: intake's handlers in-process (intake_core), on
 * inproc://, with the shipped catalog and org.ini; no process is started.
 * Over inproc the caller has the operator's rights: who-may-what is tested
 * over CURVE in tests/integration; here it is what each command does. */
#include <string.h>

#include "dbn_test_inproc.h"
#include "intake_actions.h"

#define START_MS 1772416800000 /* 2026-03-02 10:00 office time */

#define ENCODE DBN_INPROC_ENCODE

typedef struct {
    DbnInproc *world;
    IntakeActions *actions; /* borrowed: the world frees it */
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
    f->world = dbn_inproc_new (START_MS);
    f->actions = dbn_inproc_add_intake (f->world);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
    dbn_inproc_free (f->world);
}

static char *
next_key (Fixture *f)
{
    return dbn_inproc_next_key (f->world);
}

static DbnMsgIntakeSubmit *
submit_new (Fixture *f, const char *materials)
{
    return dbn_inproc_submit_new (f->world, materials);
}

static DbnMsgIntakeSubmitReply *
submit_ok (Fixture *f, DbnMsgIntakeSubmit *m)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_submit, m));
    DbnMsgIntakeSubmitReply *r =
        dbn_msg_intake_submit_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return r;
}

static DbnMsgIntakeCaseGetReply *
case_get (Fixture *f, const char *case_no)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeCaseGet) m = dbn_msg_intake_case_get_new ();
    m->env.key = next_key (f);
    m->case_no = g_strdup (case_no);
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_case_get, m));
    DbnMsgIntakeCaseGetReply *r = dbn_msg_intake_case_get_reply_decode (g_bytes_get_data (reply, NULL),
                                                                        g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    return r;
}

static char *
joined (char **items)
{
    return g_strjoinv (";", items);
}

/* D-INT-3: numbered <township>-<year>-<6 digits> from 1, stored whole,
 * journaled masked. */
static void
test_submit_numbers_stores_and_journals (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeSubmit) m = submit_new (f, "夫妻双方身份证;户口簿;结婚证");
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_ok (f, m);
    g_assert_cmpstr (r->case_no, ==, "T01-2026-000001");
    g_assert_cmpstr (r->state, ==, "accepted");
    g_assert_cmpuint (r->missing ? g_strv_length (r->missing) : 0, ==, 0);
    g_assert_cmpint (r->accepted_at, ==, START_MS);

    g_autoptr (DbnMsgIntakeSubmit) second = submit_new (f, "夫妻双方身份证;户口簿;结婚证");
    g_autoptr (DbnMsgIntakeSubmitReply) r2 = submit_ok (f, second);
    g_assert_cmpstr (r2->case_no, ==, "T01-2026-000002");

    g_autoptr (DbnMsgIntakeCaseGetReply) got = case_get (f, r->case_no);
    g_assert_cmpstr (got->matter, ==, "JS-ZHUNSHENG");
    g_assert_cmpstr (got->matter_name, ==, "生育服务证（准生证）办理");
    g_assert_cmpstr (got->id_number, ==, m->id_number);
    g_assert_cmpstr (got->village, ==, "qingshui");
    g_assert_cmpstr (got->state, ==, "accepted");
    g_assert_null (got->closed);

    g_autofree char *topic = NULL;
    g_autoptr (GBytes) event =
        dbn_inproc_wait_event (f->world, "intake", DBN_MSG_CASE_ACCEPTED_WIRE, r->case_no, &topic);
    g_autoptr (DbnMsgCaseAccepted) accepted =
        dbn_msg_case_accepted_decode (g_bytes_get_data (event, NULL), g_bytes_get_size (event), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (accepted->matter, ==, "JS-ZHUNSHENG");
    /* Personal fields masked in the journal (schemas/messages/case.xml). */
    g_assert_cmpstr (accepted->id_number, !=, m->id_number);
    g_assert_cmpuint (strlen (accepted->id_number), ==, 18);
    g_assert_cmpstr (accepted->phone, !=, m->phone);
    /* A complete request waits for nothing. */
    g_assert_cmpuint (dbn_inproc_count_events (f->world, "intake", DBN_MSG_CASE_AWAITING_MATERIALS_WIRE), ==,
                      0);
}

/* D-INT-4: every missing item told once; a supplement of the rest resumes it. */
static void
test_missing_materials_then_supplement (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeSubmit) m = submit_new (f, "夫妻双方身份证");
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_ok (f, m);
    g_assert_cmpstr (r->state, ==, "awaiting_materials");
    g_autofree char *missing = joined (r->missing);
    g_assert_cmpstr (missing, ==, "户口簿;结婚证");
    g_autoptr (GBytes) awaiting =
        dbn_inproc_wait_event (f->world, "intake", DBN_MSG_CASE_AWAITING_MATERIALS_WIRE, r->case_no, NULL);

    /* A material that is not missing is refused; the case is unchanged. */
    g_autoptr (DbnMsgIntakeSupplement) wrong = dbn_msg_intake_supplement_new ();
    wrong->env.key = next_key (f);
    wrong->case_no = g_strdup (r->case_no);
    wrong->materials = g_strsplit ("夫妻双方身份证", ";", -1);
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_supplement, wrong), "intake.not-missing");

    g_autoptr (DbnMsgIntakeSupplement) part = dbn_msg_intake_supplement_new ();
    part->env.key = next_key (f);
    part->case_no = g_strdup (r->case_no);
    part->materials = g_strsplit ("户口簿", ";", -1);
    g_autoptr (GBytes) b1 = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_supplement, part));
    g_autoptr (DbnMsgIntakeSupplementReply) s1 =
        dbn_msg_intake_supplement_reply_decode (g_bytes_get_data (b1, NULL), g_bytes_get_size (b1), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s1->state, ==, "awaiting_materials");
    g_autofree char *rest = joined (s1->missing);
    g_assert_cmpstr (rest, ==, "结婚证");

    g_autoptr (DbnMsgIntakeSupplement) last = dbn_msg_intake_supplement_new ();
    last->env.key = next_key (f);
    last->case_no = g_strdup (r->case_no);
    last->materials = g_strsplit ("结婚证", ";", -1);
    g_autoptr (GBytes) b2 = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_supplement, last));
    g_autoptr (DbnMsgIntakeSupplementReply) s2 =
        dbn_msg_intake_supplement_reply_decode (g_bytes_get_data (b2, NULL), g_bytes_get_size (b2), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (s2->state, ==, "accepted");
    g_autoptr (GBytes) resumed = dbn_inproc_wait_event (
        f->world, "intake", DBN_MSG_CASE_MATERIALS_SUPPLEMENTED_WIRE, r->case_no, NULL);
    g_autoptr (DbnMsgIntakeCaseGetReply) got = case_get (f, r->case_no);
    g_assert_cmpstr (got->state, ==, "accepted");
    g_assert_cmpuint (got->missing ? g_strv_length (got->missing) : 0, ==, 0);

    /* Nothing is awaited any more. */
    g_autoptr (DbnMsgIntakeSupplement) again = dbn_msg_intake_supplement_new ();
    again->env.key = next_key (f);
    again->case_no = g_strdup (r->case_no);
    again->materials = g_strsplit ("结婚证", ";", -1);
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_supplement, again),
                           "intake.not-awaiting-materials");
}

/* D-INT-2, D-CAT-1 and the applicant's details: refused, nothing recorded. */
static void
test_submit_refusals_record_nothing (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeSubmit) no_consent = submit_new (f, "户口簿");
    no_consent->consent = FALSE;
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_submit, no_consent), "intake.no-consent");
    g_autoptr (DbnMsgIntakeSubmit) unknown = submit_new (f, "户口簿");
    g_free (unknown->matter);
    unknown->matter = g_strdup ("XX-NONE");
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_submit, unknown), "intake.unknown-matter");
    g_autoptr (DbnMsgIntakeSubmit) bad_id = submit_new (f, "户口簿");
    bad_id->id_number[17] = bad_id->id_number[17] == '1' ? '2' : '1';
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_submit, bad_id), "intake.bad-id-number");
    g_autoptr (DbnMsgIntakeSubmit) bad_phone = submit_new (f, "户口簿");
    g_free (bad_phone->phone);
    bad_phone->phone = g_strdup ("call me");
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_submit, bad_phone), "intake.bad-phone");
    g_autoptr (DbnMsgIntakeSubmit) control = submit_new (f, "户口簿");
    control->note = g_strdup ("line\001break");
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_submit, control), "invalid");
    g_autoptr (DbnMsgIntakeSubmit) village = submit_new (f, "户口簿");
    g_free (village->village);
    village->village = g_strdup ("nowhere");
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_submit, village), "org.unknown-id");

    /* The first case accepted after them is still number 1. */
    g_autoptr (DbnMsgIntakeSubmit) ok = submit_new (f, "夫妻双方身份证;户口簿;结婚证");
    g_autoptr (DbnMsgIntakeSubmitReply) r = submit_ok (f, ok);
    g_assert_cmpstr (r->case_no, ==, "T01-2026-000001");
    g_assert_cmpuint (dbn_inproc_count_events (f->world, "intake", DBN_MSG_CASE_ACCEPTED_WIRE), ==, 1);
}

/* D-INT-5: a refusal needs a reason and where to apply; it is a numbered
 * book of its own and enters the village's logbook (D-INT-3). */
static void
test_refuse_and_logbook (Fixture *f, gconstpointer data)
{
    g_autoptr (GError) error = NULL;
    g_autoptr (DbnMsgIntakeRefuse) m = dbn_msg_intake_refuse_new ();
    m->env.key = next_key (f);
    m->applicant = g_strdup ("申办人");
    m->village = g_strdup ("qingshui");
    m->request = g_strdup ("办理营业执照");
    m->reason = g_strdup ("   ");
    m->apply_to = g_strdup ("县市场监督管理局");
    dbn_inproc_call_fails (f->world, "intake", ENCODE (intake_refuse, m), "intake.reason-required");
    g_free (m->env.key);
    m->env.key = next_key (f);
    g_free (m->reason);
    m->reason = g_strdup ("不属于代办事项");
    g_autoptr (GBytes) reply = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_refuse, m));
    g_autoptr (DbnMsgIntakeRefuseReply) r =
        dbn_msg_intake_refuse_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    g_assert_no_error (error);
    g_assert_cmpstr (r->refusal, ==, "T01-2026-R000001");
    g_autoptr (GBytes) refused =
        dbn_inproc_wait_event (f->world, "intake", DBN_MSG_CASE_REFUSED_WIRE, r->refusal, NULL);

    dbn_clock_advance_ms (dbn_inproc_get_clock (f->world), 1000);
    g_autoptr (DbnMsgIntakeSubmit) s = submit_new (f, "夫妻双方身份证;户口簿;结婚证");
    g_autoptr (DbnMsgIntakeSubmitReply) accepted = submit_ok (f, s);

    g_autoptr (DbnMsgIntakeLogbook) lb = dbn_msg_intake_logbook_new ();
    lb->env.key = next_key (f);
    lb->village = g_strdup ("qingshui");
    g_autoptr (GBytes) book = dbn_inproc_call_ok (f->world, "intake", ENCODE (intake_logbook, lb));
    g_autoptr (DbnMsgIntakeLogbookReply) entries =
        dbn_msg_intake_logbook_reply_decode (g_bytes_get_data (book, NULL), g_bytes_get_size (book), &error);
    g_assert_no_error (error);
    g_assert_cmpuint (entries->entries->len, ==, 2);
    g_assert_false (entries->truncated);
    const char *expected[][2] = { { "T01-2026-R000001", "refused" }, { "T01-2026-000001", "accepted" } };
    for (guint i = 0; i < 2; i++) {
        GBytes *b = entries->entries->pdata[i];
        g_autoptr (DbnMsgIntakeLogbookEntry) e =
            dbn_msg_intake_logbook_entry_decode (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &error);
        g_assert_no_error (error);
        g_assert_cmpstr (e->number, ==, expected[i][0]);
        g_assert_cmpstr (e->entry, ==, expected[i][1]);
    }
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    dbn_init ("test-intake-actions");
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
    ADD ("/intake/actions/submit-numbers-stores-and-journals", test_submit_numbers_stores_and_journals);
    ADD ("/intake/actions/missing-materials-then-supplement", test_missing_materials_then_supplement);
    ADD ("/intake/actions/submit-refusals-record-nothing", test_submit_refusals_record_nothing);
    ADD ("/intake/actions/refuse-and-logbook", test_refuse_and_logbook);
    return g_test_run ();
}
