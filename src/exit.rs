//! Error classes and their exit codes, in one place.
//!
//! Code anywhere in the crate fails with a [`Failure`] that carries its
//! [`Class`]; `exit_code` walks an `anyhow` chain to find it. Scripts depend
//! on these numbers, so they only change with a documented reason.

use std::io;

/// What kind of failure ended the run; each maps to one exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Output I/O, anything without a class.
    Other,
    /// Bad flags, invalid bulk id, no credentials.
    Usage,
    /// 401/403 or the token endpoint refused us.
    Auth,
    /// 404: the bulk does not exist.
    NotFound,
    /// 428: the bulk has not finished.
    NotReady,
    /// 5xx, 408, 429, timeouts, connection failures.
    Unavailable,
    /// 400 or a response that breaks the protocol.
    Protocol,
    /// Rows were written and the caller asked to fail on rows.
    RowsFound,
    /// The bulk process itself failed on the server (status `failed`).
    BulkFailed,
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// A bug: a panic, or a task that ended without its last word
    /// (sysexits' `EX_SOFTWARE`). Outranks every other class.
    Internal,
}

impl Class {
    /// Every class, in exit-code order.
    pub const ALL: [Class; 11] = [
        Class::Other,
        Class::Usage,
        Class::Auth,
        Class::NotFound,
        Class::NotReady,
        Class::Unavailable,
        Class::Protocol,
        Class::RowsFound,
        Class::BulkFailed,
        Class::Internal,
        Class::Interrupted,
    ];

    /// The process exit code for this class (see the README's table).
    pub fn code(self) -> i32 {
        match self {
            Class::Other => 1,
            Class::Usage => 2,
            Class::Auth => 3,
            Class::NotFound => 4,
            Class::NotReady => 5,
            Class::Unavailable => 6,
            Class::Protocol => 7,
            Class::RowsFound => 8,
            Class::BulkFailed => 9,
            Class::Interrupted => 130,
            Class::Internal => 70,
        }
    }
}

impl Class {
    /// Which of two failures decides the exit code: the higher rank. By
    /// code, except that a bug (70) outranks everything, 130 included.
    pub fn rank(self) -> i32 {
        match self {
            Class::Internal => i32::MAX,
            other => other.code(),
        }
    }

    /// What the exit code means, as the README's table says it.
    pub fn meaning(self) -> &'static str {
        match self {
            Class::Other => "other error (output I/O, anything without a class)",
            Class::Usage => "usage: bad flags or values",
            Class::Auth => "authentication failed",
            Class::NotFound => "bulk not found",
            Class::NotReady => "bulk not finished yet",
            Class::Unavailable => "server or network error after retries",
            Class::Protocol => "bad request, or a response that breaks the protocol",
            Class::RowsFound => "rows were written and --fail-on-rows was given",
            Class::BulkFailed => "the bulk process failed",
            Class::Interrupted => "interrupted",
            Class::Internal => "internal error (a bug): nothing was committed",
        }
    }

    /// The process exit status for this class.
    pub fn exit_code(self) -> std::process::ExitCode {
        std::process::ExitCode::from(u8::try_from(self.code()).unwrap_or(1))
    }
}

/// An error with a class and a message meant for people.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub class: Class,
    pub message: String,
    /// What to do next, printed on its own line after the error.
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        Failure {
            class,
            message: message.into(),
            hint: None,
        }
    }

    /// The same failure with a hint line.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(Class::Usage, message)
    }
}

/// Shorthand for `Err(Failure::usage(..).into())`.
pub fn usage<T>(message: impl Into<String>) -> anyhow::Result<T> {
    Err(Failure::usage(message).into())
}

/// True when the error is (or wraps) a closed pipe on our output: the reader
/// went away (`| head`), which is a normal way for a run to end.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// The exit code for an error: a broken pipe is success, a classed failure
/// uses its class, anything else is 1.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if is_broken_pipe(err) {
        return 0;
    }
    class(err).code()
}

/// The failure an error carries, anywhere in its chain.
fn failure(err: &anyhow::Error) -> Option<&Failure> {
    err.chain()
        .find_map(|cause| cause.downcast_ref::<Failure>())
}

/// The class of an error: that of the failure it carries, else `Other`.
pub fn class(err: &anyhow::Error) -> Class {
    failure(err).map_or(Class::Other, |f| f.class)
}

/// The `hint:` line an error carries, if any.
pub fn hint(err: &anyhow::Error) -> Option<&str> {
    failure(err).and_then(|f| f.hint.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn classed_failure_is_found_under_context() {
        let err = anyhow::Error::from(Failure::new(Class::NotFound, "bulk x not found"))
            .context("while exporting");
        assert_eq!(exit_code(&err), 4);
    }

    #[test]
    fn broken_pipe_anywhere_in_the_chain_exits_zero() {
        let io = io::Error::new(io::ErrorKind::BrokenPipe, "closed");
        let err = Err::<(), _>(io).context("writing rows").unwrap_err();
        assert_eq!(exit_code(&err), 0);
    }

    #[test]
    fn unclassed_error_is_one() {
        assert_eq!(exit_code(&anyhow::anyhow!("boom")), 1);
    }

    #[test]
    fn every_class_has_its_documented_code() {
        let codes: Vec<i32> = Class::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes, [1, 2, 3, 4, 5, 6, 7, 8, 9, 70, 130]);
    }
}
