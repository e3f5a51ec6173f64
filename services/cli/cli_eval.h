/* cli_eval.h: the `daiban eval` commands of daiban-evaluation (issue 13). */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

/* daiban eval month|close|export|sample ... */
int cli_eval (int argc, char **argv, const char *data_option);
/* cli_eval_wire.c: eval sample, and eval callback|followup|rate (sub). */
int cli_eval_sample (int argc, char **argv, const char *data_option);
int cli_eval_wire (const char *sub, int argc, char **argv, const char *data_option);

G_END_DECLS
