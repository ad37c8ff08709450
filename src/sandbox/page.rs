//! Query-string validation (`last`, `limit`, `failedOnly`) and the computation of
//! one page of results with look-ahead for `lastId`. The HTTP handler and the
//! tests both go through [`parse_query`] and [`compute_page`]; where a page
//! starts for a cursor is in `cursor`.

use super::cursor::{start_index, CursorMode, RowSource};
use super::data::{parse_uuid, Row, RowGen};
use super::ids::Stamps;
use super::SandboxConfig;

/// Page size when `limit` is absent.
pub(crate) const DEFAULT_LIMIT: u64 = 100;
/// Larger `limit` values are clamped to this.
pub(crate) const MAX_LIMIT: u64 = 1000;

/// Validated query parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Params {
    /// The cursor: return rows strictly after this UUID.
    pub last: Option<u128>,
    /// Page size, 1..=MAX_LIMIT.
    pub limit: u64,
    pub failed_only: bool,
}

/// Which parameter was invalid (each maps to a 400 body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ParamError {
    Limit,
    Last,
    FailedOnly,
    /// A synthetic cursor, refused by [`CursorMode::Refuse`].
    UnknownLast,
}

impl ParamError {
    /// The `details` text of the 400 error body.
    pub(crate) fn details(self) -> &'static str {
        match self {
            ParamError::Limit => "limit must be a positive integer",
            ParamError::Last => "last must be a valid UUID",
            ParamError::FailedOnly => "failedOnly must be true or false",
            ParamError::UnknownLast => "last must be the id of a result of this bulk",
        }
    }
}

/// Parses the raw (still percent-encoded) query string. Unknown parameters are
/// ignored; for a repeated parameter the first occurrence wins. An empty
/// `last=` is treated like an absent one.
pub(crate) fn parse_query(raw: Option<&str>) -> Result<Params, ParamError> {
    let mut last: Option<String> = None;
    let mut limit: Option<String> = None;
    let mut failed_only: Option<String> = None;
    for (k, v) in url::form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        let slot = match k.as_ref() {
            "last" => &mut last,
            "limit" => &mut limit,
            "failedOnly" => &mut failed_only,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(v.into_owned());
        }
    }
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(s) => parse_limit(&s).ok_or(ParamError::Limit)?,
    };
    let last = match last.as_deref() {
        None | Some("") => None,
        Some(s) => Some(parse_uuid(s).ok_or(ParamError::Last)?),
    };
    let failed_only = match failed_only.as_deref() {
        None => false,
        Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(ParamError::FailedOnly),
    };
    Ok(Params {
        last,
        limit,
        failed_only,
    })
}

/// A positive decimal integer, clamped to `MAX_LIMIT` (even if it overflows u64).
fn parse_limit(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if s.bytes().all(|c| c == b'0') {
        return None;
    }
    Some(s.parse::<u64>().unwrap_or(u64::MAX).min(MAX_LIMIT))
}

/// One page of results.
#[derive(Clone, Debug)]
pub(crate) struct Page {
    pub rows: Vec<Row>,
    /// Id of the last row on the page, present only when more matching rows follow.
    pub last_id: Option<String>,
    /// The bulk has no matching row at all (answers "No errors for the bulk process").
    pub no_matches: bool,
}

/// A configured bulk: its rows generated from the seed, their ids laid out
/// in its window.
pub(crate) struct Generated {
    gen: RowGen,
    rows: u64,
}

impl Generated {
    /// The `index`-th bulk of `cfg`.
    pub(crate) fn new(cfg: &SandboxConfig, index: usize) -> Self {
        let bulk = &cfg.bulks[index];
        let stamps = Stamps::configured(cfg.id_layout, index, bulk.rows);
        Generated {
            gen: RowGen::new(cfg.seed, &bulk.id).with_stamps(stamps),
            rows: bulk.rows,
        }
    }
}

impl RowSource for Generated {
    fn len(&self) -> u64 {
        self.rows
    }

