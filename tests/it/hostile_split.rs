//! `results --split N` against a generated model server: one ordered set of
//! UUIDv7 rows (gaps, bursts sharing a millisecond, now and then a row whose
//! random bits are all zero, so that it is a millisecond's own cursor; some
//! failed, for `--failed-only`), answered by one rule for cursors that are
//! no row's id (exact, refuse, restart, inclusive or round, as the
//! sandbox's `--cursor-mode` reads them; a row's id, or a cursor the server
//! issued, is always answered exactly), in pages of `limit` rows or, in
//! some cases, of 1 to `limit` by the cursor, its status request giving an
//! `updatedOn` at or after the last row. Faults are keyed by *(cursor,
//! attempt)*, not by request order: the n-th request for one cursor (the
//! first page, a row's id, a synthetic cursor, the status request) gets the
//! same answer whichever range or chain sends it, so ranges asking at once
//! cannot make a case depend on which came first. A fault is a 503, 500 or
//! 429, a 404 or 400, a body cut short or misshapen, a `lastId` behind the
//! last row or one past it, or rows out of order.
//!
//! The report `--split` writes (to stdout, or to `-o`) must be the
//! sequential export's, byte for byte, or the run fails with an exit code a
//! fault explains, having written only whole rows of it, in order (`-o`
//! left unmade, the rows kept beside it). The sequential export is the
//! binary's own, run against a fault-free copy of the same server, and is
//! first checked against the row set (every row shown, once, in order).
//! Stronger, where the rules leave no choice:
//!
//! - faults the run may not end on (retried within `--retries`, or a
//!   `lastId` the server issued past the last row) on the cursors the
//!   sequential chain asks, and any fault at all on synthetic cursors or
//!   the status request (only `--split` sends those), end in exit 0 with
//!   the sequential report: a range that fails is read sequentially; with
//!   no fault, every rule ends so (the fallback);
//! - a permanent fault on the first page (nobody else asks it) ends the run
//!   with its exit code and no row;
//! - a fault-free server that reads synthetic cursors exactly, in full
//!   pages, is never fallen back from, and gets at most the sequential
//!   export's pages plus three results requests per range (a range starts
//!   at a synthetic cursor; the probe counts as one).
//!
//! Never a hang (the hang guard), never a panic. Run it longer with
//! `PROPTEST_CASES=500 cargo test --locked --test it hostile_split`.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, UNIX_EPOCH};

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use serde_json::Value;

use crate::support::scripted::read_head;
use crate::support::{results, results_path, row, uuid_text};

const BULK: &str = "B1";

/// The note of a split export that the server made sequential.
const FELL_BACK: &str =
    "--split: the server does not accept synthetic cursors; fetched sequentially";

/// 2024-06-01T00:00:00Z, in Unix milliseconds: where the rows' window starts.
const BASE_MS: u64 = 1_717_200_000_000;

/// The version and variant bits of a UUIDv7.
const V7_BITS: u128 = (0x7 << 76) | (0b10 << 62);

// ---- the row set -----------------------------------------------------------

/// One row of the bulk: its id and its JSON text.
#[derive(Clone)]
struct Row {
    id: u128,
    text: String,
    failed: bool,
}

/// A failing case names each row by its id (and whether it failed) only.
impl std::fmt::Debug for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let failed = if self.failed { " (failed)" } else { "" };
        write!(f, "{}{failed}", uuid_text(self.id))
    }
}

fn parse_uuid(text: &str) -> Option<u128> {
    let hex: String = text.chars().filter(|&c| c != '-').collect();
    (text.len() == 36 && hex.len() == 32)
        .then(|| u128::from_str_radix(&hex, 16).ok())
        .flatten()
}

/// A row before its id is placed: milliseconds after the row before it
/// (0: the same millisecond), its 74 random bits (`None`: all zero), and
/// whether it failed.
#[derive(Clone, Debug)]
struct RowSeed {
    gap: u64,
    random: Option<u128>,
    failed: bool,
}

fn row_seed() -> impl Strategy<Value = RowSeed> {
    let gap = prop_oneof![
        4 => Just(0u64),
        4 => 1..=20u64,
        1 => 100..=3_000u64,
    ];
    let random = prop::option::weighted(0.95, any::<u128>());
    (gap, random, prop::bool::weighted(0.6)).prop_map(|(gap, random, failed)| RowSeed {
        gap,
        random,
        failed,
    })
}

