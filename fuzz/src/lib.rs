//! Structure-aware fuzzing on stable Rust (cargo-fuzz needs nightly).
//!
//! Two loops, each seeded and reproducible:
//!
//! * **Callback bodies** ([`fuzz_bodies`]): the seed requests of every
//!   example app (every server-side callback, as the renderer asks it on
//!   page load) mutated by [`mutate`] and sent through the app's
//!   in-process router. A case fails when the router panics, answers 5xx
//!   (other than an app's own deliberate error message), or takes over a
//!   second.
//! * **Filter queries** ([`fuzz_queries`]): random sequences of the
//!   DataTable grammar's pieces parsed, compiled and run (filter, sort,
//!   first page as JSON) on a small frame of every column kind; a case
//!   fails when any step panics.
//!
//! `cargo run --release -p fuzz --bin dash-fuzz -- --cases 10000000`
//! runs a long campaign (`scripts/fuzz.sh`); `cargo test -p fuzz` a short
//! one as part of the test command.

pub mod mutate;
pub mod queries;
pub mod targets;

use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use axum::body::Body;
use futures_util::FutureExt as _;
use http::{Request, header};
use rand::{RngExt as _, SeedableRng as _};
use rand_pcg::Pcg64Mcg;
use tower::ServiceExt as _;

/// A request slower than this is a finding.
pub const SLOW: Duration = Duration::from_secs(1);

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Cases run.
    pub cases: u64,
    /// Answers by status class: 2xx, 4xx, 5xx.
    pub ok: u64,
    /// 4xx answers (the expected answer to most mutations).
    pub refused: u64,
    /// 5xx answers that name an app's own error for bad input.
    pub app_errors: u64,
    /// Failures: a description and the body that caused it (cut).
    pub findings: Vec<String>,
    /// The slowest case.
    pub slowest: Duration,
}

impl Report {
    fn finding(&mut self, what: String) {
        if self.findings.len() < 50 {
            self.findings.push(what);
        }
    }

    /// One line of figures.
    pub fn summary(&self) -> String {
        format!(
            "{} cases: {} answered 2xx/204, {} refused 4xx, {} app errors, {} findings, slowest {:.1} ms",
            self.cases,
            self.ok,
            self.refused,
            self.app_errors,
            self.findings.len(),
            self.slowest.as_secs_f64() * 1000.0
        )
    }
}

fn cut(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.chars().take(300).collect()
}

/// Sends every seed unchanged: `(app, status, body)` of each answer that
/// is neither 2xx nor the app's own error message (a seed is what the
/// renderer sends, so none should be).
pub async fn unanswered_seeds() -> Result<Vec<(String, u16, String)>, String> {
    let mut out = Vec::new();
    for t in targets::all().await? {
        for seed in &t.seeds {
            let req = Request::post("/_dash-update-component")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(seed.to_string()))
                .map_err(|e| e.to_string())?;
            let Ok(resp) = t.router.clone().oneshot(req).await;
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), 1 << 30)
                .await
                .unwrap_or_default();
            let text = String::from_utf8_lossy(&body).into_owned();
            let app_error =
                (status == 500 || status == 503) && t.app_errors.iter().any(|m| text.contains(m));
            if !status.is_success() && !app_error {
                out.push((
                    t.name.to_owned(),
                    status.as_u16(),
                    format!("{text} ← {seed}"),
                ));
            }
        }
    }
    Ok(out)
}

/// Sends `cases` mutated callback bodies, spread over every example app.
pub async fn fuzz_bodies(cases: u64, seed: u64) -> Result<Report, String> {
    let targets = targets::all().await?;
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut report = Report::default();
    let seeds_of_all: Vec<serde_json::Value> =
        targets.iter().flat_map(|t| t.seeds.clone()).collect();
    for _ in 0..cases {
        let t = &targets[rng.random_range(0..targets.len())];
        if t.seeds.is_empty() {
            continue;
        }
        let seed_body = &t.seeds[rng.random_range(0..t.seeds.len())];
        let bytes = mutate::mutate(&mut rng, seed_body, &seeds_of_all);
        let req = Request::post("/_dash-update-component")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(bytes.clone()))
            .map_err(|e| e.to_string())?;
        let started = Instant::now();
        let answered = AssertUnwindSafe(async {
            let resp = t.router.clone().oneshot(req).await?;
            let status = resp.status();
            let body = axum::body::to_bytes(resp.into_body(), 1 << 30)
                .await
                .unwrap_or_default();
            Ok::<_, std::convert::Infallible>((status, body))
        })
        .catch_unwind()
        .await;
        let took = started.elapsed();
        report.cases += 1;
        report.slowest = report.slowest.max(took);
        if took > SLOW {
            report.finding(format!("{}: {took:?} for {}", t.name, cut(&bytes)));
        }
        let (status, body) = match answered {
            Ok(Ok(a)) => a,
            Ok(Err(e)) => match e {},
            Err(_) => {
                report.finding(format!(
                    "{}: the router panicked on {}",
                    t.name,
                    cut(&bytes)
                ));
                continue;
            }
        };
        if status.is_success() {
            report.ok += 1;
        } else if status.is_client_error() {
            report.refused += 1;
        } else {
            let text = String::from_utf8_lossy(&body);
            if (status == 500 || status == 503) && t.app_errors.iter().any(|m| text.contains(m)) {
                report.app_errors += 1;
            } else {
                report.finding(format!(
                    "{}: {status} {} for {}",
                    t.name,
                    text.chars().take(200).collect::<String>(),
                    cut(&bytes)
                ));
            }
        }
    }
    Ok(report)
}

/// Runs `cases` random filter queries (with random sorts and searches)
/// through parse → compile → view → first page.
pub fn fuzz_queries(cases: u64, seed: u64) -> Result<Report, String> {
    let frame = queries::frame().map_err(|e| e.to_string())?;
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut report = Report::default();
    for _ in 0..cases {
        let case = queries::case(&mut rng);
        let started = Instant::now();
        let ran = std::panic::catch_unwind(AssertUnwindSafe(|| queries::run(&frame, &case)));
        let took = started.elapsed();
        report.cases += 1;
        report.slowest = report.slowest.max(took);
        if took > SLOW {
            report.finding(format!("query took {took:?}: {case:?}"));
        }
        match ran {
            Ok(true) => report.ok += 1,
            Ok(false) => report.refused += 1,
            Err(_) => report.finding(format!("query panicked: {case:?}")),
        }
    }
    Ok(report)
}
