//! Hostile servers, generated: a scripted server answers each request with
//! the next reply of a random script (pages of any size, cursors that
//! advance, repeat, go back or end, bodies cut short, misshapen, foreign or
//! carrying an error status, rows out of order, transient faults, 404s),
//! and the real binary must end as a small model of the rules (the API's
//! rules and the exit codes, as docs/RELIABILITY.md and the README give them) says: exit 0 with exactly the rows served, once and in order, or the
//! exit code of the first fault it may not retry, with exactly the whole
//! pages before it written. Never a hang, never a panic. Some runs are also
//! made to panic (a bug, as the test build can fake one) at the N-th
//! attempt at a page: that is exit 70, never 0, with only whole pages out.
//! Half the scripts write `lastId` after `results`, where the request sent
//! ahead goes out for a cursor guessed from the end of the body.
//!
//! The model below encodes the rules on its own; it calls nothing of the
//! crate. Run it longer with `PROPTEST_CASES=2000 cargo test --locked --test
//! it hostile`.

use std::collections::HashSet;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::Config;
use serde_json::{json, Value};

use crate::support::scripted::{Reply, Scripted};
use crate::support::{results, row};

/// The bulk exported; a page naming another one is foreign.
const BULK: &str = "B1";

/// One reply of a script, as the server sends it.
#[derive(Clone, Debug)]
enum Served {
    /// An HTTP error status with an error body (JSON, or a gateway's HTML).
    Http(u16),
    /// A 200 page.
    Page(Page),
    /// A 200 `{"result":{"status":200,"message":"No errors …"}}`, no content.
    NoErrors,
    /// A complete 200 body of the wrong shape.
    Misshapen(Shape),
    /// This page's body ending after `at` bytes, sent with a matching
    /// Content-Length.
    CutShort(Page, usize),
}

/// A 200 page body: rows (by id), the cursor, the bulk it names (if any)
/// and its `result.status`.
#[derive(Clone, Debug)]
struct Page {
    rows: Vec<String>,
    last: Last,
    bulk: Option<&'static str>,
    status: u16,
}

/// `content.lastId`.
#[derive(Clone, Debug)]
enum Last {
    Id(String),
    Missing,
    Empty,
    Null,
}

#[derive(Clone, Copy, Debug)]
enum Shape {
    NumericLastId,
    ResultsObject,
    NotAnObject,
    Neither,
}

// ---- the model ------------------------------------------------------------

/// How a run ends: its exit code, the ids written, and how many requests it
/// made.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    code: i32,
    ids: Vec<String>,
    requests: usize,
    /// The last request was sent ahead as the run ended: the server may not
    /// have seen it.
    maybe_one_less: bool,
}

/// What one reply means to the page loop.
enum Effect<'a> {
    /// Worth asking again (counts against `--retries`).
    Retry,
    /// Ends the run with this exit code.
    Exit(i32),
    /// A whole page in the documented shape, for this bulk: its row ids and
    /// its cursor (`None`: the last page).
    Rows(&'a [String], Option<&'a str>),
}

/// An HTTP status, or a `result.status` in a 200 body, which maps the same.
fn status(code: u16) -> Effect<'static> {
    match code {
        // The transient codes (the only 5xx generated).
        408 | 429 | 500 | 502 | 503 | 504 => Effect::Retry,
        401 | 403 => Effect::Exit(3), // a static token: nothing to renew
        404 => Effect::Exit(4),
        428 => Effect::Exit(5), // no --wait
        400..=499 => Effect::Exit(7),
        _ => unreachable!("not generated: {code}"),
    }
}

fn effect(reply: &Served) -> Effect<'_> {
    match reply {
        Served::Http(code) => status(*code),
        // JSON that ends early may come whole if asked again.
        Served::CutShort(..) => Effect::Retry,
        Served::Misshapen(_) => Effect::Exit(7),
        Served::NoErrors => Effect::Rows(&[], None),
        Served::Page(page) if !(200..300).contains(&page.status) => status(page.status),
        Served::Page(page) if page.bulk.is_some_and(|b| b != BULK) => Effect::Exit(7),
        Served::Page(page) => {
            let cursor = match &page.last {
                Last::Id(id) if !id.is_empty() => Some(id.as_str()),
                _ => None,
            };
            Effect::Rows(&page.rows, cursor)
        }
    }
}

