//! The DruID API: HTTP client, wire types, and HTTP answers mapped to
//! classed errors.

mod client;
mod error;
pub mod wire;

pub use client::{Api, FetchError, PageQuery};
pub use error::server_message;
