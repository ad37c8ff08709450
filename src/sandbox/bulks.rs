//! The bulk status routes: `GET /activityid/v1/user/bulk/{bulk_id}` (one bulk)
//! and `GET /activityid/v1/user/bulk` (every configured bulk, then every
//! submitted one), the status object they serve with its hand-formatted
//! RFC 3339 times (for the configured bulks the window their row ids are laid
//! out in, see `ids`; the real ones for submitted bulks), and the failed-row counts (cached per server in
//! [`Shared`]). Faults never apply to them. `PATCH` on the listing's path
//! submits a bulk (see `submit`).

use std::sync::{Arc, OnceLock};

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Serialize;

use crate::api::routes;

use super::body::{bulk_not_found, message, method_not_allowed, ok, unauthorized};
use super::data::RowGen;
use super::ids::Stamps;
use super::state::Shared;
use super::submit::submit;
use super::submitted::{Stage, Submitted};
use super::{Bulk, SandboxConfig};

/// The status object of one bulk: the `content` of the single-bulk answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct BulkStatus<'a> {
    bulk_id: &'a str,
    status: &'static str,
    created_on: String,
    updated_on: String,
    total: u64,
    failed: u64,
}

impl<'a> BulkStatus<'a> {
    /// The status of `bulk`, whose row ids are laid out by `stamps`, with
    /// `failed` failed rows.
    pub(crate) fn new(bulk: &'a Bulk, stamps: &Stamps, failed: u64) -> Self {
        let (created, updated) = stamps.window();
        BulkStatus {
            bulk_id: &bulk.id,
            status: if bulk.ready {
                "completed"
            } else {
                "processing"
            },
            created_on: rfc3339(created),
            updated_on: rfc3339(updated),
            total: bulk.rows,
            failed,
        }
    }
}

impl<'a> BulkStatus<'a> {
    /// The status of a submitted bulk now: `failed` counts its failed
    /// lines only once it has ended (`completed` or `failed`).
    pub(crate) fn submitted(bulk: &'a Submitted, shared: &Shared) -> Self {
        use super::cursor::RowSource;
        let (stage, since) = bulk.stage(shared.cfg.process_time, shared.ahead());
        let ended = matches!(stage, Stage::Completed | Stage::Failed);
        BulkStatus {
            bulk_id: &bulk.id,
            status: stage.word(),
            created_on: rfc3339(bulk.created()),
            updated_on: rfc3339(since),
            total: bulk.len(),
            failed: if ended { bulk.failed() } else { 0 },
        }
    }
}

/// Number of rows of `bulk` that carry an `error`; linear in the bulk size.
pub(crate) fn count_failed(seed: u64, bulk: &Bulk) -> u64 {
    let gen = RowGen::new(seed, &bulk.id);
    (0..bulk.rows).fold(0, |n, i| n + u64::from(gen.is_failed(i)))
}

/// The failed-row count of the `index`-th bulk, from the cache or else computed
/// on the blocking pool (a large bulk takes a while) and cached.
async fn failed_count(shared: &Arc<Shared>, index: usize) -> Result<u64, Response> {
    if let Some(&n) = shared.failed.get(index).and_then(OnceLock::get) {
        return Ok(n);
    }
    let task_shared = Arc::clone(shared);
    tokio::task::spawn_blocking(move || {
        let cfg = &task_shared.cfg;
        let count = || count_failed(cfg.seed, &cfg.bulks[index]);
        match task_shared.failed.get(index) {
            Some(cell) => *cell.get_or_init(count),
            None => count(),
        }
    })
    .await
    .map_err(|_| message(StatusCode::INTERNAL_SERVER_ERROR, "Internal error"))
}

/// The `content` of the listing.
#[derive(Serialize)]
struct Listing<'a> {
    results: Vec<BulkStatus<'a>>,
}

