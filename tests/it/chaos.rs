//! Whole exports from a sandbox that fails, cuts bodies and is not ready at
//! first: the output must equal the fault-free export row for row.

use std::time::Duration;

use crate::support::*;
use druid_bulk::sandbox::{self, Faults, SandboxConfig};

#[test]
fn faults_and_resets_do_not_change_a_single_row() {
    let cfg = SandboxConfig::new(3_000)
        .with_token(TOKEN)
        .with_seed(7)
        .with_faults(Faults {
            fail_rate: 0.2,
            reset_rate: 0.2,
            ..Faults::default()
        });
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "100", "--retries", "12", "-f", "jsonl"])
        .ok();
    run.same(&run.jsonl(), &expected);
    run.check(
        server.faults_injected() >= 5,
        format_args!("faults were injected: {}", server.faults_injected()),
    );
    let retries = run.stderr().matches("retrying page").count() as u64;
    assert_eq!(
        retries,
        server.faults_injected(),
        "one retry per fault\n\n{}",
        run.describe()
    );
}

#[test]
fn wait_rides_out_a_bulk_that_is_not_ready_yet() {
    let cfg = SandboxConfig::new(120)
        .with_token(TOKEN)
        .with_faults(Faults {
            not_ready_for: 3,
            latency: Duration::from_millis(1),
            ..Faults::default()
        });
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--wait=5m", "-f", "jsonl"])
        .ok();
    run.same(&run.jsonl(), &expected);
    // Four results requests, and the bulk's status asked after each 428.
    run.same(&server.hits(), &7);
}