/// The cursor the client sends the next request ahead for, before the
/// page is checked: with `lastId` before `results` (keys in order:
/// `bulkId`, `lastId`, `results`), one the body names whole before its
/// rows; with `rows_first` (`bulkId`, `results`, `lastId`, as servers that
/// write fields in declaration order do), the body's start reaches
/// `"results"` and its end holds `"lastId":"<id>"}` within the last
/// kilobyte received, an id of the shape of a UUID (all ids here are).
fn cursor_ahead(reply: &Served, rows_first: bool) -> Option<&str> {
    let (page, at) = match reply {
        Served::Page(page) => (page, usize::MAX),
        Served::CutShort(page, at) => (page, *at),
        _ => return None,
    };
    let Last::Id(id) = &page.last else {
        return None;
    };
    let body = page_text(page, rows_first);
    let body = &body[..at.min(body.len())];
    let last = format!("\"lastId\":{}", json!(id));
    if id.is_empty() || !body.starts_with(r#"{"content":{"#) {
        return None;
    }
    if !rows_first {
        return body.contains(&last).then_some(id.as_str());
    }
    let at = body.rfind(&format!("{last}}}"))?;
    let within = at >= body.len().saturating_sub(1024);
    (body.contains("\"results\"") && within).then_some(id.as_str())
}

/// Ids page in canonical lowercase text order.
fn after(id: &str, bound: &str) -> bool {
    id.to_lowercase() > bound.to_lowercase()
}

/// How `results B1 --retries retries --max-empty-pages max_empty` ends
/// against `script` (its last reply repeating once it is used up), when the
/// tool panics as it starts its `panic_at`-th attempt at a page (`None`:
/// never). A panic is exit 70 with the whole pages before it written: never
/// 0, however the script would have ended.
fn model(
    script: &[Served],
    rows_first: bool,
    retries: u32,
    max_empty: u32,
    panic_at: Option<u32>,
) -> Outcome {
    let mut requests = 0;
    let mut ids: Vec<String> = Vec::new();
    // The request sent ahead (as BENCHMARKS.md tells it):
    // a 200 body that names a new cursor before its rows gets the request
    // for that cursor at once, before it is checked; that request takes the
    // next reply of the script, which answers the page of that cursor if
    // the page before it passes. Sent by the reply that ends the run, it
    // may or may not reach the server before the run ends.
    let mut ahead: Option<(String, usize)> = None;
    let end = |code: i32, ids: Vec<String>, requests: usize| Outcome {
        code,
        ids,
        requests,
        maybe_one_less: false,
    };
    // The cursor sent for the current page, every cursor followed so far,
    // the last row id written, empty pages with a cursor in a row, and the
    // current page's transient faults.
    let mut sent: Option<String> = None;
    let mut seen: HashSet<String> = HashSet::new();
    let mut before: Option<String> = None;
    let mut empty_run = 0;
    let mut faults = 0;
    let mut attempts = 0;
    loop {
        assert!(requests < 1000, "the model loops on {script:?}");
        attempts += 1;
        if panic_at == Some(attempts) {
            // The request sent ahead may not have left before the panic.
            return Outcome {
                maybe_one_less: ahead.is_some(),
                ..end(70, ids, requests)
            };
        }
        let reply = match ahead.take() {
            Some((cursor, at)) if sent.as_deref() == Some(cursor.as_str()) => &script[at],
            other => {
                ahead = other;
                requests += 1;
                &script[(requests - 1).min(script.len() - 1)]
            }
        };
        let mut sent_ahead = false;
        if let Some(next) = cursor_ahead(reply, rows_first) {
            let new = sent.as_deref() != Some(next) && !seen.contains(next);
            if new && ahead.as_ref().is_none_or(|(c, _)| c != next) {
                ahead = Some((next.to_string(), requests.min(script.len() - 1)));
                requests += 1;
                sent_ahead = true;
            }
        }
        let end = |code: i32, ids: Vec<String>, requests: usize| Outcome {
            maybe_one_less: sent_ahead,
            ..end(code, ids, requests)
        };
        let (rows, cursor) = match effect(reply) {
            Effect::Retry => {
                faults += 1;
                if faults > retries {
                    return end(6, ids, requests);
                }
                continue;
            }
            Effect::Exit(code) => return end(code, ids, requests),
            Effect::Rows(rows, cursor) => (rows, cursor),
        };
        // The page arrived whole: the next one has its own retry budget.
        faults = 0;
        let mut last_row = before.clone();
        for id in rows {
            let in_order = sent.as_deref().is_none_or(|s| after(id, s))
                && last_row.as_deref().is_none_or(|b| after(id, b));
            if !in_order {
                return end(7, ids, requests);
            }
            last_row = Some(id.clone());
        }
        let Some(cursor) = cursor else {
            ids.extend(rows.iter().cloned());
            return end(0, ids, requests);
        };
        if sent.as_deref() == Some(cursor) || !seen.insert(cursor.to_string()) {
            return end(7, ids, requests);
        }
        empty_run = if rows.is_empty() { empty_run + 1 } else { 0 };
        if empty_run > max_empty {
            return end(7, ids, requests);
        }
        ids.extend(rows.iter().cloned());
        before = last_row;
        sent = Some(cursor.to_string());
    }
}

