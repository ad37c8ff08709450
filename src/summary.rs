//! `--summary`: what failed, and why, at a glance. Counts each distinct
//! error message and each `userIdentifierType` as rows go by, so memory
//! grows with the number of distinct messages, not with the rows.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Value};

use crate::output::Row;
use crate::sanitize;

/// What `--summary` / `--summary-only` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Off,
    /// Rows as usual, then a summary table on stderr.
    Stderr,
    /// Only the summary, on stdout, in the chosen format.
    Only,
}

/// The columns of `--summary-only` rows.
pub const COLUMNS: [&str; 3] = ["kind", "value", "count"];

/// Counts gathered during an export.
#[derive(Debug, Default)]
pub struct Counts {
    pub rows: u64,
    pub with_error: u64,
    errors: HashMap<String, u64>,
    types: BTreeMap<String, u64>,
}

impl Counts {
    /// Count one row.
    pub fn add(&mut self, row: &Row<'_>) {
        self.rows += 1;
        let error = row.cell("error");
        if !error.is_empty() {
            self.with_error += 1;
            match self.errors.get_mut(error.as_ref()) {
                Some(n) => *n += 1,
                None => {
                    self.errors.insert(error.into_owned(), 1);
                }
            }
        }
        let kind = row.cell("userIdentifierType");
        let kind = if kind.is_empty() {
            "(none)".into()
        } else {
            kind
        };
        match self.types.get_mut(kind.as_ref()) {
            Some(n) => *n += 1,
            None => {
                self.types.insert(kind.into_owned(), 1);
            }
        }
    }

    /// Distinct errors, most frequent first (ties in message order).
    pub fn errors(&self) -> Vec<(&str, u64)> {
        let mut errors: Vec<(&str, u64)> =
            self.errors.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        errors.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        errors
    }

    /// Rows by `userIdentifierType`, in name order.
    pub fn types(&self) -> Vec<(&str, u64)> {
        self.types.iter().map(|(k, v)| (k.as_str(), *v)).collect()
    }

    /// The summary as rows `{"kind", "value", "count"}` for the data formats:
    /// errors first (most frequent first), then the totals by type.
    pub fn as_rows(&self) -> Vec<Value> {
        let errors = self
            .errors()
            .into_iter()
            .map(|(message, count)| json!({"kind": "error", "value": message, "count": count}));
        let types = self.types().into_iter().map(
            |(kind, count)| json!({"kind": "userIdentifierType", "value": kind, "count": count}),
        );
        errors.chain(types).collect()
    }

    /// The summary for people (stderr): two small aligned tables.
    pub fn render(&self) -> String {
        self.render_for(sanitize::utf8_locale())
    }

    /// [`Counts::render`] for a UTF-8 locale or not (how a line break in a
    /// message shows).
    fn render_for(&self, utf8: bool) -> String {
        let mut out = format!(
            "{} rows, {} with an error, {} distinct errors\n",
            self.rows,
            self.with_error,
            self.errors.len()
        );
        let width = |items: &[(&str, u64)]| {
            items
                .iter()
                .map(|(_, n)| n.to_string().len())
                .max()
                .unwrap_or(5)
                .max(5)
        };
        let errors = self.errors();
        if !errors.is_empty() {
            let w = width(&errors);
            out.push_str(&format!("\n{:>w$}  error\n", "count"));
            for (message, count) in &errors {
                out.push_str(&format!("{count:>w$}  {}\n", sanitize::cell(message, utf8)));
            }
        }
        let types = self.types();
        if !types.is_empty() {
            let w = width(&types);
            out.push_str(&format!("\n{:>w$}  userIdentifierType\n", "count"));
            for (kind, count) in &types {
                out.push_str(&format!("{count:>w$}  {}\n", sanitize::cell(kind, utf8)));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::value::RawValue;

    fn stats(rows: &[&str]) -> Counts {
        let mut stats = Counts::default();
        for r in rows {
            let raw = RawValue::from_string(r.to_string()).unwrap();
            stats.add(&Row::parse(raw.get()).unwrap());
        }
        stats
    }

    #[test]
    fn counts_errors_most_frequent_first_and_types() {
        let s = stats(&[
            r#"{"userIdentifierType":"object_id","error":"b"}"#,
            r#"{"userIdentifierType":"pulse_id","error":"a"}"#,
            r#"{"userIdentifierType":"object_id","error":"b"}"#,
            r#"{"userIdentifierType":"object_id"}"#,
            r#"{"error":"c\nline"}"#,
        ]);
        assert_eq!(s.errors(), [("b", 2), ("a", 1), ("c\nline", 1)]);
        assert_eq!(
            s.types(),
            [("(none)", 1), ("object_id", 3), ("pulse_id", 1)]
        );
        assert_eq!((s.rows, s.with_error), (5, 4));
        let text = s.render_for(true);
        assert!(
            text.starts_with("5 rows, 4 with an error, 3 distinct errors"),
            "{text}"
        );
        assert!(
            text.contains("    2  b\n") && text.contains("c⏎line"),
            "{text}"
        );
        assert_eq!(
            s.as_rows()[0],
            json!({"kind": "error", "value": "b", "count": 2})
        );
        assert_eq!(s.as_rows().len(), 6);
        assert!(s.render_for(false).contains("c\\nline"));
    }
}
