//! The DruID API: HTTP client, wire types, and HTTP answers mapped to
//! classed errors.

mod client;
mod error;
pub mod routes;
pub mod token;
pub mod wire;

pub use client::{Api, Connection, FetchError, PageQuery, MAX_BODY};
pub use error::server_message;
pub use token::{Auth, ClientCredentials};
