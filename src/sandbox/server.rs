//! The sandbox HTTP server: the shared state, the axum router (merging in the
//! `status` routes), the results handler (which calls into `faults` at the
//! documented points) and its 200 content, [`serve`] for an already-bound
//! listener and [`start_background`] / [`Running`] for a server on its own
//! thread and runtime. The JSON bodies themselves are built in `body`.

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::body::{bulk_not_found, errors, message, ok, unauthorized};
use super::data::Row;
use super::faults::{self, FaultState};
use super::page::{compute_page, parse_query};
use super::status::{self, FailedCounts};
use super::SandboxConfig;

/// The route of the results endpoint.
pub(crate) const RESULTS_ROUTE: &str = "/activityid/v1/user/bulk/{bulk_id}/results";

/// State shared by all requests of one server: the configuration, counters,
/// fault-injection state and the cached failed-row counts of the status routes.
#[derive(Debug)]
pub(crate) struct Shared {
    pub cfg: SandboxConfig,
    /// Number of HTTP requests received (all routes).
    pub hits: AtomicU64,
    pub faults: FaultState,
    pub failed: FailedCounts,
}

impl Shared {
    pub(crate) fn new(cfg: SandboxConfig) -> Self {
        Shared {
            failed: FailedCounts::new(cfg.bulks.len()),
            cfg,
            hits: AtomicU64::new(0),
            faults: FaultState::default(),
        }
    }
}

/// The `content` of the results route's 200 answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content<'a> {
    bulk_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_id: Option<&'a str>,
    results: &'a [Row],
}

/// Whether the request carries `Authorization: Bearer <the configured token>`.
pub(crate) fn authorized(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    value
        .strip_prefix("Bearer ")
        .is_some_and(|token| token == shared.cfg.token)
}

/// `GET /activityid/v1/user/bulk/{bulk_id}/results`. Checks, in order: auth
/// (401), bulk exists (404), [latency, injected 428], bulk finished (428),
/// [injected 5xx], query parameters (400), then the page [maybe cut off].
/// Bracketed steps are the configured [`super::Faults`].
async fn results(
    State(shared): State<Arc<Shared>>,
    path: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if !authorized(&shared, &headers) {
        return unauthorized();
    }
    let bulk = match path {
        Ok(Path(id)) => shared.cfg.find_bulk(&id),
        Err(_) => None,
    };
    let Some(bulk) = bulk else {
        return bulk_not_found();
    };
    let fault_cfg = &shared.cfg.faults;
    let draw = shared.faults.next_request(&shared.cfg);
    faults::delay(fault_cfg).await;
    if let Some(resp) = shared.faults.not_ready(fault_cfg, &bulk.id) {
        return resp;
    }
    if !bulk.ready {
        return errors(
            StatusCode::PRECONDITION_REQUIRED,
            "Bulk process not finished yet",
            "status: processing",
        );
    }
    if let Some(resp) = shared.faults.server_error(fault_cfg, draw) {
        return resp;
    }
    let params = match parse_query(query.as_deref()) {
        Ok(p) => p,
        Err(e) => return errors(StatusCode::BAD_REQUEST, "Invalid parameter", e.details()),
    };
    let page = compute_page(shared.cfg.seed, bulk, &params);
    let msg = if page.no_matches {
        "No errors for the bulk process"
    } else {
        "OK"
    };
    let content = Content {
        bulk_id: &bulk.id,
        last_id: page.last_id.as_deref(),
        results: &page.rows,
    };
    let resp = ok(content, msg);
    shared.faults.maybe_cut(fault_cfg, draw, resp).await
}

async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Not found")
}

pub(crate) async fn method_not_allowed() -> Response {
    message(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
}

/// Middleware counting every request.
async fn count_hits(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    shared.hits.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

/// The router over an existing shared state.
pub(crate) fn router_with(shared: Arc<Shared>) -> Router {
    let compress = shared.cfg.compress;
    let router = Router::new()
        .route(RESULTS_ROUTE, get(results).fallback(method_not_allowed))
        .merge(status::routes())
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(shared.clone(), count_hits))
        .with_state(shared);
    if compress {
        router.layer(tower_http::compression::CompressionLayer::new())
    } else {
        router
    }
}

/// The sandbox's axum [`Router`], for embedding.
pub fn router(cfg: SandboxConfig) -> Router {
    router_with(Arc::new(Shared::new(cfg)))
}

/// Serves the sandbox on an already-bound listener until this future is dropped
/// (dropping it stops accepting; connections already open are not cut).
pub async fn serve(listener: TcpListener, cfg: SandboxConfig) -> io::Result<()> {
    axum::serve(listener, router(cfg)).await
}

/// A sandbox running on 127.0.0.1 on a background thread with its own tokio
/// runtime. Dropping it stops the server (open connections included) and joins
/// the thread.
pub struct Running {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Running {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Number of HTTP requests received so far (all routes).
    pub fn hits(&self) -> u64 {
        self.shared.hits.load(Ordering::SeqCst)
    }

    /// Number of faults injected so far: 5xx answers, cut-off bodies and
    /// injected 428s (not the 428s of a bulk configured as unfinished).
    pub fn faults_injected(&self) -> u64 {
        self.shared.faults.injected()
    }
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .field("hits", &self.hits())
            .field("faults_injected", &self.faults_injected())
            .finish()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Starts the sandbox on `127.0.0.1:0` on a background thread with its own
/// multi-threaded tokio runtime. Usable from sync and async code alike; returns
/// once the server is accepting connections.
pub fn start_background(cfg: SandboxConfig) -> io::Result<Running> {
    let std_listener = std::net::TcpListener::bind(("127.0.0.1", 0))?;
    std_listener.set_nonblocking(true)?;
    let addr = std_listener.local_addr()?;
    let shared = Arc::new(Shared::new(cfg));
    let (stop_tx, stop_rx) = oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
    let app = router_with(shared.clone());
    let thread = std::thread::Builder::new()
        .name("druid-sandbox".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("druid-sandbox-rt")
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let listener = match TcpListener::from_std(std_listener) {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let _ = ready_tx.send(Ok(()));
                tokio::select! {
                    _ = axum::serve(listener, app).into_future() => {}
                    _ = stop_rx => {}
                }
            });
            // Cancels every connection task without waiting for clients.
            rt.shutdown_background();
        })?;
    let ready = ready_rx
        .recv()
        .unwrap_or_else(|_| Err(io::Error::other("sandbox thread exited during startup")));
    if let Err(e) = ready {
        let _ = thread.join();
        return Err(e);
    }
    Ok(Running {
        addr,
        shared,
        shutdown: Some(stop_tx),
        thread: Some(thread),
    })
}
