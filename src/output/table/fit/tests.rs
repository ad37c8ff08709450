use super::*;

fn id(natural: usize) -> Measure {
    Measure::ident(natural)
}

fn text(natural: usize) -> Measure {
    Measure::text(natural, 0)
}

/// ID TYPE USER ERROR as the demo's first page measures them: uuids,
/// `object`/`pulse`, 24-hex object ids, errors up to 64 columns, which
/// want 40.
fn results() -> [Measure; 4] {
    [
        id(36),
        Measure::text(6, 6),
        id(24),
        Measure::text(64, 5).wanting(40),
    ]
}

/// The results view's ways: all, without TYPE, without ID, without both;
/// then USER and what is left, then USER alone.
fn ways() -> Ways {
    Ways {
        prefer: vec![vec![], vec![1], vec![0], vec![0, 1]],
        settle: vec![vec![0, 1], vec![0, 1, 3]],
    }
}

/// Shown columns, their widths, and the columns left out.
fn fit(width: usize, wide: bool) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let p = plan(&results(), &ways(), Some(width), wide);
    (p.shown, p.widths, p.dropped)
}

#[test]
fn without_a_limit_every_column_keeps_its_natural_width() {
    let p = plan(&results(), &ways(), None, false);
    assert_eq!(p.shown, vec![0, 1, 2, 3]);
    assert_eq!(p.widths, vec![36, 6, 24, 64]);
    assert!(p.dropped.is_empty());
}

#[test]
fn the_demo_at_five_widths_gives_error_forty_columns_or_all_after_user() {
    // 200 and 120: everything, ERROR takes the rest.
    assert_eq!(
        fit(200, false),
        (vec![0, 1, 2, 3], vec![36, 6, 24, 128], vec![])
    );
    assert_eq!(
        fit(120, false),
        (vec![0, 1, 2, 3], vec![36, 6, 24, 48], vec![])
    );
    // 100: all would leave ERROR 28, without TYPE 36: ID goes.
    assert_eq!(fit(100, false), (vec![1, 2, 3], vec![6, 24, 66], vec![0]));
    // 80: all 8, without TYPE 16, without ID 46.
    assert_eq!(fit(80, false), (vec![1, 2, 3], vec![6, 24, 46], vec![0]));
    // 60: without both leaves 34: no set gives 40, so all that is left
    // after USER.
    assert_eq!(fit(60, false), (vec![2, 3], vec![24, 34], vec![0, 1]));
    for width in [60, 80, 100, 120, 200] {
        let (_, widths, _) = fit(width, false);
        assert_eq!(line_width(&widths), width, "the line fills {width}");
    }
}

#[test]
fn without_type_is_taken_where_it_is_enough() {
    // 104 to 111: without TYPE leaves ERROR 40 to 47.
    assert_eq!(fit(104, false), (vec![0, 2, 3], vec![36, 24, 40], vec![1]));
    assert_eq!(fit(111, false), (vec![0, 2, 3], vec![36, 24, 47], vec![1]));
    assert_eq!(fit(103, false).2, vec![0]);
    assert!(fit(112, false).2.is_empty());
}

#[test]
fn narrower_than_user_and_ten_columns_of_error_shows_user_alone_whole() {
    assert_eq!(fit(40, false), (vec![2, 3], vec![24, 14], vec![0, 1]));
    assert_eq!(fit(36, false), (vec![2, 3], vec![24, 10], vec![0, 1]));
    assert_eq!(fit(35, false), (vec![2], vec![24], vec![0, 1, 3]));
    // Narrower than an id: it overflows, whole.
    assert_eq!(fit(20, false), (vec![2], vec![24], vec![0, 1, 3]));
}

#[test]
fn at_every_width_ids_are_whole_and_error_has_forty_unless_only_user_is_left() {
    for width in 36..=260 {
        let (shown, widths, dropped) = fit(width, false);
        assert!(line_width(&widths) <= width, "{width}: {widths:?}");
        for (i, w) in shown.iter().zip(&widths) {
            if [0, 2].contains(i) {
                assert_eq!(*w, results()[*i].natural, "an id whole at {width}");
            }
        }
        assert!(shown.contains(&2) && shown.contains(&3), "{width}");
        let error = *widths.last().unwrap();
        assert!(
            error >= 40 || shown == [2, 3],
            "{width}: {shown:?} {widths:?}"
        );
        assert_eq!(
            shown.len() + dropped.len(),
            4,
            "every column shown or left out"
        );
    }
}

