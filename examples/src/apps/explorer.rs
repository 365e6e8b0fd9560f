//! The explorer's page: one DataTable per frame (see
//! `src/bin/explorer.rs` for the command line).

use aio_datatable::DataTableAio;
use dash_core::prelude::*;
use polars::prelude::DataFrame;
use serde_json::json;

/// Sets the explorer's title and layout on `app`: for each
/// `(aio_id, title, frame)` a heading and a table (the `explorer` table's
/// `price` formatted with two decimals).
pub fn layout(app: &mut Dash, tables: Vec<(String, String, DataFrame)>) {
    let mut children: Vec<Node> = vec![Node::from(html::P::new().children(
        "Type in the filter row (e.g. > 500, cat_7, contains ab), click headers to sort \
         (several for a multi-column sort), or search.",
    ))];
    for (aio_id, title, frame) in tables {
        let mut table = DataTableAio::new(frame)
            .aio_id(aio_id.as_str())
            .page_size(25);
        if aio_id == "explorer" {
            table = table.format("price", json!({"specifier": ",.2f"}));
        }
        children.push(Node::from(
            html::H2::new().children(format!("Explorer — {title}")),
        ));
        children.push(Node::from(table));
    }
    app.title("Explorer · dash-rs");
    app.layout(
        html::Div::new()
            .style(json!({"fontFamily": "system-ui, sans-serif", "margin": "1em 2em"}))
            .children(children),
    );
}

/// The explorer over `rows` generated rows, ready to serve or to mount.
pub fn app(rows: usize) -> Result<Dash, Box<dyn std::error::Error>> {
    let mut app = Dash::new();
    let frame = crate::data::generated(rows)?;
    layout(
        &mut app,
        vec![("explorer".into(), format!("{rows} generated rows"), frame)],
    );
    Ok(app)
}