    fn is_failed(&self, index: u64) -> bool {
        self.gen.is_failed(index)
    }

    fn row(&self, index: u64) -> Row {
        self.gen.row(index)
    }

    fn id_value(&self, index: u64) -> u128 {
        self.gen.id_bits(index)
    }
}

fn matches(source: &impl RowSource, index: u64, failed_only: bool) -> bool {
    !failed_only || source.is_failed(index)
}

/// First matching index at or after `from`.
fn next_match(source: &impl RowSource, from: u64, failed_only: bool) -> Option<u64> {
    (from..source.len()).find(|&i| matches(source, i, failed_only))
}

/// Computes the page that the endpoint returns for the `index`-th bulk of
/// `cfg` and `params`, a synthetic cursor answered as `cfg.cursor_mode` says.
pub(crate) fn compute_page(
    cfg: &SandboxConfig,
    index: usize,
    params: &Params,
) -> Result<Page, ParamError> {
    page_of(&Generated::new(cfg, index), params, cfg.cursor_mode)
}

/// The page of `source` that `params` ask for, a synthetic cursor answered
/// as `mode` says. Work is proportional to the rows scanned (and the log of
/// the bulk size), never to the bulk size.
pub(crate) fn page_of(
    source: &impl RowSource,
    params: &Params,
    mode: CursorMode,
) -> Result<Page, ParamError> {
    let start = start_index(source, params.last, mode, params.failed_only)
        .map_err(|_| ParamError::UnknownLast)?;
    let cap = usize::try_from(params.limit.min(MAX_LIMIT)).unwrap_or(1);
    let mut rows = Vec::with_capacity(cap.min(64));
    let mut i = start;
    while rows.len() < cap {
        match next_match(source, i, params.failed_only) {
            Some(found) => {
                rows.push(source.row(found));
                i = found + 1;
            }
            None => {
                i = source.len();
                break;
            }
        }
    }
    let more = !rows.is_empty() && next_match(source, i, params.failed_only).is_some();
    let last_id = if more {
        rows.last().map(|r| r.id.clone())
    } else {
        None
    };
    let no_matches =
        rows.is_empty() && (start == 0 || next_match(source, 0, params.failed_only).is_none());
    Ok(Page {
        rows,
        last_id,
        no_matches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_parsing() {
        let p = |q: &str| parse_query(Some(q));
        assert_eq!(p("").unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(parse_query(None).unwrap().limit, DEFAULT_LIMIT);
        assert_eq!(p("limit=7").unwrap().limit, 7);
        assert_eq!(p("limit=1000").unwrap().limit, 1000);
        assert_eq!(p("limit=1001").unwrap().limit, 1000);
        assert_eq!(p("limit=99999999999999999999999").unwrap().limit, 1000);
        for bad in [
            "limit=abc",
            "limit=0",
            "limit=",
            "limit=-1",
            "limit=1.5",
            "limit=+3",
        ] {
            assert_eq!(p(bad), Err(ParamError::Limit), "{bad}");
        }
    }

    #[test]
    fn last_and_failed_only_parsing() {
        let p = |q: &str| parse_query(Some(q));
        let id = "018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73";
        assert_eq!(p(&format!("last={id}")).unwrap().last, parse_uuid(id));
        assert_eq!(p("last=").unwrap().last, None);
        assert_eq!(p("last=nope"), Err(ParamError::Last));
        assert_eq!(
            p("last=018fcf0a3b2c7d419e5a6c8b1f2d4e73"),
            Err(ParamError::Last)
        );
        assert!(p("failedOnly=true").unwrap().failed_only);
        assert!(!p("failedOnly=false").unwrap().failed_only);
        assert!(!p("other=1&x").unwrap().failed_only);
        for bad in [
            "failedOnly=1",
            "failedOnly=TRUE",
            "failedOnly=",
            "failedOnly=yes",
        ] {
            assert_eq!(p(bad), Err(ParamError::FailedOnly), "{bad}");
        }
        assert_eq!(p("limit=5&limit=abc").unwrap().limit, 5);
    }
}
