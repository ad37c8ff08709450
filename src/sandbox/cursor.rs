//! Where a page starts for a `last` cursor: compared with the row ids on all
//! 128 bits (a binary search over the generated ids), and, for a synthetic
//! cursor (one that is not the id of any row of the bulk), answered the way
//! the configured [`CursorMode`] says, correctly or in one of the wrong ways
//! a server might, so that clients that start from cursors the server never
//! issued can be tested.

use super::data::{parse_uuid, Row};

/// The rows of one bulk, by index, their ids (UUIDv7) increasing with the
/// index, so a cursor turns back into an index by binary search.
pub(crate) trait RowSource {
    /// Number of rows.
    fn len(&self) -> u64;
    /// Whether row `index` carries an `error`; cheap, used for filtering.
    fn is_failed(&self, index: u64) -> bool;
    /// The whole row at `index`.
    fn row(&self, index: u64) -> Row;
    /// The 128 bits of row `index`'s id.
    fn id_value(&self, index: u64) -> u128 {
        parse_uuid(&self.row(index).id).unwrap_or_default()
    }
}

/// How the sandbox answers a synthetic `last` cursor. A cursor that is a
/// row id is answered exactly in every mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CursorMode {
    /// The rows whose id is greater than the cursor.
    #[default]
    Exact,
    /// A 400 error: the cursor names no row.
    Refuse,
    /// The cursor is ignored: the first page again.
    Restart,
    /// From the (matching) row at or just before the cursor, that row
    /// included: one row too many at the seam.
    Inclusive,
    /// The cursor rounded up to the next (matching) row, then exclusive:
    /// one row too few.
    Round,
}

/// A synthetic cursor that [`CursorMode::Refuse`] turns down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Refused;

/// The first index to scan from for `cursor` (None: from the start), or
/// [`Refused`]. With `failed_only`, `inclusive` and `round` step to the
/// nearest failed row, the rows a page shows.
pub(crate) fn start_index(
    source: &impl RowSource,
    cursor: Option<u128>,
    mode: CursorMode,
    failed_only: bool,
) -> Result<u64, Refused> {
    let Some(cursor) = cursor else {
        return Ok(0);
    };
    // Rows `0..after` have ids <= cursor.
    let after = partition(source.len(), |i| source.id_value(i) <= cursor);
    let on_a_row = after > 0 && source.id_value(after - 1) == cursor;
    if on_a_row {
        return Ok(after);
    }
    let shown = |i: u64| !failed_only || source.is_failed(i);
    Ok(match mode {
        CursorMode::Exact => after,
        CursorMode::Refuse => return Err(Refused),
        CursorMode::Restart => 0,
        CursorMode::Inclusive => (0..after).rev().find(|&i| shown(i)).unwrap_or(after),
        CursorMode::Round => (after..source.len())
            .find(|&i| shown(i))
            .map_or(source.len(), |i| i + 1),
    })
}

/// The first index in `0..len` for which `below` is false (`below` true on
/// a prefix): O(log len) calls.
fn partition(len: u64, below: impl Fn(u64) -> bool) -> u64 {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
