//! A background callback with progress, cancel and a result cache (see
//! `examples::apps::long_job`).
//!
//! `cargo run -p examples --bin long_job`, then open http://127.0.0.1:8050/.

fn main() -> Result<(), dash_core::Error> {
    examples::apps::long_job::app().run()
}
