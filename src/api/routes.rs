//! The DruID routes, in one place: the client builds its URLs from these,
//! the sandbox serves them, and the tests mock them.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Every bulk (`GET`: their statuses; `PATCH`: submit a new one).
pub const BULKS: &str = "/activityid/v1/user/bulk";

/// One bulk's status, as an axum route pattern.
pub const BULK_PATTERN: &str = "/activityid/v1/user/bulk/{bulk_id}";

/// One bulk's results, as an axum route pattern.
pub const RESULTS_PATTERN: &str = "/activityid/v1/user/bulk/{bulk_id}/results";

/// Characters escaped in a path segment: everything but unreserved ones,
/// so an id can never add a segment, a query or a fragment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The path of one bulk's status, the id percent-encoded as one segment.
pub fn bulk(bulk_id: &str) -> String {
    format!("{BULKS}/{}", utf8_percent_encode(bulk_id, SEGMENT))
}

/// The path of one bulk's results, the id percent-encoded as one segment.
pub fn results(bulk_id: &str) -> String {
    format!("{}/results", bulk(bulk_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_paths_agree() {
        assert_eq!(bulk("B1"), BULK_PATTERN.replace("{bulk_id}", "B1"));
        assert_eq!(results("B1"), RESULTS_PATTERN.replace("{bulk_id}", "B1"));
        assert_eq!(
            results("a/b c"),
            "/activityid/v1/user/bulk/a%2Fb%20c/results"
        );
    }
}