/// `GET /activityid/v1/user/bulk/{bulk_id}`: auth (401), bulk exists (404),
/// then its status.
async fn bulk_status(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Response {
    if !shared.authorized(&headers) {
        return unauthorized();
    }
    let Ok(Path(id)) = path else {
        return bulk_not_found();
    };
    let Some(index) = shared.cfg.bulk_index(&id) else {
        return match shared.find_submitted(&id) {
            Some(bulk) => ok(BulkStatus::submitted(&bulk, &shared), "OK"),
            None => bulk_not_found(),
        };
    };
    let failed = match failed_count(&shared, index).await {
        Ok(n) => n,
        Err(resp) => return resp,
    };
    let bulk = &shared.cfg.bulks[index];
    let stamps = Stamps::configured(shared.cfg.id_layout, index, bulk.rows);
    ok(BulkStatus::new(bulk, &stamps, failed), "OK")
}

/// `GET /activityid/v1/user/bulk`: auth (401), then every configured bulk's
/// status in config order, then every submitted bulk's in the order they
/// came.
async fn list_bulks(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !shared.authorized(&headers) {
        return unauthorized();
    }
    let submitted = shared.all_submitted();
    let mut results = Vec::with_capacity(shared.cfg.bulks.len() + submitted.len());
    for (index, bulk) in shared.cfg.bulks.iter().enumerate() {
        match failed_count(&shared, index).await {
            Ok(failed) => {
                let stamps = Stamps::configured(shared.cfg.id_layout, index, bulk.rows);
                results.push(BulkStatus::new(bulk, &stamps, failed));
            }
            Err(resp) => return resp,
        }
    }
    results.extend((submitted.iter()).map(|bulk| BulkStatus::submitted(bulk, &shared)));
    ok(Listing { results }, "OK")
}

/// The status routes, to merge into the sandbox router.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            routes::BULK_PATTERN,
            get(bulk_status).fallback(method_not_allowed),
        )
        .route(
            routes::BULKS,
            get(list_bulks).patch(submit).fallback(method_not_allowed),
        )
}

/// The status object of the `index`-th bulk of `cfg`, computed from scratch.
pub(crate) fn status_value(cfg: &SandboxConfig, index: usize) -> serde_json::Value {
    let bulk = &cfg.bulks[index];
    let stamps = Stamps::configured(cfg.id_layout, index, bulk.rows);
    let status = BulkStatus::new(bulk, &stamps, count_failed(cfg.seed, bulk));
    serde_json::to_value(status).expect("a status always serialises")
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(secs: u64) -> String {
    let (y, m, d) = civil_from_days(secs / 86_400);
    let s = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// (year, month, day) of a count of days since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_rfc3339() {
        for (secs, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (951_868_799, "2000-02-29T23:59:59Z"),
            (951_868_800, "2000-03-01T00:00:00Z"),
            (1_709_164_800, "2024-02-29T00:00:00Z"),
            (1_717_200_000, "2024-06-01T00:00:00Z"),
            (1_735_689_599, "2024-12-31T23:59:59Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
        ] {
            assert_eq!(rfc3339(secs), want, "{secs}");
        }
    }

    #[test]
    fn times_are_deterministic_and_ordered() {
        use super::super::ids::{created_secs, IdLayout};
        let bulk = |i: usize| Bulk {
            id: format!("b{i}"),
            rows: 3,
            ready: i != 1,
        };
        let status = |b: &Bulk, i: usize, failed: u64| {
            let stamps = Stamps::configured(IdLayout::Uniform, i, b.rows);
            let s = BulkStatus::new(b, &stamps, failed);
            // Owned strings: the status borrows only the id.
            (
                s.created_on.clone(),
                s.updated_on.clone(),
                s.status,
                s.total,
                s.failed,
            )
        };
        let b0 = bulk(0);
        let s = status(&b0, 0, 2);
        assert_eq!(s.0, "2024-06-01T00:00:00Z");
        assert_eq!(s.1, "2024-06-01T00:00:01Z");
        assert_eq!((s.2, s.3, s.4), ("completed", 3, 2));
        let b1 = bulk(1);
        let s = status(&b1, 1, 0);
        assert_eq!(s.2, "processing");
        assert_eq!(s.0, "2024-06-01T10:00:00Z");
        // RFC 3339 UTC strings of equal width sort like the times they denote.
        for i in [0, 1, 2, 14, 15, 100, 10_000] {
            let b = bulk(i);
            let s = status(&b, i, 0);
            assert_eq!(s, status(&b, i, 0));
            assert!(s.0 < s.1, "{s:?}");
            assert_eq!(s.0.len(), 20);
        }
        assert_eq!(status(&bulk(15), 15, 0).0, "2024-06-02T00:00:00Z");
        assert_eq!(created_secs(usize::MAX), u64::MAX);
    }
}
