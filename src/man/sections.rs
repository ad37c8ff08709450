//! The parts of the man page that clap does not know: what the tool is for,
//! exit codes, files and examples (the environment is `settings::env`'s
//! table). They say what the README and `docs/` say, shorter.

use crate::exit::Class;

/// DESCRIPTION, after the one-line summary: paragraphs of prose.
pub const DESCRIPTION: &[&str] = &[
    "DruID runs bulk user updates asynchronously; when one finishes, \
     `GET /activityid/v1/user/bulk/{bulk_id}/results` lists the users whose update failed, \
     and why, a page at a time. `druid-bulk` follows every page and streams the rows out as a \
     table, JSON lines, a JSON array or CSV, with exit codes that scripts and CI jobs can trust.",
    "It retries transient faults, waits for a bulk that has not finished (`--wait`), renews \
     client-credentials tokens, writes whole pages only, prints the cursor that resumes an \
     interrupted export and keeps checkpoints (`--checkpoint`). An export to `-o PATH` that \
     is interrupted or fails keeps its pages beside PATH, and the same command continues \
     them; PATH is replaced only when the export is complete. `--summary` counts the distinct \
     errors. stdout carries data only; progress, warnings and errors go to stderr.",
    "Settings come from, in order of precedence: a flag, its environment variable, the profile \
     of the config file (see FILES), the built-in default.",
    "`druid-bulk submit FILE` checks a JSON Lines bulk update line by line, sends it, and prints \
     the new bulk's id alone on stdout; it never sends a file twice when the first may have \
     reached the server. `--wait` follows the bulk's status, `--export OUT` then writes its \
     results as `results` would, and `--failed-lines OUT2` the lines whose users failed, as \
     `failed-lines` would: the whole loop (submit, wait, report, fix, resubmit) in one command.",
    "`druid-bulk demo` shows a real export with no setup, against a built-in sandbox API; \
     `druid-bulk demo --submit` shows the loop: a sample file submitted, its failures and the \
     lines to fix.",
];

/// The meaning of an exit code.
fn meaning(class: Class) -> &'static str {
    match class {
        Class::Other => "Other error (output I/O, anything without a class).",
        Class::Usage => "Usage: bad flags or values, an invalid bulk id, no credentials, a bad config file.",
        Class::Auth => "Authentication failed: HTTP 401 or 403, or the token endpoint refused the client.",
        Class::NotFound => "The bulk was not found (HTTP 404).",
        Class::NotReady => "The bulk has not finished yet (HTTP 428 without `--wait`, or `--wait`'s deadline passed).",
        Class::Unavailable => "Server or network error after retries: HTTP 5xx, 408 or 429, a connection refused or reset, a DNS failure, a timeout, a body cut short.",
        Class::Protocol => "Bad request (HTTP 400 or another 4xx), or a response that breaks the protocol: a body of the wrong shape, rows out of order, a cursor that does not advance, too many empty pages, a page over 64 MiB, a redirect to another host.",
        Class::RowsFound => "Rows were written and `--fail-on-rows` was given (a CI gate).",
        Class::BulkFailed => "The bulk process failed on the server (its status is `failed`), seen while waiting for it (`results --wait`, `submit --wait`); its results may be partial.",
        Class::Internal => "Internal error: a bug in druid-bulk (a panic, or a task that ended without its last word). Nothing was committed: `-o` is left as it was and a checkpoint is not marked complete. Outranks every other code, 130 included; please report the `internal error` line.",
        Class::Interrupted => "Interrupted (Ctrl-C or SIGTERM): whole pages written, output closed, the resume cursor printed.",
    }
}

/// EXIT STATUS: every code and what it means, 0 first.
pub fn exit_status() -> Vec<(i32, &'static str)> {
    std::iter::once((
        0,
        "Every page was fetched and written (a report with failures is still 0); also when the \
         reader of stdout went away (`| head`).",
    ))
    .chain(Class::ALL.iter().map(|&c| (c.code(), meaning(c))))
    .collect()
}

/// After the list of exit codes.
pub const EXIT_STATUS_NOTE: &str =
    "With several bulks the exit status is the worst among them (0 only if all succeeded). \
     `submit` ends with the worst of its steps (sending, waiting, `--export`, \
     `--failed-lines`); the first that fails ends the run.";

