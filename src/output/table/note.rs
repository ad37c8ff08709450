//! The one-line note on columns a table left out to fit the terminal,
//! itself fitted to the terminal's width.

use super::text;

/// The note on columns left out (`names`) to fit `width`, and the `ways`
/// to see them: the longest of these that fits `width` with `note: `
/// before it, else the shortest.
///
/// `ID, TYPE left out to fit 100 columns; see them with --wide or --columns id,error`,
/// then without `to fit…`, then `…; try --wide or --columns id,error`,
/// then trying fewer ways, then `ID, TYPE left out`.
pub fn left_out_note(names: &[&str], width: usize, ways: &[String]) -> String {
    const LABEL: &str = "note: ";
    let names = names.join(", ");
    let them = if names.contains(',') { "them" } else { "it" };
    let listed = |ways: &[String]| match ways {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    };
    let mut tries = Vec::new();
    if !ways.is_empty() {
        let all = listed(ways);
        tries.push(format!(
            "{names} left out to fit {width} columns; see {them} with {all}"
        ));
        tries.push(format!("{names} left out; see {them} with {all}"));
    }
    tries.extend(
        (1..=ways.len())
            .rev()
            .map(|n| format!("{names} left out; try {}", listed(&ways[..n]))),
    );
    tries.push(format!("{names} left out"));
    let fits = |note: &String| text::width(LABEL) + text::width(note) <= width;
    let shortest = tries.pop().unwrap_or_default();
    tries.into_iter().find(fits).unwrap_or(shortest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_fits_the_terminal_shortening_as_it_must() {
        let ways = ["--wide", "--columns", "-f csv"].map(String::from);
        let note = |names: &[&str], width| left_out_note(names, width, &ways);
        assert_eq!(
            note(&["CREATED"], 90),
            "CREATED left out to fit 90 columns; see it with --wide, --columns or -f csv"
        );
        assert_eq!(
            note(&["CREATED"], 80),
            "CREATED left out; see it with --wide, --columns or -f csv"
        );
        assert_eq!(
            note(&["CREATED"], 60),
            "CREATED left out; try --wide, --columns or -f csv"
        );
        assert_eq!(
            note(&["CREATED"], 50),
            "CREATED left out; try --wide or --columns"
        );
        assert_eq!(note(&["CREATED"], 40), "CREATED left out; try --wide");
        assert_eq!(
            note(&["CREATED", "UPDATED"], 30),
            "CREATED, UPDATED left out"
        );
        // Nothing shorter: the shortest, even if it does not fit.
        assert_eq!(
            note(&["CREATED", "UPDATED"], 10),
            "CREATED, UPDATED left out"
        );
        for width in 30..=120 {
            let line = format!("note: {}", note(&["BULK", "ID", "TYPE"], width));
            assert!(text::width(&line) <= width, "{line:?} at {width}");
        }
    }
}