#[test]
fn short_errors_want_only_their_width() {
    // A first page of "User not found" only: without TYPE is enough at 80.
    let columns = [id(36), Measure::text(6, 6), id(24), text(14).wanting(40)];
    let p = plan(&columns, &ways(), Some(80), false);
    assert_eq!((p.shown, p.widths), (vec![0, 2, 3], vec![36, 24, 16]));
    // No error at all: everything fits.
    let columns = [id(36), Measure::text(6, 6), id(24), text(5).wanting(40)];
    assert!(plan(&columns, &ways(), Some(80), false).dropped.is_empty());
}

#[test]
fn wide_shows_every_column_and_wraps_only_inside_twenty() {
    // 80: ERROR would get 8; it keeps 20 and the line runs past 80.
    assert_eq!(
        fit(80, true),
        (vec![0, 1, 2, 3], vec![36, 6, 24, 20], vec![])
    );
    assert_eq!(fit(60, true).1, vec![36, 6, 24, 20]);
    assert_eq!(fit(100, true).1, vec![36, 6, 24, 28]);
    assert_eq!(fit(120, true).1, vec![36, 6, 24, 48]);
    assert_eq!(fit(200, true).1, vec![36, 6, 24, 128]);
    // Text narrower than 20 keeps its natural width.
    let p = plan(&[id(36), text(12), text(30)], &Ways::none(), Some(50), true);
    assert_eq!(p.widths, vec![36, 12, 20]);
}

#[test]
fn in_order_leaves_columns_out_one_by_one_until_the_line_fits() {
    // BULK STATUS CREATED UPDATED, nothing cut.
    let columns = [id(36), id(10), id(24), id(24)];
    let ways = Ways::in_order(&[2, 3]);
    let at = |width| {
        let p = plan(&columns, &ways, Some(width), false);
        (p.shown, p.dropped)
    };
    assert_eq!(at(120), (vec![0, 1, 2, 3], vec![]));
    assert_eq!(at(80), (vec![0, 1, 3], vec![2]));
    assert_eq!(at(60), (vec![0, 1], vec![2, 3]));
    // Too narrow for what is left: it overflows.
    assert_eq!(at(30), (vec![0, 1], vec![2, 3]));
}

#[test]
fn text_columns_give_way_widest_first_identifiers_never() {
    // bulkId, status, createdOn, updatedOn at 80.
    let none = Ways::none();
    let p = plan(
        &[id(36), text(10), text(24), text(24)],
        &none,
        Some(80),
        false,
    );
    assert_eq!(p.widths, vec![36, 10, 14, 14]);
    // Too narrow even at the floor: the line overflows, nothing dropped.
    let p = plan(
        &[id(36), text(30), id(24), text(30)],
        &none,
        Some(60),
        false,
    );
    assert_eq!(p.widths, vec![36, 10, 24, 10]);
    assert!(line_width(&p.widths) > 60);
    // A text column keeps its least (a header, say) whole.
    let p = plan(
        &[id(36), Measure::text(18, 18), text(40)],
        &none,
        Some(60),
        false,
    );
    assert_eq!(p.widths, vec![36, 18, 10]);
    // A last identifier column is not stretched.
    let p = plan(&[text(5), id(8)], &none, Some(100), false);
    assert_eq!(p.widths, vec![5, 8]);
}

#[test]
fn a_column_that_wants_more_keeps_it_against_other_text() {
    // Two text columns: the one wanting 30 keeps 30, the other gives way.
    let columns = [text(40).wanting(30), text(40)];
    let p = plan(&columns, &Ways::in_order(&[]), Some(50), false);
    assert_eq!(p.widths, vec![30, 18]);
    // Without the want, they share.
    let p = plan(&[text(40), text(40)], &Ways::none(), Some(50), false);
    assert_eq!(p.widths, vec![24, 24]);
}
