
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'druid-bulk' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'druid-bulk'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'druid-bulk' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('results', 'results', [CompletionResultType]::ParameterValue, 'Fetch every page of a bulk''s results and write them out')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the status of one bulk, or of all bulks')
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Send a JSON Lines bulk update (checked first) and print the new bulk''s id on stdout')
            [CompletionResult]::new('failed-lines', 'failed-lines', [CompletionResultType]::ParameterValue, 'Write the input lines whose users failed in a bulk, to fix and send again')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run `results` against a built-in sandbox API: shows a real export with no setup (--submit: the whole loop)')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local DruID-compatible fake API in the foreground')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout: every command, exit status, environment, files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'druid-bulk;results' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the app token from a file (''-'': stdin)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client id for the client-credentials flow')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from a file (''-'' reads stdin); or set DRUID_CLIENT_SECRET')
            [CompletionResult]::new('--bulk-ids-from', '--bulk-ids-from', [CompletionResultType]::ParameterName, 'Read more bulk ids from a file, one a line (''-'' reads stdin; blank lines and # comments skipped)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'With several bulks: how many to fetch at once [default: 4]')
            [CompletionResult]::new('--split', '--split', [CompletionResultType]::ParameterName, 'Fetch each bulk as up to N id ranges at once (2-32), each seam checked; the report is the same as without it, fetched sequentially when the server does not accept the ranges')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Fields to write, in order (e.g. id,error; list)')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV''s field separator: one ASCII character or `tab` (e.g. '';'' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--max-empty-pages', '--max-empty-pages', [CompletionResultType]::ParameterName, 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Start after this cursor (a row id or a printed resume cursor), sent as `last`')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Start after this cursor (a row id or a printed resume cursor), sent as `last`')
            [CompletionResult]::new('--max-rows', '--max-rows', [CompletionResultType]::ParameterName, 'Stop after N rows and print the --last value that resumes right after them')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Poll a bulk not finished yet, up to DURATION')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Save progress here; run again to resume')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Locale for server messages, sent as Accept-Language (e.g. es-ES)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout (e.g. 30s, 2m) [default: 60s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]')
            [CompletionResult]::new('--retry-max-time', '--retry-max-time', [CompletionResultType]::ParameterName, 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow plain http:// to a host that is not this machine (the token travels in clear)')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the header line of csv, tsv and table output')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)')
            [CompletionResult]::new('--excel', '--excel', [CompletionResultType]::ParameterName, 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o''s extension do not say otherwise)')
            [CompletionResult]::new('--unordered', '--unordered', [CompletionResultType]::ParameterName, 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)')
            [CompletionResult]::new('--failed-only', '--failed-only', [CompletionResultType]::ParameterName, 'Failed rows only')
            [CompletionResult]::new('--csv-safe', '--csv-safe', [CompletionResultType]::ParameterName, 'In csv and tsv, prefix cells starting with = + - @ tab or CR with '' so spreadsheets do not run them')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Then count the distinct errors on stderr')
            [CompletionResult]::new('--summary-only', '--summary-only', [CompletionResultType]::ParameterName, 'Print only that summary, on stdout, in the chosen --format (no rows)')
            [CompletionResult]::new('--fail-on-rows', '--fail-on-rows', [CompletionResultType]::ParameterName, 'Exit 8 when any row was written (a CI gate)')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Ignore the progress saved by --checkpoint, or kept beside -o by an interrupted run, and export from the start')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;status' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the app token from a file (''-'': stdin)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client id for the client-credentials flow')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from a file (''-'' reads stdin); or set DRUID_CLIENT_SECRET')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Fields to write, in order (e.g. bulkId,status)')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV''s field separator: one ASCII character or `tab` (e.g. '';'' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Locale for server messages, sent as Accept-Language (e.g. es-ES)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout (e.g. 30s, 2m) [default: 60s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]')
            [CompletionResult]::new('--retry-max-time', '--retry-max-time', [CompletionResultType]::ParameterName, 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow plain http:// to a host that is not this machine (the token travels in clear)')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the header line of csv, tsv and table output')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)')
            [CompletionResult]::new('--excel', '--excel', [CompletionResultType]::ParameterName, 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o''s extension do not say otherwise)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;submit' {
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Then wait for the bulk to finish')
            [CompletionResult]::new('--export', '--export', [CompletionResultType]::ParameterName, 'Then write its results to OUT (implies --wait)')
            [CompletionResult]::new('--failed-lines', '--failed-lines', [CompletionResultType]::ParameterName, 'Then write FILE''s failed lines to OUT2')
            [CompletionResult]::new('--object-id-at', '--object-id-at', [CompletionResultType]::ParameterName, 'JSON pointer to a line''s object id, instead of /user/object_id, then top-level object_id or objectId (e.g. --object-id-at /data/oid)')
            [CompletionResult]::new('--pulse-id-at', '--pulse-id-at', [CompletionResultType]::ParameterName, 'JSON pointer to a line''s pulse id, instead of /user/pulse_id, then top-level pulse_id or pulseId')
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the app token from a file (''-'': stdin)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client id for the client-credentials flow')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from a file (''-'' reads stdin); or set DRUID_CLIENT_SECRET')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Format of --export: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Format of --export: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Fields to write, in that order, in every format (e.g. id,objectId,error): a missing one is an empty cell, null in JSON. `--columns list` prints the fields there are')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV''s field separator: one ASCII character or `tab` (e.g. '';'' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--max-empty-pages', '--max-empty-pages', [CompletionResultType]::ParameterName, 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Start after this cursor (a row id or a printed resume cursor), sent as `last`')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Start after this cursor (a row id or a printed resume cursor), sent as `last`')
            [CompletionResult]::new('--max-rows', '--max-rows', [CompletionResultType]::ParameterName, 'Stop after N rows and print the --last value that resumes right after them')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Locale for server messages, sent as Accept-Language (e.g. es-ES)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout (e.g. 30s, 2m) [default: 60s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]')
            [CompletionResult]::new('--retry-max-time', '--retry-max-time', [CompletionResultType]::ParameterName, 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--no-validate', '--no-validate', [CompletionResultType]::ParameterName, 'Send FILE as it is, without checking first that each line is a JSON object with a user identifier')
            [CompletionResult]::new('--annotate', '--annotate', [CompletionResultType]::ParameterName, 'Write one JSON object per failed line instead, for people to review: {"line":N,"error":"…","input":{…}}')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow plain http:// to a host that is not this machine (the token travels in clear)')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the header line of csv, tsv and table output')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)')
            [CompletionResult]::new('--excel', '--excel', [CompletionResultType]::ParameterName, 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o''s extension do not say otherwise)')
            [CompletionResult]::new('--unordered', '--unordered', [CompletionResultType]::ParameterName, 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)')
            [CompletionResult]::new('--failed-only', '--failed-only', [CompletionResultType]::ParameterName, 'With --export: failed rows only')
            [CompletionResult]::new('--csv-safe', '--csv-safe', [CompletionResultType]::ParameterName, 'In csv and tsv, prefix cells starting with = + - @ tab or CR with '' so spreadsheets do not run them')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'After the export, show the distinct errors with their counts and totals by userIdentifierType on stderr')
            [CompletionResult]::new('--summary-only', '--summary-only', [CompletionResultType]::ParameterName, 'Print only that summary, on stdout, in the chosen --format (no rows)')
            [CompletionResult]::new('--fail-on-rows', '--fail-on-rows', [CompletionResultType]::ParameterName, 'Exit 8 when any row was written (a CI gate)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;failed-lines' {
            [CompletionResult]::new('-e', '-e', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--endpoint', '--endpoint', [CompletionResultType]::ParameterName, 'API base URL')
            [CompletionResult]::new('--token-file', '--token-file', [CompletionResultType]::ParameterName, 'Read the app token from a file (''-'': stdin)')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token')
            [CompletionResult]::new('--auth-url', '--auth-url', [CompletionResultType]::ParameterName, 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Client id for the client-credentials flow')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from a file (''-'' reads stdin); or set DRUID_CLIENT_SECRET')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'The JSON Lines file the bulk was sent from')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'The JSON Lines file the bulk was sent from')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--object-id-at', '--object-id-at', [CompletionResultType]::ParameterName, 'JSON pointer to a line''s object id')
            [CompletionResult]::new('--pulse-id-at', '--pulse-id-at', [CompletionResultType]::ParameterName, 'JSON pointer to a line''s pulse id, instead of /user/pulse_id, then top-level pulse_id or pulseId')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--max-empty-pages', '--max-empty-pages', [CompletionResultType]::ParameterName, 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'Poll a bulk not finished yet, up to DURATION')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Locale for server messages, sent as Accept-Language (e.g. es-ES)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout (e.g. 30s, 2m) [default: 60s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]')
            [CompletionResult]::new('--retry-max-time', '--retry-max-time', [CompletionResultType]::ParameterName, 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--allow-insecure-http', '--allow-insecure-http', [CompletionResultType]::ParameterName, 'Allow plain http:// to a host that is not this machine (the token travels in clear)')
            [CompletionResult]::new('--annotate', '--annotate', [CompletionResultType]::ParameterName, 'Write the error beside each line, to review')
            [CompletionResult]::new('--unordered', '--unordered', [CompletionResultType]::ParameterName, 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;demo' {
            [CompletionResult]::new('--rows', '--rows', [CompletionResultType]::ParameterName, 'Rows in the sandbox bulk')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Output format: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format: auto, table, csv, tsv, jsonl, json')
            [CompletionResult]::new('--columns', '--columns', [CompletionResultType]::ParameterName, 'Fields to write, in order (e.g. id,error; list)')
            [CompletionResult]::new('--delimiter', '--delimiter', [CompletionResultType]::ParameterName, 'CSV''s field separator: one ASCII character or `tab` (e.g. '';'' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write to this file instead of stdout')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Rows per request, sent as `limit` (1-10000) [default: 1000]')
            [CompletionResult]::new('--max-empty-pages', '--max-empty-pages', [CompletionResultType]::ParameterName, 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]')
            [CompletionResult]::new('--last', '--last', [CompletionResultType]::ParameterName, 'Start after this cursor (a row id or a printed resume cursor), sent as `last`')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Start after this cursor (a row id or a printed resume cursor), sent as `last`')
            [CompletionResult]::new('--max-rows', '--max-rows', [CompletionResultType]::ParameterName, 'Stop after N rows and print the --last value that resumes right after them')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'If the bulk is not finished (HTTP 428), poll until it is, for at most DURATION (e.g. --wait=2h)')
            [CompletionResult]::new('--checkpoint', '--checkpoint', [CompletionResultType]::ParameterName, 'Save progress here after every page; the same command run again resumes from it. Needs -o')
            [CompletionResult]::new('--lang', '--lang', [CompletionResultType]::ParameterName, 'Locale for server messages, sent as Accept-Language (e.g. es-ES)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Per-request timeout (e.g. 30s, 2m) [default: 60s]')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]')
            [CompletionResult]::new('--retry-max-time', '--retry-max-time', [CompletionResultType]::ParameterName, 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--submit', '--submit', [CompletionResultType]::ParameterName, 'Show the whole loop: submit, wait, fix')
            [CompletionResult]::new('--no-header', '--no-header', [CompletionResultType]::ParameterName, 'Leave out the header line of csv, tsv and table output')
            [CompletionResult]::new('--wide', '--wide', [CompletionResultType]::ParameterName, 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)')
            [CompletionResult]::new('--excel', '--excel', [CompletionResultType]::ParameterName, 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o''s extension do not say otherwise)')
            [CompletionResult]::new('--unordered', '--unordered', [CompletionResultType]::ParameterName, 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)')
            [CompletionResult]::new('--failed-only', '--failed-only', [CompletionResultType]::ParameterName, 'Failed rows only')
            [CompletionResult]::new('--csv-safe', '--csv-safe', [CompletionResultType]::ParameterName, 'In csv and tsv, prefix cells starting with = + - @ tab or CR with '' so spreadsheets do not run them')
            [CompletionResult]::new('--summary', '--summary', [CompletionResultType]::ParameterName, 'Then count the distinct errors on stderr')
            [CompletionResult]::new('--summary-only', '--summary-only', [CompletionResultType]::ParameterName, 'Print only that summary, on stdout, in the chosen --format (no rows)')
            [CompletionResult]::new('--fail-on-rows', '--fail-on-rows', [CompletionResultType]::ParameterName, 'Exit with 8 when at least one row was written (a CI gate, like `git diff --exit-code`)')
            [CompletionResult]::new('--restart', '--restart', [CompletionResultType]::ParameterName, 'Ignore the progress saved by --checkpoint, or kept beside -o by an interrupted run, and export from the start')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing on stderr but errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each request (method, URL, status, timing; secrets redacted) on stderr')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;sandbox' {
            [CompletionResult]::new('--addr', '--addr', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--rows', '--rows', [CompletionResultType]::ParameterName, 'Rows in the main bulk')
            [CompletionResult]::new('--bulk-id', '--bulk-id', [CompletionResultType]::ParameterName, 'Id of the main bulk')
            [CompletionResult]::new('--token', '--token', [CompletionResultType]::ParameterName, 'Token clients must send')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for the generated rows and injected faults (same seed, same run)')
            [CompletionResult]::new('--fail-rate', '--fail-rate', [CompletionResultType]::ParameterName, 'Fraction of results answering 5xx')
            [CompletionResult]::new('--reset-rate', '--reset-rate', [CompletionResultType]::ParameterName, 'Fraction of results responses cut off mid-body (the connection is dropped)')
            [CompletionResult]::new('--latency', '--latency', [CompletionResultType]::ParameterName, 'Delay before each results answer (e.g. 50ms)')
            [CompletionResult]::new('--not-ready-for', '--not-ready-for', [CompletionResultType]::ParameterName, 'The first N results answer 428')
            [CompletionResult]::new('--limited-for', '--limited-for', [CompletionResultType]::ParameterName, 'Answer the first N results requests with 429 (Too Many Requests, Retry-After: 1)')
            [CompletionResult]::new('--process-time', '--process-time', [CompletionResultType]::ParameterName, 'Time a submitted bulk takes')
            [CompletionResult]::new('--max-lines', '--max-lines', [CompletionResultType]::ParameterName, 'Answer a submission of more lines than this with 400')
            [CompletionResult]::new('--layout', '--layout', [CompletionResultType]::ParameterName, 'How results pages are written: compact (no spaces), spaced (", " and ": "), pretty (indented by 2), escaped (compact, non-ASCII as \uXXXX)')
            [CompletionResult]::new('--lastid', '--lastid', [CompletionResultType]::ParameterName, 'Where results pages put lastId: first (before results) or last (after results)')
            [CompletionResult]::new('--id-layout', '--id-layout', [CompletionResultType]::ParameterName, 'How row ids spread over each bulk''s createdOn..updatedOn window: uniform (one a millisecond), bursty (ten bursts, minutes apart), skewed (90% in the first 5%)')
            [CompletionResult]::new('--cursor-mode', '--cursor-mode', [CompletionResultType]::ParameterName, 'How a last cursor that is no row''s id is answered: exact (rows after it), refuse (400), restart (the first page), inclusive (one row too many), round (one too few)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('--compress', '--compress', [CompletionResultType]::ParameterName, 'Compress responses (gzip, br, zstd) for clients that send Accept-Encoding')
            [CompletionResult]::new('--fail-bulks', '--fail-bulks', [CompletionResultType]::ParameterName, 'Submitted bulks end failed instead of completed (their results then answer 428)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Profile of the config file to use')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (--help: every option)')
            break
        }
        'druid-bulk;help' {
            [CompletionResult]::new('results', 'results', [CompletionResultType]::ParameterValue, 'Fetch every page of a bulk''s results and write them out')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the status of one bulk, or of all bulks')
            [CompletionResult]::new('submit', 'submit', [CompletionResultType]::ParameterValue, 'Send a JSON Lines bulk update (checked first) and print the new bulk''s id on stdout')
            [CompletionResult]::new('failed-lines', 'failed-lines', [CompletionResultType]::ParameterValue, 'Write the input lines whose users failed in a bulk, to fix and send again')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run `results` against a built-in sandbox API: shows a real export with no setup (--submit: the whole loop)')
            [CompletionResult]::new('sandbox', 'sandbox', [CompletionResultType]::ParameterValue, 'Run a local DruID-compatible fake API in the foreground')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page (roff) to stdout: every command, exit status, environment, files')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'druid-bulk;help;results' {
            break
        }
        'druid-bulk;help;status' {
            break
        }
        'druid-bulk;help;submit' {
            break
        }
        'druid-bulk;help;failed-lines' {
            break
        }
        'druid-bulk;help;demo' {
            break
        }
        'druid-bulk;help;sandbox' {
            break
        }
        'druid-bulk;help;completions' {
            break
        }
        'druid-bulk;help;man' {
            break
        }
        'druid-bulk;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
