//! The results route, `GET /activityid/v1/user/bulk/{bulk_id}/results`: its
//! handler, which calls into `faults` at the documented points, and the
//! `content` of its 200 answer. Paging itself is in `page`.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Serialize;

use crate::api::routes;

use super::body::{bulk_not_found, errors, method_not_allowed, ok_in, unauthorized};
use super::data::Row;
use super::faults;
use super::layout::LastId;
use super::page::{compute_page, page_of, parse_query};
use super::state::Shared;
use super::submitted::{Stage, Submitted};
use super::Bulk;

/// The `content` of the results route's 200 answer: `lastId` is in
/// `last_id` (before `results`) or `last_id_after` (after), never both.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Content<'a> {
    pub bulk_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_id: Option<&'a str>,
    pub results: &'a [Row],
    #[serde(rename = "lastId", skip_serializing_if = "Option::is_none")]
    pub last_id_after: Option<&'a str>,
}

impl<'a> Content<'a> {
    /// The content of a page, `lastId` where `place` says.
    pub(crate) fn new(
        bulk_id: &'a str,
        last_id: Option<&'a str>,
        results: &'a [Row],
        place: LastId,
    ) -> Self {
        let (last_id, last_id_after) = match place {
            LastId::First => (last_id, None),
            LastId::Last => (None, last_id),
        };
        Content {
            bulk_id,
            last_id,
            results,
            last_id_after,
        }
    }
}

/// The bulk a results request asks for: configured, or submitted.
enum Target<'a> {
    /// The configured bulk and its index in the configuration.
    Configured(&'a Bulk, usize),
    Submitted(Arc<Submitted>),
}

impl<'a> Target<'a> {
    fn find(shared: &'a Shared, id: &str) -> Option<Target<'a>> {
        match shared.cfg.bulk_index(id) {
            Some(index) => Some(Target::Configured(&shared.cfg.bulks[index], index)),
            None => shared.find_submitted(id).map(Target::Submitted),
        }
    }

    fn id(&self) -> &str {
        match self {
            Target::Configured(bulk, _) => &bulk.id,
            Target::Submitted(bulk) => &bulk.id,
        }
    }

    /// The bulk's status while it has no results: a configured bulk that is
    /// not ready is `processing`; a submitted one answers 428 until it is
    /// `completed` (also once `failed`: a failed bulk has no results).
    fn unfinished(&self, shared: &Shared) -> Option<&'static str> {
        match self {
            Target::Configured(bulk, _) => (!bulk.ready).then_some("processing"),
            Target::Submitted(bulk) => {
                let (stage, _) = bulk.stage(shared.cfg.process_time, shared.ahead());
                (stage != Stage::Completed).then_some(stage.word())
            }
        }
    }
}

/// `GET /activityid/v1/user/bulk/{bulk_id}/results`. Checks, in order: auth
/// (401), bulk exists (404), [latency, injected 428], bulk finished (428),
/// [injected 5xx], query parameters (400), a synthetic cursor refused by
/// `--cursor-mode refuse` (400), then the page [maybe cut off].
/// Bracketed steps are the configured [`super::Faults`].
async fn results(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if !shared.authorized(&headers) {
        return unauthorized();
    }
    let Some(bulk) = path.ok().and_then(|Path(id)| Target::find(&shared, &id)) else {
        return bulk_not_found();
    };
    let fault_cfg = &shared.cfg.faults;
    let draw = shared.faults.next_request(&shared.cfg);
    faults::delay(fault_cfg).await;
    if let Some(resp) = shared.faults.not_ready(fault_cfg, bulk.id()) {
        return resp;
    }
    if let Some(status) = bulk.unfinished(&shared) {
        return errors(
            StatusCode::PRECONDITION_REQUIRED,
            "Bulk process not finished yet",
            &format!("status: {status}"),
        );
    }
    if let Some(resp) = shared.faults.limited(fault_cfg) {
        return resp;
    }
    if let Some(resp) = shared.faults.server_error(fault_cfg, draw) {
        return resp;
    }
    let params = match parse_query(query.as_deref()) {
        Ok(p) => p,
        Err(e) => return errors(StatusCode::BAD_REQUEST, "Invalid parameter", e.details()),
    };
    let mode = shared.cfg.cursor_mode;
    let page = match &bulk {
        Target::Configured(_, index) => compute_page(&shared.cfg, *index, &params),
        Target::Submitted(submitted) => page_of(submitted.as_ref(), &params, mode),
    };
    let page = match page {
        Ok(page) => page,
        Err(e) => return errors(StatusCode::BAD_REQUEST, "Invalid parameter", e.details()),
    };
    let msg = if page.no_matches {
        "No errors for the bulk process"
    } else {
        "OK"
    };
    let content = Content::new(
        bulk.id(),
        page.last_id.as_deref(),
        &page.rows,
        shared.cfg.last_id,
    );
    let resp = ok_in(shared.cfg.layout, content, msg);
    shared.faults.maybe_cut(fault_cfg, draw, resp).await
}

/// The results route, to merge into the sandbox router.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new().route(
        routes::RESULTS_PATTERN,
        get(results).fallback(method_not_allowed),
    )
}
