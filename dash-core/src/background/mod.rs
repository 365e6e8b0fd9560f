//! Background ("long") callbacks: Dash's `@callback(..., background=True)`.
//!
//! A background callback runs as a job: the request that fires it returns
//! at once with a job handle, the browser polls, and while the job runs the
//! page stays responsive, `running` outputs show it is busy, `progress`
//! outputs move, and `cancel` inputs stop it. Results can be cached by the
//! callback's arguments.
//!
//! ```
//! use std::time::Duration;
//! use dash_core::background::{Background, set_progress};
//! use dash_core::{Callback, Input, Output};
//!
//! let cb = Callback::new(
//!     Output::new("result", "children"),
//!     Input::new("run", "n_clicks"),
//!     |n: Option<u32>| {
//!         for step in 1..=20 {
//!             std::thread::sleep(Duration::from_millis(5));
//!             set_progress(step); // the newest value reaches the page
//!             if dash_core::background::is_cancelled() {
//!                 break;
//!             }
//!         }
//!         format!("done {}", n.unwrap_or(0))
//!     },
//! )
//! .running(Output::new("run", "disabled"), true, false)
//! .background(
//!     Background::new()
//!         .progress(Output::new("progress", "value"))
//!         .cancel(Input::new("cancel", "n_clicks"))
//!         .cache("v1", Duration::from_secs(600)),
//! );
//! # let _ = cb;
//! ```
//!
//! Jobs run through a [`BackgroundManager`]: [`InProcessManager`] by
//! default (tokio tasks and the blocking pool of this process, nothing to
//! install), or one set with [`crate::Dash::background_manager`].
//!
//! Handles given to the browser (`job`, `cacheKey`) are signed with the
//! app's secret (`DASH_SECRET_KEY`, shared by every process of one app; a
//! random one when unset), so a client can poll or cancel only the jobs it
//! was given.

mod handles;
mod in_process;
mod job;
mod manager;
pub(crate) mod protocol;

use std::time::Duration;

use serde_json::Value;

use crate::deps::{Input, Output};

pub use handles::SECRET_ENV;
pub use in_process::InProcessManager;
pub use job::{JobRequest, JobResult, JobSignals, is_cancelled, set_progress};
pub use manager::{BackgroundManager, JobError, JobRunner, JobState, JobStatus};

/// How a callback runs in the background (see the [module](self) docs).
///
/// Built with [`Background::new`] and given to
/// [`Callback::background`](crate::Callback::background).
#[derive(Debug, Clone)]
pub struct Background {
    pub(crate) interval: Duration,
    pub(crate) progress: Vec<Output>,
    pub(crate) progress_default: Vec<(Output, Value)>,
    pub(crate) cancel: Vec<Input>,
    pub(crate) cache: Option<CachePolicy>,
    pub(crate) supersede: bool,
}

/// Results kept by the callback's arguments.
#[derive(Debug, Clone)]
pub(crate) struct CachePolicy {
    pub(crate) version: String,
    pub(crate) ttl: Duration,
    /// Top-level argument positions left out of the key.
    pub(crate) ignore: Vec<usize>,
}

impl Default for Background {
    fn default() -> Self {
        Background::new()
    }
}

impl Background {
    /// A background callback polled every second, without progress,
    /// cancel inputs or caching; a newer call cancels the older one.
    pub fn new() -> Self {
        Background {
            interval: Duration::from_secs(1),
            progress: Vec::new(),
            progress_default: Vec::new(),
            cancel: Vec::new(),
            cache: None,
            supersede: true,
        }
    }

    /// How often the browser asks for progress and the result (Dash's
    /// `interval`; default 1 s, at least 50 ms).
    pub fn interval(mut self, every: Duration) -> Self {
        self.interval = every.max(Duration::from_millis(50));
        self
    }

    /// An output the job sets with [`set_progress`] while it runs. With
    /// several, the job passes a list of values, one per progress output
    /// in the order they were added.
    pub fn progress(mut self, output: Output) -> Self {
        self.progress.push(output);
        self
    }

    /// The value `output` (a progress output) takes when the job ends or
    /// is cancelled (Dash's `progress_default`).
    pub fn progress_default(mut self, output: Output, value: impl Into<Value>) -> Self {
        self.progress_default.push((output, value.into()));
        self
    }

    /// An input that cancels the running job when it fires (a "Cancel"
    /// button's `n_clicks`). With a `MATCH` ID it cancels only the job of
    /// its own instance.
    pub fn cancel(mut self, input: Input) -> Self {
        self.cancel.push(input);
        self
    }

    /// Keeps results for `ttl`, keyed by blake3 over the callback, `version`
    /// and the arguments: a second call with the same arguments is answered
    /// from the cache without running the job. Change `version` when the
    /// function's results change.
    pub fn cache(mut self, version: impl Into<String>, ttl: Duration) -> Self {
        let ignore = self.cache.take().map(|c| c.ignore).unwrap_or_default();
        self.cache = Some(CachePolicy {
            version: version.into(),
            ttl,
            ignore,
        });
        self
    }

    /// Leaves the arguments at these positions (of a callback taking
    /// several) out of the cache key — typically a button's `n_clicks`,
    /// which differs on every run (Dash's `cache_args_to_ignore`). Needs
    /// [`cache`](Self::cache).
    pub fn cache_args_to_ignore(mut self, positions: impl IntoIterator<Item = usize>) -> Self {
        let positions: Vec<usize> = positions.into_iter().collect();
        match &mut self.cache {
            Some(c) => c.ignore = positions,
            None => {
                self.cache = Some(CachePolicy {
                    version: String::new(),
                    ttl: Duration::ZERO,
                    ignore: positions,
                })
            }
        }
        self
    }

    /// Whether a newer call of the same callback (for the same
    /// pattern-matching instance) cancels the job still running (default
    /// `true`); with `false` the old job runs to its end and its result is
    /// dropped by the browser.
    pub fn supersede(mut self, cancel_older: bool) -> Self {
        self.supersede = cancel_older;
        self
    }
}
