//! The jobs that commands run, and that several commands share: an export
//! (`results`, `demo`, `submit --export`), the failed-lines join
//! (`failed-lines`, `submit --failed-lines`, `demo --submit`), a submission
//! (`submit`, `demo --submit`) and the wait for a bulk to finish. A command
//! turns its settings into one job call and an exit code; commands never
//! import each other, they meet here.

pub mod export;
pub mod failed_lines;
pub mod last_words;
pub mod submit;
pub mod wait;

/// The runtime every job that talks HTTP uses: one worker thread is
/// plenty for one cursor loop (or a few), and keeps CPU use predictable.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?)
}
