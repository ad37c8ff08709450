//! The seam check of `--split`: whether a range started
//! from a synthetic cursor may be written after the chain before it. Pure:
//! it sees only rows (ids and raw bytes), so every way a server can misread
//! a synthetic cursor is tested here without one.
//!
//! Range *i* owns the rows after boundary bᵢ. The chain before it (range
//! *i−1*, or whatever continued it) reads on past bᵢ by at least one row,
//! or to the end of the bulk. Range *i* is accepted only when its first
//! rows are exactly the rows that chain read past bᵢ (ids and bytes), so a
//! server that ignores the cursor, reads it as inclusive, or rounds it to
//! a row, never gets a row written twice, or one skipped.

/// One row as the seam sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row<'a> {
    pub id: u128,
    /// The row's JSON text as the server sent it.
    pub raw: &'a [u8],
}

/// What the chain before a boundary read past it.
#[derive(Debug, Clone, Copy)]
pub struct Before<'a> {
    /// Its rows after the boundary, in order (none when it reached the end
    /// first).
    pub past: &'a [Row<'a>],
    /// Whether it reached the end of the bulk (no `lastId` in answer to a
    /// cursor the server issued).
    pub ended: bool,
}

/// Why a range is not accepted: the server does not read a synthetic
/// cursor as "the rows after it", or the rows changed under the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// A row of the range is not after the boundary (the cursor was
    /// ignored, or read as inclusive).
    NotAfter,
    /// The range's rows do not rise.
    NotRising,
    /// The range does not start with the rows the chain before read past
    /// the boundary (a row skipped, or changed).
    Overlap,
    /// The chain before reached the end of the bulk, yet the range has
    /// rows after it.
    PastTheEnd,
    /// The chain before neither read past the boundary nor reached the end:
    /// nothing to check the range against (a caller's mistake).
    NotReached,
}

