//! JSON text helpers shared by the page check (`paginate`, `api::wire`) and
//! the writers (`output`): the end of a run of plain string text, eight
//! bytes at a time, where each row of a page lies, an eighth of a bit per
//! byte of the page, and a row's start for a message. A leaf: std only.
//! They work on bytes: a body is known to be UTF-8 only once the page
//! check has read it, string by string (`scan.rs`).

use std::ops::Range;

/// Where values (the rows of a page) lie in one text, as one bit per byte:
/// set at each value's first byte and just past its last. Memory is an
/// eighth of the bytes the values span, however many there are (a page
/// of 20,000,000 `{}` rows takes 7.5 MB here, not the 320 MB of a range a
/// row), and walking them costs a few instructions a value.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Spans {
    /// Where bit 0 is: the address of the first value while values are
    /// pushed, its offset in the text after [`Spans::in_text`].
    origin: usize,
    words: Vec<u64>,
    count: usize,
}

impl Spans {
    /// Add the next value, a slice of the text after the last one (and not
    /// touching it: values of a JSON array are apart by at least a comma).
    pub fn push(&mut self, value: &[u8]) {
        let start = value.as_ptr() as usize;
        if self.count == 0 {
            self.origin = start;
        }
        let from = start - self.origin;
        self.set(from);
        self.set(from + value.len());
        self.count += 1;
    }

    fn set(&mut self, bit: usize) {
        let word = bit / 64;
        if word >= self.words.len() {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << (bit % 64);
    }

    /// The same spans, placed in `text` (which holds every value pushed).
    pub fn in_text(mut self, text: &[u8]) -> Spans {
        if self.count > 0 {
            self.origin -= text.as_ptr() as usize;
        }
        self
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Each value's byte range, in order (offsets in the text after
    /// [`Spans::in_text`]).
    pub fn ranges(&self) -> impl Iterator<Item = Range<usize>> + '_ {
        let origin = self.origin;
        let mut bits = self.words.iter().enumerate().flat_map(move |(i, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    origin + i * 64 + bit
                })
            })
        });
        std::iter::from_fn(move || Some(bits.next()?..bits.next()?))
    }
}

/// The first 60 characters of a row, for a message: redacted before it is
/// cut, so no part of a secret is left where the cut falls.
pub fn preview(text: &str) -> String {
    let text = crate::sanitize::redact(text);
    let mut p: String = text.chars().take(60).collect();
    if p.len() < text.len() {
        p.push('…');
    }
    p
}

const ONES: u64 = u64::MAX / 255;

/// The high bit of each byte of the word `x` that is `c`: exact up to the
/// first one (only bytes after a match can be flagged wrongly).
fn has_byte(x: u64, c: u8) -> u64 {
    let y = x ^ (ONES * u64::from(c));
    y.wrapping_sub(ONES) & !y & (ONES << 7)
}

/// The same for each byte below 0x20 (a control character).
fn below_space(x: u64) -> u64 {
    x.wrapping_sub(ONES * 0x20) & !x & (ONES << 7)
}

/// Where, from `i` on, the first byte is that `flags` marks in its word of
/// eight bytes, or `stop` takes in the last few bytes (the end of `b` when
/// there is none).
#[inline(always)]
fn find(b: &[u8], mut i: usize, flags: impl Fn(u64) -> u64, stop: impl Fn(u8) -> bool) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let found = flags(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        if found != 0 {
            return i + found.trailing_zeros() as usize / 8;
        }
        i += 8;
    }
    while b.get(i).is_some_and(|&c| !stop(c)) {
        i += 1;
    }
    i.min(b.len())
}

/// Where, from `i` on, the first `"`, `\\` or `also` is, in the text of a
/// string known to be valid JSON (so without control characters).
pub fn text_end(b: &[u8], i: usize, also: u8) -> usize {
    find(
        b,
        i,
        |x| has_byte(x, b'"') | has_byte(x, b'\\') | has_byte(x, also),
        |c| c == b'"' || c == b'\\' || c == also,
    )
}

/// Where, from `i` on, the first `"`, `\\` or control character is.
pub fn plain_end(b: &[u8], i: usize) -> usize {
    find(
        b,
        i,
        |x| below_space(x) | has_byte(x, b'"') | has_byte(x, b'\\'),
        |c| c < 0x20 || c == b'"' || c == b'\\',
    )
}

/// Where, from `i` on, the first `"`, `\\`, control character or byte that
/// is not ASCII is: the end of a run of string text known to be UTF-8.
pub fn ascii_end(b: &[u8], i: usize) -> usize {
    find(
        b,
        i,
        |x| below_space(x) | has_byte(x, b'"') | has_byte(x, b'\\') | (x & (ONES << 7)),
        |c| c < 0x20 || c == b'"' || c == b'\\' || c >= 0x80,
    )
}

/// The high bit of each byte of the word `x` that is not `c`: exact for
/// every byte (no borrow crosses from one byte to the next).
fn not_byte(x: u64, c: u8) -> u64 {
    let y = x ^ (ONES * u64::from(c));
    ((y & !(ONES << 7)).wrapping_add(!(ONES << 7)) | y) & (ONES << 7)
}

