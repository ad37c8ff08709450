//! One file per subcommand, each with `run(args, &GlobalArgs)`: settings,
//! then one job (`jobs/`), then an exit code. This file is the table that
//! picks one; commands never import each other.

mod failed_lines;
mod generate;
mod results;
mod status;
mod submit;

#[cfg(feature = "sandbox")]
mod demo;
#[cfg(feature = "sandbox")]
mod sandbox;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command};
use crate::ui::Verbosity;

/// Run the command the user asked for.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let global = &cli.global;
    match &cli.command {
        Command::Results(args) => results::run(args, global),
        Command::Status(args) => status::run(args, global),
        Command::Submit(args) => submit::run(args, global),
        Command::FailedLines(args) => failed_lines::run(args, global),
        #[cfg(feature = "sandbox")]
        Command::Demo(args) => demo::run(args, global),
        #[cfg(feature = "sandbox")]
        Command::Sandbox(args) => sandbox::run(args, global),
        Command::Completions { shell } => generate::completions(*shell),
        Command::Man => generate::man(),
    }
}

/// How much a command says on stderr, from its `-q`/`-v` flags.
pub fn verbosity(command: &Command) -> Verbosity {
    let request = match command {
        Command::Results(args) => &args.request,
        Command::Status(args) => &args.request,
        Command::Submit(args) => &args.request,
        Command::FailedLines(args) => &args.request,
        #[cfg(feature = "sandbox")]
        Command::Demo(args) => &args.request,
        _ => return Verbosity::Normal,
    };
    Verbosity::from_flags(request.quiet, request.verbose)
}
