//! `druid-bulk`: export the failure report of a DruID bulk user update.
//!
//! `main.rs` only calls [`main_entry`]; everything else lives in this library
//! so tests, the sandbox and the generators can use it.

pub mod api;
pub mod checkpoint;
pub mod cli;
pub mod config;
pub mod destination;
pub mod exit;
pub mod export;
pub mod output;
pub mod paginate;
pub mod retry;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod sanitize;
pub mod signal;
pub mod status;
pub mod summary;
pub mod ui;

use std::io::Write;

use anyhow::Result;
use clap::parser::ValueSource;
use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
#[cfg(feature = "sandbox")]
use crate::cli::{DemoArgs, SandboxArgs};
use crate::config::{Config, TokenOrigin};
use crate::exit::{exit_code, is_broken_pipe};
use crate::ui::Verbosity;

/// Parse the command line, run it, and return the process exit code.
pub fn main_entry() -> i32 {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    ui::init(verbosity(&cli.command), cli.color);
    match run(cli, &matches) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => 0,
        Err(err) => {
            ui::error(&err);
            exit_code(&err)
        }
    }
}

/// How much a command says on stderr, from its `-q`/`-v` flags.
fn verbosity(command: &Command) -> Verbosity {
    let req = match command {
        Command::Results(args) => &args.fetch.req,
        Command::Status(args) => &args.req,
        #[cfg(feature = "sandbox")]
        Command::Demo(args) => &args.fetch.req,
        _ => return Verbosity::Normal,
    };
    Verbosity::from_flags(req.quiet, req.verbose)
}

fn run(cli: Cli, matches: &ArgMatches) -> Result<i32> {
    match cli.command {
        Command::Results(mut args) => {
            let sub = matches.subcommand_matches("results").unwrap_or(matches);
            let origin = token_origin(sub);
            let mut concurrency = args.concurrency;
            if let Some((profile, _)) =
                config::file::load(cli.config.as_deref(), cli.profile.as_deref())?
            {
                config::profile::apply_conn(&profile, sub, &mut args.conn);
                config::profile::apply_fetch(&profile, sub, &mut args.fetch)?;
                concurrency = config::profile::concurrency(&profile, sub, concurrency);
            }
            let ids = config::collect_bulk_ids(&args.bulk_ids, args.bulk_ids_from.as_deref())?;
            let mut config = Config::new(ids, &args.conn, origin, &args.fetch, ui::stdout_color())?;
            config.concurrency = config::check_concurrency(concurrency)?;
            export(&config)
        }
        Command::Status(mut args) => {
            let sub = matches.subcommand_matches("status").unwrap_or(matches);
            if let Some((profile, _)) =
                config::file::load(cli.config.as_deref(), cli.profile.as_deref())?
            {
                config::profile::apply_conn(&profile, sub, &mut args.conn);
            }
            status(&args, token_origin(sub))
        }
        #[cfg(feature = "sandbox")]
        Command::Demo(args) => demo(&args),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => serve_sandbox(&args),
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            clap_complete::generate(shell, &mut Cli::command(), "druid-bulk", &mut out);
            out.flush()?;
            Ok(0)
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            man_page(&mut out)?;
            out.flush()?;
            Ok(0)
        }
    }
}

/// Whether `--token` came from the command line or the environment.
fn token_origin(matches: &ArgMatches) -> Option<TokenOrigin> {
    matches.value_source("token").map(|s| match s {
        ValueSource::CommandLine => TokenOrigin::CommandLine,
        _ => TokenOrigin::Environment,
    })
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?)
}

fn export(config: &Config) -> Result<i32> {
    let summary = runtime()?.block_on(export::export(config))?;
    export::report(config, &summary);
    if let Some(worst) = summary.worst_failure() {
        return Ok(worst.code());
    }
    if config.fail_on_rows && summary.rows > 0 && summary.already_complete.is_none() {
        return Ok(exit::Class::RowsFound.code());
    }
    Ok(0)
}

