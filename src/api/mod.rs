//! The DruID API, by concern: `transport` (the HTTP client, capped reads,
//! `Retry-After`, what a failed exchange means), `routes` (paths and URLs),
//! `tls` (the crypto provider and the CA roots), `token` (where the bearer
//! token comes from), `endpoints` (the typed requests), `submit` (the one
//! request with a body: a bulk update, never sent twice), `error` (HTTP
//! answers as classed failures) and `wire` (the JSON bodies). Nothing here knows about retrying: callers decide that
//! from [`FetchError`].

mod endpoints;
mod error;
pub mod routes;
mod submit;
mod tls;
pub mod token;
mod transport;

pub use endpoints::{is_loopback, Api, Connection, MAX_BODY};
pub use error::server_message;
pub use routes::PageQuery;
pub use submit::{Upload, CHECK_STATUS};
pub use token::{Auth, ClientCredentials};
pub use transport::{FetchError, Network};
