//! Cursors compared on all 128 bits, and each cursor mode's answer to a
//! synthetic cursor (between two rows, below and above every row) and to a
//! row's own id, with and without `failedOnly`.

use super::cursor::CursorMode;
use super::cursor::RowSource;
use super::data::{format_uuid, parse_uuid, uuid_timestamp};
use super::ids::IdLayout;
use super::page::{compute_page, parse_query, Generated, Page, ParamError};
use super::*;

const MODES: [CursorMode; 5] = [
    CursorMode::Exact,
    CursorMode::Refuse,
    CursorMode::Restart,
    CursorMode::Inclusive,
    CursorMode::Round,
];

/// A skewed bulk of 2,000 rows (several to a millisecond) answering in `mode`.
fn cfg(mode: CursorMode) -> SandboxConfig {
    SandboxConfig::new(2_000)
        .with_id_layout(IdLayout::Skewed)
        .with_cursor_mode(mode)
}

fn bulk(cfg: &SandboxConfig) -> Generated {
    Generated::new(cfg, 0)
}

/// The page for `last=cursor` (and `failedOnly`), 5 rows a page.
fn page(cfg: &SandboxConfig, cursor: u128, failed_only: bool) -> Result<Page, ParamError> {
    let query = format!(
        "limit=5&failedOnly={failed_only}&last={}",
        format_uuid(cursor)
    );
    compute_page(cfg, 0, &parse_query(Some(&query)).unwrap())
}

/// The index of the first row of the page (the bulk's length when empty).
fn first(cfg: &SandboxConfig, cursor: u128, failed_only: bool) -> Result<u64, ParamError> {
    let source = bulk(cfg);
    let page = page(cfg, cursor, failed_only)?;
    Ok(match page.rows.first() {
        None => source.len(),
        Some(row) => {
            let id = parse_uuid(&row.id).unwrap();
            (0..source.len())
                .find(|&i| source.id_value(i) == id)
                .unwrap()
        }
    })
}

#[test]
fn a_cursor_inside_a_shared_millisecond_skips_no_row() {
    let cfg = cfg(CursorMode::Exact);
    let source = bulk(&cfg);
    let ms = |i: u64| uuid_timestamp(source.id_value(i));
    let i = (1..source.len())
        .find(|&i| ms(i) == ms(i - 1) && ms(i) == ms(i + 1))
        .unwrap();
    let (before, this) = (source.id_value(i - 1), source.id_value(i));
    // Between the two rows, just after the one before, just before this one.
    for cursor in [before + 1, this - 1, (before + this) / 2] {
        assert_eq!(first(&cfg, cursor, false), Ok(i), "{}", format_uuid(cursor));
    }
    // The millisecond's start: its first row comes first.
    let start = u128::from(ms(i)) << 80;
    let opens = (0..source.len()).find(|&j| ms(j) == ms(i)).unwrap();
    assert!(opens < i);
    assert_eq!(first(&cfg, start, false), Ok(opens));
    // A row's id: the row after it.
    assert_eq!(first(&cfg, this, false), Ok(i + 1));
}

#[test]
fn each_mode_answers_a_cursor_between_two_rows() {
    for mode in MODES {
        let cfg = cfg(mode);
        let source = bulk(&cfg);
        let j = 700;
        let between = source.id_value(j) + 1;
        assert!(between < source.id_value(j + 1));
        let want = match mode {
            CursorMode::Exact => Ok(j + 1),
            CursorMode::Refuse => Err(ParamError::UnknownLast),
            CursorMode::Restart => Ok(0),
            CursorMode::Inclusive => Ok(j),
            CursorMode::Round => Ok(j + 2),
        };
        assert_eq!(first(&cfg, between, false), want, "{mode:?}");
    }
}

