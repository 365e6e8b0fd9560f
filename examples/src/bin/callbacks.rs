//! A tour of callback features: named multi-output, chaining, grouped
//! arguments, a clientside callback, `set_props` and `Patch`.
//!
//! `cargo run -p examples --bin callbacks`

fn main() -> Result<(), dash_core::Error> {
    examples::apps::callbacks::app().run()
}
