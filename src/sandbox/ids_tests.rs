//! The id layouts: ids increase with the row index, are valid UUIDv7 inside
//! the reported window, keep the historical bytes by default, and spread as
//! each layout says.

use super::data::{encode_uuid_v7, uuid_timestamp, RowGen};
use super::ids::{IdLayout, Stamps, BURST_GAP_MIN_MS};
use super::*;

const LAYOUTS: [IdLayout; 3] = [IdLayout::Uniform, IdLayout::Bursty, IdLayout::Skewed];

/// The generator of the `index`-th configured bulk of `rows` rows in `layout`.
fn gen(layout: IdLayout, index: usize, rows: u64) -> (RowGen, Stamps) {
    let stamps = Stamps::configured(layout, index, rows);
    (
        RowGen::new(DEFAULT_SEED, "bulk").with_stamps(stamps),
        stamps,
    )
}

/// Checks ids `from..to` of `gen` increase, are UUIDv7 (version 7, variant
/// 10) and fall inside the window of `stamps`.
fn check_ids(gen: &RowGen, stamps: &Stamps, from: u64, to: u64, what: &str) {
    let (created, updated) = stamps.window();
    let mut prev: Option<u128> = None;
    for i in from..to {
        let id = gen.id_bits(i);
        assert_eq!((id >> 76) & 0xF, 7, "{what}: version of row {i}");
        assert_eq!((id >> 62) & 0b11, 0b10, "{what}: variant of row {i}");
        let ms = uuid_timestamp(id);
        assert!(
            created * 1000 <= ms && ms <= updated * 1000,
            "{what}: row {i} at {ms} outside {created}..{updated}"
        );
        if let Some(p) = prev {
            assert!(p < id, "{what}: row {i} does not follow row {}", i - 1);
        }
        prev = Some(id);
    }
}

#[test]
fn ids_increase_are_uuid_v7_and_inside_the_window() {
    for layout in LAYOUTS {
        for rows in [1u64, 9, 10, 11, 999, 1_000, 12_345, 100_003] {
            for index in [0, 2] {
                let (g, stamps) = gen(layout, index, rows);
                check_ids(&g, &stamps, 0, rows, &format!("{layout:?} {rows} rows"));
                let (created, updated) = stamps.window();
                assert!(
                    created < updated,
                    "{layout:?} {rows}: a window of a second or more"
                );
            }
        }
        // Large bulks, around every segment boundary: O(1) per id.
        for rows in [1_000_000u64, 50_000_003] {
            let (g, stamps) = gen(layout, 0, rows);
            let edges = (0..=10).map(|b| rows * b / 10).chain([rows * 9 / 10 + 1]);
            for edge in edges {
                let from = edge.saturating_sub(40);
                let to = (edge + 40).min(rows);
                check_ids(
                    &g,
                    &stamps,
                    from,
                    to,
                    &format!("{layout:?} {rows} at {edge}"),
                );
            }
        }
    }
}

#[test]
fn the_default_ids_are_the_historical_ones() {
    let (g, stamps) = gen(IdLayout::Uniform, 0, 2_000);
    let old = RowGen::new(DEFAULT_SEED, "bulk");
    for i in [0, 1, 999, 1_999] {
        assert_eq!(g.id(i), old.id(i), "row {i}");
    }
    // One row a millisecond from the base time.
    assert_eq!(g.id(0)[..13], encode_uuid_v7(0, 0, 0)[..13]);
    assert_eq!(
        uuid_timestamp(g.id_bits(1_999)) - uuid_timestamp(g.id_bits(0)),
        1_999
    );
    let base_s = 1_717_200_000;
    assert_eq!(stamps.window(), (base_s, base_s + 2));
    assert_eq!(gen(IdLayout::Uniform, 0, 2_001).1.window().1, base_s + 3);
    assert_eq!(
        gen(IdLayout::Uniform, 0, 0).1.window(),
        (base_s, base_s + 1)
    );
}

/// The milliseconds (after the window's start) of every row.
fn offsets(layout: IdLayout, rows: u64) -> (Vec<u64>, u64) {
    let (g, stamps) = gen(layout, 0, rows);
    let (created, updated) = stamps.window();
    let ms = (0..rows)
        .map(|i| uuid_timestamp(g.id_bits(i)) - created * 1000)
        .collect();
    (ms, (updated - created) * 1000)
}

