//! A Plotly bar chart that follows a dropdown; plotly.js is served by
//! this server, not a CDN.
//!
//! `cargo run -p examples --bin graph`

fn main() -> Result<(), dash_core::Error> {
    examples::apps::graph::app().run()
}