// ---- the wire --------------------------------------------------------------

fn page_json(page: &Page) -> Value {
    let rows: Vec<Value> = page.rows.iter().map(|id| row(id, "boom")).collect();
    let mut content = json!({"results": rows});
    if let Some(bulk) = page.bulk {
        content["bulkId"] = json!(bulk);
    }
    match &page.last {
        Last::Id(id) => content["lastId"] = json!(id),
        Last::Empty => content["lastId"] = json!(""),
        Last::Null => content["lastId"] = Value::Null,
        Last::Missing => {}
    }
    let ok = (200..300).contains(&page.status);
    if !ok && page.rows.is_empty() {
        content = Value::Null;
    }
    let message = if ok { "OK" } else { "it went wrong" };
    json!({"content": content, "result": {"status": page.status, "message": message}})
}

/// A page's body as the server writes it: keys in order, or with
/// `rows_first` `results` before `lastId` (the same bytes, moved).
fn page_text(page: &Page, rows_first: bool) -> String {
    let value = page_json(page);
    if !rows_first {
        return value.to_string();
    }
    let Value::Object(content) = &value["content"] else {
        return value.to_string();
    };
    let members: Vec<String> = ["bulkId", "results", "lastId"]
        .iter()
        .filter_map(|k| content.get(*k).map(|v| format!("{}:{v}", json!(k))))
        .collect();
    format!(
        r#"{{"content":{{{}}},"result":{}}}"#,
        members.join(","),
        value["result"]
    )
}

fn reply(served: &Served, rows_first: bool) -> Reply {
    match served {
        Served::Http(code @ (502 | 504)) => {
            Reply::new(*code, "<html><body>Bad gateway</body></html>")
                .header("Content-Type", "text/html")
        }
        Served::Http(code) => Reply::new(
            *code,
            json!({"result": {"status": code, "message": "it went wrong"}}).to_string(),
        ),
        Served::Page(page) => Reply::new(200, page_text(page, rows_first)),
        Served::NoErrors => Reply::page(
            &json!({"result": {"status": 200, "message": "No errors for the bulk process"}}),
        ),
        Served::Misshapen(shape) => Reply::new(
            200,
            match shape {
                Shape::NumericLastId => {
                    r#"{"content":{"bulkId":"B1","lastId":5,"results":[]},"result":{"status":200}}"#
                }
                Shape::ResultsObject => {
                    r#"{"content":{"bulkId":"B1","results":{"id":"r0001"}},"result":{"status":200}}"#
                }
                Shape::NotAnObject => r#"[{"id":"r0001"}]"#,
                Shape::Neither => r#"{"status":200}"#,
            },
        ),
        Served::CutShort(page, at) => {
            let body = page_text(page, rows_first);
            Reply::new(200, &body.as_bytes()[..*at])
        }
    }
}

// ---- the generator ---------------------------------------------------------

/// One reply, before ids are given out.
#[derive(Clone, Debug)]
enum Step {
    Http(u16),
    Page(PageStep),
    /// The page the state would give next, cut short at this fraction.
    CutShort(PageStep, Index),
}

#[derive(Clone, Debug)]
struct PageStep {
    rows: usize,
    /// Ids skipped before the first row.
    gap: u32,
    order: Order,
    cursor: Cursor,
    body: BodyKind,
}

#[derive(Clone, Copy, Debug)]
enum Order {
    Sorted,
    /// The first two rows swapped.
    Swapped,
    /// Starting again at the last row served.
    Overlap,
    /// Right after the last row served, which may not be after the cursor.
    Behind,
}

#[derive(Clone, Debug)]
enum Cursor {
    /// The last row's id (a new id on an empty page).
    AtLastRow,
    /// Some ids past everything so far.
    Ahead(u32),
    /// The cursor of the last page served.
    Repeat,
    /// An earlier page's cursor.
    Back(Index),
    Missing,
    Empty,
    Null,
}

