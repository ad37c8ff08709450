//! The integration tests: the real binary against mock servers and the
//! built-in sandbox, one module per area, all asserting through
//! [`support::TestCommand`]. Modules and tests that need the sandbox exist
//! only with the `sandbox` feature (on by default).

mod support;

mod ahead;
mod architecture;
mod auth;
#[cfg(feature = "sandbox")]
mod chaos;
mod checkpoint;
mod cli;
mod columns;
mod completions;
#[cfg(feature = "sandbox")]
mod cursors;
#[cfg(feature = "sandbox")]
mod demo;
mod docs;
mod errors;
mod export;
mod failed_lines;
mod formats;
mod habits;
mod help;
mod hostile;
mod hostile_split;
// install.sh and the packaging scripts are for Linux and macOS.
#[cfg(unix)]
mod install;
mod internal;
#[cfg(feature = "sandbox")]
mod interrupt;
mod job_summary;
mod kept;
#[cfg(feature = "sandbox")]
mod layouts;
mod man;
mod many;
#[cfg(feature = "sandbox")]
mod profiles;
#[cfg(feature = "sandbox")]
mod progress;
mod protocol;
mod proxy;
mod resilience;
#[cfg(feature = "sandbox")]
mod sandbox;
mod secrets;
mod security;
#[cfg(feature = "sandbox")]
mod split;
#[cfg(feature = "sandbox")]
mod status;
mod submit;
#[cfg(feature = "sandbox")]
mod submitted;
mod table;
// On macOS and Windows the system's roots are the keychain or the
// certificate store, which SSL_CERT_FILE does not replace.
#[cfg(all(unix, not(target_vendor = "apple")))]
mod tls;
mod ux;
mod windows;
