//! A faithful local fake of the DruID bulk results endpoint
//! `GET /activityid/v1/user/bulk/{bulk_id}/results?last=&limit=&failedOnly=`,
//! of the bulk status endpoints `GET /activityid/v1/user/bulk/{bulk_id}`
//! and `GET /activityid/v1/user/bulk`, and of bulk submission
//! `PATCH /activityid/v1/user/bulk`, used by the `demo` and `sandbox`
//! subcommands, integration tests and benchmarks.
//!
//! This file holds the public configuration types (including the injectable
//! [`Faults`]) and constants, [`expected_rows`], [`expected_status`] and
//! [`unknown_user`]; row generation lives in `data`, query validation and
//! paging in `page`, the HTTP server in `server` with the state its routes
//! share in `state`, the results route in `results`, the status routes in
//! `bulks`, the JSON bodies in `body` (results pages in the configured `layout`), fault injection (5xx, 428, latency,
//! cut bodies) in `faults`, and submission in `submit` (the route), `lines`
//! (what a submitted line comes to) and `submitted` (a submitted bulk and
//! its stages).
//! The paths come from [`crate::api::routes`], the one place they are spelt;
//! the sandbox uses nothing else from the crate.
//!
//! Rows are generated lazily and deterministically from the seed, the bulk id and
//! the row index, so a bulk of millions of rows costs no memory. Row ids are
//! UUIDv7 laid out in the bulk's `createdOn`..`updatedOn` window by the
//! [`IdLayout`] (`ids`; one a millisecond from a fixed base by default),
//! increasing with the row index, which lets the server turn any `last`
//! cursor back into a row index by binary search; a cursor that is no row's
//! id is answered as the [`CursorMode`] says (`cursor`). A submitted bulk keeps
//! one small record per line (its identifiers and why it failed, never the
//! line), and its rows follow the lines' order.

mod body;
mod bulks;
#[cfg(test)]
mod bulks_tests;
mod cursor;
#[cfg(test)]
mod cursor_tests;
mod data;
#[cfg(test)]
mod fault_tests;
mod faults;
mod ids;
#[cfg(test)]
mod ids_tests;
mod layout;
#[cfg(test)]
mod layout_tests;
mod lines;
mod page;
mod results;
mod server;
mod state;
mod submit;
#[cfg(test)]
mod submit_tests;
mod submitted;
#[cfg(test)]
mod tests;

pub use cursor::CursorMode;
pub use ids::IdLayout;
pub use layout::{LastId, Layout};
pub use server::{router, serve, start_background, Running};

/// The bearer token the sandbox accepts unless configured otherwise.
pub const DEFAULT_TOKEN: &str = "sandbox-token";
/// The seed of the generated data unless configured otherwise.
pub const DEFAULT_SEED: u64 = 42;
/// The id of the main (finished) bulk.
pub const DEFAULT_BULK_ID: &str = "018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73";
/// A bulk that is still processing: always answers 428.
pub const PROCESSING_BULK_ID: &str = "018fcf0a-4c3d-7e52-8f6b-7d9c2a3e5f84";
/// A finished bulk with zero rows.
pub const EMPTY_BULK_ID: &str = "018fcf0a-5d4e-7f63-a07c-8ead3b4f6a95";
/// How long a submitted bulk takes to complete unless configured otherwise.
pub const DEFAULT_PROCESS_TIME: std::time::Duration = std::time::Duration::from_secs(2);
/// The most lines a submitted bulk may have unless configured otherwise.
pub const DEFAULT_MAX_LINES: u64 = 1_000_000;

/// One bulk process known to the sandbox.
#[derive(Clone, Debug)]
pub struct Bulk {
    pub id: String,
    /// Number of result rows (successes and failures).
    pub rows: u64,
    /// `false`: the bulk is still processing and answers 428.
    pub ready: bool,
}