#[derive(Clone, Debug)]
enum BodyKind {
    Valid { names_bulk: bool },
    OtherBulk,
    Status(u16),
    NoErrors,
    Misshapen(Shape),
}

/// What the generator has given out so far, so cursors and rows can
/// follow, repeat or undercut it.
#[derive(Clone, Default)]
struct Ids {
    top: u32,
    last_row: Option<u32>,
    cursors: Vec<String>,
}

/// UUID-shaped, so that a cursor after the rows is guessed; in text order.
fn id(n: u32) -> String {
    format!("018fd118-9400-7805-8ace-{n:012}")
}

impl Ids {
    fn page(&mut self, step: &PageStep) -> Page {
        let start = match step.order {
            Order::Sorted | Order::Swapped => self.top + 1 + step.gap,
            Order::Overlap => self.last_row.unwrap_or(self.top + 1),
            Order::Behind => self.last_row.map_or(self.top + 1, |r| r + 1),
        };
        let mut nums: Vec<u32> = (start..start + step.rows as u32).collect();
        if matches!(step.order, Order::Swapped) && nums.len() >= 2 {
            nums.swap(0, 1);
        }
        self.top = self.top.max(nums.iter().copied().max().unwrap_or(0));
        let fresh = |ids: &mut Ids, ahead: u32| {
            ids.top += ahead;
            Last::Id(id(ids.top))
        };
        let last = match &step.cursor {
            Cursor::AtLastRow => match nums.last() {
                Some(&n) => Last::Id(id(n)),
                None => fresh(self, 1),
            },
            Cursor::Ahead(k) => fresh(self, *k),
            Cursor::Repeat => match self.cursors.last() {
                Some(c) => Last::Id(c.clone()),
                None => fresh(self, 1),
            },
            Cursor::Back(at) if !self.cursors.is_empty() => Last::Id(at.get(&self.cursors).clone()),
            Cursor::Back(_) => fresh(self, 1),
            Cursor::Missing => Last::Missing,
            Cursor::Empty => Last::Empty,
            Cursor::Null => Last::Null,
        };
        if let Some(&n) = nums.last() {
            self.last_row = Some(n);
        }
        if let Last::Id(c) = &last {
            self.cursors.push(c.clone());
        }
        let (bulk, status) = match step.body {
            BodyKind::Valid { names_bulk } => (names_bulk.then_some(BULK), 200),
            BodyKind::OtherBulk => (Some("B2"), 200),
            BodyKind::Status(code) => (Some(BULK), code),
            BodyKind::NoErrors | BodyKind::Misshapen(_) => (Some(BULK), 200),
        };
        Page {
            rows: nums.into_iter().map(id).collect(),
            last,
            bulk,
            status,
        }
    }
}

/// Give out ids in script order. Only a valid page moves the ids on: a
/// reply that is a fault leaves them where the page after it starts.
fn script(steps: Vec<Step>) -> Vec<Served> {
    let mut ids = Ids::default();
    steps
        .into_iter()
        .map(|step| match step {
            Step::Http(code) => Served::Http(code),
            Step::CutShort(step, at) => {
                let page = ids.clone().page(&step);
                let len = page_json(&page).to_string().len();
                Served::CutShort(page, 1 + at.index(len - 1))
            }
            Step::Page(step) => match step.body {
                BodyKind::NoErrors => Served::NoErrors,
                BodyKind::Misshapen(shape) => Served::Misshapen(shape),
                BodyKind::Valid { .. } => Served::Page(ids.page(&step)),
                _ => Served::Page(ids.clone().page(&step)),
            },
        })
        .collect()
}

fn page_step() -> impl Strategy<Value = PageStep> {
    let rows = prop_oneof![1 => Just(0usize), 2 => 1..=3usize];
    let order = prop_oneof![
        40 => Just(Order::Sorted),
        1 => Just(Order::Swapped),
        1 => Just(Order::Overlap),
        1 => Just(Order::Behind),
    ];
    let cursor = prop_oneof![
        32 => Just(Cursor::AtLastRow),
        3 => (1..=3u32).prop_map(Cursor::Ahead),
        1 => Just(Cursor::Repeat),
        1 => any::<Index>().prop_map(Cursor::Back),
        1 => Just(Cursor::Missing),
        1 => Just(Cursor::Empty),
        1 => Just(Cursor::Null),
    ];
    let shape = prop_oneof![
        Just(Shape::NumericLastId),
        Just(Shape::ResultsObject),
        Just(Shape::NotAnObject),
        Just(Shape::Neither),
    ];
    let body = prop_oneof![
        60 => any::<bool>().prop_map(|names_bulk| BodyKind::Valid { names_bulk }),
        1 => Just(BodyKind::OtherBulk),
        3 => prop::sample::select(vec![500u16, 503, 429, 404, 418, 400, 401, 428])
            .prop_map(BodyKind::Status),
        1 => Just(BodyKind::NoErrors),
        2 => shape.prop_map(BodyKind::Misshapen),
    ];
    (rows, 0..=2u32, order, cursor, body).prop_map(|(rows, gap, order, cursor, body)| PageStep {
        rows,
        gap,
        order,
        cursor,
        body,
    })
}

