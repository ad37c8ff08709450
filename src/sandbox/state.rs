//! What every route of one sandbox server shares: the [`Shared`] state
//! (configuration, counters, fault-injection state, cached failed-row counts)
//! and the bearer-token check. The route modules depend on this one, never on
//! each other or on `server`.

use std::sync::atomic::AtomicU64;
use std::sync::OnceLock;

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;

use super::faults::FaultState;
use super::SandboxConfig;

/// State shared by all requests of one server.
#[derive(Debug)]
pub(crate) struct Shared {
    pub cfg: SandboxConfig,
    /// Number of HTTP requests received (all routes).
    pub hits: AtomicU64,
    pub faults: FaultState,
    /// Failed-row counts of the configured bulks (by index) for the status
    /// routes, each computed on first use and then kept for the life of the
    /// server.
    pub failed: Vec<OnceLock<u64>>,
}

impl Shared {
    pub(crate) fn new(cfg: SandboxConfig) -> Self {
        Shared {
            failed: cfg.bulks.iter().map(|_| OnceLock::new()).collect(),
            cfg,
            hits: AtomicU64::new(0),
            faults: FaultState::default(),
        }
    }

    /// Whether the request carries `Authorization: Bearer <the configured token>`.
    pub(crate) fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        value
            .strip_prefix("Bearer ")
            .is_some_and(|token| token == self.cfg.token)
    }
}
