//! The integration tests: the real binary against mock servers and the
//! built-in sandbox, one module per area, all asserting through
//! [`support::TestCommand`]. Modules and tests that need the sandbox exist
//! only with the `sandbox` feature (on by default).

mod support;

mod auth;
#[cfg(feature = "sandbox")]
mod chaos;
mod checkpoint;
mod cli;
mod completions;
mod errors;
mod export;
mod failed_lines;
mod formats;
mod hostile;
#[cfg(feature = "sandbox")]
mod interrupt;
mod job_summary;
mod man;
mod many;
#[cfg(feature = "sandbox")]
mod profiles;
mod protocol;
mod proxy;
mod resilience;
#[cfg(feature = "sandbox")]
mod sandbox;
mod secrets;
mod security;
#[cfg(feature = "sandbox")]
mod status;
mod submit;
#[cfg(feature = "sandbox")]
mod submitted;
mod table;
mod ux;
mod windows;
