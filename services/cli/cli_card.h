/* cli_card.h: `daiban case card`, the completion card (《代办事项落实卡》,
 * D-RPL-1) as the evaluation service keeps it (eval.card). */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

/* The usage lines it adds to `daiban case --help`. Static. */
const char *cli_card_case_usage (void);
gboolean cli_card_is_case_command (const char *name);
/* daiban case card NUMBER [--json] [--signature FILE]; argv[0] is "card". */
int cli_card_case (int argc, char **argv, const char *data_option);

G_END_DECLS
