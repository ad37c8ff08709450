//! The DruID routes, in one place: the paths (the sandbox serves them and
//! the tests mock them) and the full URLs the endpoints ask, query included.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::Url;

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

/// Query of one results page.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery<'a> {
    pub last: Option<&'a str>,
    pub limit: u32,
    pub failed_only: bool,
}

impl PageQuery<'_> {
    /// The parameters as people read them, for error messages.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("limit={}", self.limit)];
        if let Some(last) = self.last {
            parts.push(format!("last={last}"));
        }
        if self.failed_only {
            parts.push("failedOnly=true".into());
        }
        parts.join(", ")
    }
}

/// `{endpoint}/activityid/v1/user/bulk/{bulk_id}/results?…`, the bulk id
/// percent-encoded as one path segment and the endpoint's prefix kept.
pub fn results_url(endpoint: &Url, bulk_id: &str, query: &PageQuery<'_>) -> Url {
    let mut url = under(endpoint, &results(bulk_id));
    {
        let mut pairs = url.query_pairs_mut();
        if let Some(last) = query.last {
            pairs.append_pair("last", last);
        }
        pairs.append_pair("limit", &query.limit.to_string());
        if query.failed_only {
            pairs.append_pair("failedOnly", "true");
        }
    }
    url
}

/// `{endpoint}/activityid/v1/user/bulk[/{bulk_id}]`: one bulk's status, or
/// every bulk's.
pub fn status_url(endpoint: &Url, bulk_id: Option<&str>) -> Url {
    let route = bulk_id.map_or_else(|| BULKS.to_string(), bulk);
    under(endpoint, &route)
}

/// `{endpoint}/activityid/v1/user/bulk`, where a bulk update is submitted
/// (`PATCH`).
pub fn submit_url(endpoint: &Url) -> Url {
    under(endpoint, BULKS)
}

/// `route` below the endpoint's own path prefix.
fn under(endpoint: &Url, route: &str) -> Url {
    let mut url = endpoint.clone();
    url.set_path(&format!("{}{route}", endpoint.path().trim_end_matches('/')));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(last: Option<&str>) -> PageQuery<'_> {
        PageQuery {
            last,
            limit: 7,
            failed_only: true,
        }
    }

    #[test]
    fn patterns_and_paths_agree() {
        assert_eq!(bulk("B1"), BULK_PATTERN.replace("{bulk_id}", "B1"));
        assert_eq!(results("B1"), RESULTS_PATTERN.replace("{bulk_id}", "B1"));
        assert_eq!(
            results("a/b c"),
            "/activityid/v1/user/bulk/a%2Fb%20c/results"
        );
    }

    #[test]
    fn bulk_id_stays_one_segment_and_prefix_is_kept() {
        let base = Url::parse("https://h.example/api").unwrap();
        let url = results_url(&base, "a/b?c#d %", &q(None));
        assert_eq!(
            url.as_str(),
            "https://h.example/api/activityid/v1/user/bulk/a%2Fb%3Fc%23d%20%25/results?limit=7&failedOnly=true"
        );
    }

    #[test]
    fn cursor_stays_inside_its_query_value() {
        let base = Url::parse("http://127.0.0.1:1").unwrap();
        let url = results_url(&base, "B", &q(Some("x&limit=1#y")));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("last".into(), "x&limit=1#y".into()));
        assert_eq!(pairs.len(), 3);
        assert_eq!(url.fragment(), None);
    }

    #[test]
    fn status_urls_keep_the_prefix() {
        let base = Url::parse("https://h.example/api/").unwrap();
        assert_eq!(
            status_url(&base, None).as_str(),
            "https://h.example/api/activityid/v1/user/bulk"
        );
        assert_eq!(
            status_url(&base, Some("a/b")).as_str(),
            "https://h.example/api/activityid/v1/user/bulk/a%2Fb"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_bulk_id_stays_inside_its_path_segment(id in "\\PC{1,40}") {
            proptest::prop_assume!(id != "." && id != "..");
            let base = Url::parse("https://h.example/api").unwrap();
            let url = results_url(&base, &id, &q(None));
            let segments: Vec<&str> = url.path_segments().unwrap().collect();
            proptest::prop_assert_eq!(segments.len(), 7, "{}", url);
            proptest::prop_assert_eq!(&segments[..5], &["api", "activityid", "v1", "user", "bulk"]);
            proptest::prop_assert_eq!(segments[6], "results");
            let decoded = percent_encoding::percent_decode_str(segments[5]).decode_utf8().unwrap();
            proptest::prop_assert_eq!(decoded.as_ref(), id.as_str());
            proptest::prop_assert_eq!(url.host_str(), Some("h.example"));
            proptest::prop_assert!(url.fragment().is_none());
        }

        #[test]
        fn any_cursor_stays_inside_its_query_value(cursor in "\\PC{1,60}") {
            let base = Url::parse("https://h.example").unwrap();
            let url = results_url(&base, "B", &q(Some(&cursor)));
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            proptest::prop_assert_eq!(pairs.len(), 3, "{}", url);
            proptest::prop_assert_eq!(&pairs[0], &("last".to_string(), cursor.clone()));
            proptest::prop_assert_eq!(&pairs[1], &("limit".to_string(), "7".to_string()));
            proptest::prop_assert_eq!(url.path(), "/activityid/v1/user/bulk/B/results");
            proptest::prop_assert!(url.fragment().is_none());
        }
    }
}
