/* cli_audit_checks.h: `daiban audit spot-check` and `audit findings`
 * (cli_audit_checks.c). argc/argv start at the subcommand's own name. */
#pragma once

int cli_audit_spot_check (int argc, char **argv, const char *data_option);
int cli_audit_findings (int argc, char **argv, const char *data_option);
