//! The default [`BackgroundManager`]: jobs on this process's tokio runtime,
//! results and the cache in its memory. Nothing to install; jobs do not
//! survive a restart and are seen only by this process.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::FutureExt as _;
use futures_util::future::BoxFuture;
use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::AbortHandle;

use super::job::{JobRequest, JobResult, JobSignals};
use super::manager::{BackgroundManager, JobError, JobRunner, JobState, JobStatus};

/// Runs background jobs in this process (see the [module](super) docs).
///
/// At most [`pool`](Self::pool) jobs run at once (default: the number of
/// cores); more wait their turn, up to [`max_jobs`](Self::max_jobs) known
/// jobs in all. A finished job's result is kept until a poll delivers it
/// or for [`result_ttl`](Self::result_ttl); cached results take at most
/// [`cache_bytes`](Self::cache_bytes) of memory (serialized size), the
/// oldest dropped first.
///
/// ```
/// use dash_core::background::InProcessManager;
/// let manager = InProcessManager::new().pool(4).cache_bytes(256 << 20);
/// # let _ = manager;
/// ```
#[derive(Clone)]
pub struct InProcessManager {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for InProcessManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InProcessManager")
            .field("pool", &self.inner.pool_size)
            .field("max_jobs", &self.inner.max_jobs)
            .finish_non_exhaustive()
    }
}

struct Inner {
    jobs: Mutex<HashMap<String, Record>>,
    pool: Arc<Semaphore>,
    pool_size: usize,
    max_jobs: usize,
    result_ttl: Duration,
    cache: Mutex<Cache>,
}

struct Record {
    signals: Arc<JobSignals>,
    state: JobState,
    abort: Option<AbortHandle>,
    ended: Option<Instant>,
}

impl Default for InProcessManager {
    fn default() -> Self {
        InProcessManager::new()
    }
}

impl InProcessManager {
    /// A manager with a pool of one job per core, 1,024 known jobs, results
    /// kept 10 minutes and a 64 MiB cache.
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        InProcessManager::build(cores, 1024, Duration::from_secs(600), 64 << 20)
    }

    fn build(pool: usize, max_jobs: usize, result_ttl: Duration, cache_bytes: usize) -> Self {
        let pool = pool.max(1);
        InProcessManager {
            inner: Arc::new(Inner {
                jobs: Mutex::new(HashMap::new()),
                pool: Arc::new(Semaphore::new(pool)),
                pool_size: pool,
                max_jobs: max_jobs.max(1),
                result_ttl,
                cache: Mutex::new(Cache::new(cache_bytes)),
            }),
        }
    }

    fn rebuild(self, f: impl FnOnce(&mut (usize, usize, Duration, usize))) -> Self {
        let cache = self.inner.cache_max();
        let mut p = (
            self.inner.pool_size,
            self.inner.max_jobs,
            self.inner.result_ttl,
            cache,
        );
        f(&mut p);
        InProcessManager::build(p.0, p.1, p.2, p.3)
    }

    /// How many jobs run at once (at least 1).
    pub fn pool(self, jobs: usize) -> Self {
        self.rebuild(|p| p.0 = jobs)
    }

    /// How many jobs may be known at once — running, waiting, or finished
    /// and not yet delivered; a start beyond it is refused with a message.
    pub fn max_jobs(self, jobs: usize) -> Self {
        self.rebuild(|p| p.1 = jobs)
    }

    /// How long a finished job's result waits for its poll.
    pub fn result_ttl(self, ttl: Duration) -> Self {
        self.rebuild(|p| p.2 = ttl)
    }

    /// The bound of the result cache, in bytes of serialized JSON.
    pub fn cache_bytes(self, bytes: usize) -> Self {
        self.rebuild(|p| p.3 = bytes)
    }
}

impl Drop for Inner {
    /// The app is gone: its jobs are cancelled (a synchronous job stops at
    /// its next `is_cancelled()` check, so shutting down does not wait for
    /// jobs nobody can collect).
    fn drop(&mut self) {
        let jobs = self.jobs.get_mut().unwrap_or_else(|e| e.into_inner());
        for r in jobs.values_mut() {
            r.signals.cancel();
            if let Some(a) = r.abort.take() {
                a.abort();
            }
        }
    }
}

impl Inner {
    fn jobs(&self) -> MutexGuard<'_, HashMap<String, Record>> {
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn cache_max(&self) -> usize {
        self.cache().max
    }

    /// Forgets finished jobs nobody came for.
    fn sweep(&self, jobs: &mut HashMap<String, Record>, now: Instant) {
        let ttl = self.result_ttl;
        jobs.retain(|_, r| r.ended.is_none_or(|t| now.duration_since(t) < ttl));
    }

    fn finish(&self, id: &str, result: JobResult, cache: Option<(String, Duration)>) {
        if let (JobResult::Done(v), Some((key, ttl))) = (&result, cache) {
            self.cache().put(key, v.clone(), ttl, Instant::now());
        }
        let mut jobs = self.jobs();
        if let Some(r) = jobs.get_mut(id)
            && !matches!(r.state, JobState::Cancelled)
        {
            r.state = JobState::Finished(result);
            r.ended = Some(Instant::now());
            r.abort = None;
        }
    }
}

