//! Finding the end of a run of plain JSON string text, eight bytes at a
//! time: shared by the page check (`paginate`) and the CSV writer
//! (`output`), which both walk every string of every row. A leaf: std only.

/// Where, from `i` on, the first `"`, `\\` or control character is (the
/// end of `b` when there is none): eight bytes at a time.
pub fn plain_end(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::MAX / 255;
    let has_byte = |x: u64, c: u8| {
        let y = x ^ (ONES * u64::from(c));
        y.wrapping_sub(ONES) & !y
    };
    while let Some(chunk) = b.get(i..i + 8) {
        let x = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        let below_space = x.wrapping_sub(ONES * 0x20) & !x;
        let found = (below_space | has_byte(x, b'"') | has_byte(x, b'\\')) & (ONES << 7);
        if found != 0 {
            // The lowest flagged byte is exact (only bytes after a match can
            // be flagged wrongly).
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while b
        .get(i)
        .is_some_and(|&c| c >= 0x20 && c != b'"' && c != b'\\')
    {
        i += 1;
    }
    i.min(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_end_at_the_first_quote_backslash_or_control_character() {
        for (text, want) in [
            ("abcdefghijklmnop\"", 16),
            ("abcdefg\\", 7),
            ("abcdefghij\n", 10),
            ("é\u{7f}ÿ€😀\"", 12),
            ("abc", 3),
            ("", 0),
        ] {
            assert_eq!(plain_end(text.as_bytes(), 0), want, "{text:?}");
        }
    }
}
