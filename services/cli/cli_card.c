/* cli_card.c: `daiban case card NUMBER [--json] [--signature FILE]`.
 *
 * Prints the completion card of a case (D-RPL-1) as the evaluation service
 * recorded it with the reply's rating: the rating, the result told, who
 * recorded it and when, and the signature's SHA-256, checked again here
 * against the bytes received. --signature writes the PNG, so the signature
 * can be looked at (or hashed with sha256sum) on any machine. The printed
 * card with the image is the client's (本案文书, docs/client.md). */
#include "cli_card.h"

#include <stdio.h>

static const char card_usage[] =
    "  card       代办事项落实卡 / a case's completion card: rating, result, signature (D-RPL-1)\n";

const char *
cli_card_case_usage (void)
{
    return card_usage;
}

gboolean
cli_card_is_case_command (const char *name)
{
    return g_strcmp0 (name, "card") == 0;
}

static const char *
level_words (const char *level)
{
    if (g_strcmp0 (level, "satisfied") == 0)
        return "满意 satisfied";
    if (g_strcmp0 (level, "basic") == 0)
        return "基本满意 basic";
    if (g_strcmp0 (level, "unsatisfied") == 0)
        return "不满意 unsatisfied";
    return level;
}

int
cli_card_case (int argc, char **argv, const char *data_option)
{
    g_autofree char *data = g_strdup (data_option);
    gboolean json = FALSE;
    g_autofree char *signature_file = NULL;
    GOptionEntry entries[] = {
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (机器可读; the signature as MessagePack bin)",
          NULL },
        { "signature", 0, 0, G_OPTION_ARG_FILENAME, &signature_file,
          "Write the signature PNG to FILE (签名图像)", "FILE" },
        { NULL },
    };
    g_autoptr (GOptionContext) options = g_option_context_new ("NUMBER — 代办事项落实卡 / completion card");
    g_option_context_set_description (
        options, "Prints a case's completion card as daiban-evaluation keeps it (eval.card, D-RPL-1):\n"
                 "the rating, the result told, who recorded it and when, and the SHA-256 of the\n"
                 "applicant's signature, checked again against the bytes received. Refused with\n"
                 "[eval.no-card] before the reply's rating.");
    if (!cli_parse_options (options, entries, &data, &argc, &argv, "case card"))
        return CLI_EXIT_USAGE;
    if (argc != 2) {
        fprintf (stderr, "daiban case card: give one case number / 请给出一个案件编号\n");
        return CLI_EXIT_USAGE;
    }
    g_autoptr (DbnMsgEvalCard) cmd = dbn_msg_eval_card_new ();
    cmd->env.key = g_uuid_string_random ();
    cmd->env.actor = g_strdup ("cli");
    cmd->case_no = g_strdup (argv[1]);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) body = dbn_msg_eval_card_encode (cmd, &error);
    if (body == NULL)
        return cli_report_error ("case card", error);
    g_autoptr (CliContext) ctx = cli_context_new (data, &error);
    g_autoptr (GBytes) reply = ctx != NULL ? cli_call (ctx, "evaluation", body, 3, &error) : NULL;
    if (reply == NULL)
        return cli_report_error ("case card", error);
    g_autoptr (DbnMsgEvalCardReply) c =
        dbn_msg_eval_card_reply_decode (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply), &error);
    if (c == NULL)
        return cli_report_error ("case card", error);
    /* The hash the service checked on arrival, checked again on these bytes. */
    g_autofree char *computed =
        c->signature != NULL ? g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, c->signature) : NULL;
    if (c->signature != NULL && g_strcmp0 (computed, c->signature_sha256) != 0) {
        fprintf (stderr,
                 "daiban: case card: [eval.signature-mismatch] the signature received hashes to %s, not %s / "
                 "签名图像与其校验值不符\n",
                 computed, c->signature_sha256);
        return CLI_EXIT_TAMPERED;
    }
    if (signature_file != NULL) {
        if (c->signature == NULL) {
            fprintf (stderr, "daiban: case card: %s was not signed / 申办人未签字\n", c->case_no);
            return CLI_EXIT_REFUSED;
        }
        if (!g_file_set_contents (signature_file, g_bytes_get_data (c->signature, NULL),
                                  (gssize) g_bytes_get_size (c->signature), &error)) {
            fprintf (stderr, "daiban: case card: %s\n", error->message);
            return CLI_EXIT_CONFIG;
        }
    }
    if (json)
        return cli_print_json (reply, "case card");
    g_autofree char *when = cli_format_time (c->at);
    printf ("代办事项落实卡 / Completion card             %s\n", c->case_no);
    printf ("事项 Matter          %s\n", c->matter);
    printf ("评价 Rating          %s\n", level_words (c->level));
    printf ("结果 Result          %s\n", c->result ? c->result : "—");
    if (c->signature != NULL)
        printf ("签字 Signed          是 yes (PNG, %" G_GSIZE_FORMAT " bytes)\nSHA-256              %s\n",
                g_bytes_get_size (c->signature), c->signature_sha256);
    else
        printf ("签字 Signed          否 no\n");
    printf ("登记 Recorded        %s  %s\n", when, c->by);
    return CLI_EXIT_OK;
}
