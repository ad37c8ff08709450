//! `--columns list`: the names `--columns` can pick from, one a line on
//! stdout. The documented row's fields come first (`bulkId`, then those of
//! `id,userIdentifierType,objectId,pulseId,error`, with several bulks), then
//! every other top-level field of each bulk's first page, in the order they
//! are first seen. Nothing else is fetched or written.

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::Arc;

use anyhow::Result;

use crate::api::Api;
use crate::output::Row;
use crate::paginate::Paginator;
use crate::sanitize;
use crate::settings::{Results, DEFAULT_COLUMNS};

/// The field names: the documented ones, then those of each bulk's first page.
pub async fn names(settings: &Results, api: &Arc<Api>) -> Result<Vec<String>> {
    let export = &settings.export;
    let documented = export.many().then_some("bulkId").into_iter();
    let mut names: Vec<String> = documented
        .chain(DEFAULT_COLUMNS)
        .map(String::from)
        .collect();
    let mut seen: HashSet<String> = names.iter().cloned().collect();
    for bulk_id in &export.bulk_ids {
        let plan = super::plan(settings, bulk_id, export.last.clone());
        let mut pager = Paginator::new(api.clone(), plan, settings.request.clock());
        let Some(page) = pager.next_page().await? else {
            continue;
        };
        for raw in page.raw_rows() {
            for name in Row::checked(raw).names() {
                if !seen.contains(name.as_ref()) {
                    seen.insert(name.to_string());
                    names.push(name.into_owned());
                }
            }
        }
        api.recycle(page.into_body());
    }
    Ok(names)
}

/// Write the names one a line, each made one line and safe to show.
pub fn print(names: &[String], out: &mut impl Write) -> io::Result<()> {
    let utf8 = sanitize::utf8_locale();
    for name in names {
        writeln!(out, "{}", sanitize::cell(name, utf8))?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_printed_one_a_line_and_safe_to_show() {
        let names = ["id", "a\nb", "\u{1b}[31mred", "用户"].map(String::from);
        let mut out = Vec::new();
        print(&names, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(out.lines().count(), 4, "{out:?}");
        assert!(!out.contains('\u{1b}'), "{out:?}");
        assert!(
            out.starts_with("id\n") && out.ends_with("用户\n"),
            "{out:?}"
        );
    }
}
