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

fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::apps::cards::app()?.run()?;
    Ok(())
}