/// The rows, sorted and distinct: ids in a window from `start` ms after
/// [`BASE_MS`].
fn rows(start: u64, seeds: &[RowSeed]) -> Vec<Row> {
    let mut ms = BASE_MS + start;
    let mut set: BTreeSet<(u128, bool)> = BTreeSet::new();
    for seed in seeds {
        ms += seed.gap;
        let random = seed.random.map_or(0, |r| {
            // rand_a (12 bits) and rand_b (62 bits, never all ones, so that
            // an id plus one is still a UUIDv7).
            let a = (r >> 62) & 0xfff;
            let b = (r & ((1 << 62) - 1)).min((1 << 62) - 2);
            (a << 64) | b
        });
        let id = (u128::from(ms) << 80) | V7_BITS | random;
        if !set.iter().any(|(i, _)| *i == id) {
            set.insert((id, seed.failed));
        }
    }
    set.into_iter()
        .map(|(id, failed)| {
            let mut value = row(&uuid_text(id), "the user does not exist");
            if !failed {
                value["error"] = Value::Null;
            }
            Row {
                id,
                text: value.to_string(),
                failed,
            }
        })
        .collect()
}

// ---- the cursor rule and the faults ---------------------------------------

/// How the server reads a cursor that is no row's id (and not one it
/// issued): the sandbox's `--cursor-mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Rule {
    /// The rows after it.
    Exact,
    /// A 400.
    Refuse,
    /// The first page again.
    Restart,
    /// From the (shown) row just before it.
    Inclusive,
    /// After the (shown) row just after it.
    Round,
}

/// What a fault does to one answer.
#[derive(Clone, Debug)]
enum Fault {
    /// An HTTP status with a JSON error body.
    Http(u16),
    /// The answer's body ending early, at this fraction (with a matching
    /// Content-Length).
    CutShort(Index),
    /// A 200 body of the wrong shape.
    Misshapen,
    /// `lastId` the next-to-last row's id (on a page of two rows or more).
    LastIdBehind,
    /// `lastId` the last row's id plus one: a cursor the server issues (and
    /// reads exactly) that is no row's id.
    LastIdAhead,
    /// The first two rows swapped.
    Swapped,
}

impl Fault {
    /// Retried by the client, within `--retries`.
    fn transient(&self) -> bool {
        matches!(self, Fault::Http(500 | 503 | 429) | Fault::CutShort(_))
    }

    /// Neither retried nor ever ending a run: the report stays the same.
    fn harmless(&self) -> bool {
        matches!(self, Fault::LastIdAhead)
    }

    /// The exit code a run may end with on this fault.
    fn code(&self) -> i32 {
        match self {
            Fault::Http(404) => 4,
            f if f.transient() => 6,
            _ => 7,
        }
    }
}

/// Which requests a fault is for, as generated.
#[derive(Clone, Debug)]
enum Target {
    /// The first page (no cursor).
    First,
    /// A row's id as the cursor: a page end of the sequential export (when
    /// `page_end` and there is one), else any row shown.
    Row(Index, bool),
    /// Synthetic cursors (no row's id, not issued): all of them with salt
    /// 0, else about half, by a hash of the cursor.
    Synthetic(u8),
    /// The bulk's status request.
    Status,
}

/// A target made concrete against the row set.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    First,
    Cursor(String),
    Synthetic(u8),
    Status,
}

#[derive(Clone, Debug)]
struct Planned {
    key: Key,
    /// 1: the first request with this cursor.
    attempt: u32,
    fault: Fault,
}

fn fnv(text: &str, salt: u8) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(salt);
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// One generated case.
#[derive(Clone, Debug)]
struct Case {
    rows: Vec<Row>,
    rule: Rule,
    page_size: usize,
    split: usize,
    retries: u32,
    failed_only: bool,
    /// `updatedOn`, seconds after the last row's millisecond.
    slack_s: u64,
    /// `updatedOn` with milliseconds rather than whole seconds.
    with_ms: bool,
    faults: Vec<Planned>,
    to_file: bool,
    /// Pages of fewer rows than `limit` (1 to `limit`, by the cursor), as a
    /// server may send; not a fault: the report is the same.
    short_pages: bool,
}

