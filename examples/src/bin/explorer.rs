//! The explorer: a DataTable that pages, filters and sorts a large frame
//! on the server.
//!
//! ```text
//! cargo run --release -p examples --bin explorer                 # 1M generated rows
//! cargo run --release -p examples --bin explorer -- --rows 10000000
//! cargo run --release -p examples --bin explorer -- data.parquet  # or .arrow
//! ```
//! `HOST`/`PORT` as in Dash (default 127.0.0.1:8050); `REDIS_URL` to share
//! frames through Redis instead of this process's memory.

use std::path::PathBuf;

use aio_datatable::DataTableAio;
use dash_core::prelude::*;
use serde_json::json;

struct Args {
    path: Option<PathBuf>,
    rows: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        path: None,
        rows: 1_000_000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--rows" => {
                let v = it.next().ok_or("--rows needs a number")?;
                args.rows = v
                    .replace('_', "")
                    .parse()
                    .map_err(|_| format!("--rows needs a number, got {v:?}"))?;
            }
            "-h" | "--help" => {
                return Err("usage: explorer [PATH.csv|.parquet|.arrow] [--rows N]".into());
            }
            p if !p.starts_with('-') => args.path = Some(PathBuf::from(p)),
            other => return Err(format!("unknown option {other:?} (try --help)")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args()?;
    if let Ok(url) = std::env::var("REDIS_URL") {
        aio_datatable::set_store(redis_store::Store::redis(&url)?)?;
    }
    let (title, frame) = match &args.path {
        Some(p) => (format!("{}", p.display()), examples::data::read_file(p)?),
        None => (
            format!("{} generated rows", args.rows),
            examples::data::generated(args.rows)?,
        ),
    };
    let table = DataTableAio::new(frame)
        .aio_id("explorer")
        .page_size(25)
        .format("price", json!({"specifier": ",.2f"}))
        .build()
        .await?;
    let mut app = Dash::new();
    app.title("Explorer · dash-rs");
    app.layout(html::Div::new().style(json!({"fontFamily": "system-ui, sans-serif", "margin": "1em 2em"})).children((
        html::H2::new().children(format!("Explorer — {title}")),
        html::P::new().children(
            "Type in the filter row (e.g. > 500, cat_7, contains ab), click headers to sort (shift for several), or search.",
        ),
        table,
    )));
    app.serve().await?;
    Ok(())
}
