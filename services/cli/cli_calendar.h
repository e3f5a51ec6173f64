/* cli_calendar.h: the `daiban` commands of daiban-deadline (issue 5):
 *   daiban calendar add DATE N | is-workday DATE | show YEAR | reload
 *   daiban case due NUMBER | explain NUMBER --text TEXT
 *   daiban deadline queue window|station|area ID
 */
#pragma once

#include "cli_common.h"

G_BEGIN_DECLS

int cli_calendar (int argc, char **argv, const char *data_option);
/* `daiban deadline queue ...`: argv[0] is "deadline". */
int cli_deadline (int argc, char **argv, const char *data_option);
/* TRUE when name is a `daiban case` subcommand of the deadline service. */
gboolean cli_deadline_is_case_command (const char *name);
/* `daiban case due|explain ...`: argv[0] is the subcommand's name. */
int cli_deadline_case (int argc, char **argv, const char *data_option);
/* Their lines of `daiban case --help`. Static. */
const char *cli_deadline_case_usage (void);

G_END_DECLS