impl Case {
    /// The rows the server shows (all, or the failed ones).
    fn shown(&self) -> Vec<&Row> {
        (self.rows.iter())
            .filter(|r| !self.failed_only || r.failed)
            .collect()
    }

    /// How many rows the page for `cursor` (`""`: the first) holds at most.
    fn page_len(&self, cursor: &str, limit: usize) -> usize {
        let limit = limit.max(1);
        if self.short_pages {
            1 + (fnv(cursor, 0xa5) % limit as u64) as usize
        } else {
            limit
        }
    }

    /// The cursors the sequential export sends, after the first page: the
    /// last row of each page but the last.
    fn sequential_cursors(&self) -> Vec<usize> {
        let shown = self.shown();
        let mut ends = Vec::new();
        let mut start = 0;
        loop {
            let cursor = ends
                .last()
                .map_or(String::new(), |&i: &usize| uuid_text(shown[i].id));
            let end = start + self.page_len(&cursor, self.page_size);
            if end >= shown.len() {
                return ends;
            }
            ends.push(end - 1);
            start = end;
        }
    }

    /// The first fault planned for (key, attempt).
    fn fault(&self, key: &Key, attempt: u32) -> Option<&Fault> {
        (self.faults.iter())
            .find(|p| &p.key == key && p.attempt == attempt)
            .map(|p| &p.fault)
    }

    /// The faults that take effect, by key and attempt.
    fn effective(&self) -> HashMap<Key, Vec<&Fault>> {
        let mut by_key: HashMap<Key, Vec<&Fault>> = HashMap::new();
        let mut seen = HashSet::new();
        for p in &self.faults {
            if seen.insert((p.key.clone(), p.attempt)) {
                by_key.entry(p.key.clone()).or_default().push(&p.fault);
            }
        }
        by_key
    }

    /// Whether no fault may end the run: on the cursors of the sequential
    /// chain, only faults retried within `--retries` or harmless ones
    /// (synthetic cursors and the status request are `--split`'s alone, and
    /// a failing range is read sequentially).
    fn must_succeed(&self) -> bool {
        self.effective().iter().all(|(key, faults)| match key {
            Key::Synthetic(_) | Key::Status => true,
            Key::First | Key::Cursor(_) => {
                faults.iter().all(|f| f.transient() || f.harmless())
                    && faults.iter().filter(|f| f.transient()).count() <= self.retries as usize
            }
        })
    }

    /// The exit codes a run may end with.
    fn codes(&self) -> BTreeSet<i32> {
        let mut codes: BTreeSet<i32> = self
            .faults
            .iter()
            .filter(|p| !p.fault.harmless())
            .map(|p| p.fault.code())
            .collect();
        codes.insert(0);
        codes
    }

    /// The exit code the run must end with when its very first request
    /// meets a fault that is no retry: nobody else asks the first page.
    fn first_page_fails(&self) -> Option<i32> {
        let fault = self.fault(&Key::First, 1)?;
        let rows = (self.shown().len()).min(self.page_len("", self.page_size));
        match fault {
            Fault::Http(404) => Some(4),
            Fault::Http(400) | Fault::Misshapen => Some(7),
            Fault::Swapped if rows >= 2 => Some(7),
            _ => None,
        }
    }

    /// `updatedOn`: at or after the last row's millisecond.
    fn updated_on(&self) -> String {
        let last = self.rows.last().map_or(BASE_MS, |r| (r.id >> 80) as u64);
        let at = if self.with_ms {
            last + self.slack_s * 1000
        } else {
            (last / 1000 + 1 + self.slack_s) * 1000
        };
        let time = UNIX_EPOCH + Duration::from_millis(at);
        if self.with_ms {
            humantime::format_rfc3339_millis(time).to_string()
        } else {
            humantime::format_rfc3339_seconds(time).to_string()
        }
    }
}

// ---- the server ------------------------------------------------------------

/// One answer: status and body.
struct Answer {
    status: u16,
    body: String,
    /// Send only this many bytes of the body (and say so in Content-Length).
    cut: Option<usize>,
}

impl Answer {
    fn ok(body: String) -> Answer {
        Answer {
            status: 200,
            body,
            cut: None,
        }
    }