/// Where, from `i` on, the first byte is that is not JSON whitespace
/// (space, tab, LF, CR): the end of the spacing between two tokens, eight
/// bytes at a time (a pretty-printed page indents each line).
pub fn ws_end(b: &[u8], i: usize) -> usize {
    find(
        b,
        i,
        |x| not_byte(x, b' ') & not_byte(x, b'\n') & not_byte(x, b'\r') & not_byte(x, b'\t'),
        |c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t'),
    )
}

/// Past the JSON whitespace at `i`: none, most often; one byte (`", "`)
/// without a search; a longer run (a pretty-printed line end and indent)
/// eight bytes at a time.
pub fn skip_ws(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b' ' | b'\n' | b'\r' | b'\t') => match b.get(i + 1) {
            Some(b' ' | b'\n' | b'\r' | b'\t') => ws_end(b, i + 2),
            _ => i + 1,
        },
        _ => i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preview_is_redacted_before_it_is_cut() {
        // The credential straddles the 60th character.
        let row = format!(r#""{} Bearer abcdefghijklmnopqrstuvwxyz""#, "x".repeat(45));
        let shown = preview(&row);
        assert!(shown.ends_with(" Bearer [redac…"), "{shown}");
        assert_eq!(preview(r#"{"id":"a"}"#), r#"{"id":"a"}"#);
    }

    #[test]
    fn spans_give_back_each_value_where_it_lies() {
        let text = r#"[{},{"a":1} , "x",[],{}, 7]"#;
        let values = [(1, 3), (4, 11), (14, 17), (18, 20), (21, 23), (25, 26)];
        let mut spans = Spans::default();
        for &(from, to) in &values {
            spans.push(&text.as_bytes()[from..to]);
        }
        let spans = spans.in_text(text.as_bytes());
        assert_eq!(spans.len(), values.len());
        let got: Vec<&str> = spans.ranges().map(|r| &text[r]).collect();
        assert_eq!(got, ["{}", r#"{"a":1}"#, r#""x""#, "[]", "{}", "7"]);
        assert!(Spans::default().ranges().next().is_none());
        // Across many words, and a value ending on a word's edge.
        let long = format!("[{}]", vec!["{}"; 100].join(","));
        let mut spans = Spans::default();
        for n in 0..100 {
            spans.push(&long.as_bytes()[1 + 3 * n..3 + 3 * n]);
        }
        let spans = spans.in_text(long.as_bytes());
        assert_eq!(spans.ranges().count(), 100);
        assert!(spans.ranges().all(|r| &long[r] == "{}"));
        assert!(spans.words.len() * 8 <= long.len() / 8 + 8);
    }

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

    #[test]
    fn a_run_of_text_also_ends_at_the_byte_asked_for() {
        for (text, want) in [
            ("abcdefghijklmno,p\"", 15),
            ("abcdefghijklmnop\"", 16),
            ("ab,c", 2),
            ("é,€😀", 2),
            ("abcdefg\\,", 7),
            ("no comma at all, no", 15),
            ("plain", 5),
        ] {
            assert_eq!(text_end(text.as_bytes(), 0, b','), want, "{text:?}");
        }
        assert_eq!(text_end(b"a,b,c", 2, b','), 3);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::page::json_gen::config())]

        /// Eight bytes at a time finds what a byte at a time finds: for
        /// every start, the first quote, backslash or control character
        /// (for `ascii_end`, or byte that is not ASCII; for `text_end`,
        /// the first quote, backslash or `also`; for `ws_end`, the first
        /// byte that is not whitespace, after runs of it of any length).
        #[test]
        fn string_ends_are_found_as_a_byte_loop_finds_them(
            text in "[a-z ,é😀\"\\\\\u{0}\u{1f}\t\n\r\u{7f}]{0,40}|[ \t\r\n]{0,20}[ -~]?[ \t\r\n]{0,20}",
            also in prop::sample::select(b",\"a\\\x00".to_vec()),
        ) {
            let b = text.as_bytes();
            for start in 0..=b.len() {
                let first = |stop: &dyn Fn(u8) -> bool| {
                    (start..b.len()).find(|&i| stop(b[i])).unwrap_or(b.len())
                };
                prop_assert_eq!(
                    plain_end(b, start),
                    first(&|c| c < 0x20 || c == b'"' || c == b'\\'),
                    "{:?} {}", text, start
                );
                prop_assert_eq!(
                    ascii_end(b, start),
                    first(&|c| c < 0x20 || c == b'"' || c == b'\\' || c >= 0x80),
                    "{:?} {}", text, start
                );
                prop_assert_eq!(
                    ws_end(b, start),
                    first(&|c| !matches!(c, b' ' | b'\n' | b'\r' | b'\t')),
                    "{:?} {}", text, start
                );
                prop_assert_eq!(skip_ws(b, start), ws_end(b, start), "{:?} {}", text, start);

                prop_assert_eq!(
                    text_end(b, start, also),
                    first(&|c| c == b'"' || c == b'\\' || c == also),
                    "{:?} {} {}", text, start, also
                );
            }
        }
    }
}
