//! `druid-bulk demo`: `results` against an in-process sandbox on a free
//! loopback port, so a new user sees a real export with no setup; with
//! `--submit`, the whole loop instead (`submitted.rs`): a sample file
//! (`sample.rs`) submitted, awaited, its failures and its lines to fix.

mod sample;
mod submitted;

use std::process::ExitCode;

use anyhow::Result;
use secrecy::SecretString;

use crate::api::{Auth, Connection};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::{sandbox, settings, ui};

pub fn run(args: &DemoArgs, _global: &GlobalArgs) -> Result<ExitCode> {
    if args.submit {
        return submitted::run(args);
    }
    let cfg = sandbox::SandboxConfig::new(args.rows);
    let bulk_id = cfg.main_bulk_id().to_string();
    let (server, conn) = start(cfg)?;
    let settings = settings::demo(args, conn, bulk_id.clone(), ui::stdout_color())?;
    // One short line (it fits 80 columns); the address is for -v.
    ui::info(format_args!(
        "demo: exporting bulk {bulk_id} from the sandbox"
    ));
    let code = crate::jobs::export::export(&settings);
    drop(server);
    code
}

/// The sandbox, in the background, and how to reach it.
fn start(cfg: sandbox::SandboxConfig) -> Result<(sandbox::Running, Connection)> {
    let token = cfg.token.clone();
    let server = sandbox::start_background(cfg)?;
    let conn = Connection {
        endpoint: settings::parse_endpoint(&server.endpoint())?,
        auth: Auth::Token(SecretString::from(token)),
    };
    ui::verbose(format_args!(
        "demo: the sandbox listens at {}",
        server.endpoint()
    ));
    Ok((server, conn))
}
