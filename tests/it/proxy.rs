//! Proxies: `HTTP_PROXY`, `ALL_PROXY` (and their lower-case forms) carry
//! requests to another machine, `NO_PROXY` leaves hosts out, and hosts on
//! this machine (the `demo` and `sandbox` servers) are never reached
//! through a proxy. The proxy here is a scripted server that answers the
//! absolute-form request (`GET http://druid.test/… HTTP/1.1`) itself: only
//! it knows `druid.test`, so an answer proves the request went through it.

use crate::support::scripted::{Reply, Scripted};
use crate::support::*;
use serde_json::json;

/// A proxy that answers one page of bulk `B1` with one row.
fn proxy_with_a_page() -> Scripted {
    Scripted::start(vec![Reply::page(&page(
        json!([row("r1", "through the proxy")]),
        None,
    ))])
}

/// `http://127.0.0.1:PORT` where nothing listens.
#[cfg(feature = "sandbox")]
fn dead_proxy() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

#[test]
fn http_proxy_and_all_proxy_carry_requests_to_another_machine() {
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        let proxy = proxy_with_a_page();
        let run = results("http://druid.test/api", "B1")
            .args(["--allow-insecure-http", "-f", "jsonl"])
            .env(var, &proxy.url)
            .ok();
        run.stdout_has("through the proxy");
        let asked = proxy.requests();
        run.same(&asked.len(), &1);
        run.check(
            asked[0].starts_with("GET http://druid.test/api/activityid/v1/user/bulk/B1/results?"),
            format!("{var}: the proxy got the absolute-form request, not {asked:?}"),
        );
    }
}

#[test]
fn no_proxy_leaves_a_host_out_and_the_token_url_still_goes_through_the_proxy() {
    // A token from a remote auth server, through the proxy; the API on
    // this machine, reached directly because NO_PROXY names it.
    let proxy = Scripted::start(vec![Reply::new(
        200,
        json!({"access_token": TOKEN, "expires_in": 3600}).to_string(),
    )]);
    let api = Scripted::start(vec![Reply::page(&page(json!([row("r1", "direct")]), None))]);
    let run = bare(&api.url, "B1")
        .args(["--auth-url", "http://auth.test", "--allow-insecure-http"])
        .args(["--client-id", "cid", "-f", "jsonl"])
        .env("DRUID_CLIENT_SECRET", "s3cret")
        .env("HTTP_PROXY", &proxy.url)
        .env("NO_PROXY", "127.0.0.1")
        .ok();
    run.stdout_has("direct");
    run.same(
        &proxy.requests(),
        &vec!["POST http://auth.test/oauth2/token HTTP/1.1".to_string()],
    );
    let asked = api.requests();
    run.same(&asked.len(), &1);
    run.check(
        asked[0].starts_with("GET /activityid/v1/user/bulk/B1/results?"),
        format!("the API got the page request directly, not {asked:?}"),
    );
}

#[cfg(feature = "sandbox")]
#[test]
fn demo_never_goes_through_a_proxy() {
    let dead = dead_proxy();
    let mut cmd = druid_bulk(["demo", "--rows", "5", "-f", "jsonl", "-v"]);
    for var in PROXY_VARIABLES {
        cmd.env(var, &dead);
    }
    let run = cmd.ok();
    run.same(&run.jsonl().len(), &5);
    run.stderr_has("proxy: not used for http://127.0.0.1:")
        .stderr_has(", which is on this machine");
}

#[cfg(feature = "sandbox")]
#[test]
fn a_sandbox_on_this_machine_is_reached_directly_whatever_the_proxy() {
    let (cfg, server) = start_sandbox(3);
    let dead = dead_proxy();
    let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
    cmd.args(["-f", "jsonl"]);
    for var in PROXY_VARIABLES {
        cmd.env(var, &dead);
    }
    let run = cmd.ok();
    run.same(&run.jsonl().len(), &3);
    // Without a proxy variable, -v says nothing about proxies.
    results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-f", "jsonl", "-v"])
        .ok()
        .stderr_lacks("proxy");
}
