//! A long export's sign of life where the live progress line does not show
//! (CI, stderr not a terminal, `TERM=dumb`): a plain line a minute, so a CI
//! log shows the job is alive.

use std::time::Duration;

use tokio::time::Instant;

use crate::retry::Clock;
use crate::ui;

/// A minute of the export, on its clock.
const MINUTE: Duration = Duration::from_secs(60);

/// The least real time between two lines, whatever the test clock's scale.
const FLOOR: Duration = Duration::from_millis(10);

/// Ticks once a minute, from its start, while no live line shows.
pub struct Heartbeat {
    /// A minute as the clock sleeps it (a sixtieth of a second under the
    /// test suite's scale).
    period: Duration,
    next: Instant,
    minutes: u64,
    on: bool,
}

impl Heartbeat {
    /// A heartbeat from now, on `clock`'s scale; off when the live line
    /// shows or with `--quiet`.
    pub fn start(clock: &Clock) -> Heartbeat {
        let period = clock.scaled(MINUTE).max(FLOOR);
        Heartbeat {
            period,
            next: Instant::now() + period,
            minutes: 0,
            on: ui::plain_progress(),
        }
    }

    /// Resolves when the next minute is up, with the minutes since the
    /// start; never when it is off. Cancel-safe: a tick not waited out is
    /// waited for again.
    pub async fn tick(&mut self) -> u64 {
        if !self.on {
            return std::future::pending().await;
        }
        tokio::time::sleep_until(self.next).await;
        self.next += self.period;
        self.minutes += 1;
        self.minutes
    }
}
