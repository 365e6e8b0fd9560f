//! Pattern-matching callbacks: a todo list whose items are added at run
//! time. `MATCH` strikes through one item, `ALL` counts, `ALLSMALLER`
//! keeps running totals.
//!
//! `cargo run -p examples --bin todo`

fn main() -> Result<(), dash_core::Error> {
    examples::apps::todo::app().run()
}