impl BackgroundManager for InProcessManager {
    fn start(&self, job: JobRequest, runner: JobRunner) -> BoxFuture<'_, Result<(), JobError>> {
        async move {
            let id = job.id.clone();
            let signals = Arc::new(JobSignals::default());
            {
                let mut jobs = self.inner.jobs();
                self.inner.sweep(&mut jobs, Instant::now());
                if jobs.len() >= self.inner.max_jobs {
                    return Err(JobError::Busy(jobs.len()));
                }
                jobs.insert(
                    id.clone(),
                    Record {
                        signals: Arc::clone(&signals),
                        state: JobState::Queued,
                        abort: None,
                        ended: None,
                    },
                );
            }
            // The task holds the manager weakly: once the app is gone,
            // dropping the manager cancels what still runs.
            let inner = Arc::downgrade(&self.inner);
            let pool = Arc::clone(&self.inner.pool);
            let cache = job
                .cache_key
                .clone()
                .zip(job.cache_ttl_secs.map(Duration::from_secs));
            let task_signals = Arc::clone(&signals);
            let task_id = id.clone();
            let task = tokio::spawn(async move {
                let permit = tokio::select! {
                    p = pool.acquire_owned() => p,
                    () = task_signals.cancelled() => return,
                };
                let Ok(_permit) = permit else { return };
                match inner.upgrade().as_ref().and_then(|i| {
                    i.jobs().get_mut(&task_id).map(|r| {
                        let go = !matches!(r.state, JobState::Cancelled);
                        if go {
                            r.state = JobState::Running;
                        }
                        go
                    })
                }) {
                    Some(true) => {}
                    _ => return,
                }
                let result = std::panic::AssertUnwindSafe(runner.run(job, task_signals))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|_| JobResult::Failed("the background job panicked".into()));
                if let Some(inner) = inner.upgrade() {
                    inner.finish(&task_id, result, cache);
                }
            });
            if let Some(r) = self.inner.jobs().get_mut(&id)
                && matches!(r.state, JobState::Queued | JobState::Running)
            {
                r.abort = Some(task.abort_handle());
            }
            Ok(())
        }
        .boxed()
    }

    fn status<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<JobStatus, JobError>> {
        async move {
            let mut jobs = self.inner.jobs();
            self.inner.sweep(&mut jobs, Instant::now());
            let Some(r) = jobs.get(id) else {
                return Ok(JobStatus::unknown());
            };
            let progress = r.signals.take_progress();
            let side_updates = r.signals.take_side_updates();
            let state = r.state.clone();
            if matches!(state, JobState::Finished(_) | JobState::Cancelled) {
                jobs.remove(id);
            }
            Ok(JobStatus {
                state,
                progress,
                side_updates,
            })
        }
        .boxed()
    }

    fn cancel<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<bool, JobError>> {
        async move {
            let mut jobs = self.inner.jobs();
            let Some(r) = jobs.get_mut(id) else {
                return Ok(false);
            };
            if !matches!(r.state, JobState::Queued | JobState::Running) {
                return Ok(false);
            }
            r.signals.cancel();
            if let Some(a) = r.abort.take() {
                a.abort();
            }
            r.state = JobState::Cancelled;
            r.ended = Some(Instant::now());
            // What it reported is of no use any more.
            r.signals.take_progress();
            r.signals.take_side_updates();
            Ok(true)
        }
        .boxed()
    }

    fn cached<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Value>, JobError>> {
        async move { Ok(self.inner.cache().get(key, Instant::now())) }.boxed()
    }
}

/// Results by cache key, bounded in bytes, oldest first out.
struct Cache {
    entries: HashMap<String, (Value, usize, Instant)>,
    order: VecDeque<String>,
    bytes: usize,
    max: usize,
}

impl Cache {
    fn new(max: usize) -> Self {
        Cache {
            entries: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            max,
        }
    }

    fn get(&mut self, key: &str, now: Instant) -> Option<Value> {
        match self.entries.get(key) {
            Some((v, _, expires)) if *expires > now => Some(v.clone()),
            Some(_) => {
                if let Some((_, size, _)) = self.entries.remove(key) {
                    self.bytes -= size;
                }
                self.order.retain(|k| k != key);
                None
            }
            None => None,
        }
    }

    fn put(&mut self, key: String, value: Value, ttl: Duration, now: Instant) {
        let size = serde_json::to_vec(&value).map_or(usize::MAX, |b| b.len()) + key.len();
        if size > self.max {
            return;
        }
        if let Some((_, old, _)) = self.entries.remove(&key) {
            self.bytes -= old;
            self.order.retain(|k| *k != key);
        }
        while self.bytes + size > self.max {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            if let Some((_, s, _)) = self.entries.remove(&oldest) {
                self.bytes -= s;
            }
        }
        self.bytes += size;
        self.order.push_back(key.clone());
        self.entries.insert(key, (value, size, now + ttl));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_bounded_in_bytes_and_expires() {
        let mut c = Cache::new(100);
        let t = Instant::now();
        let long = Duration::from_secs(60);
        c.put("a".into(), Value::String("x".repeat(40)), long, t);
        c.put("b".into(), Value::String("y".repeat(40)), long, t);
        assert!(c.get("a", t).is_some() && c.get("b", t).is_some());
        c.put("c".into(), Value::String("z".repeat(40)), long, t);
        assert!(c.get("a", t).is_none(), "the oldest goes first");
        assert!(c.bytes <= 100);
        c.put("big".into(), Value::String("w".repeat(200)), long, t);
        assert!(
            c.get("big", t).is_none(),
            "a value over the bound is not kept"
        );
        assert!(c.get("c", t + Duration::from_secs(61)).is_none(), "expired");
    }
}
