//! What every route of one sandbox server shares: the [`Shared`] state
//! (configuration, counters, fault-injection state, cached failed-row counts,
//! the bulks submitted so far) and the bearer-token check. The route modules depend on this one, never on
//! each other or on `server`.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, OnceLock, RwLock};

use axum::http::header::AUTHORIZATION;
use axum::http::HeaderMap;

use super::faults::FaultState;
use super::submitted::{self, Submitted};
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
    /// Bulks submitted with `PATCH`, in order.
    submitted: RwLock<Vec<Arc<Submitted>>>,
}

impl Shared {
    pub(crate) fn new(cfg: SandboxConfig) -> Self {
        Shared {
            failed: cfg.bulks.iter().map(|_| OnceLock::new()).collect(),
            cfg,
            hits: AtomicU64::new(0),
            faults: FaultState::default(),
            submitted: RwLock::default(),
        }
    }

    /// Keep the submitted bulk `make` builds from its new id; the id, made
    /// from how many came before it.
    pub(crate) fn add_submitted(&self, make: impl FnOnce(String) -> Submitted) -> String {
        let mut all = self.submitted.write().unwrap_or_else(|e| e.into_inner());
        let id = submitted::bulk_id(self.cfg.seed, all.len() as u64);
        all.push(Arc::new(make(id.clone())));
        id
    }

    /// The submitted bulk with this id.
    pub(crate) fn find_submitted(&self, id: &str) -> Option<Arc<Submitted>> {
        let all = self.submitted.read().unwrap_or_else(|e| e.into_inner());
        all.iter().find(|b| b.id == id).cloned()
    }

    /// Every submitted bulk, in order.
    pub(crate) fn all_submitted(&self) -> Vec<Arc<Submitted>> {
        self.submitted
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
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
