//! A background callback: a ~10 s job in 20 steps with a progress bar,
//! `run` disabled and `cancel` enabled while it runs, and results cached by
//! label (a second run with the same label is answered at once).
//!
//! Below it, two instances of one pattern-matching (`MATCH`) job run side by
//! side: each has its own bar and cancel button, and cancelling one leaves
//! the other running.
//!
//! `cargo run -p examples --bin long_job`, then open http://127.0.0.1:8050/.
//! `LONG_JOB_STEP_MS` sets the time of one step (default 500).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dash_core::background::{Background, is_cancelled, set_progress};
use dash_core::prelude::*;
use dash_core::serde_json::json;

/// Steps of one job.
pub const STEPS: u32 = 20;

/// The app, ready to serve (`app().run()`) or to mount (`into_router`).
pub fn app() -> Dash {
    let step = std::env::var("LONG_JOB_STEP_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(Duration::from_millis(500), Duration::from_millis);
    let mut app = Dash::new();
    app.title("Long job · dash-rs");
    let row =
        || json!({"display": "flex", "alignItems": "center", "gap": "8px", "margin": "8px 0"});
    app.layout(
        html::Div::new()
            .style(json!({"fontFamily": "system-ui, sans-serif", "maxWidth": "640px", "margin": "24px"}))
            .children((
                html::H1::new().children("A long job"),
                html::Div::new().style(row()).children((
                    html::Label::new().html_for("label").children("Label"),
                    dcc::Input::new().id("label").value("first").debounce(false),
                    html::Button::new().id("run").children("Run"),
                    html::Button::new()
                        .id("cancel")
                        .children("Cancel")
                        .disabled(true),
                )),
                html::Div::new().style(row()).children((
                    html::Progress::new()
                        .id("progress")
                        .max(STEPS.to_string())
                        .value("0")
                        .style(json!({"width": "240px"})),
                    html::Span::new().id("status").children("idle"),
                )),
                html::Div::new().id("result").style(json!({"minHeight": "1.5em"})),
                html::H2::new().children("Two at once"),
                instance(1),
                instance(2),
            )),
    );
    app.add_callback(job(step));
    app.add_callback(instance_job(step));
    app
}

/// One instance of the pattern-matching job: run, cancel, bar, result.
fn instance(index: i64) -> html::Div {
    html::Div::new()
        .style(json!({"display": "flex", "alignItems": "center", "gap": "8px", "margin": "8px 0"}))
        .children((
            html::Button::new()
                .id(id! {"type": "job-run", "index": index})
                .children(format!("Run {index}")),
            html::Button::new()
                .id(id! {"type": "job-cancel", "index": index})
                .children(format!("Cancel {index}"))
                .disabled(true),
            html::Progress::new()
                .id(id! {"type": "job-progress", "index": index})
                .max(STEPS.to_string())
                .value("0")
                .style(json!({"width": "160px"})),
            html::Span::new().id(id! {"type": "job-result", "index": index}),
        ))
}

/// The job of every instance, keyed by its `MATCH` index: an instance's
/// cancel button stops only its own job.
pub fn instance_job(step: Duration) -> Callback {
    let matched = |kind: &str| id! {"type": kind, "index": MATCH};
    Callback::new(
        Output::new(matched("job-result"), "children"),
        Input::new(matched("job-run"), "n_clicks"),
        move |_clicks: Option<u32>| {
            let index = callback_context()
                .and_then(|c| c.triggered_id().and_then(|id| id.get("index").cloned()))
                .map_or_else(String::new, |v| v.to_json().to_string());
            for i in 1..=STEPS {
                if is_cancelled() {
                    return Err(CallbackError::prevent_update());
                }
                std::thread::sleep(step);
                set_progress(i.to_string());
            }
            Ok(format!("job {index}: done"))
        },
    )
    .prevent_initial_call(true)
    .running(Output::new(matched("job-run"), "disabled"), true, false)
    .running(Output::new(matched("job-cancel"), "disabled"), false, true)
    .background(
        Background::new()
            .interval(Duration::from_millis(200))
            .progress(Output::new(matched("job-progress"), "value"))
            .progress_default(Output::new(matched("job-progress"), "value"), "0")
            .cancel(Input::new(matched("job-cancel"), "n_clicks")),
    )
}

/// The job: `STEPS` steps of `step` each, reporting each one; cancelled
/// between steps. Its result names the label and when it was computed, so
/// a result served from the cache shows the time of the run that made it.
pub fn job(step: Duration) -> Callback {
    Callback::new(
        Output::new("result", "children"),
        (Input::new("run", "n_clicks"), State::new("label", "value")),
        move |_clicks: Option<u32>, label: Option<String>| {
            let label = label.unwrap_or_default();
            for i in 1..=STEPS {
                if is_cancelled() {
                    return Err(CallbackError::prevent_update());
                }
                std::thread::sleep(step);
                set_progress((i.to_string(), format!("step {i} of {STEPS}")));
            }
            let ms = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis());
            let (s, ms) = (ms / 1000 % 86_400, ms % 1000);
            let at = format!(
                "{:02}:{:02}:{:02}.{ms:03} UTC",
                s / 3600,
                s / 60 % 60,
                s % 60
            );
            Ok(format!("{label}: done in {STEPS} steps (computed at {at})"))
        },
    )
    .prevent_initial_call(true)
    .running(Output::new("run", "disabled"), true, false)
    .running(Output::new("cancel", "disabled"), false, true)
    .background(
        Background::new()
            .interval(Duration::from_millis(200))
            .progress(Output::new("progress", "value"))
            .progress(Output::new("status", "children"))
            .progress_default(Output::new("progress", "value"), "0")
            .progress_default(Output::new("status", "children"), "idle")
            .cancel(Input::new("cancel", "n_clicks"))
            .cache("v1", Duration::from_secs(600))
            .cache_args_to_ignore([0]), // the button's n_clicks
    )
}
