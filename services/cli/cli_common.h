/* cli_common.h: what every `daiban` subcommand shares. */
#pragma once

#include <daiban/daiban.h>

G_BEGIN_DECLS

/* Exit statuses scripts can rely on. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_REFUSED = 1,     /* the service answered with an error */
    CLI_EXIT_USAGE = 2,       /* bad options */
    CLI_EXIT_UNREACHABLE = 3, /* no answer from a service */
    CLI_EXIT_CONFIG = 4,      /* the data folder or daiban.conf is unusable */
    CLI_EXIT_TAMPERED = 5,    /* `audit verify`: the record does not check out */
};

typedef struct {
    char *data_dir;    /* resolved --data */
    DbnConfig *config; /* DIR/daiban.conf */
    DbnBus *bus;       /* for clients */
    guint timeout_ms;  /* per attempt */
} CliContext;

/* The services this build contains, in start order (grows with each service). */
extern const char *const cli_built_services[];

/* Resolves the data folder, loads its config (defaults when absent) and
 * gives the bus the identity to act with: the --key file, else the
 * operator's key DIR/keys/operator.secret (made by `daiban up` or `daiban
 * keys init`). NULL with the error (a config error, or a keys.* error naming
 * the file). Caller owns the result. */
CliContext *cli_context_new (const char *data_option, GError **error);
void cli_context_free (CliContext *self);

/* Sends command to service, trying `attempts` times with the same bytes
 * (the idempotency key makes retries safe). Returns the reply of an ok
 * answer; NULL with the service's error (dbn_error_new_from_wire) or
 * DBN_ERROR_TIMEOUT. Caller owns the reply. */
GBytes *cli_call (CliContext *self, const char *service, GBytes *command, guint attempts, GError **error);

/* A reply's decode function (dbn_msg_*_reply_decode), for cli_ask. */
typedef gpointer (*CliDecodeFunc) (const guint8 *data, gsize len, GError **error);
/* A command's round trip: command, the bytes its _encode gave (NULL when
 * encoding failed, with error set by it), sent through cli_call and its
 * reply decoded by decode. NULL with the error of the step that failed.
 * Caller owns the decoded reply. */
gpointer cli_ask (CliContext *self, const char *service, GBytes *command, guint attempts, CliDecodeFunc decode,
                  GError **error);

/* Prints "daiban: WHAT: [code] sentence" on one line, in the person's
 * language (cli_dup_error_line), and returns the exit status that fits
 * error (unreachable, refused, ...). */
int cli_report_error (const char *what, const GError *error);
/* The exit status cli_report_error gives error, without printing. */
int cli_error_status (const GError *error);
/* "[code] sentence" for error in the person's language: Chinese by
 * default, English when gettext says so (LANGUAGE=en). Caller owns it. */
char *cli_dup_error_line (const GError *error);
/* The same for a service's reply: its code and its Chinese and English
 * sentences. Caller owns it. */
char *cli_dup_refusal_line (const char *code, const char *zh, const char *en);
/* TRUE when the person's language is English (gettext's choice, as the
 * client's); FALSE for Chinese, the default. */
gboolean cli_english (void);

/* Adds --data, and --key-file (overrides the global --key), to a subcommand's options. */
void cli_add_data_option (GOptionContext *context, char **data_option);

/* Adds entries and --data/--key-file (cli_add_data_option) to context and
 * parses argv. FALSE after printing "daiban NAME: <error>" to stderr. */
gboolean cli_parse_options (GOptionContext *context, GOptionEntry *entries, char **data, int *argc,
                            char ***argv, const char *name);

/* The secret key file to act with, from the global --key; a subcommand's
 * --key-file wins. NULL: the operator's key. */
void cli_set_key_option (const char *path);
const char *cli_get_key_option (void);

/* One subcommand of a group (`daiban keys add ...`): argc/argv start at its
 * own name. */
typedef struct {
    const char *name;
    int (*run) (int argc, char **argv, const char *data_option);
} CliSubcommand;

/* `daiban <group> <name> ...`: runs the entry of table (ended by a NULL
 * name) that argv[1] names; prints usage for --help (exit 0) or no name
 * (exit 2), and the usage with a bilingual line for an unknown name. */
int cli_run_subcommand (const char *group, const char *usage, const CliSubcommand *table, int argc,
                        char **argv, const char *data_option);

/* "a,b，c、d" → { "a", "b", "c", "d" }, blanks trimmed, empty items dropped:
 * clerks type the Chinese commas too. Caller owns it. */
char **cli_split_list (const char *text);

/* Prints a reply (or any message) as JSON on one line; CLI_EXIT_OK, or the
 * error's status when it cannot be decoded. */
int cli_print_json (GBytes *message, const char *what);

/* Local time of ms as "2026-11-27 19:40:05". Caller owns it. */
char *cli_format_time (gint64 ms);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CliContext, cli_context_free)

/* Subcommands: argc/argv start at the subcommand's own name. */
int cli_up (int argc, char **argv, const char *data_option);
int cli_status (int argc, char **argv, const char *data_option);
int cli_case (int argc, char **argv, const char *data_option);
int cli_events (int argc, char **argv, const char *data_option);
int cli_keys (int argc, char **argv, const char *data_option);
int cli_audit (int argc, char **argv, const char *data_option);
/* daiban simulate: a month played through the services (cli_simulate.c). */
int cli_simulate (int argc, char **argv, const char *data_option);

/* The absolute path of daiban-<name> beside this program, else on PATH;
 * NULL when neither has it. Caller owns it. */
char *cli_find_service_binary (const char *name);

G_END_DECLS
