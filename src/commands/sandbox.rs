//! `druid-bulk sandbox`: a local DruID-compatible fake API in the
//! foreground, until Ctrl-C.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{
    GlobalArgs, SandboxArgs, SandboxCursorMode, SandboxIdLayout, SandboxLastId, SandboxLayout,
};
use crate::exit::{usage, Failure};
use crate::{sandbox, settings, ui};

/// Run the sandbox in the foreground until Ctrl-C.
pub fn run(args: &SandboxArgs, _global: &GlobalArgs) -> Result<ExitCode> {
    let mut cfg = sandbox::SandboxConfig::new(args.rows);
    if let Some(id) = &args.bulk_id {
        settings::check_bulk_id(id)?;
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
            return usage(format!("{flag} must be between 0 and 1, got {rate}"));
        }
    }
    let latency = match &args.latency {
        Some(raw) => settings::parse_duration("--latency", raw)?,
        None => std::time::Duration::ZERO,
    };
    if args.compress {
        cfg = cfg.with_compression();
    }
    cfg = cfg
        .with_process_time(process_time(&args.process_time)?)
        .with_max_lines(args.max_lines);
    if args.fail_bulks {
        cfg = cfg.with_failing_bulks();
    }
    cfg = cfg
        .with_layout(layout(args.layout))
        .with_last_id(match args.lastid {
            SandboxLastId::First => sandbox::LastId::First,
            SandboxLastId::Last => sandbox::LastId::Last,
        })
        .with_id_layout(id_layout(args.id_layout))
        .with_cursor_mode(cursor_mode(args.cursor_mode));
    cfg = cfg.with_faults(sandbox::Faults {
        fail_rate: args.fail_rate,
        reset_rate: args.reset_rate,
        latency,
        not_ready_for: args.not_ready_for,
        limited_for: args.limited_for,
    });
    crate::jobs::runtime()?.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.addr)
            .await
            .map_err(|e| {
                Failure::usage(format!(
                    "cannot listen on {}: {e}; pick another --addr",
                    args.addr
                ))
            })?;
        let addr = listener.local_addr()?;
        let listening = format!("http://{addr}");
        // What clients are told to use: an unspecified address is where
        // the sandbox listens, not one a request can go to.
        let endpoint = format!("http://{}", reachable(addr));
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
        let ending = if cfg.fail_bulks {
            "failed"
        } else {
            "completed"
        };
        // Said only when not the default, so the usual banner is unchanged.
        let cursors = if cfg.id_layout == sandbox::IdLayout::default()
            && cfg.cursor_mode == sandbox::CursorMode::default()
        {
            String::new()
        } else {
            format!(
                "cursors:  row ids {}; a cursor that is no row's id: {}\n",
                value_name(args.id_layout),
                value_name(args.cursor_mode)
            )
        };
        ui::info(format_args!(
            "druid-bulk sandbox listening on {listening}\n\
             endpoint: {endpoint}\ntoken:    {}\nbulks:\n{}\n{cursors}\
             submit:   PATCH {endpoint}{}\n          \
             JSON lines, at most {}; each bulk {ending} after {}\n\n\
             try:  DRUID_TOKEN={} druid-bulk results {} -e {endpoint} -f csv\n\
             Ctrl-C stops it.",
            cfg.token,
            bulks.join("\n"),
            crate::api::routes::BULKS,
            cfg.max_lines,
            humantime::format_duration(cfg.process_time),
            cfg.token,
            cfg.main_bulk_id(),
        ));
        tokio::select! {
            served = sandbox::serve(listener, cfg) => served?,
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The address a client on this machine reaches `addr` at: loopback for
/// an unspecified address (`0.0.0.0`, `[::]`), `addr` itself otherwise.
fn reachable(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

/// `--process-time`: a duration, zero included (`0s`, `0`: at once).
fn process_time(raw: &str) -> Result<std::time::Duration> {
    match raw.trim() {
        "0" => Ok(std::time::Duration::ZERO),
        text => humantime::parse_duration(text).or_else(|_| {
            usage(format!(
                "--process-time {raw:?} is not a duration; expected e.g. 2s, 30s or 0s"
            ))
        }),
    }
}

/// The sandbox's layout for `--layout`.
fn layout(choice: SandboxLayout) -> sandbox::Layout {
    match choice {
        SandboxLayout::Compact => sandbox::Layout::Compact,
        SandboxLayout::Spaced => sandbox::Layout::Spaced,
        SandboxLayout::Pretty => sandbox::Layout::Pretty,
        SandboxLayout::Escaped => sandbox::Layout::Escaped,
    }
}

/// How `choice` is spelt on the command line.
fn value_name(choice: impl clap::ValueEnum) -> String {
    choice
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_string())
}

/// The sandbox's id layout for `--id-layout`.
fn id_layout(choice: SandboxIdLayout) -> sandbox::IdLayout {
    match choice {
        SandboxIdLayout::Uniform => sandbox::IdLayout::Uniform,
        SandboxIdLayout::Bursty => sandbox::IdLayout::Bursty,
        SandboxIdLayout::Skewed => sandbox::IdLayout::Skewed,
    }
}

/// The sandbox's cursor mode for `--cursor-mode`.
fn cursor_mode(choice: SandboxCursorMode) -> sandbox::CursorMode {
    match choice {
        SandboxCursorMode::Exact => sandbox::CursorMode::Exact,
        SandboxCursorMode::Refuse => sandbox::CursorMode::Refuse,
        SandboxCursorMode::Restart => sandbox::CursorMode::Restart,
        SandboxCursorMode::Inclusive => sandbox::CursorMode::Inclusive,
        SandboxCursorMode::Round => sandbox::CursorMode::Round,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unspecified_address_is_reached_on_loopback() {
        for (bound, reached) in [
            ("0.0.0.0:8089", "127.0.0.1:8089"),
            ("[::]:8089", "[::1]:8089"),
            ("192.0.2.7:80", "192.0.2.7:80"),
            ("[::1]:9", "[::1]:9"),
        ] {
            assert_eq!(reachable(bound.parse().unwrap()).to_string(), reached);
        }
    }

    #[test]
    fn process_time_may_be_zero() {
        assert_eq!(process_time("0s").unwrap(), std::time::Duration::ZERO);
        assert_eq!(process_time("0").unwrap(), std::time::Duration::ZERO);
        assert_eq!(process_time("1m").unwrap().as_secs(), 60);
        let err = process_time("soon").unwrap_err();
        assert_eq!(crate::exit::exit_code(&err), 2);
    }
}