/// Check range rows `range` (all it read, in order) that start after
/// `boundary` against what the chain before read past it. `Ok(n)`: the
/// range is accepted and its first `n` rows are already written by the
/// chain before (skip them).
pub fn check(boundary: u128, before: Before<'_>, range: &[Row<'_>]) -> Result<usize, Mismatch> {
    if range.iter().any(|row| row.id <= boundary) {
        return Err(Mismatch::NotAfter);
    }
    if range.windows(2).any(|w| w[0].id >= w[1].id) {
        return Err(Mismatch::NotRising);
    }
    let overlap = before.past.len();
    if overlap == 0 && !before.ended {
        return Err(Mismatch::NotReached);
    }
    if range.len() < overlap || range[..overlap] != *before.past {
        return Err(Mismatch::Overlap);
    }
    if before.ended && range.len() > overlap {
        return Err(Mismatch::PastTheEnd);
    }
    Ok(overlap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// How a server answers `last` = a cursor that is no row's id: the
    /// sandbox's `--cursor-mode` values, on a sorted set of ids.
    #[derive(Debug, Clone, Copy)]
    enum Mode {
        Exact,
        Refuse,
        Restart,
        Inclusive,
        Round,
    }

    fn answer(ids: &[u128], cursor: u128, mode: Mode) -> Vec<u128> {
        let after = ids.partition_point(|&id| id <= cursor);
        match mode {
            Mode::Exact => ids[after..].to_vec(),
            // A refusal gives the range no rows at all.
            Mode::Refuse => Vec::new(),
            Mode::Restart => ids.to_vec(),
            Mode::Inclusive => ids[after.saturating_sub(1)..].to_vec(),
            Mode::Round => ids[(after + 1).min(ids.len())..].to_vec(),
        }
    }

    fn text(id: u128) -> Vec<u8> {
        format!(r#"{{"id":"{id:032x}"}}"#).into_bytes()
    }

    fn rows<'a>(ids: &[u128], texts: &'a [Vec<u8>]) -> Vec<Row<'a>> {
        ids.iter()
            .zip(texts)
            .map(|(&id, raw)| Row { id, raw })
            .collect()
    }

    fn mode() -> impl Strategy<Value = Mode> {
        prop_oneof![
            Just(Mode::Exact),
            Just(Mode::Refuse),
            Just(Mode::Restart),
            Just(Mode::Inclusive),
            Just(Mode::Round),
        ]
    }

    proptest! {
        /// Over any ids, any synthetic boundary, any of the five readings
        /// of a cursor and any place the two chains stop: the check accepts
        /// exactly when the range's rows are the true rows after the
        /// boundary and cover what the chain before read past it.
        #[test]
        fn accepts_only_the_true_rows_after_the_boundary(
            set in proptest::collection::btree_set(0u128..400, 0..40),
            boundary in 0u128..400,
            mode in mode(),
            read_before in 1usize..50,
            read_range in 0usize..50,
            chain_may_end in any::<bool>(),
        ) {
            let ids: Vec<u128> = set.into_iter().filter(|&id| id != boundary).collect();
            let truth = answer(&ids, boundary, Mode::Exact);
            let m = read_before.min(truth.len());
            let ended = truth.is_empty() || (m == truth.len() && chain_may_end);
            let got = answer(&ids, boundary, mode);
            let r = read_range.min(got.len());
            let got = &got[..r];

            let texts: Vec<Vec<u8>> = ids.iter().map(|&id| text(id)).collect();
            let all = rows(&ids, &texts);
            let past: Vec<Row> = all.iter().copied().filter(|row| row.id > boundary).take(m).collect();
            let got_texts: Vec<Vec<u8>> = got.iter().map(|&id| text(id)).collect();
            let range = rows(got, &got_texts);

            let verdict = check(boundary, Before { past: &past, ended }, &range);
            let true_rows = got == &truth[..r.min(truth.len())] && r <= truth.len();
            let expected = true_rows && r >= m && !(ended && r > m);
            prop_assert_eq!(verdict.is_ok(), expected, "verdict {:?}", verdict);
            if let Ok(skip) = verdict {
                prop_assert_eq!(skip, m);
            }
            if matches!(mode, Mode::Exact) && r >= m {
                prop_assert!(verdict.is_ok(), "an exact server is refused: {:?}", verdict);
            }
        }

        /// A row of the overlap whose bytes differ (the row changed between
        /// the two reads) refuses the range, though every id matches.
        #[test]
        fn a_row_changed_in_the_overlap_is_refused(
            set in proptest::collection::btree_set(1u128..400, 1..40),
            which in any::<proptest::sample::Index>(),
        ) {
            let ids: Vec<u128> = set.into_iter().collect();
            let texts: Vec<Vec<u8>> = ids.iter().map(|&id| text(id)).collect();
            let past = rows(&ids, &texts);
            let mut changed = texts.clone();
            let at = which.index(ids.len());
            changed[at].push(b' ');
            let range = rows(&ids, &changed);
            let before = Before { past: &past, ended: false };
            prop_assert_eq!(check(0, before, &range), Err(Mismatch::Overlap));
            prop_assert_eq!(check(0, before, &past), Ok(ids.len()));
        }
    }

    #[test]
    fn each_wrong_reading_is_named() {
        let ids = [10u128, 20, 30, 40];
        let texts: Vec<Vec<u8>> = ids.iter().map(|&id| text(id)).collect();
        let all = rows(&ids, &texts);
        let before = Before {
            past: &all[2..3],
            ended: false,
        };
        // Boundary 25: the true rows after it are 30, 40.
        assert_eq!(check(25, before, &all[2..]), Ok(1));
        assert_eq!(check(25, before, &all), Err(Mismatch::NotAfter));
        assert_eq!(check(25, before, &all[1..]), Err(Mismatch::NotAfter));
        assert_eq!(check(25, before, &all[3..]), Err(Mismatch::Overlap));
        let reversed = [all[3], all[2]];
        assert_eq!(check(25, before, &reversed), Err(Mismatch::NotRising));
        let at_end = Before {
            past: &[],
            ended: true,
        };
        assert_eq!(check(45, at_end, &[]), Ok(0));
        assert_eq!(
            check(
                25,
                Before {
                    past: &all[2..],
                    ended: true
                },
                &all[2..]
            ),
            Ok(2)
        );
        let short = Before {
            past: &all[2..3],
            ended: true,
        };
        assert_eq!(check(25, short, &all[2..]), Err(Mismatch::PastTheEnd));
        let nowhere = Before {
            past: &[],
            ended: false,
        };
        assert_eq!(check(25, nowhere, &[]), Err(Mismatch::NotReached));
    }
}