/// `status`: one bulk's status, or all of them.
fn status(args: &cli::StatusArgs, origin: Option<TokenOrigin>) -> Result<i32> {
    let conn = config::connect(&args.conn, origin)?;
    let fetch = cli::FetchArgs {
        format: args.format,
        output: None,
        page_size: 1,
        last: None,
        failed_only: false,
        max_rows: None,
        columns: Some(
            args.columns
                .clone()
                .unwrap_or_else(|| status::COLUMNS.map(String::from).to_vec()),
        ),
        no_header: args.no_header,
        csv_safe: false,
        summary: false,
        summary_only: false,
        fail_on_rows: false,
        req: args.req.clone(),
        retry_max_time: "5m".into(),
        wait: None,
        checkpoint: None,
        restart: false,
    };
    let label = args.bulk_id.clone().unwrap_or_else(|| "all".into());
    let config = Config::for_fetch(conn, vec![label], &fetch, ui::stdout_color())?;
    runtime()?.block_on(status::show(&config, args.bulk_id.as_deref()))?;
    Ok(0)
}

/// `results` against an in-process sandbox on a free loopback port.
#[cfg(feature = "sandbox")]
fn demo(args: &DemoArgs) -> Result<i32> {
    use crate::api::Connection;
    use secrecy::SecretString;
    let cfg = sandbox::SandboxConfig::new(args.rows);
    let bulk_id = cfg.main_bulk_id().to_string();
    let token = cfg.token.clone();
    let server = sandbox::start_background(cfg)?;
    let conn = Connection {
        endpoint: config::parse_endpoint(&server.endpoint())?,
        auth: api::Auth::Token(SecretString::from(token)),
    };
    let config = Config::for_fetch(conn, vec![bulk_id.clone()], &args.fetch, ui::stdout_color())?;
    ui::info(format_args!(
        "demo: exporting bulk {bulk_id} from the built-in sandbox at {}",
        server.endpoint()
    ));
    export(&config)
}

/// Run the sandbox in the foreground until Ctrl-C.
#[cfg(feature = "sandbox")]
fn serve_sandbox(args: &SandboxArgs) -> Result<i32> {
    use crate::exit::Failure;
    let mut cfg = sandbox::SandboxConfig::new(args.rows);
    if let Some(id) = &args.bulk_id {
        config::check_bulk_id(id)?;
        cfg = cfg.with_bulk_id(id.clone());
    }
    if let Some(token) = &args.token {
        cfg = cfg.with_token(token.clone());
    }
    if let Some(seed) = args.seed {
        cfg = cfg.with_seed(seed);
    }
    for (flag, rate) in [
        ("--fail-rate", args.fail_rate),
        ("--reset-rate", args.reset_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return exit::usage(format!("{flag} must be between 0 and 1, got {rate}"));
        }
    }
    let latency = match &args.latency {
        Some(raw) => config::parse_duration("--latency", raw)?,
        None => std::time::Duration::ZERO,
    };
    if args.compress {
        cfg = cfg.with_compression();
    }
    cfg = cfg.with_faults(sandbox::Faults {
        fail_rate: args.fail_rate,
        reset_rate: args.reset_rate,
        latency,
        not_ready_for: args.not_ready_for,
    });
    runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| {
                Failure::usage(format!(
                    "cannot listen on {}: {e}; pick another --addr",
                    args.addr
                ))
            })?;
        let addr = listener.local_addr()?;
        let endpoint = format!("http://{addr}");
        let bulks: Vec<String> = cfg
            .bulks
            .iter()
            .map(|b| {
                let state = if !b.ready {
                    "not finished: answers 428"
                } else if b.rows == 0 {
                    "no errors"
                } else {
                    "finished"
                };
                format!("  {}  {} rows, {state}", b.id, b.rows)
            })
            .collect();
        ui::info(format_args!(
            "druid-bulk sandbox listening on {endpoint}\n\
             endpoint: {endpoint}\ntoken:    {}\nbulks:\n{}\n\n\
             try:  DRUID_TOKEN={} druid-bulk results {} -e {endpoint} -f csv\n\
             Ctrl-C stops it.",
            cfg.token,
            bulks.join("\n"),
            cfg.token,
            cfg.main_bulk_id(),
        ));
        tokio::select! {
            served = sandbox::serve(listener, cfg) => served?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(0)
    })
}

/// One roff page: the top-level command, then each subcommand's synopsis and options.
fn man_page(out: &mut impl Write) -> std::io::Result<()> {
    let mut cmd = Cli::command();
    cmd.build();
    let man = clap_mangen::Man::new(cmd.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_subcommands_section(out)?;
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        writeln!(out, ".SH \"{}\"", sub.get_name().to_uppercase())?;
        let man = clap_mangen::Man::new(sub.clone());
        man.render_synopsis_section(out)?;
        man.render_description_section(out)?;
        man.render_options_section(out)?;
    }
    man.render_extra_section(out)?;
    man.render_version_section(out)
}
