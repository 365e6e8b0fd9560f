//! The smallest interactive app: type a name, get a greeting.
//!
//! `cargo run -p examples --bin hello`, then open http://127.0.0.1:8050/.

fn main() -> Result<(), dash_core::Error> {
    examples::apps::hello::app().run()
}
