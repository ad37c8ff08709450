//! UUIDv7 arithmetic on `u128` for `--split`: a row id read as a number,
//! its millisecond, the synthetic cursor that starts a millisecond, and
//! where to put the boundaries between ranges. Pure: no I/O, no clock.
//!
//! A UUIDv7 (RFC 9562) is 48 bits of Unix milliseconds, the version (7),
//! 12 bits `rand_a`, the variant (`10`) and 62 bits `rand_b`. Ids compare
//! as their 128-bit numbers, which is the order the server sorts rows in.

/// The version and variant bits of every UUIDv7, with all random bits zero.
const V7_BITS: u128 = (0x7 << 76) | (0b10 << 62);
const VERSION_MASK: u128 = 0xf << 76;
const VARIANT_MASK: u128 = 0b11 << 62;

/// A UUIDv7 in its canonical text (`8-4-4-4-12` hex digits, either case)
/// as a number; `None` for anything else, including other UUID versions.
pub fn parse(text: &str) -> Option<u128> {
    let bytes = text.as_bytes();
    if bytes.len() != 36 {
        return None;
    }
    let mut value: u128 = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if b != b'-' {
                return None;
            }
            continue;
        }
        let digit = char::from(b).to_digit(16)?;
        value = (value << 4) | u128::from(digit);
    }
    (value & VERSION_MASK == 0x7 << 76 && value & VARIANT_MASK == 0b10 << 62).then_some(value)
}

/// The canonical lower-case text of an id.
pub fn format(id: u128) -> String {
    let hex = format!("{id:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The Unix millisecond an id was minted in.
pub fn millis(id: u128) -> u64 {
    // The top 48 bits: always fits.
    (id >> 80) as u64
}

/// The smallest UUIDv7 of millisecond `ms` (random bits zero): as a
/// cursor, "every row minted in `ms` or later", except a row whose random
/// bits are all zero, which is the cursor itself and so belongs before it.
pub fn cursor_at(ms: u64) -> u128 {
    (u128::from(ms & ((1 << 48) - 1)) << 80) | V7_BITS
}

/// Up to `count` boundaries, rising, at even milliseconds strictly after
/// `low`'s millisecond and before `high_ms`: the cursors that cut
/// (`low`, `high_ms`] into ranges. Fewer when the span has fewer
/// milliseconds than that (none when `high_ms` is not after `low`).
pub fn boundaries(low: u128, high_ms: u64, count: usize) -> Vec<u128> {
    let from = millis(low);
    let span = high_ms.saturating_sub(from);
    let parts = u64::try_from(count).unwrap_or(u64::MAX).saturating_add(1);
    let mut cuts: Vec<u128> = (1..parts)
        .map(|k| {
            from + u64::try_from(u128::from(span) * u128::from(k) / u128::from(parts))
                .unwrap_or(u64::MAX)
        })
        .filter(|&ms| ms > from)
        .map(cursor_at)
        .collect();
    cuts.dedup();
    cuts
}

/// The boundary that halves the unread span (`low`, `high`] by
/// milliseconds, for a finished range to take the upper half; `None` when
/// the span is too short to halve (less than two milliseconds).
pub fn midpoint(low: u128, high: u128) -> Option<u128> {
    let (from, to) = (millis(low), millis(high));
    let mid = from + to.saturating_sub(from) / 2;
    (mid > from && cursor_at(mid) < high).then(|| cursor_at(mid))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const ROW: &str = "018fc46a-8400-7000-8000-000000000000";

    #[test]
    fn a_uuidv7_reads_as_its_number_and_back() {
        let id = parse(ROW).unwrap();
        assert_eq!(format(id), ROW);
        assert_eq!(parse(&ROW.to_uppercase()), Some(id));
        assert_eq!(millis(id), 0x018f_c46a_8400);
    }

    #[test]
    fn other_versions_and_shapes_are_not_ids() {
        // Version 4, the variant 11, no hyphens, a hyphen misplaced.
        assert_eq!(parse("018fc46a-8400-4000-8000-000000000000"), None);
        assert_eq!(parse("018fc46a-8400-7000-c000-000000000000"), None);
        assert_eq!(parse("018fc46a84007000800000000000000000"), None);
        assert_eq!(parse("018fc46a8-400-7000-8000-000000000000"), None);
        assert_eq!(parse("018fc46a-8400-7000-8000-00000000000g"), None);
    }

    #[test]
    fn the_cursor_of_a_millisecond_is_its_smallest_uuidv7() {
        let ms = 0x018f_c46a_8400;
        let cursor = cursor_at(ms);
        assert_eq!(format(cursor), ROW);
        assert_eq!(parse(&format(cursor)), Some(cursor));
        assert!(cursor > parse("018fc46a-83ff-7fff-bfff-ffffffffffff").unwrap());
    }

    #[test]
    fn boundaries_cut_the_span_evenly_and_no_closer_than_a_millisecond() {
        let low = cursor_at(1_000) + 5;
        let cuts: Vec<u64> = boundaries(low, 1_800, 3).into_iter().map(millis).collect();
        assert_eq!(cuts, [1_200, 1_400, 1_600]);
        let few: Vec<u64> = boundaries(low, 1_002, 7).into_iter().map(millis).collect();
        assert_eq!(few, [1_001]);
        assert!(boundaries(low, 1_000, 7).is_empty());
        assert!(boundaries(low, 900, 7).is_empty());
    }

    #[test]
    fn a_midpoint_needs_two_milliseconds() {
        let low = cursor_at(100) + 1;
        assert_eq!(midpoint(low, cursor_at(110)).map(millis), Some(105));
        assert_eq!(midpoint(low, cursor_at(101)), None);
        assert_eq!(midpoint(cursor_at(110), low), None);
    }

    proptest! {
        #[test]
        fn text_round_trips_for_every_uuidv7(ms in 0u64..(1 << 48), a in 0u128..(1 << 12), b in 0u128..(1 << 62)) {
            let id = cursor_at(ms) | (a << 64) | b;
            prop_assert_eq!(parse(&format(id)), Some(id));
            prop_assert_eq!(millis(id), ms);
        }

        #[test]
        fn boundaries_rise_inside_the_span(low_ms in 0u64..(1 << 40), span in 0u64..1_000_000, count in 1usize..40, bits in 0u128..(1 << 62)) {
            let low = cursor_at(low_ms) | bits;
            let cuts = boundaries(low, low_ms + span, count);
            prop_assert!(cuts.len() <= count);
            prop_assert!((cuts.len() as u64) < span.max(1));
            prop_assert!(cuts.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(cuts.iter().all(|&c| c > low && millis(c) < low_ms + span));
            if span > count as u64 {
                prop_assert_eq!(cuts.len(), count);
            }
        }
    }
}