#[test]
fn uniform_spreads_rows_evenly() {
    let (ms, window) = offsets(IdLayout::Uniform, 5_000);
    assert!(
        ms.windows(2).all(|w| w[1] - w[0] == 1),
        "one row a millisecond"
    );
    assert_eq!(window, 5_000);
    for tenth in 0..10 {
        let n = ms.iter().filter(|&&m| m * 10 / window == tenth).count();
        assert_eq!(n, 500, "tenth {tenth}");
    }
}

#[test]
fn bursty_puts_rows_in_ten_bursts_minutes_apart() {
    for rows in [10u64, 1_000, 100_003] {
        let (ms, window) = offsets(IdLayout::Bursty, rows);
        let gaps: Vec<usize> = (1..ms.len())
            .filter(|&i| ms[i] - ms[i - 1] >= 60_000)
            .collect();
        assert_eq!(gaps.len(), 9, "{rows} rows: nine gaps of a minute or more");
        assert!(gaps
            .iter()
            .all(|&i| ms[i] - ms[i - 1] >= BURST_GAP_MIN_MS - 15_000));
        // Inside a burst rows follow each other within a millisecond.
        let inside = (1..ms.len()).filter(|i| !gaps.contains(i));
        assert!(inside.clone().all(|i| ms[i] - ms[i - 1] <= 1), "{rows}");
        let mut starts = vec![0];
        starts.extend(&gaps);
        starts.push(ms.len());
        for w in starts.windows(2) {
            let size = (w[1] - w[0]) as u64;
            assert!(
                size.abs_diff(rows / 10) <= 1,
                "{rows} rows: a burst of {size}"
            );
        }
        assert!(ms.last().unwrap() < &window);
    }
    // A thousand rows: several to a millisecond.
    let (ms, _) = offsets(IdLayout::Bursty, 1_000);
    assert!(ms.windows(2).filter(|w| w[0] == w[1]).count() > 500);
}

#[test]
fn skewed_puts_nine_tenths_of_the_rows_in_the_first_twentieth() {
    for rows in [10u64, 1_000, 100_003] {
        let (ms, window) = offsets(IdLayout::Skewed, rows);
        let early = ms.iter().filter(|&&m| m * 20 < window).count() as u64;
        assert!(early * 10 >= rows * 9, "{rows} rows: {early} early");
        assert!(
            early * 10 < rows * 9 + 10,
            "{rows} rows: {early} early, not more"
        );
        // The rest spread over the other 95%.
        let late = &ms[early as usize..];
        assert!(
            late.iter().all(|m| m * 20 >= window && *m < window),
            "{rows}"
        );
        if late.len() > 1 {
            assert!(late[late.len() - 1] - late[0] > window / 2, "{rows}");
        }
    }
    let (ms, _) = offsets(IdLayout::Skewed, 1_000);
    assert!(ms.windows(2).filter(|w| w[0] == w[1]).count() > 500);
}

#[test]
fn rows_sharing_a_millisecond_count_up_in_rand_a() {
    let (g, _) = gen(IdLayout::Skewed, 0, 10_000);
    let rand_a = |i: u64| (g.id_bits(i) >> 64) as u64 & 0xFFF;
    let ms = |i: u64| uuid_timestamp(g.id_bits(i));
    let mut shared = 0;
    for i in 1..9_000 {
        if ms(i) == ms(i - 1) {
            assert_eq!(rand_a(i), rand_a(i - 1) + 1, "row {i}");
            shared += 1;
        } else {
            assert_eq!(rand_a(i), 0, "row {i} opens its millisecond");
        }
    }
    assert!(shared > 8_000, "{shared}");
}

#[test]
fn the_status_reports_each_layouts_window() {
    for layout in LAYOUTS {
        let cfg = SandboxConfig::new(1_000).with_id_layout(layout);
        let status = expected_status(&cfg, DEFAULT_BULK_ID).unwrap();
        let (created, updated) = Stamps::configured(layout, 0, 1_000).window();
        assert_eq!(status["createdOn"], "2024-06-01T00:00:00Z", "{layout:?}");
        assert_eq!(created, 1_717_200_000);
        let rows = expected_rows(&cfg, DEFAULT_BULK_ID, false);
        let last = data::parse_uuid(rows[999]["id"].as_str().unwrap()).unwrap();
        assert!(uuid_timestamp(last) <= updated * 1000, "{layout:?}");
        let want = match layout {
            IdLayout::Uniform => "2024-06-01T00:00:01Z",
            IdLayout::Bursty => "2024-06-01T00:27:01Z",
            IdLayout::Skewed => "2024-06-01T00:00:02Z",
        };
        assert_eq!(status["updatedOn"], want, "{layout:?}");
    }
}
