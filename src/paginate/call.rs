//! One request with retries, outside the page loop (a status, a
//! submission), and what an API error means to [`retry::run`] for any
//! request, pages included.

use std::future::Future;

use crate::api::{Api, FetchError};
use crate::exit::Failure;
use crate::retry::{self, Clock, Fault, RetryPolicy};

/// One request to `api`, retried on transient faults like a page: `request`
/// is sent again after each retryable fault, with a fresh token after a
/// refused one. `clock` paces the backoff (a caller with a deadline passes
/// its own); `what` names the request in messages.
pub async fn call<T, F, Fut>(
    api: &Api,
    policy: RetryPolicy,
    clock: &Clock,
    what: &str,
    request: F,
) -> Result<T, Failure>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, FetchError>>,
{
    let request = &request;
    retry::run(policy, clock, what, |attempt| async move {
        if attempt.renew_token {
            api.forget_token().await;
        }
        request().await.map_err(|error| fault(error, api))
    })
    .await
}

/// What a failed request to `api` means to [`retry::run`]. A 428 is fatal
/// here: the page loop polls it before it gets this far.
pub fn fault(error: FetchError, api: &Api) -> Fault {
    match error {
        FetchError::Transient {
            label,
            retry_after,
            failure,
        } => Fault::Transient {
            label,
            retry_after,
            failure,
        },
        FetchError::Unauthorized(failure) => Fault::Refused {
            failure,
            renewable: api.can_renew_token(),
        },
        FetchError::NotReady { failure, .. } | FetchError::Fatal(failure) => Fault::Fatal(failure),
    }
}
