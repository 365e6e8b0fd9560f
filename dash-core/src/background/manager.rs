//! The seam between the protocol and where jobs run: [`BackgroundManager`].

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};

use super::job::{JobRequest, JobResult, JobSignals};

/// The function a [`JobRunner`] wraps.
pub(crate) type RunJob =
    dyn Fn(JobRequest, Arc<JobSignals>) -> BoxFuture<'static, JobResult> + Send + Sync;

/// Runs a job's callback in this process: given to
/// [`BackgroundManager::start`], and what a worker process calls for the
/// jobs it takes (its app registers the same callbacks).
///
/// Synchronous callback code runs on tokio's blocking pool; the returned
/// future does the asynchronous part, so dropping (aborting) it stops an
/// async job at its next `.await`.
#[derive(Clone)]
pub struct JobRunner(pub(crate) Arc<RunJob>);

impl fmt::Debug for JobRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JobRunner(..)")
    }
}

impl JobRunner {
    /// Runs `job`, reporting through `signals`.
    pub fn run(&self, job: JobRequest, signals: Arc<JobSignals>) -> BoxFuture<'static, JobResult> {
        (self.0)(job, signals)
    }
}

/// Where a job is.
#[derive(Debug, Clone, PartialEq)]
pub enum JobState {
    /// Waiting for a free slot of the pool.
    Queued,
    /// Running.
    Running,
    /// Ended (its result is handed out once, then forgotten).
    Finished(JobResult),
    /// Cancelled before it ended.
    Cancelled,
    /// Not known: never started here, already delivered, or expired.
    Unknown,
}

/// What a poll learns: the job's state and what it reported since the
/// last poll.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    /// Where the job is.
    pub state: JobState,
    /// The newest progress not yet delivered.
    pub progress: Option<Value>,
    /// `set_props` updates not yet delivered.
    pub side_updates: Map<String, Value>,
}

impl JobStatus {
    /// A job this manager does not know.
    pub fn unknown() -> Self {
        JobStatus {
            state: JobState::Unknown,
            progress: None,
            side_updates: Map::new(),
        }
    }
}

/// Why a manager could not do what was asked.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JobError {
    /// The manager is at its bound of jobs.
    #[error("too many background jobs are waiting ({0}); try again shortly")]
    Busy(usize),
    /// The manager's backing service failed (Redis unreachable…).
    #[error("the background job manager is unavailable: {0}")]
    Unavailable(String),
}

/// Runs background jobs and answers for them: the in-process
/// [`InProcessManager`](super::InProcessManager) by default, a
/// Redis-backed one to share jobs between processes.
///
/// Job ids are chosen by the caller and unique; a manager keeps a finished
/// job's result until it is delivered by [`status`](Self::status) or
/// expires, and caches successful results of jobs whose request carries a
/// `cache_key`.
pub trait BackgroundManager: Send + Sync + 'static {
    /// Starts `job`, to be run with `runner` (here or in a worker process
    /// whose app has the same callbacks).
    fn start(&self, job: JobRequest, runner: JobRunner) -> BoxFuture<'_, Result<(), JobError>>;

    /// The job's state and what it reported since the last call. A
    /// finished job's result is returned once; the job is then forgotten.
    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<JobStatus, JobError>>;

    /// Stops the job (its signals are cancelled and async work is
    /// dropped). `true` if it was running or queued.
    fn cancel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, JobError>>;

    /// A cached result under `key`, if any.
    fn cached<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Value>, JobError>>;
}
