//! Cards: a paginated grid of cards over a frame, with a second,
//! independent pager and a DataTable — the whole layout built anew for
//! every page load (`layout_fn`), which All-in-One components allow
//! because building them is cheap.
//!
//! ```text
//! cargo run -p examples --bin cards      # http://127.0.0.1:8050/
//! ```
//!
//! - `cards-pager` (a `PaginationAio`) pages the cards in `#cards`; typing
//!   in `#cards-filter` keeps the cards whose name contains the text and
//!   tells the pager the new number of cards.
//! - `list-pager` pages the list of categories in `#list`, on its own.
//! - `products` (a `DataTableAio`) shows the same frame as a table.

use std::sync::Arc;

use aio_datatable::DataTableAio;
use aio_pagination::{PaginationAio, ids, pages};
use dash_core::prelude::*;
use polars::prelude::*;
use serde_json::json;

/// Cards this many.
const ROWS: usize = 250;

/// One card's data, read from the frame once.
struct Card {
    id: i64,
    name: String,
    category: String,
    price: f64,
}

fn cards_of(frame: &DataFrame) -> PolarsResult<Vec<Card>> {
    let text = |name: &str| -> PolarsResult<Vec<String>> {
        let s = frame.column(name)?.cast(&DataType::String)?;
        Ok(s.str()?
            .iter()
            .map(|v| v.unwrap_or_default().to_owned())
            .collect())
    };
    let (names, categories) = (text("name")?, text("category")?);
    let ids = frame.column("id")?.cast(&DataType::Int64)?;
    let prices = frame.column("price")?.cast(&DataType::Float64)?;
    Ok(ids
        .i64()?
        .iter()
        .zip(prices.f64()?.iter())
        .zip(names.into_iter().zip(categories))
        .map(|((id, price), (name, category))| Card {
            id: id.unwrap_or_default(),
            name,
            category,
            price: price.unwrap_or(f64::NAN),
        })
        .collect())
}

/// The cards whose name contains `filter` (any case).
fn matching<'a>(cards: &'a [Card], filter: &str) -> Vec<&'a Card> {
    let f = filter.trim().to_lowercase();
    cards
        .iter()
        .filter(|c| f.is_empty() || c.name.to_lowercase().contains(&f))
        .collect()
}

fn card_node(c: &Card) -> html::Div {
    html::Div::new()
        .class_name("card")
        .style(
            json!({"border": "1px solid #d5dae0", "borderRadius": "6px", "padding": "0.6em 0.8em"}),
        )
        .children((
            html::Div::new()
                .class_name("card__name")
                .style(json!({"fontWeight": 600}))
                .children(c.name.clone()),
            html::Div::new()
                .class_name("card__meta")
                .children(format!("#{} · {} · {:.2}", c.id, c.category, c.price)),
        ))
}

/// The app over `ROWS` generated rows, ready to serve or to mount.
pub fn app() -> Result<Dash, Box<dyn std::error::Error>> {
    let frame = crate::data::generated(ROWS)?;
    let cards = Arc::new(cards_of(&frame)?);
    let categories: Arc<Vec<String>> = Arc::new((0..20).map(|c| format!("cat_{c}")).collect());

    let mut app = Dash::new();
    app.title("Cards · dash-rs");
    let n_categories = categories.len() as u64;
    // Built on every page load: the pagers and the table are cheap to
    // build; the table's frame is hashed once and then looked up.
    app.layout_fn(move || {
        html::Div::new()
            .style(json!({"fontFamily": "system-ui, sans-serif", "margin": "1em 2em"}))
            .children(vec![
                Node::from(html::H1::new().children("Cards")),
                Node::from(
                    dcc::Input::new()
                        .id("cards-filter")
                        .r#type(dcc::InputType::Search)
                        .placeholder("Filter cards by name…")
                        .value("")
                        .debounce(false),
                ),
                Node::from(
                    PaginationAio::new(ROWS as u64)
                        .aio_id("cards-pager")
                        .page_size(12)
                        .page_sizes([6, 12, 24, 48])
                        .label("cards"),
                ),
                Node::from(html::Div::new().id("cards").style(json!({
                    "display": "grid",
                    "gridTemplateColumns": "repeat(auto-fill, minmax(14em, 1fr))",
                    "gap": "0.6em"
                }))),
                Node::from(html::H2::new().children("Categories")),
                Node::from(
                    PaginationAio::new(n_categories)
                        .aio_id("list-pager")
                        .page_size(5)
                        .page_sizes([5, 10])
                        .buttons(5)
                        .label("categories"),
                ),
                Node::from(html::Ul::new().id("list")),
                Node::from(html::H2::new().children("Products")),
                Node::from(
                    DataTableAio::new(frame.clone())
                        .aio_id("products")
                        .page_size(10),
                ),
            ])
    });

    // The number of cards follows the filter.
    let c = cards.clone();
    app.callback(
        Output::new(ids::total("cards-pager"), "data"),
        Input::new("cards-filter", "value"),
        move |filter: Option<String>| matching(&c, filter.as_deref().unwrap_or("")).len(),
    );
    // The cards of the current page.
    let c = cards.clone();
    app.callback(
        Output::new("cards", "children"),
        (
            Input::new(ids::page("cards-pager"), "data"),
            Input::new(ids::page_size("cards-pager"), "value"),
            Input::new("cards-filter", "value"),
        ),
        move |page: Option<u64>, size: Option<u64>, filter: Option<String>| {
            let shown = matching(&c, filter.as_deref().unwrap_or(""));
            let size = size.unwrap_or(12).clamp(1, aio_pagination::MAX_PAGE_SIZE);
            let range = pages::item_range(page.unwrap_or(0), size, shown.len() as u64);
            let nodes: Vec<Node> = shown[range.start as usize..range.end as usize]
                .iter()
                .map(|card| Node::from(card_node(card)))
                .collect();
            if nodes.is_empty() {
                vec![Node::from(html::P::new().children("No card matches."))]
            } else {
                nodes
            }
        },
    );
    // The categories of the second pager's page.
    app.callback(
        Output::new("list", "children"),
        (
            Input::new(ids::page("list-pager"), "data"),
            Input::new(ids::page_size("list-pager"), "value"),
        ),
        move |page: Option<u64>, size: Option<u64>| {
            let size = size.unwrap_or(5).clamp(1, aio_pagination::MAX_PAGE_SIZE);
            let range = pages::item_range(page.unwrap_or(0), size, categories.len() as u64);
            categories[range.start as usize..range.end as usize]
                .iter()
                .map(|c| html::Li::new().children(c.clone()))
                .collect::<Vec<_>>()
        },
    );
    Ok(app)
}