/// FILES: where the config file is, then what it holds.
pub const FILES: &[(&str, &str)] = &[
    (
        "$XDG_CONFIG_HOME/druid-bulk/config.toml",
        "The config file, when XDG_CONFIG_HOME is set to an absolute path.",
    ),
    (
        "~/.config/druid-bulk/config.toml",
        "The config file otherwise (on Windows, `%APPDATA%\\druid-bulk\\config.toml`). \
         `--config PATH` names another one.",
    ),
    (
        ".NAME.druid-bulk.partial, .NAME.druid-bulk.state",
        "Beside `-o NAME`: the pages an interrupted or failed export wrote, and what they hold, \
         for the same command to continue (mode 0600; `--restart` starts over; removed when the \
         export completes, or by the next run after 7 days).",
    ),
];

/// After the list of files: what a profile looks like.
pub const FILES_NOTE: &str =
    "The config file holds named profiles, picked with `--profile NAME` or DRUID_PROFILE; \
     without either, `default_profile` or a profile named `default` is used if there is one. \
     Secrets are only referenced, by a file path (`token_file`, `client_secret_file`) or the \
     name of an environment variable (`token_env`, `client_secret_env`); `~/` is the home \
     directory and relative paths are relative to the config file. For example:";

/// The example config file.
pub const FILES_EXAMPLE: &[&str] = &[
    "default_profile = \"prod\"",
    "",
    "[profiles.prod]",
    "endpoint = \"https://graph.example.com\"",
    "auth_url = \"https://auth.example.com\"",
    "client_id = \"bulk-exporter\"",
    "client_secret_file = \"~/.config/druid-bulk/prod.secret\"",
    "lang = \"es-ES\"",
    "",
    "[profiles.staging]",
    "endpoint = \"https://graph.staging.example.com\"",
    "token_env = \"STAGING_DRUID_TOKEN\"",
    "timeout = \"2m\"",
];

/// EXAMPLES: what each does, then the commands.
pub const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "A real export with no setup, from the built-in sandbox:",
        &["druid-bulk demo"],
    ),
    (
        "A bulk's failed rows as a table on a terminal, or as CSV in a file:",
        &[
            "export DRUID_ENDPOINT=https://graph.example.com",
            "druid-bulk results \"$BULK\" --token-file token.txt --failed-only",
            "druid-bulk results \"$BULK\" --token-file token.txt --failed-only -o failures.csv",
        ],
    ),
    (
        "What failed, and why: the distinct errors with their counts, no rows:",
        &["druid-bulk results \"$BULK\" --summary-only"],
    ),
    (
        "Count failures by message with jq:",
        &["druid-bulk results \"$BULK\" -f jsonl | jq -r .error | sort | uniq -c"],
    ),
    (
        "In CI: keep the CSV, and fail the job (exit 8) when any update failed:",
        &["druid-bulk results \"$BULK\" --failed-only -q -o failures.csv --fail-on-rows"],
    ),
    (
        "Wait up to an hour for a bulk that has not finished; keep a checkpoint, so the same \
         command run again after an interruption continues where it stopped:",
        &["druid-bulk results \"$BULK\" --wait=1h -o all.csv --checkpoint all.ckpt"],
    ),
    (
        "Several bulks into one file, eight at a time:",
        &["druid-bulk results --bulk-ids-from bulks.txt --concurrency 8 -o today.csv"],
    ),
    (
        "Submit a bulk update, wait for it to finish and keep its failures as CSV; the bulk id \
         alone goes to stdout:",
        &["BULK=$(druid-bulk submit users.jsonl --export failures.csv)"],
    ),
    (
        "The loop: the failed users' lines of a bulk, to fix and send again; or submit, wait, \
         report and keep the lines to fix in one command:",
        &[
            "druid-bulk failed-lines \"$BULK\" --input users.jsonl -o fix.jsonl",
            "druid-bulk submit fix.jsonl --export failures.csv --failed-lines fix2.jsonl",
        ],
    ),
    (
        "Where one bulk stands, or every bulk, with the staging profile:",
        &[
            "druid-bulk status \"$BULK\"",
            "druid-bulk --profile staging status -f csv > bulks.csv",
        ],
    ),
];

/// SEE ALSO.
pub const SEE_ALSO: &str = "jq(1), curl(1)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exit_code_is_described_once() {
        let codes: Vec<i32> = exit_status().iter().map(|(code, _)| *code).collect();
        assert_eq!(codes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 70, 130]);
    }
}
