//! The sandbox HTTP server: the axum router (the `results` and `bulks` routes
//! over one [`Shared`] state, a request counter, optional compression),
//! [`serve`] for an already-bound listener and [`start_background`] /
//! [`Running`] for a server on its own thread and runtime.

use std::future::IntoFuture;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::JoinHandle;

use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use super::body::not_found;
use super::state::Shared;
use super::{bulks, results, SandboxConfig};

/// Middleware counting every request.
async fn count_hits(State(shared): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    shared.hits.fetch_add(1, Ordering::SeqCst);
    next.run(req).await
}

/// The router over an existing shared state.
pub(crate) fn router_with(shared: Arc<Shared>) -> Router {
    let compress = shared.cfg.compress;
    let router = Router::new()
        .merge(results::routes())
        .merge(bulks::routes())
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

    /// Move the clock of submitted bulks forward by `by`: they move through
    /// their stages as if that much more time had passed, so a test steps a
    /// bulk from `received` to `completed` without waiting for it.
    pub fn advance(&self, by: std::time::Duration) {
        self.shared.advance(by);
    }

    /// Its state, for the sandbox's own tests.
    #[cfg(test)]
    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
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
