/* cli_intake.h: the `daiban` commands of issue 4's intake remainder:
 *   daiban catalog list|show CODE|reload          (D-CAT-1..3)
 *   daiban visit add|list                          (D-INT-1)
 *   daiban logbook VILLAGE                         (D-INT-3)
 *   daiban case supplement|refuse|notice ...       (D-INT-4, D-INT-5, D-RPL-3)
 */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

int cli_catalog (int argc, char **argv, const char *data_option);
int cli_visit (int argc, char **argv, const char *data_option);
int cli_logbook (int argc, char **argv, const char *data_option);
/* TRUE when name is a `daiban case` subcommand of this file. */
gboolean cli_intake_is_case_command (const char *name);
/* `daiban case <name> ...`: argv[0] is the subcommand's name. */
int cli_intake_case (int argc, char **argv, const char *data_option);
/* The case subcommands' lines of `daiban case --help`. Static. */
const char *cli_intake_case_usage (void);

G_END_DECLS