    fn error(status: u16) -> Answer {
        Answer {
            status,
            body: format!(r#"{{"result":{{"status":{status},"message":"it went wrong"}}}}"#),
            cut: None,
        }
    }
}

/// What the server saw: every request, by kind.
#[derive(Default)]
struct Seen {
    attempts: HashMap<String, u32>,
    results: usize,
    synthetic: BTreeSet<String>,
}

/// The model server: the case's rows, its rule, its faults (none for the
/// fault-free copy), safe under concurrent requests.
struct Model {
    case: Case,
    faults: bool,
    seen: Mutex<Seen>,
}

/// A cursor as the server reads it.
enum Cursor {
    First,
    /// A row's id, or one the server issued: answered exactly.
    Known(u128),
    Synthetic(u128),
    Unreadable,
}

impl Model {
    fn classify(&self, last: Option<&str>) -> Cursor {
        let Some(text) = last else {
            return Cursor::First;
        };
        let Some(id) = parse_uuid(text) else {
            return Cursor::Unreadable;
        };
        let rows = &self.case.rows;
        let known = rows.binary_search_by(|r| r.id.cmp(&id)).is_ok()
            || rows.binary_search_by(|r| (r.id + 1).cmp(&id)).is_ok();
        if known {
            Cursor::Known(id)
        } else {
            Cursor::Synthetic(id)
        }
    }

    fn answer(&self, path: &str, query: &HashMap<String, String>) -> Answer {
        let status = path == druid_bulk::api::routes::bulk(BULK);
        if !status && path != results_path(BULK) {
            return Answer::error(404);
        }
        let last = query.get("last").map(String::as_str);
        let cursor = self.classify(last);
        let (count, key) = if status {
            ("status".to_string(), Some(Key::Status))
        } else {
            let key = match &cursor {
                Cursor::First => Some(Key::First),
                Cursor::Known(_) | Cursor::Unreadable => {
                    Some(Key::Cursor(last.unwrap_or("").to_string()))
                }
                Cursor::Synthetic(_) => None,
            };
            (last.unwrap_or("").to_string(), key)
        };
        let attempt = {
            let mut seen = self.seen.lock().unwrap();
            if !status {
                seen.results += 1;
                if let (Cursor::Synthetic(_), Some(c)) = (&cursor, last) {
                    seen.synthetic.insert(c.to_string());
                }
            }
            let n = seen.attempts.entry(count.clone()).or_insert(0);
            *n += 1;
            *n
        };
        let fault = if !self.faults {
            None
        } else if let Some(key) = key {
            self.case.fault(&key, attempt)
        } else {
            // A synthetic cursor: any synthetic key that takes it.
            (self.case.faults.iter())
                .find(|p| {
                    p.attempt == attempt
                        && matches!(p.key, Key::Synthetic(salt)
                            if salt == 0 || fnv(&count, salt).is_multiple_of(2))
                })
                .map(|p| &p.fault)
        };
        match fault {
            Some(Fault::Http(code)) => return Answer::error(*code),
            Some(Fault::Misshapen) => {
                return Answer::ok(
                    r#"{"content":{"bulkId":"B1","results":{"id":"r1"}},"result":{"status":200}}"#
                        .into(),
                )
            }
            _ => {}
        }
        let mut answer = if status {
            let shown = self.case.shown().len();
            Answer::ok(format!(
                r#"{{"content":{{"bulkId":"{BULK}","status":"completed","createdOn":"2024-06-01T00:00:00Z","updatedOn":"{}","total":{},"failed":{}}},"result":{{"status":200,"message":"OK"}}}}"#,
                self.case.updated_on(),
                self.case.rows.len(),
                shown,
            ))
        } else {
            let limit: usize = (query.get("limit").and_then(|l| l.parse().ok())).unwrap_or(1000);
            let failed_only = query.get("failedOnly").is_some_and(|v| v == "true");
            let limit = self.case.page_len(last.unwrap_or(""), limit);
            self.page(cursor, limit, failed_only, fault)
        };
        if let Some(Fault::CutShort(at)) = fault {
            let len = answer.body.len();
            answer.cut = Some(1 + at.index(len - 2));
        }
        answer
    }

