//! Two counters on one page: `cargo run --example demo`, then open
//! http://127.0.0.1:8050/ (`HOST`/`PORT` override).

use aio_counter::CounterAio;
use dash_core::prelude::*;

fn main() -> Result<(), dash_core::Error> {
    let mut app = Dash::new();
    app.title("Counters");
    app.layout(html::Div::new().children((
        html::H1::new().children("Counters"),
        CounterAio::new().aio_id("likes").label("Like"),
        CounterAio::new().aio_id("stars").label("Star").step(5),
    )));
    app.run()
}
