# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_druid_bulk_global_optspecs
    string join \n color= config= profile= h/help V/version
end

function __fish_druid_bulk_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_druid_bulk_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_druid_bulk_using_subcommand
    set -l cmd (__fish_druid_bulk_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -s V -l version -d 'Print version'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "results" -d 'Fetch every page of a bulk\'s results and write them out'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "status" -d 'Show the status of one bulk, or of all bulks'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "submit" -d 'Send a JSON Lines bulk update (checked first) and print the new bulk\'s id on stdout'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "failed-lines" -d 'Write the input lines whose users failed in a bulk, to fix and send again'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "demo" -d 'Run `results` against a built-in sandbox API: shows a real export with no setup (--submit: the whole loop)'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "sandbox" -d 'Run a local DruID-compatible fake API in the foreground'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "man" -d 'Print the man page (roff) to stdout: every command, exit status, environment, files'
complete -c druid-bulk -n "__fish_druid_bulk_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -s e -l endpoint -d 'API base URL' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l token-file -d 'Read the app token from a file (\'-\': stdin)' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l token -d 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l auth-url -d 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l client-id -d 'Client id for the client-credentials flow' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l client-secret-file -d 'Read the client secret from a file (\'-\' reads stdin); or set DRUID_CLIENT_SECRET' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l bulk-ids-from -d 'Read more bulk ids from a file, one a line (\'-\' reads stdin; blank lines and # comments skipped)' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l concurrency -d 'With several bulks: how many to fetch at once [default: 4]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l split -d 'Fetch each bulk as up to N id ranges at once (2-32), each seam checked; the report is the same as without it, fetched sequentially when the server does not accept the ranges' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -s f -l format -d 'Output format: auto, table, csv, tsv, jsonl, json' -r -f -a "auto\t''
table\t''
csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l columns -d 'Fields to write, in order (e.g. id,error; list)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l delimiter -d 'CSV\'s field separator: one ASCII character or `tab` (e.g. \';\' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l page-size -l limit -d 'Rows per request, sent as `limit` (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l max-empty-pages -d 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l last -l after -d 'Start after this cursor (a row id or a printed resume cursor), sent as `last`' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l max-rows -d 'Stop after N rows and print the --last value that resumes right after them' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l wait -d 'Poll a bulk not finished yet, up to DURATION' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l checkpoint -d 'Save progress here; run again to resume' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l lang -d 'Locale for server messages, sent as Accept-Language (e.g. es-ES)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l timeout -d 'Per-request timeout (e.g. 30s, 2m) [default: 60s]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l retries -d 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l retry-max-time -d 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l allow-insecure-http -d 'Allow plain http:// to a host that is not this machine (the token travels in clear)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l no-header -d 'Leave out the header line of csv, tsv and table output'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l wide -d 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l excel -d 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o\'s extension do not say otherwise)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l unordered -d 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l failed-only -d 'Failed rows only'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l csv-safe -d 'In csv and tsv, prefix cells starting with = + - @ tab or CR with \' so spreadsheets do not run them'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l summary -d 'Then count the distinct errors on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l summary-only -d 'Print only that summary, on stdout, in the chosen --format (no rows)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l fail-on-rows -d 'Exit 8 when any row was written (a CI gate)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -l restart -d 'Ignore the progress saved by --checkpoint, or kept beside -o by an interrupted run, and export from the start'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -s v -l verbose -d 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand results" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -s e -l endpoint -d 'API base URL' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l token-file -d 'Read the app token from a file (\'-\': stdin)' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l token -d 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l auth-url -d 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l client-id -d 'Client id for the client-credentials flow' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l client-secret-file -d 'Read the client secret from a file (\'-\' reads stdin); or set DRUID_CLIENT_SECRET' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -s f -l format -d 'Output format: auto, table, csv, tsv, jsonl, json' -r -f -a "auto\t''
table\t''
csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l columns -d 'Fields to write, in order (e.g. bulkId,status)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l delimiter -d 'CSV\'s field separator: one ASCII character or `tab` (e.g. \';\' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l lang -d 'Locale for server messages, sent as Accept-Language (e.g. es-ES)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l timeout -d 'Per-request timeout (e.g. 30s, 2m) [default: 60s]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l retries -d 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l retry-max-time -d 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l allow-insecure-http -d 'Allow plain http:// to a host that is not this machine (the token travels in clear)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l no-header -d 'Leave out the header line of csv, tsv and table output'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l wide -d 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -l excel -d 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o\'s extension do not say otherwise)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -s v -l verbose -d 'Log each request on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand status" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l wait -d 'Then wait for the bulk to finish' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l export -d 'Then write its results to OUT (implies --wait)' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l failed-lines -d 'Then write FILE\'s failed lines to OUT2' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l object-id-at -d 'JSON pointer to a line\'s object id, instead of /user/object_id, then top-level object_id or objectId (e.g. --object-id-at /data/oid)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l pulse-id-at -d 'JSON pointer to a line\'s pulse id, instead of /user/pulse_id, then top-level pulse_id or pulseId' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -s e -l endpoint -d 'API base URL' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l token-file -d 'Read the app token from a file (\'-\': stdin)' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l token -d 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l auth-url -d 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l client-id -d 'Client id for the client-credentials flow' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l client-secret-file -d 'Read the client secret from a file (\'-\' reads stdin); or set DRUID_CLIENT_SECRET' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -s f -l format -d 'Format of --export: auto, table, csv, tsv, jsonl, json' -r -f -a "auto\t''
table\t''
csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l columns -d 'Fields to write, in that order, in every format (e.g. id,objectId,error): a missing one is an empty cell, null in JSON. `--columns list` prints the fields there are' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l delimiter -d 'CSV\'s field separator: one ASCII character or `tab` (e.g. \';\' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l page-size -l limit -d 'Rows per request, sent as `limit` (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l max-empty-pages -d 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l last -l after -d 'Start after this cursor (a row id or a printed resume cursor), sent as `last`' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l max-rows -d 'Stop after N rows and print the --last value that resumes right after them' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l lang -d 'Locale for server messages, sent as Accept-Language (e.g. es-ES)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l timeout -d 'Per-request timeout (e.g. 30s, 2m) [default: 60s]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l retries -d 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l retry-max-time -d 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l no-validate -d 'Send FILE as it is, without checking first that each line is a JSON object with a user identifier'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l annotate -d 'Write one JSON object per failed line instead, for people to review: {"line":N,"error":"…","input":{…}}'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l allow-insecure-http -d 'Allow plain http:// to a host that is not this machine (the token travels in clear)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l no-header -d 'Leave out the header line of csv, tsv and table output'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l wide -d 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l excel -d 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o\'s extension do not say otherwise)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l unordered -d 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l failed-only -d 'With --export: failed rows only'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l csv-safe -d 'In csv and tsv, prefix cells starting with = + - @ tab or CR with \' so spreadsheets do not run them'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l summary -d 'After the export, show the distinct errors with their counts and totals by userIdentifierType on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l summary-only -d 'Print only that summary, on stdout, in the chosen --format (no rows)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -l fail-on-rows -d 'Exit 8 when any row was written (a CI gate)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -s v -l verbose -d 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand submit" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -s e -l endpoint -d 'API base URL' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l token-file -d 'Read the app token from a file (\'-\': stdin)' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l token -d 'App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN: other users can read argv. Client credentials, when all given, win over a token' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l auth-url -d 'Auth server for the client-credentials flow (POST {URL}/oauth2/token), e.g. https://auth.example.com' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l client-id -d 'Client id for the client-credentials flow' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l client-secret-file -d 'Read the client secret from a file (\'-\' reads stdin); or set DRUID_CLIENT_SECRET' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -s i -l input -d 'The JSON Lines file the bulk was sent from' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l object-id-at -d 'JSON pointer to a line\'s object id' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l pulse-id-at -d 'JSON pointer to a line\'s pulse id, instead of /user/pulse_id, then top-level pulse_id or pulseId' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l page-size -l limit -d 'Rows per request, sent as `limit` (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l max-empty-pages -d 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l wait -d 'Poll a bulk not finished yet, up to DURATION' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l lang -d 'Locale for server messages, sent as Accept-Language (e.g. es-ES)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l timeout -d 'Per-request timeout (e.g. 30s, 2m) [default: 60s]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l retries -d 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l retry-max-time -d 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l allow-insecure-http -d 'Allow plain http:// to a host that is not this machine (the token travels in clear)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l annotate -d 'Write the error beside each line, to review'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -l unordered -d 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -s v -l verbose -d 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand failed-lines" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l rows -d 'Rows in the sandbox bulk' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -s f -l format -d 'Output format: auto, table, csv, tsv, jsonl, json' -r -f -a "auto\t''
table\t''
csv\t''
tsv\t''
jsonl\t''
json\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l columns -d 'Fields to write, in order (e.g. id,error; list)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l delimiter -d 'CSV\'s field separator: one ASCII character or `tab` (e.g. \';\' for Excel where the decimal mark is a comma); implies -f csv as --excel does [default: ,]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -s o -l output -d 'Write to this file instead of stdout' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l page-size -l limit -d 'Rows per request, sent as `limit` (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l max-empty-pages -d 'Stop with exit 7 after N empty pages in a row that each carry a new cursor (1-10000) [default: 1000]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l last -l after -d 'Start after this cursor (a row id or a printed resume cursor), sent as `last`' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l max-rows -d 'Stop after N rows and print the --last value that resumes right after them' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l wait -d 'If the bulk is not finished (HTTP 428), poll until it is, for at most DURATION (e.g. --wait=2h)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l checkpoint -d 'Save progress here after every page; the same command run again resumes from it. Needs -o' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l lang -d 'Locale for server messages, sent as Accept-Language (e.g. es-ES)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l timeout -d 'Per-request timeout (e.g. 30s, 2m) [default: 60s]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l retries -d 'Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables [default: 4]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l retry-max-time -d 'Stop retrying a request once this much time has passed since its first attempt (e.g. 10m) [default: 5m]' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l submit -d 'Show the whole loop: submit, wait, fix'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l no-header -d 'Leave out the header line of csv, tsv and table output'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l wide -d 'Table only: wrap long text inside its column instead of cutting it, and leave no column out (lines may be wider than the terminal)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l excel -d 'CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where -f and -o\'s extension do not say otherwise)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l unordered -d 'Do not check that rows come in id order (for a server that does not sort them; repeated rows then go undetected)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l failed-only -d 'Failed rows only'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l csv-safe -d 'In csv and tsv, prefix cells starting with = + - @ tab or CR with \' so spreadsheets do not run them'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l summary -d 'Then count the distinct errors on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l summary-only -d 'Print only that summary, on stdout, in the chosen --format (no rows)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l fail-on-rows -d 'Exit with 8 when at least one row was written (a CI gate, like `git diff --exit-code`)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -l restart -d 'Ignore the progress saved by --checkpoint, or kept beside -o by an interrupted run, and export from the start'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -s q -l quiet -d 'Print nothing on stderr but errors'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -s v -l verbose -d 'Log each request (method, URL, status, timing; secrets redacted) on stderr'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand demo" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l addr -d 'Address to listen on' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l rows -d 'Rows in the main bulk' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l bulk-id -d 'Id of the main bulk' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l token -d 'Token clients must send' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l seed -d 'Seed for the generated rows and injected faults (same seed, same run)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l fail-rate -d 'Fraction of results answering 5xx' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l reset-rate -d 'Fraction of results responses cut off mid-body (the connection is dropped)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l latency -d 'Delay before each results answer (e.g. 50ms)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l not-ready-for -d 'The first N results answer 428' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l limited-for -d 'Answer the first N results requests with 429 (Too Many Requests, Retry-After: 1)' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l process-time -d 'Time a submitted bulk takes' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l max-lines -d 'Answer a submission of more lines than this with 400' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l layout -d 'How results pages are written: compact (no spaces), spaced (", " and ": "), pretty (indented by 2), escaped (compact, non-ASCII as \\uXXXX)' -r -f -a "compact\t''
spaced\t''
pretty\t''
escaped\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l lastid -d 'Where results pages put lastId: first (before results) or last (after results)' -r -f -a "first\t''
last\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l id-layout -d 'How row ids spread over each bulk\'s createdOn..updatedOn window: uniform (one a millisecond), bursty (ten bursts, minutes apart), skewed (90% in the first 5%)' -r -f -a "uniform\t''
bursty\t''
skewed\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l cursor-mode -d 'How a last cursor that is no row\'s id is answered: exact (rows after it), refuse (400), restart (the first page), inclusive (one row too many), round (one too few)' -r -f -a "exact\t''
refuse\t''
restart\t''
inclusive\t''
round\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l compress -d 'Compress responses (gzip, br, zstd) for clients that send Accept-Encoding'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -l fail-bulks -d 'Submitted bulks end failed instead of completed (their results then answer 428)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand sandbox" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand completions" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand completions" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand completions" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand completions" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand man" -l color -d 'When to colour the table header and the error/warning labels (`auto`: on a terminal, unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it)' -r -f -a "auto\t''
always\t''
never\t''"
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand man" -l config -d 'Config file with named profiles [default: ~/.config/druid-bulk/config.toml]' -r -F
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand man" -l profile -d 'Profile of the config file to use' -r
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand man" -s h -l help -d 'Print help (--help: every option)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "results" -d 'Fetch every page of a bulk\'s results and write them out'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "status" -d 'Show the status of one bulk, or of all bulks'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "submit" -d 'Send a JSON Lines bulk update (checked first) and print the new bulk\'s id on stdout'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "failed-lines" -d 'Write the input lines whose users failed in a bulk, to fix and send again'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "demo" -d 'Run `results` against a built-in sandbox API: shows a real export with no setup (--submit: the whole loop)'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "sandbox" -d 'Run a local DruID-compatible fake API in the foreground'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "completions" -d 'Print a shell completion script to stdout'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "man" -d 'Print the man page (roff) to stdout: every command, exit status, environment, files'
complete -c druid-bulk -n "__fish_druid_bulk_using_subcommand help; and not __fish_seen_subcommand_from results status submit failed-lines demo sandbox completions man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