    /// A results page for `cursor`, `fault` applied to its rows or cursor.
    fn page(
        &self,
        cursor: Cursor,
        limit: usize,
        failed_only: bool,
        fault: Option<&Fault>,
    ) -> Answer {
        let shown: Vec<&Row> = (self.case.rows.iter())
            .filter(|r| !failed_only || r.failed)
            .collect();
        let after = |id: u128| shown.partition_point(|r| r.id <= id);
        let start = match cursor {
            Cursor::First => 0,
            Cursor::Known(id) => after(id),
            Cursor::Unreadable => return Answer::error(400),
            Cursor::Synthetic(id) => match self.case.rule {
                Rule::Exact => after(id),
                Rule::Refuse => return Answer::error(400),
                Rule::Restart => 0,
                Rule::Inclusive => after(id).saturating_sub(1),
                Rule::Round => (after(id) + 1).min(shown.len()),
            },
        };
        let end = (start + limit.max(1)).min(shown.len());
        let mut rows: Vec<&Row> = shown[start..end].to_vec();
        let mut last = (end < shown.len()).then(|| uuid_text(rows[rows.len() - 1].id));
        match fault {
            Some(Fault::LastIdBehind) if rows.len() >= 2 && last.is_some() => {
                last = Some(uuid_text(rows[rows.len() - 2].id));
            }
            Some(Fault::LastIdAhead) if last.is_some() => {
                last = Some(uuid_text(rows[rows.len() - 1].id + 1));
            }
            Some(Fault::Swapped) if rows.len() >= 2 => rows.swap(0, 1),
            _ => {}
        }
        let last = last.map_or(String::new(), |l| format!(r#""lastId":"{l}","#));
        let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
        Answer::ok(format!(
            r#"{{"content":{{"bulkId":"{BULK}",{last}"results":[{}]}},"result":{{"status":200,"message":"OK"}}}}"#,
            texts.join(",")
        ))
    }
}

/// A running model server; stopped when dropped.
struct Server {
    url: String,
    addr: SocketAddr,
    model: Arc<Model>,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(case: &Case, faults: bool) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let model = Arc::new(Model {
            case: case.clone(),
            faults,
            seen: Mutex::default(),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (m, s) = (model.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let m = m.clone();
                std::thread::spawn(move || serve(stream, &m));
            }
        });
        Server {
            url: format!("http://{addr}"),
            addr,
            model,
            stop,
        }
    }

    fn results_requests(&self) -> usize {
        self.model.seen.lock().unwrap().results
    }

    fn synthetic_cursors(&self) -> usize {
        self.model.seen.lock().unwrap().synthetic.len()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

/// Answer one connection's requests (keep-alive), each on its own.
fn serve(mut stream: TcpStream, model: &Model) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    // One write per answer, sent at once: no 40 ms wait for a delayed ACK.
    let _ = stream.set_nodelay(true);
    loop {
        let Some(head) = read_head(&mut stream) else {
            return;
        };
        let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let query: HashMap<String, String> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let answer = model.answer(path, &query);
        let body = &answer.body.as_bytes()[..answer.cut.unwrap_or(answer.body.len())];
        let close = answer.cut.is_some();
        let out = format!(
            "HTTP/1.1 {} Model\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{}\r\n",
            answer.status,
            body.len(),
            if close { "Connection: close\r\n" } else { "" }
        );
        let mut out = out.into_bytes();
        out.extend_from_slice(body);
        if stream.write_all(&out).is_err() {
            return;
        }
        let _ = stream.flush();
        if close {
            return;
        }
    }
}

// ---- the generator ---------------------------------------------------------

fn rule() -> impl Strategy<Value = Rule> {
    prop_oneof![
        3 => Just(Rule::Exact),
        1 => Just(Rule::Refuse),
        1 => Just(Rule::Restart),
        1 => Just(Rule::Inclusive),
        1 => Just(Rule::Round),
    ]
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        4 => prop::sample::select(vec![503u16, 500, 429]).prop_map(Fault::Http),
        2 => any::<Index>().prop_map(Fault::CutShort),
        2 => prop::sample::select(vec![404u16, 400]).prop_map(Fault::Http),
        1 => Just(Fault::Misshapen),
        1 => Just(Fault::LastIdBehind),
        2 => Just(Fault::LastIdAhead),
        1 => Just(Fault::Swapped),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        2 => Just(Target::First),
        5 => (any::<Index>(), prop::bool::weighted(0.7)).prop_map(|(i, end)| Target::Row(i, end)),
        3 => prop_oneof![Just(0u8), 1..=8u8].prop_map(Target::Synthetic),
        1 => Just(Target::Status),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    let count = prop_oneof![
        1 => 0..=3usize,
        2 => 4..=40usize,
        4 => 41..=150usize,
        1 => 151..=300usize,
    ];
    let seeds = count.prop_flat_map(|n| prop::collection::vec(row_seed(), n));
    let page_size = prop_oneof![2 => 2..=10usize, 1 => 11..=40usize];
    let attempt = prop_oneof![3 => Just(1u32), 2 => Just(2), 1 => Just(3)];
    let faults = prop::collection::vec((target(), attempt, fault()), 0..=4);
    let faults = prop_oneof![1 => Just(Vec::new()), 3 => faults];
    (
        (0..1_000u64, seeds, rule(), page_size, 2..=8usize),
        (
            0..=3u32,
            prop::bool::weighted(0.25),
            0..=2u64,
            any::<bool>(),
        ),
        (
            faults,
            prop::bool::weighted(0.25),
            prop::bool::weighted(0.25),
        ),
    )
        .prop_map(
            |(
                (start, seeds, rule, page_size, split),
                (retries, failed_only, slack_s, with_ms),
                (faults, to_file, short_pages),
            )| {
                let mut case = Case {
                    rows: rows(start, &seeds),
                    rule,
                    page_size,
                    split,
                    retries,
                    failed_only,
                    slack_s,
                    with_ms,
                    faults: Vec::new(),
                    to_file,
                    short_pages,
                };
                case.faults = (faults.into_iter())
                    .map(|(target, attempt, fault)| Planned {
                        key: resolve(&case, target),
                        attempt,
                        fault,
                    })
                    .collect();
                case
            },
        )
}

/// A target made concrete against the rows the server shows.
fn resolve(case: &Case, target: Target) -> Key {
    let shown = case.shown();
    match target {
        Target::First => Key::First,
        Target::Status => Key::Status,
        Target::Synthetic(salt) => Key::Synthetic(salt),
        Target::Row(_, _) if shown.is_empty() => Key::First,
        Target::Row(at, page_end) => {
            // The sequential export's cursors: the last row of each page
            // but the last.
            let ends = case.sequential_cursors();
            let i = if page_end && !ends.is_empty() {
                *at.get(&ends)
            } else {
                at.index(shown.len())
            };
            Key::Cursor(uuid_text(shown[i].id))
        }
    }
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(128);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// `results B1 -f jsonl` with the case's page size and selection.
fn export(server: &Server, case: &Case) -> crate::support::TestCommand {
    let mut cmd = results(&server.url, BULK);
    cmd.args(["-f", "jsonl", "--page-size", &case.page_size.to_string()])
        .args(["--retries", &case.retries.to_string()])
        .hang_guard();
    if case.failed_only {
        cmd.arg("--failed-only");
    }
    cmd
}

/// The ids of JSON lines.
fn ids(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| match serde_json::from_str::<Value>(line) {
            Ok(row) => row["id"].as_str().unwrap_or("(no id)").to_string(),
            Err(e) => format!("(not JSON: {e})"),
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_split_export_is_the_sequential_one_or_fails_with_whole_rows_of_it(case in case()) {
        let shown: Vec<String> = case.shown().iter().map(|r| uuid_text(r.id)).collect();

        // The sequential export, against a fault-free copy: every row shown,
        // once, in order.
        let clean = Server::start(&case, false);
        let sequential = export(&clean, &case).run();
        let pages = clean.results_requests();
        drop(clean);
        prop_assert_eq!(sequential.code(), Some(0), "the sequential export\n{}", sequential.describe());
        let want = sequential.stdout().to_string();
        prop_assert_eq!(&ids(&want), &shown, "the sequential export's rows\n{}", sequential.describe());

        let server = Server::start(&case, true);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.jsonl");
        let mut cmd = export(&server, &case);
        cmd.args(["--split", &case.split.to_string(), "-v"]);
        if case.to_file {
            cmd.arg("-o").arg(&path);
        }
        let run = cmd.run();
        let seen = || format!(
            "case: {case:#?}\nmust succeed: {}\n\n{}",
            case.must_succeed(),
            run.describe()
        );
        let code = run.code();
        prop_assert!(code.is_some(), "killed: a hang?\n{}", seen());
        prop_assert!(
            code != Some(70) && code != Some(101)
                && !run.stderr().contains("panicked at")
                && !run.stderr().contains("internal error"),
            "a panic\n{}", seen()
        );

        if case.must_succeed() {
            prop_assert_eq!(code, Some(0), "a fault that must not end the run did\n{}", seen());
        }
        prop_assert!(case.codes().contains(&code.unwrap()), "an exit code no fault explains\n{}", seen());

        // What it wrote, and where.
        let got = if case.to_file {
            prop_assert!(run.stdout().is_empty(), "rows on stdout with -o\n{}", seen());
            if code == Some(0) {
                std::fs::read_to_string(&path).unwrap_or_default()
            } else {
                prop_assert!(!path.exists(), "-o made by a failed export\n{}", seen());
                let partial = dir.path().join(".out.jsonl.druid-bulk.partial");
                std::fs::read_to_string(partial).unwrap_or_default()
            }
        } else {
            run.stdout().to_string()
        };
        if code == Some(0) {
            prop_assert!(got == want, "exit 0 with another report than the sequential one\n{}", seen());
        } else {
            let whole = got.is_empty() || got.ends_with('\n');
            prop_assert!(whole && want.starts_with(&got), "not whole rows of the sequential report\n{}", seen());
        }
        if let Some(must) = case.first_page_fails() {
            prop_assert_eq!(code, Some(must), "the first page's fault\n{}", seen());
            prop_assert!(got.is_empty(), "rows after the first page failed\n{}", seen());
        }
        // An exact server is never fallen back from, short pages or not
        // (the probe follows a short answer until it has the rows it
        // compares); the request bound is for pages of the full size (short
        // ones are cut differently from each cursor).
        if case.rule == Rule::Exact && case.faults.is_empty() {
            prop_assert!(!run.stderr().contains(FELL_BACK), "an exact server refused\n{}", seen());
        }
        if case.rule == Rule::Exact && case.faults.is_empty() && !case.short_pages {
            let ranges = 1 + server.synthetic_cursors();
            let requests = server.results_requests();
            prop_assert!(
                requests <= pages + 3 * ranges,
                "{requests} results requests for {pages} sequential pages and {ranges} ranges\n{}",
                seen()
            );
        }
    }
}

/// A server that reads synthetic cursors exactly and answers one with a
/// page shorter than the rows the probe compares: the probe follows it,
/// and the export is split (the case the property test first found, when
/// the probe asked one page only).
#[test]
fn a_short_answer_to_the_probe_is_followed_not_taken_for_a_refusal() {
    // A first page (of L rows, as the model server cuts it for page size
    // P) whose last two share a millisecond, so two rows are past the
    // probe's cursor (the start of that millisecond), then more rows; the
    // page size and the window are found where the probe gets one row.
    let seeds = |l: usize| -> Vec<RowSeed> {
        (0..l + 8)
            .map(|k| RowSeed {
                gap: u64::from(k != l - 1),
                random: Some(5 + k as u128),
                failed: true,
            })
            .collect()
    };
    let mut case = Case {
        rows: Vec::new(),
        rule: Rule::Exact,
        page_size: 0,
        split: 4,
        retries: 2,
        failed_only: false,
        slack_s: 1,
        with_ms: false,
        faults: Vec::new(),
        to_file: false,
        short_pages: true,
    };
    let found = (3..40).find_map(|p| {
        let l = case.page_len("", p);
        if l < 3 {
            return None;
        }
        (0..2_000).find_map(|start| {
            let rows = rows(start, &seeds(l));
            let probe = uuid_text(((rows[l - 1].id >> 80) << 80) | V7_BITS);
            (case.page_len(&probe, p) == 1).then_some((p, rows))
        })
    });
    (case.page_size, case.rows) = found.expect("a page size and window with a short probe answer");
    let clean = Server::start(&case, false);
    let sequential = export(&clean, &case).ok();
    drop(clean);
    let server = Server::start(&case, true);
    let split = export(&server, &case).args(["--split", "4", "-v"]).ok();
    split
        .same(&split.stdout(), &sequential.stdout())
        .stderr_lacks(FELL_BACK)
        .stderr_lacks("the probe inside the first page was not answered");
}