fn step() -> impl Strategy<Value = Step> {
    let http = prop_oneof![
        4 => Just(503u16),
        3 => Just(500u16),
        1 => prop::sample::select(vec![502u16, 504, 408, 429]),
        2 => Just(404u16),
        1 => prop::sample::select(vec![400u16, 401, 403, 418, 428]),
    ];
    let valid = page_step().prop_map(|mut s| {
        if !matches!(
            s.body,
            BodyKind::Valid { .. } | BodyKind::OtherBulk | BodyKind::Status(_)
        ) {
            s.body = BodyKind::Valid { names_bulk: true };
        }
        s
    });
    prop_oneof![
        24 => page_step().prop_map(Step::Page),
        3 => http.prop_map(Step::Http),
        2 => (valid, any::<Index>()).prop_map(|(s, at)| Step::CutShort(s, at)),
    ]
}

/// A script: mostly ending with a whole last page (else its last reply,
/// repeated, decides how the run ends).
fn steps() -> impl Strategy<Value = Vec<Step>> {
    let last = (page_step(), 0..3usize).prop_map(|(mut last, end)| {
        last.order = Order::Sorted;
        last.body = BodyKind::Valid { names_bulk: true };
        last.cursor = [Cursor::Missing, Cursor::Empty, Cursor::Null][end].clone();
        Step::Page(last)
    });
    (
        prop::collection::vec(step(), 1..=12),
        prop::option::weighted(0.75, last),
    )
        .prop_map(|(mut steps, last)| {
            steps.extend(last);
            steps
        })
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_server_script_ends_as_the_rules_say(
        script in steps().prop_map(script),
        rows_first in any::<bool>(),
        retries in 0..=2u32,
        max_empty in 1..=3u32,
        panic_at in prop::option::weighted(0.2, 1..=8u32),
    ) {
        let want = model(&script, rows_first, retries, max_empty, panic_at);
        let server = Scripted::start(script.iter().map(|s| reply(s, rows_first)).collect());
        let mut cmd = results(&server.url, BULK);
        cmd.args(["-f", "jsonl", "--retries", &retries.to_string()])
            .args(["--max-empty-pages", &max_empty.to_string()])
            .hang_guard();
        if let Some(n) = panic_at {
            cmd.env("DRUID_BULK_PANIC_AT", format!("page-fetch@{n}"));
        }
        let run = cmd.run();
        let seen = || format!(
            "script: {script:#?}\nrows first: {rows_first}\npanic at attempt: {panic_at:?}\nexpected: {want:?}\n\n{}",
            run.describe()
        );
        let stdout = run.stdout();
        prop_assert!(run.code().is_some(), "killed: a hang?\n{}", seen());
        // Only the panics asked for, and each told as a bug, never as Rust's
        // own message.
        let reported = run.stderr().contains("internal error in druid-bulk");
        prop_assert!(
            run.code() != Some(101) && !run.stderr().contains("panicked at")
                && (panic_at.is_some() || !reported),
            "a panic\n{}", seen()
        );
        prop_assert!(
            run.code() != Some(0) || !reported,
            "exit 0 after a panic\n{}", seen()
        );
        prop_assert!(stdout.is_empty() || stdout.ends_with('\n'), "half a line\n{}", seen());
        let ids: Vec<String> = stdout
            .lines()
            .map(|line| match serde_json::from_str::<Value>(line) {
                Ok(row) => row["id"].as_str().unwrap_or("(no id)").to_string(),
                Err(e) => format!("(not JSON: {e})"),
            })
            .collect();
        let mut got = Outcome {
            code: run.code().unwrap_or(-1),
            ids,
            requests: server.requests().len(),
            maybe_one_less: want.maybe_one_less,
        };
        if want.maybe_one_less && got.requests + 1 == want.requests {
            got.requests += 1;
        }
        prop_assert_eq!(&got, &want, "\n{}", seen());
    }
}
