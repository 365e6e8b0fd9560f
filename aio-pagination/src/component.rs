//! [`PaginationAio`]: the pager an app drops into its layout.

use dash_core::{Node, dcc, html};
use serde_json::{Value, json};

use crate::ids;
use crate::view::view;

/// The largest page size the pager accepts from a browser.
pub const MAX_PAGE_SIZE: u64 = 1000;

/// What the items are called in the summary unless the pager is told.
pub const DEFAULT_LABEL: &str = "items";

/// A pager for any paged content: first, previous, numbered pages with
/// gaps, next and last buttons; a page-size selector; "items X–Y of N".
///
/// It holds no data: it knows the number of items ([`ids::total`], which
/// your callbacks may change) and exposes the page ([`ids::page`], from 0)
/// and page size ([`ids::page_size`]) for your callback to render that
/// page. Any number of pagers can share a page; each keeps its own state.
///
/// ```
/// use aio_pagination::{PaginationAio, ids, pages};
/// use dash_core::prelude::*;
///
/// let mut app = Dash::new();
/// app.layout(html::Div::new().children((
///     PaginationAio::new(240).aio_id("pager").page_size(12),
///     html::Ul::new().id("items"),
/// )));
/// app.callback(
///     Output::new("items", "children"),
///     (Input::new(ids::page("pager"), "data"), Input::new(ids::page_size("pager"), "value")),
///     |page: Option<u64>, size: Option<u64>| {
///         let range = pages::item_range(page.unwrap_or(0), size.unwrap_or(12).clamp(1, 1000), 240);
///         range.map(|i| html::Li::new().children(format!("item {}", i + 1))).collect::<Vec<_>>()
///     },
/// );
/// ```
#[derive(Debug, Clone)]
pub struct PaginationAio {
    aio_id: String,
    total: u64,
    page: u64,
    page_size: u64,
    page_sizes: Vec<u64>,
    width: usize,
    label: String,
}

impl PaginationAio {
    /// A pager over `total` items: 10 a page, sizes 10/25/50/100, seven
    /// numbered buttons, a random `aio_id`.
    pub fn new(total: u64) -> Self {
        PaginationAio {
            aio_id: ids::new_aio_id(),
            total,
            page: 0,
            page_size: 10,
            page_sizes: vec![10, 25, 50, 100],
            width: 7,
            label: DEFAULT_LABEL.into(),
        }
    }

    /// Sets the `aio_id` (needed for your callbacks to name the pager;
    /// default: random).
    pub fn aio_id(mut self, aio_id: impl Into<String>) -> Self {
        self.aio_id = aio_id.into();
        self
    }

    /// Items a page (1 to [`MAX_PAGE_SIZE`]); added to the selector's
    /// choices if missing.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = size.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// The page sizes offered (each 1 to [`MAX_PAGE_SIZE`]).
    pub fn page_sizes(mut self, sizes: impl IntoIterator<Item = u64>) -> Self {
        self.page_sizes = sizes
            .into_iter()
            .map(|s| s.clamp(1, MAX_PAGE_SIZE))
            .collect();
        self
    }

    /// The page shown first, from 0 (clamped to the last page).
    pub fn page(mut self, page: u64) -> Self {
        self.page = page;
        self
    }

    /// How many numbered buttons (5 to 25; odd numbers look best; default 7).
    pub fn buttons(mut self, n: usize) -> Self {
        self.width = n.clamp(5, 25);
        self
    }

    /// What the items are called in the summary (default `items`:
    /// "items 1–10 of 240").
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// The layout: a `div.pagination-aio` holding the pager's stores, its
    /// `nav` of buttons, the page-size selector and the summary, drawn for
    /// the first page already.
    pub fn build(self) -> html::Div {
        let aio = self.aio_id.as_str();
        let v = view(
            self.page,
            self.page_size,
            self.total,
            self.width,
            &self.label,
        );
        let end_button = |id, text: &str, label: &str, disabled: bool| {
            html::Button::new()
                .id(id)
                .class_name("pagination-aio__button")
                .aria("label", label)
                .disabled(disabled)
                .n_clicks(0)
                .children(text.to_owned())
        };
        let mut buttons: Vec<Node> = vec![
            Node::from(end_button(ids::first(aio), "«", "First page", v.at_start)),
            Node::from(end_button(
                ids::previous(aio),
                "‹",
                "Previous page",
                v.at_start,
            )),
        ];
        for (i, s) in v.slots.iter().enumerate() {
            let mut b = html::Button::new()
                .id(ids::slot(aio, i as i64))
                .class_name(s.class)
                .value(s.value.clone())
                .disabled(s.disabled)
                .style(s.style.clone())
                .aria("label", s.label.clone())
                .n_clicks(0)
                .children(s.text.clone());
            if s.current == json!("page") {
                b = b.aria("current", "page");
            }
            buttons.push(Node::from(b));
        }
        buttons.push(Node::from(end_button(
            ids::next(aio),
            "›",
            "Next page",
            v.at_end,
        )));
        buttons.push(Node::from(end_button(
            ids::last(aio),
            "»",
            "Last page",
            v.at_end,
        )));

        let mut sizes = self.page_sizes.clone();
        if !sizes.contains(&self.page_size) {
            sizes.push(self.page_size);
        }
        sizes.sort_unstable();
        sizes.dedup();
        let options: Vec<Value> = sizes
            .iter()
            .map(|n| json!({"label": format!("{n} / page"), "value": n}))
            .collect();
        html::Div::new().class_name("pagination-aio").children(vec![
            Node::from(dcc::Store::new().id(ids::page(aio)).data(v.page)),
            Node::from(dcc::Store::new().id(ids::total(aio)).data(self.total)),
            Node::from(
                dcc::Store::new()
                    .id(ids::options(aio))
                    .data(json!({"label": self.label})),
            ),
            Node::from(
                html::Nav::new()
                    .id(ids::nav(aio))
                    .class_name("pagination-aio__nav")
                    .aria("label", "Pagination")
                    .children(buttons),
            ),
            Node::from(
                html::Div::new()
                    .class_name("pagination-aio__size")
                    .children(
                        dcc::Dropdown::new()
                            .id(ids::page_size(aio))
                            .options(Value::Array(options))
                            .value(self.page_size)
                            .clearable(false)
                            .searchable(false),
                    ),
            ),
            Node::from(
                html::Div::new()
                    .id(ids::summary(aio))
                    .class_name("pagination-aio__summary")
                    .aria("live", "polite")
                    .children(v.summary),
            ),
        ])
    }
}

impl From<PaginationAio> for Node {
    fn from(p: PaginationAio) -> Node {
        Node::from(p.build())
    }
}
