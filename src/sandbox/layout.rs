//! How the results route writes its 200 body: the [`Layout`] of the JSON
//! text (compact, spaced, pretty, `\u`-escaped) and where `lastId` goes
//! ([`LastId`]). Every layout is the same JSON value; the defaults are the
//! sandbox's historical bytes (compact, `lastId` before `results`).

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// The text layout of a results page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Layout {
    /// No whitespace: `{"a":1,"b":[1,2]}`.
    #[default]
    Compact,
    /// `", "` between members and elements, `": "` after keys.
    Spaced,
    /// Indented by two spaces, one member or element a line (as
    /// `serde_json::to_string_pretty` and Python's `json.dumps(indent=2)`).
    Pretty,
    /// Compact, every non-ASCII character written `\uXXXX` (a surrogate
    /// pair above U+FFFF).
    Escaped,
}

/// Where `lastId` goes inside `content`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LastId {
    /// After `bulkId`, before `results`.
    #[default]
    First,
    /// After `results`.
    Last,
}

/// `value` as JSON text in `layout`.
pub(crate) fn to_vec<T: Serialize>(layout: Layout, value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    match layout {
        Layout::Compact => serde_json::to_writer(&mut out, value)?,
        Layout::Pretty => {
            let mut ser = serde_json::Serializer::with_formatter(&mut out, PrettyFormatter::new());
            value.serialize(&mut ser)?;
        }
        Layout::Spaced => {
            let mut ser = serde_json::Serializer::with_formatter(&mut out, Spaced);
            value.serialize(&mut ser)?;
        }
        Layout::Escaped => {
            let mut ser = serde_json::Serializer::with_formatter(&mut out, Escaped);
            value.serialize(&mut ser)?;
        }
    }
    Ok(out)
}

/// Compact but for `", "` and `": "`.
struct Spaced;

impl Formatter for Spaced {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.begin_array_value(w, first)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

/// Compact, with every non-ASCII character as `\uXXXX`.
struct Escaped;

impl Formatter for Escaped {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (at, ch) in fragment.char_indices() {
            if ch.is_ascii() {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..at])?;
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            start = at + ch.len_utf8();
        }
        CompactFormatter.write_string_fragment(w, &fragment[start..])
    }
}
