//! The sample bulk update `demo --submit` sends: JSON lines short enough
//! to read on an 80-column terminal, most of which the sandbox accepts,
//! and a few that fail for each of its reasons (a bad email, a phone
//! number without `+`, a user it does not know).

use crate::sandbox::{self, SandboxConfig};

/// First names for the sample users (short: every line fits 80 columns).
const NAMES: [&str; 12] = [
    "ana", "bruno", "carla", "dmitri", "eva", "femi", "gus", "hana", "ivan", "jun", "kofi", "lena",
];

/// `lines` sample lines, each with its line end: every tenth line from the
/// third has an email without `@`, from the sixth a phone without `+`, and
/// every twentieth from the ninth names a user the sandbox does not know;
/// the others are updates it accepts.
pub fn lines(cfg: &SandboxConfig, lines: u64) -> String {
    let known = |id: &str| !sandbox::unknown_user(cfg, id);
    let mut out = String::new();
    for n in 0..lines {
        let name = NAMES[(n % NAMES.len() as u64) as usize];
        let who = if n % 20 == 8 {
            let user = candidate(n, |i| object_id(n, i), |id| !known(id));
            format!("\"object_id\":\"{user}\"")
        } else if n % 4 == 3 {
            // One in four by pulse id.
            let user = candidate(
                n,
                |i| format!("pulse-{:07}", mix(n + i) % 10_000_000),
                known,
            );
            format!("\"pulse_id\":\"{user}\"")
        } else {
            let user = candidate(n, |i| object_id(n, i), known);
            format!("\"object_id\":\"{user}\"")
        };
        let change = match n % 10 {
            2 => format!("\"email\":\"{name}.example.com\""),
            5 => format!("\"phone\":\"600 {:03} {:03}\"", n % 1000, mix(n) % 1000),
            _ if n % 2 == 0 => format!("\"email\":\"{name}@example.com\""),
            _ => format!("\"phone\":\"+34 600 {:03} {:03}\"", n % 1000, mix(n) % 1000),
        };
        out.push_str(&format!("{{\"user\":{{{who},{change}}}}}\n"));
    }
    out
}

/// The first of line `n`'s candidate identifiers (`make(0)`, `make(1)`, …)
/// that `keep` accepts.
fn candidate(n: u64, make: impl Fn(u64) -> String, keep: impl Fn(&str) -> bool) -> String {
    (0..)
        .map(make)
        .find(|id| keep(id))
        .unwrap_or_else(|| unreachable!("line {n}: some candidate is kept"))
}

/// Line `n`'s `i`th candidate object id: 24 hex digits.
fn object_id(n: u64, i: u64) -> String {
    let seed = mix(n).wrapping_add(i);
    format!("{:016x}{:08x}", mix(seed), mix(!seed) >> 32)
}

/// SplitMix64: stable, well spread numbers from a line number.
fn mix(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_fits_80_columns_and_some_fail_for_each_reason() {
        let cfg = SandboxConfig::new(1);
        let text = lines(&cfg, 40);
        assert_eq!(text.lines().count(), 40);
        for line in text.lines() {
            assert!(line.len() <= 80, "{} columns: {line}", line.len());
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            assert!(value["user"].is_object(), "{line}");
        }
        let count = |needle: &str| text.lines().filter(|l| l.contains(needle)).count();
        assert_eq!(count(".example.com\""), 4, "bad emails");
        assert_eq!(count("\"phone\":\"600"), 4, "phones without +");
        let unknown = (text.lines())
            .filter(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["user"]["object_id"]
                    .as_str()
                    .is_some_and(|id| sandbox::unknown_user(&cfg, id))
            })
            .count();
        assert_eq!(unknown, 2, "unknown users");
        assert_eq!(text, lines(&cfg, 40), "the same every time");
    }
}
