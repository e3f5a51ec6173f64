/* test_error: the table from (domain, code) to wire code and sentences
 * (generated from schemas/errors.xml), both ways; and the line a person
 * reads for an error (dbn_error_dup_line), issue 15: one line, one language,
 * the stable code; not both sentences with the service's detail twice. */
#include <daiban/daiban.h>

/* As routing sends it: each sentence, then ": " and the detail it wrote once. */
static const char *const zh =
    "代办站没有待送中心的事项: station qingshui has no matter waiting to be carried";
static const char *const en = "the station has no matter waiting to be carried: "
                              "station qingshui has no matter waiting to be carried";

static void
test_chinese_drops_english_detail (void)
{
    g_autofree char *line = dbn_error_dup_line ("routing.nothing-to-carry", zh, en, FALSE, FALSE);
    g_assert_cmpstr (line, ==, "[routing.nothing-to-carry] 代办站没有待送中心的事项");
}

static void
test_english_keeps_detail (void)
{
    g_autofree char *line = dbn_error_dup_line ("routing.nothing-to-carry", zh, en, TRUE, FALSE);
    g_autofree char *want = g_strdup_printf ("[routing.nothing-to-carry] %s", en);
    g_assert_cmpstr (line, ==, want);
}

/* A file position reads the same in both languages: kept in Chinese. */
static void
test_chinese_keeps_file_position (void)
{
    const char *czh = "事项清单文件格式有误: /d/catalog.ini:3: Key file contains line “x”";
    const char *cen = "the catalog file is not a key file: /d/catalog.ini:3: Key file contains line “x”";
    g_autofree char *line = dbn_error_dup_line ("catalog.parse", czh, cen, FALSE, FALSE);
    g_assert_cmpstr (line, ==, "[catalog.parse] 事项清单文件格式有误（/d/catalog.ini:3）");
    /* A detail that itself holds ": " is found whole. */
    const char *dzh = "填写的内容不符合要求: channel: 'x' is not one";
    const char *den = "invalid value: channel: 'x' is not one";
    g_autofree char *d = dbn_error_dup_line ("invalid", dzh, den, FALSE, FALSE);
    g_assert_cmpstr (d, ==, "[invalid] 填写的内容不符合要求");
}

static void
test_without_detail_and_odd_input (void)
{
    g_autofree char *plain = dbn_error_dup_line ("forbidden", "无权进行此操作", "not allowed", FALSE, FALSE);
    g_assert_cmpstr (plain, ==, "[forbidden] 无权进行此操作");
    /* with_detail (internal, setup errors): the whole Chinese text. */
    g_autofree char *whole =
        dbn_error_dup_line ("internal", "系统内部错误: boom", "internal error: boom", FALSE, TRUE);
    g_assert_cmpstr (whole, ==, "[internal] 系统内部错误: boom");
    /* From the network: no code, no sentences, a sentence missing. */
    g_autofree char *none = dbn_error_dup_line (NULL, NULL, NULL, FALSE, FALSE);
    g_assert_cmpstr (none, ==, "[internal] ");
    g_autofree char *only_en = dbn_error_dup_line ("x", "", "english only", FALSE, FALSE);
    g_assert_cmpstr (only_en, ==, "[x] english only");
    g_autofree char *only_zh = dbn_error_dup_line ("x", "只有中文", "", TRUE, FALSE);
    g_assert_cmpstr (only_zh, ==, "[x] 只有中文");
}

/* ---- the table ---- */

/* Every domain of errors.xml is known to libdaiban, the services' too
 * (matched by quark string, so no service code is linked here). */
static void
test_wire_codes (void)
{
    g_autoptr (GError) not_found = g_error_new (DBN_ERROR, DBN_ERROR_NOT_FOUND, "case T01-2026-000001");
    g_assert_cmpstr (dbn_error_wire_code (not_found), ==, "not-found");
    g_autoptr (GError) keys = g_error_new_literal (DBN_KEYS_ERROR, DBN_KEYS_ERROR_EXISTS, "x");
    g_assert_cmpstr (dbn_error_wire_code (keys), ==, "keys.exists");
    g_autoptr (GError) intake =
        g_error_new_literal (g_quark_from_static_string ("intake-error-quark"), INTAKE_ERROR_NO_CONSENT, "x");
    g_assert_cmpstr (dbn_error_wire_code (intake), ==, "intake.no-consent");
    /* Unregistered: a domain nobody declared, a code past a domain's end. */
    g_autoptr (GError) stranger = g_error_new_literal (g_quark_from_static_string ("test-stranger"), 1, "x");
    g_assert_cmpstr (dbn_error_wire_code (stranger), ==, "internal");
    g_autoptr (GError) past = g_error_new_literal (DBN_ERROR, 9999, "x");
    g_assert_cmpstr (dbn_error_wire_code (past), ==, "internal");
    g_assert_cmpstr (dbn_error_wire_code (NULL), ==, "internal");
}

