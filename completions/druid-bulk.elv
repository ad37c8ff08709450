
use builtin;
use str;

set edit:completion:arg-completer[druid-bulk] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'druid-bulk'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'druid-bulk'= {
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand results 'Fetch every page of a bulk''s results and write them out'
            cand status 'Show the status of one bulk, or of all bulks'
            cand failed-lines 'Write the input lines whose users failed in a bulk, to fix and send again'
            cand demo 'Run `results` against a built-in sandbox API: shows a real export with no setup'
            cand sandbox 'Run a local DruID-compatible fake API in the foreground'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the man page (roff) to stdout: every command, exit status, environment, files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'druid-bulk;results'= {
            cand -e 'API base URL; a path prefix is kept (e.g. https://graph.example.com/api)'
            cand --endpoint 'API base URL; a path prefix is kept (e.g. https://graph.example.com/api)'
            cand --token-file 'Read the app token from a file (''-'' reads stdin); surrounding whitespace is trimmed. Wins over --token and DRUID_TOKEN'
            cand --token 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token'
            cand --auth-url 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com'
            cand --client-id 'Client id for the client-credentials flow'
            cand --client-secret-file 'Read the client secret from a file (''-'' reads stdin); or set DRUID_CLIENT_SECRET'
            cand --bulk-ids-from 'Read more bulk ids from a file, one a line (''-'' reads stdin; blank lines and # comments skipped)'
            cand --concurrency 'With several bulks: how many to fetch at once [default: 4]'
            cand -f 'Output format; `auto` picks from -o''s extension, else `table` on a terminal and `jsonl` when piped [default: auto]'
            cand --format 'Output format; `auto` picks from -o''s extension, else `table` on a terminal and `jsonl` when piped [default: auto]'
            cand --columns 'Columns for csv and table: field names, comma separated, shown in that order (e.g. id,objectId,error)'
            cand -o 'Write to this file instead of stdout (replaced only when the export succeeds; ''-'' is stdout)'
            cand --output 'Write to this file instead of stdout (replaced only when the export succeeds; ''-'' is stdout)'
            cand --page-size 'Rows per request, sent as `limit` (1-10000) [default: 1000]'
            cand --limit 'Rows per request, sent as `limit` (1-10000) [default: 1000]'
            cand --last 'Start after this cursor (a row id or a printed resume cursor), sent as `last`'
            cand --after 'Start after this cursor (a row id or a printed resume cursor), sent as `last`'
            cand --max-rows 'Stop after N rows and print the --last value that resumes right after them'
            cand --max-empty-pages 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]'
            cand --wait 'If the bulk is not finished (HTTP 428), poll until it is, for at most DURATION (e.g. --wait=2h)'
            cand --checkpoint 'Save progress here after every page; the same command run again resumes from it. Needs -o'
            cand --lang 'Locale for server messages, sent as Accept-Language (e.g. es-ES)'
            cand --timeout 'Per-request timeout (e.g. 30s, 2m) [default: 60s]'
            cand --retries 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]'
            cand --retry-max-time 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]'
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand --allow-insecure-http 'Allow plain http:// to a host that is not this machine (the token travels in clear)'
            cand --no-header 'Leave out the header line of csv and table output'
            cand --wide 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)'
            cand --excel 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o''s extension do not say otherwise)'
            cand --failed-only 'Ask the server for failed rows only (`failedOnly=true`)'
            cand --unordered 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)'
            cand --csv-safe 'In csv, prefix cells starting with = + - @ tab or CR with '' so spreadsheets do not run them'
            cand --summary 'After the export, show the distinct errors with their counts and totals by userIdentifierType on stderr'
            cand --summary-only 'Print only that summary, on stdout, in the chosen --format (no rows)'
            cand --fail-on-rows 'Exit with 8 when at least one row was written (a CI gate, like `git diff --exit-code`)'
            cand --restart 'With --checkpoint: ignore the saved progress and export from the start'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand --verbose 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'druid-bulk;status'= {
            cand -e 'API base URL; a path prefix is kept (e.g. https://graph.example.com/api)'
            cand --endpoint 'API base URL; a path prefix is kept (e.g. https://graph.example.com/api)'
            cand --token-file 'Read the app token from a file (''-'' reads stdin); surrounding whitespace is trimmed. Wins over --token and DRUID_TOKEN'
            cand --token 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token'
            cand --auth-url 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com'
            cand --client-id 'Client id for the client-credentials flow'
            cand --client-secret-file 'Read the client secret from a file (''-'' reads stdin); or set DRUID_CLIENT_SECRET'
            cand -f 'Output format; `auto` picks from -o''s extension, else `table` on a terminal and `jsonl` when piped [default: auto]'
            cand --format 'Output format; `auto` picks from -o''s extension, else `table` on a terminal and `jsonl` when piped [default: auto]'
            cand --columns 'Columns for csv and table: field names, comma separated, shown in that order (e.g. id,objectId,error)'
            cand --lang 'Locale for server messages, sent as Accept-Language (e.g. es-ES)'
            cand --timeout 'Per-request timeout (e.g. 30s, 2m) [default: 60s]'
            cand --retries 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]'
            cand --retry-max-time 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]'
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand --allow-insecure-http 'Allow plain http:// to a host that is not this machine (the token travels in clear)'
            cand --no-header 'Leave out the header line of csv and table output'
            cand --wide 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)'
            cand --excel 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o''s extension do not say otherwise)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand --verbose 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'druid-bulk;failed-lines'= {
            cand -e 'API base URL; a path prefix is kept (e.g. https://graph.example.com/api)'
            cand --endpoint 'API base URL; a path prefix is kept (e.g. https://graph.example.com/api)'
            cand --token-file 'Read the app token from a file (''-'' reads stdin); surrounding whitespace is trimmed. Wins over --token and DRUID_TOKEN'
            cand --token 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token'
            cand --auth-url 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com'
            cand --client-id 'Client id for the client-credentials flow'
            cand --client-secret-file 'Read the client secret from a file (''-'' reads stdin); or set DRUID_CLIENT_SECRET'
            cand -i 'The JSON Lines file the bulk was sent from (''-'' reads stdin; gzip data, e.g. users.jsonl.gz, is unpacked as it is read)'
            cand --input 'The JSON Lines file the bulk was sent from (''-'' reads stdin; gzip data, e.g. users.jsonl.gz, is unpacked as it is read)'
            cand -o 'Write to this file instead of stdout (replaced only when every failed line was written; ''-'' is stdout)'
            cand --output 'Write to this file instead of stdout (replaced only when every failed line was written; ''-'' is stdout)'
            cand --object-id-at 'JSON pointer to a line''s object id, instead of /user/object_id, then top-level object_id or objectId (e.g. --object-id-at /data/oid)'
            cand --pulse-id-at 'JSON pointer to a line''s pulse id, instead of /user/pulse_id, then top-level pulse_id or pulseId'
            cand --page-size 'Failures per request, sent as `limit` (1-10000) [default: 1000]'
            cand --limit 'Failures per request, sent as `limit` (1-10000) [default: 1000]'
            cand --wait 'If the bulk is not finished (HTTP 428), poll until it is, for at most DURATION (e.g. --wait=2h)'
            cand --max-empty-pages 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]'
            cand --lang 'Locale for server messages, sent as Accept-Language (e.g. es-ES)'
            cand --timeout 'Per-request timeout (e.g. 30s, 2m) [default: 60s]'
            cand --retries 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]'
            cand --retry-max-time 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]'
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand --allow-insecure-http 'Allow plain http:// to a host that is not this machine (the token travels in clear)'
            cand --annotate 'Write one JSON object per failed line instead, for people to review: {"line":N,"error":"…","input":{…}}'
            cand --unordered 'Do not check that failures come in id order (for a server that does not sort them)'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand --verbose 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'druid-bulk;demo'= {
            cand --rows 'Rows in the sandbox bulk'
            cand -f 'Output format; `auto` picks from -o''s extension, else `table` on a terminal and `jsonl` when piped [default: auto]'
            cand --format 'Output format; `auto` picks from -o''s extension, else `table` on a terminal and `jsonl` when piped [default: auto]'
            cand --columns 'Columns for csv and table: field names, comma separated, shown in that order (e.g. id,objectId,error)'
            cand -o 'Write to this file instead of stdout (replaced only when the export succeeds; ''-'' is stdout)'
            cand --output 'Write to this file instead of stdout (replaced only when the export succeeds; ''-'' is stdout)'
            cand --page-size 'Rows per request, sent as `limit` (1-10000) [default: 1000]'
            cand --limit 'Rows per request, sent as `limit` (1-10000) [default: 1000]'
            cand --last 'Start after this cursor (a row id or a printed resume cursor), sent as `last`'
            cand --after 'Start after this cursor (a row id or a printed resume cursor), sent as `last`'
            cand --max-rows 'Stop after N rows and print the --last value that resumes right after them'
            cand --max-empty-pages 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]'
            cand --wait 'If the bulk is not finished (HTTP 428), poll until it is, for at most DURATION (e.g. --wait=2h)'
            cand --checkpoint 'Save progress here after every page; the same command run again resumes from it. Needs -o'
            cand --lang 'Locale for server messages, sent as Accept-Language (e.g. es-ES)'
            cand --timeout 'Per-request timeout (e.g. 30s, 2m) [default: 60s]'
            cand --retries 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]'
            cand --retry-max-time 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]'
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand --no-header 'Leave out the header line of csv and table output'
            cand --wide 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)'
            cand --excel 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o''s extension do not say otherwise)'
            cand --failed-only 'Ask the server for failed rows only (`failedOnly=true`)'
            cand --unordered 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)'
            cand --csv-safe 'In csv, prefix cells starting with = + - @ tab or CR with '' so spreadsheets do not run them'
            cand --summary 'After the export, show the distinct errors with their counts and totals by userIdentifierType on stderr'
            cand --summary-only 'Print only that summary, on stdout, in the chosen --format (no rows)'
            cand --fail-on-rows 'Exit with 8 when at least one row was written (a CI gate, like `git diff --exit-code`)'
            cand --restart 'With --checkpoint: ignore the saved progress and export from the start'
            cand -q 'Print nothing on stderr but errors'
            cand --quiet 'Print nothing on stderr but errors'
            cand -v 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand --verbose 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'druid-bulk;sandbox'= {
            cand --addr 'Address to listen on'
            cand --rows 'Rows in the main bulk'
            cand --bulk-id 'Id of the main bulk'
            cand --token 'Token clients must send'
            cand --seed 'Seed for the generated rows and injected faults (same seed, same run)'
            cand --fail-rate 'Fraction of results requests answered with a random 500/502/503/504 (e.g. 0.2)'
            cand --reset-rate 'Fraction of results responses cut off mid-body (the connection is dropped)'
            cand --latency 'Delay before answering each results request (e.g. 50ms)'
            cand --not-ready-for 'Answer the first N results requests of each bulk with 428 (not finished yet)'
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand --compress 'Compress responses (gzip, br, zstd) for clients that send Accept-Encoding'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'druid-bulk;completions'= {
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'druid-bulk;man'= {
            cand --color 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it)'
            cand --config 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]'
            cand --profile 'Profile of the config file to use (e.g. --profile staging)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'druid-bulk;help'= {
            cand results 'Fetch every page of a bulk''s results and write them out'
            cand status 'Show the status of one bulk, or of all bulks'
            cand failed-lines 'Write the input lines whose users failed in a bulk, to fix and send again'
            cand demo 'Run `results` against a built-in sandbox API: shows a real export with no setup'
            cand sandbox 'Run a local DruID-compatible fake API in the foreground'
            cand completions 'Print a shell completion script to stdout'
            cand man 'Print the man page (roff) to stdout: every command, exit status, environment, files'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'druid-bulk;help;results'= {
        }
        &'druid-bulk;help;status'= {
        }
        &'druid-bulk;help;failed-lines'= {
        }
        &'druid-bulk;help;demo'= {
        }
        &'druid-bulk;help;sandbox'= {
        }
        &'druid-bulk;help;completions'= {
        }
        &'druid-bulk;help;man'= {
        }
        &'druid-bulk;help;help'= {
        }
    ]
    $completions[$command]
}
