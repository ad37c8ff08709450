//! `druid-bulk demo`: `results` against an in-process sandbox on a free
//! loopback port, so a new user sees a real export with no setup.

use std::process::ExitCode;

use anyhow::Result;
use secrecy::SecretString;

use crate::api::{Auth, Connection};
use crate::cli::{DemoArgs, GlobalArgs};
use crate::{sandbox, settings, ui};

pub fn run(args: &DemoArgs, _global: &GlobalArgs) -> Result<ExitCode> {
    let cfg = sandbox::SandboxConfig::new(args.rows);
    let bulk_id = cfg.main_bulk_id().to_string();
    let token = cfg.token.clone();
    let server = sandbox::start_background(cfg)?;
    let conn = Connection {
        endpoint: settings::parse_endpoint(&server.endpoint())?,
        auth: Auth::Token(SecretString::from(token)),
    };
    let settings = settings::demo(args, conn, bulk_id.clone(), ui::stdout_color())?;
    // One short line (it fits 80 columns); the address is for -v.
    ui::info(format_args!(
        "demo: exporting bulk {bulk_id} from the sandbox"
    ));
    ui::verbose(format_args!(
        "demo: the sandbox listens at {}",
        server.endpoint()
    ));
    super::results::export(&settings)
}