/* The registered sentence, then the error's own message when it adds detail. */
static void
test_sentences (void)
{
    g_autoptr (GError) detail = g_error_new (DBN_ERROR, DBN_ERROR_NOT_FOUND, "case %s", "T01-2026-000001");
    g_autofree char *zh = dbn_error_dup_message_zh (detail);
    g_autofree char *en = dbn_error_dup_message_en (detail);
    g_assert_cmpstr (zh, ==, "没有找到: case T01-2026-000001");
    g_assert_cmpstr (en, ==, "not found: case T01-2026-000001");
    g_autoptr (GError) bare = g_error_new_literal (DBN_ERROR, DBN_ERROR_FORBIDDEN, "");
    g_autofree char *bare_en = dbn_error_dup_message_en (bare);
    g_assert_cmpstr (bare_en, ==, "not allowed");
    g_autoptr (GError) same = g_error_new_literal (DBN_ERROR, DBN_ERROR_FORBIDDEN, "not allowed");
    g_autofree char *same_en = dbn_error_dup_message_en (same);
    g_assert_cmpstr (same_en, ==, "not allowed");
    g_autoptr (GError) stranger =
        g_error_new_literal (g_quark_from_static_string ("test-stranger"), 1, "odd");
    g_autofree char *stranger_zh = dbn_error_dup_message_zh (stranger);
    g_autofree char *stranger_en = dbn_error_dup_message_en (stranger);
    g_assert_cmpstr (stranger_zh, ==, "系统内部错误: odd");
    g_assert_cmpstr (stranger_en, ==, "internal error: odd");
}

/* A client builds the service's error back from a reply's code. */
static void
test_from_wire (void)
{
    g_autoptr (GError) known = dbn_error_new_from_wire ("routing.case-archived", "中", "en");
    g_assert_cmpstr (g_quark_to_string (known->domain), ==, "routing-error-quark");
    g_assert_cmpint (known->code, ==, ROUTING_ERROR_ARCHIVED);
    g_assert_cmpstr (known->message, ==, "en / 中");
    g_assert_true (dbn_error_matches_wire (known, "routing.case-archived"));
    g_assert_false (dbn_error_matches_wire (known, "routing.wrong-kind"));
    g_assert_false (dbn_error_matches_wire (NULL, "routing.case-archived"));

    g_autoptr (GError) unknown = dbn_error_new_from_wire ("future.code", NULL, "later");
    g_assert_error (unknown, DBN_ERROR, DBN_ERROR_INTERNAL);
    g_assert_cmpstr (unknown->message, ==, "[future.code] later / ");
    g_assert_false (dbn_error_matches_wire (unknown, "future.code"));
    g_autoptr (GError) none = dbn_error_new_from_wire (NULL, NULL, NULL);
    g_assert_error (none, DBN_ERROR, DBN_ERROR_INTERNAL);
    g_assert_cmpstr (none->message, ==, "[?]  / ");
}

/* Loading the table twice changes nothing. */
static void
test_register_idempotent (void)
{
    dbn_error_register_builtin ();
    dbn_error_register_builtin ();
    g_autoptr (GError) e = g_error_new_literal (DBN_ERROR, DBN_ERROR_INVALID, "x");
    g_assert_cmpstr (dbn_error_wire_code (e), ==, "invalid");
    g_autoptr (GError) back = dbn_error_new_from_wire ("invalid", "", "");
    g_assert_error (back, DBN_ERROR, DBN_ERROR_INVALID);
}

int
main (int argc, char **argv)
{
    g_test_init (&argc, &argv, NULL);
    /* No dbn_init first: the table loads itself on the first lookup. */
    g_test_add_func ("/error/table/wire-codes", test_wire_codes);
    g_test_add_func ("/error/table/sentences", test_sentences);
    g_test_add_func ("/error/table/from-wire", test_from_wire);
    g_test_add_func ("/error/table/register-idempotent", test_register_idempotent);
    g_test_add_func ("/error/line/chinese-drops-english-detail", test_chinese_drops_english_detail);
    g_test_add_func ("/error/line/english-keeps-detail", test_english_keeps_detail);
    g_test_add_func ("/error/line/chinese-keeps-file-position", test_chinese_keeps_file_position);
    g_test_add_func ("/error/line/without-detail-and-odd-input", test_without_detail_and_odd_input);
    return g_test_run ();
}
