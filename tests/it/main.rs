//! The integration tests: the real binary against mock servers and the
//! built-in sandbox, one module per area, all asserting through
//! [`support::TestCommand`].

mod support;

mod auth;
mod chaos;
mod checkpoint;
mod cli;
mod errors;
mod export;
mod interrupt;
mod many;
mod profiles;
mod resilience;
mod sandbox;
mod secrets;
mod security;
mod status;
mod ux;
