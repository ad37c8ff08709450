//! What every route of one sandbox server shares: the [`Shared`] state
//! (configuration, counters, fault-injection state, cached failed-row counts,
//! the bulks submitted so far) and the bearer-token check. The route modules depend on this one, never on
//! each other or on `server`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

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
    /// Nanoseconds the clock of submitted bulks was moved forward
    /// ([`super::Running::advance`]).
    ahead: AtomicU64,
}

impl Shared {
    pub(crate) fn new(cfg: SandboxConfig) -> Self {
        Shared {
            failed: cfg.bulks.iter().map(|_| OnceLock::new()).collect(),
            cfg,
            hits: AtomicU64::new(0),
            faults: FaultState::default(),
            submitted: RwLock::default(),
            ahead: AtomicU64::new(0),
        }
    }

    /// How far the clock of submitted bulks was moved forward.
    pub(crate) fn ahead(&self) -> Duration {
        Duration::from_nanos(self.ahead.load(Ordering::SeqCst))
    }

    /// Move the clock of submitted bulks forward by `by`.
    pub(crate) fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        let _ = self
            .ahead
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
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