/// Faults the sandbox injects, for testing clients against a flaky API.
///
/// Faults apply only to the results route (never to the status routes), and only after the 401 and 404
/// checks. For a known bulk and a good token the order is: latency sleep →
/// `not_ready_for` (428) → the bulk's own 428 → `limited_for` (429) →
/// `fail_rate` (5xx) → query
/// validation (400) → page → `reset_rate` (cut body).
///
/// The random draws are repeatable: they hash the config's seed with the
/// number of the results request (counted from 0 per server, over requests
/// that pass the 401/404 checks), so the same seed and the same sequence of
/// requests give the same faults. Rates outside 0.0–1.0 are clamped; NaN
/// counts as 0.0.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// Probability (0.0–1.0) that a results request is answered with a random 500, 502, 503 or 504
    /// (about half of them carrying `Retry-After: 1`), instead of the page.
    pub fail_rate: f64,
    /// Probability (0.0–1.0) that a results request's 200 response is cut off mid-body (the
    /// connection is dropped after part of the body was sent), so the client sees a truncated body.
    pub reset_rate: f64,
    /// Delay before answering every results request.
    pub latency: std::time::Duration,
    /// The first N results requests for each bulk are answered 428 (not finished yet), with
    /// `Retry-After: 1`, and only then does the bulk answer normally. Counted per bulk id.
    pub not_ready_for: u32,
    /// The first N results requests (of any bulk) are answered 429 (Too
    /// Many Requests) with `Retry-After: 1`.
    pub limited_for: u32,
}

/// Configuration of a sandbox server.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    pub token: String,
    pub seed: u64,
    /// The first bulk is the "main" one.
    pub bulks: Vec<Bulk>,
    /// Injected faults; none unless set with [`SandboxConfig::with_faults`].
    pub faults: Faults,
    /// Compress responses (gzip, br, zstd) for clients that accept it.
    pub compress: bool,
    /// How long a submitted bulk takes from `received` to `completed`: a
    /// quarter `received`, a quarter `scheduled`, a half `processing`.
    pub process_time: std::time::Duration,
    /// A submission of more lines is answered 400.
    pub max_lines: u64,
    /// Submitted bulks end `failed` instead of `completed` (their results
    /// then answer 428 for good).
    pub fail_bulks: bool,
    /// The text layout of results pages (compact unless set with
    /// [`SandboxConfig::with_layout`]).
    pub layout: Layout,
    /// Where results pages put `lastId` (before `results` unless set with
    /// [`SandboxConfig::with_last_id`]).
    pub last_id: LastId,
    /// How the configured bulks' row ids spread over their windows (one a
    /// millisecond unless set with [`SandboxConfig::with_id_layout`]).
    pub id_layout: IdLayout,
    /// How a `last` cursor that is no row's id is answered (exactly unless
    /// set with [`SandboxConfig::with_cursor_mode`]).
    pub cursor_mode: CursorMode,
}

impl SandboxConfig {
    /// Main bulk [`DEFAULT_BULK_ID`] with `rows` rows, plus the processing bulk
    /// ([`PROCESSING_BULK_ID`], 428) and the empty bulk ([`EMPTY_BULK_ID`]).
    /// No faults are injected.
    pub fn new(rows: u64) -> Self {
        SandboxConfig {
            token: DEFAULT_TOKEN.to_string(),
            seed: DEFAULT_SEED,
            bulks: vec![
                Bulk {
                    id: DEFAULT_BULK_ID.to_string(),
                    rows,
                    ready: true,
                },
                Bulk {
                    id: PROCESSING_BULK_ID.to_string(),
                    rows: 50,
                    ready: false,
                },
                Bulk {
                    id: EMPTY_BULK_ID.to_string(),
                    rows: 0,
                    ready: true,
                },
            ],
            faults: Faults::default(),
            compress: false,
            process_time: DEFAULT_PROCESS_TIME,
            max_lines: DEFAULT_MAX_LINES,
            fail_bulks: false,
            layout: Layout::default(),
            last_id: LastId::default(),
            id_layout: IdLayout::default(),
            cursor_mode: CursorMode::default(),
        }
    }

    /// Sets how the configured bulks' row ids spread over their windows.
    pub fn with_id_layout(mut self, id_layout: IdLayout) -> Self {
        self.id_layout = id_layout;
        self
    }

    /// Sets how a `last` cursor that is no row's id is answered.
    pub fn with_cursor_mode(mut self, cursor_mode: CursorMode) -> Self {
        self.cursor_mode = cursor_mode;
        self
    }