#[test]
fn a_rows_own_id_is_answered_exactly_in_every_mode() {
    for mode in MODES {
        let cfg = cfg(mode);
        let source = bulk(&cfg);
        for j in [0, 1, 700, 1_998] {
            assert_eq!(
                first(&cfg, source.id_value(j), false),
                Ok(j + 1),
                "{mode:?} {j}"
            );
        }
        let last = page(&cfg, source.id_value(1_999), false).unwrap();
        assert!(last.rows.is_empty() && last.last_id.is_none(), "{mode:?}");
    }
}

#[test]
fn each_mode_answers_a_cursor_below_and_above_every_row() {
    for mode in MODES {
        let cfg = cfg(mode);
        let len = bulk(&cfg).len();
        let (below, above) = match mode {
            CursorMode::Exact => (Ok(0), Ok(len)),
            CursorMode::Refuse => (Err(ParamError::UnknownLast), Err(ParamError::UnknownLast)),
            CursorMode::Restart => (Ok(0), Ok(0)),
            CursorMode::Inclusive => (Ok(0), Ok(len - 1)),
            CursorMode::Round => (Ok(1), Ok(len)),
        };
        for cursor in [0, parse_uuid(DEFAULT_BULK_ID).unwrap()] {
            assert_eq!(first(&cfg, cursor, false), below, "{mode:?} below");
        }
        assert_eq!(first(&cfg, u128::MAX, false), above, "{mode:?} above");
        if mode == CursorMode::Exact {
            let empty = page(&cfg, u128::MAX, false).unwrap();
            assert!(empty.last_id.is_none() && !empty.no_matches);
        }
    }
}

#[test]
fn with_failed_only_inclusive_and_round_step_to_failed_rows() {
    let probe = cfg(CursorMode::Exact);
    let source = bulk(&probe);
    // A succeeded row between two failed ones, a succeeded one after it.
    let a = (1..source.len() - 2)
        .find(|&a| source.is_failed(a - 1) && !source.is_failed(a) && !source.is_failed(a + 1))
        .unwrap();
    let next_failed = (a + 1..source.len())
        .find(|&i| source.is_failed(i))
        .unwrap();
    let after_next = (next_failed + 1..source.len())
        .find(|&i| source.is_failed(i))
        .unwrap();
    let between = source.id_value(a) + 1;
    for (mode, want) in [
        (CursorMode::Exact, Ok(next_failed)),
        (CursorMode::Refuse, Err(ParamError::UnknownLast)),
        (
            CursorMode::Restart,
            Ok((0..).find(|&i| source.is_failed(i)).unwrap()),
        ),
        (CursorMode::Inclusive, Ok(a - 1)),
        (CursorMode::Round, Ok(after_next)),
    ] {
        let cfg = cfg(mode);
        assert_eq!(first(&cfg, between, true), want, "{mode:?}");
        // The id of a succeeded row is a row's id: exact in every mode.
        assert_eq!(
            first(&cfg, source.id_value(a), true),
            Ok(next_failed),
            "{mode:?}"
        );
    }
}

#[test]
fn every_mode_and_layout_pages_sequentially_like_the_default() {
    for layout in [IdLayout::Uniform, IdLayout::Bursty, IdLayout::Skewed] {
        for mode in MODES {
            let cfg = SandboxConfig::new(333)
                .with_id_layout(layout)
                .with_cursor_mode(mode);
            for failed_only in [false, true] {
                let mut got = Vec::new();
                let mut last: Option<String> = None;
                // A cursor that went back would page for ever: bound it.
                for _ in 0..=333 / 7 + 1 {
                    let mut query = format!("limit=7&failedOnly={failed_only}");
                    if let Some(l) = &last {
                        query.push_str(&format!("&last={l}"));
                    }
                    let page = compute_page(&cfg, 0, &parse_query(Some(&query)).unwrap()).unwrap();
                    got.extend(page.rows.iter().map(|r| serde_json::to_value(r).unwrap()));
                    last = page.last_id;
                    if last.is_none() {
                        break;
                    }
                }
                let want = expected_rows(&cfg, DEFAULT_BULK_ID, failed_only);
                assert!(got == want, "{layout:?} {mode:?} failedOnly={failed_only}");
            }
        }
    }
}