    /// Sets the text layout of results pages.
    pub fn with_layout(mut self, layout: Layout) -> Self {
        self.layout = layout;
        self
    }

    /// Sets where results pages put `lastId`.
    pub fn with_last_id(mut self, last_id: LastId) -> Self {
        self.last_id = last_id;
        self
    }

    /// Sets how long a submitted bulk takes to complete (zero: at once).
    pub fn with_process_time(mut self, process_time: std::time::Duration) -> Self {
        self.process_time = process_time;
        self
    }

    /// Sets the most lines a submitted bulk may have.
    pub fn with_max_lines(mut self, max_lines: u64) -> Self {
        self.max_lines = max_lines;
        self
    }

    /// Makes submitted bulks end `failed` instead of `completed`.
    pub fn with_failing_bulks(mut self) -> Self {
        self.fail_bulks = true;
        self
    }

    /// Compress responses for clients that send `Accept-Encoding`.
    pub fn with_compression(mut self) -> Self {
        self.compress = true;
        self
    }

    /// Renames the main (first) bulk; adds an empty finished one if there is none.
    pub fn with_bulk_id(mut self, id: impl Into<String>) -> Self {
        let id = id.into();
        match self.bulks.first_mut() {
            Some(bulk) => bulk.id = id,
            None => self.bulks.push(Bulk {
                id,
                rows: 0,
                ready: true,
            }),
        }
        self
    }

    /// Sets the accepted bearer token.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = token.into();
        self
    }

    /// Sets the data seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets the faults to inject (see [`Faults`]).
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The id of the main (first) bulk.
    pub fn main_bulk_id(&self) -> &str {
        self.bulks
            .first()
            .map_or(DEFAULT_BULK_ID, |bulk| bulk.id.as_str())
    }

    /// The bulk with exactly this id (the first one if several share it).
    #[cfg(test)]
    pub(crate) fn find_bulk(&self, id: &str) -> Option<&Bulk> {
        self.bulk_index(id).map(|index| &self.bulks[index])
    }

    /// The index in `bulks` of the bulk with exactly this id (the first one if several share it).
    pub(crate) fn bulk_index(&self, id: &str) -> Option<usize> {
        self.bulks.iter().position(|bulk| bulk.id == id)
    }
}

/// Every row the endpoint would return for the bulk across all pages, in order,
/// as JSON values (for tests to compare against). Empty for an unknown bulk and
/// for a bulk that is not finished (it answers 428). Cost is linear in the bulk
/// size.
pub fn expected_rows(
    cfg: &SandboxConfig,
    bulk_id: &str,
    failed_only: bool,
) -> Vec<serde_json::Value> {
    let Some(index) = cfg.bulk_index(bulk_id).filter(|&i| cfg.bulks[i].ready) else {
        return Vec::new();
    };
    let bulk = page::Generated::new(cfg, index);
    use cursor::RowSource;
    (0..bulk.len())
        .filter(|&i| !failed_only || bulk.is_failed(i))
        .map(|i| serde_json::to_value(bulk.row(i)).expect("a row always serialises"))
        .collect()
}

/// Whether a user with this identifier (`object_id` or `pulse_id`) is one the
/// sandbox does not know: its submitted lines fail with `User not found`
/// (about 3% of identifiers, the same ones for the same seed).
pub fn unknown_user(cfg: &SandboxConfig, identifier: &str) -> bool {
    lines::unknown_user(cfg.seed, identifier)
}

/// The status object the sandbox serves for a bulk (the `content` of the
/// single-bulk answer of `GET /activityid/v1/user/bulk/{bulk_id}`), or None if
/// unknown. `status` is `"completed"` for a ready bulk and `"processing"`
/// otherwise; `createdOn`/`updatedOn` are the window its row ids are laid out
/// in, from its position in `cfg.bulks`, its row count and `cfg.id_layout`
/// (the main bulk's starts at its first row, 2024-06-01T00:00:00Z); `total` is its row count and `failed` the number of its rows
/// with an `error` (computed afresh: cost is linear in the bulk size).
pub fn expected_status(cfg: &SandboxConfig, bulk_id: &str) -> Option<serde_json::Value> {
    cfg.bulk_index(bulk_id)
        .map(|index| bulks::status_value(cfg, index))
}
