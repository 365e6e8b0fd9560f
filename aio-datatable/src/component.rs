//! [`DataTableAio`]: the component an app drops into its layout.

use dash_core::dash_table::{self, DataTablePageAction, DataTableSortAction, DataTableSortMode};
use dash_core::{AppState, Node, dcc, html};
use polars::prelude::DataFrame;
use serde_json::{Value, json};

use crate::state::TableState;
use crate::{engine, ids};

/// Page sizes offered by the selector.
pub const PAGE_SIZES: &[u32] = &[10, 25, 50, 100, 250, 1000];

/// The largest page size a client may ask for.
pub const MAX_PAGE_SIZE: u32 = 1000;

/// A DataTable that pages, filters and sorts a polars frame on the server.
///
/// Building one is synchronous and cheap: the frame is put into the
/// store of the app that renders the table ([`TableState`]: an in-memory
/// store by default, Redis when the app says so) when the app renders it —
/// once for a fixed layout, on each page load for a layout function (a
/// frame seen before costs a lookup). Only its key travels through the
/// browser. The callbacks are registered once, for every app of the
/// program, with `MATCH` on the `aio_id`: any number of tables can share
/// a page and keep their own state.
///
/// ```no_run
/// use aio_datatable::DataTableAio;
/// use dash_core::prelude::*;
/// use polars::prelude::*;
///
/// let df = df!("city" => ["Oslo", "Lima"], "pop" => [0.7, 10.0]).map_err(aio_datatable::Error::polars)?;
/// let mut app = Dash::new();
/// // Per page load (give it a fixed aio_id: several processes, reloads).
/// app.layout_fn(move || {
///     html::Div::new().children((
///         html::H1::new().children("Cities"),
///         DataTableAio::new(df.clone()).aio_id("cities").page_size(25),
///     ))
/// });
/// app.run()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct DataTableAio {
    frame: DataFrame,
    aio_id: String,
    page_size: u32,
    columns: Option<Vec<String>>,
    labels: Vec<(String, String)>,
    formats: Vec<(String, Value)>,
    table_props: Vec<(String, Value)>,
    encode_strings: bool,
}

impl DataTableAio {
    /// A table over `frame`, 25 rows a page, every column, a random `aio_id`.
    pub fn new(frame: DataFrame) -> Self {
        DataTableAio {
            frame,
            aio_id: ids::new_aio_id(),
            page_size: 25,
            columns: None,
            labels: Vec::new(),
            formats: Vec::new(),
            table_props: Vec::new(),
            encode_strings: true,
        }
    }

    /// Sets the `aio_id` (needed when layouts are built per request or
    /// served by several processes; default: random).
    pub fn aio_id(mut self, aio_id: impl Into<String>) -> Self {
        self.aio_id = aio_id.into();
        self
    }

    /// Rows per page (1 to [`MAX_PAGE_SIZE`]).
    pub fn page_size(mut self, rows: u32) -> Self {
        self.page_size = rows.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Shows only these columns, in this order.
    pub fn columns<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.columns = Some(columns.into_iter().map(Into::into).collect());
        self
    }

    /// A header label for a column (default: its name).
    pub fn label(mut self, column: impl Into<String>, label: impl Into<String>) -> Self {
        self.labels.push((column.into(), label.into()));
        self
    }

    /// A DataTable `format` for a column, e.g.
    /// `json!({"specifier": ",.2f"})` for numbers.
    pub fn format(mut self, column: impl Into<String>, format: Value) -> Self {
        self.formats.push((column.into(), format));
        self
    }

    /// Any other DataTable prop (`style_table`, `style_cell`, `tooltip_data`…).
    pub fn table_prop(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.table_props.push((name.into(), value.into()));
        self
    }

    /// Whether String columns that repeat their values a lot are stored as
    /// an Enum of their values (default `true`; see
    /// [`engine::encode_repeated_strings`]). The table shows the same
    /// strings either way; filters, searches and sorts on such columns then
    /// run once per distinct value instead of once per row, and the column
    /// takes one or two bytes a row. Turn it off to keep the frame's dtypes exactly
    /// (e.g. for consumers of [`ids::view_key`] that expect String).
    pub fn encode_strings(mut self, on: bool) -> Self {
        self.encode_strings = on;
        self
    }

    /// The layout. Cheap: the frame is prepared (columns chosen, strings
    /// encoded), hashed and stored when an app renders the layout, with that
    /// app's [`TableState`].
    pub fn build(mut self) -> html::Div {
        let frame = std::mem::take(&mut self.frame);
        let aio = self.aio_id.as_str();
        // The header needs only the schema: the chosen columns' dtypes as
        // the table will hold them.
        let schema = match &self.columns {
            Some(cols) => frame
                .select(cols.iter().map(String::as_str))
                .map(|f| f.schema().as_ref().clone())
                .unwrap_or_else(|_| frame.schema().as_ref().clone()),
            None => frame.schema().as_ref().clone(),
        };
        let mut columns = engine::column_specs(&schema);
        for col in &mut columns {
            let id = col["id"].as_str().unwrap_or_default().to_owned();
            if let Some((_, label)) = self.labels.iter().find(|(c, _)| *c == id) {
                col["name"] = Value::String(label.clone());
            }
            if let Some((_, f)) = self.formats.iter().find(|(c, _)| *c == id) {
                col["format"] = f.clone();
            }
        }
        let mut table = dash_table::DataTable::new()
            .id(ids::table(aio))
            .columns(Value::Array(columns))
            .data(json!([]))
            .page_action(DataTablePageAction::Custom)
            .filter_action("custom")
            .sort_action(DataTableSortAction::Custom)
            .sort_mode(DataTableSortMode::Multi)
            .page_current(0)
            .page_size(self.page_size)
            .filter_query("")
            .sort_by(json!([]))
            .style_table(json!({"overflowX": "auto"}));
        for (name, value) in self.table_props {
            table = table.prop(name, value);
        }
        let options: Vec<Value> = PAGE_SIZES
            .iter()
            .map(|n| json!({"label": format!("{n} rows"), "value": n}))
            .collect();
        let toolbar = html::Div::new()
            .class_name("datatable-aio__toolbar")
            .style(json!({"display": "flex", "gap": "0.75em", "alignItems": "center", "margin": "0.5em 0"}))
            .children((
                dcc::Input::new()
                    .id(ids::search(aio))
                    .r#type(dcc::InputType::Search)
                    .placeholder("Search text columns…")
                    .value("")
                    .debounce(true),
                html::Div::new().style(json!({"width": "9em"})).children(
                    dcc::Dropdown::new()
                        .id(ids::page_size(aio))
                        .options(Value::Array(options))
                        .value(self.page_size)
                        .clearable(false),
                ),
                html::Button::new()
                    .id(ids::export_button(aio))
                    .children("Export CSV"),
                dcc::Download::new().id(ids::download(aio)),
            ));
        let source = source_store(aio, frame, self.columns, self.encode_strings);
        html::Div::new().class_name("datatable-aio").children(vec![
            Node::from(source),
            Node::from(dcc::Store::new().id(ids::view_spec(aio))),
            Node::from(dcc::Store::new().id(ids::view_key(aio))),
            Node::from(toolbar),
            Node::from(
                html::Div::new()
                    .id(ids::message(aio))
                    .class_name("datatable-aio__message")
                    .style(json!({"color": "#b00020", "minHeight": "1.2em"})),
            ),
            Node::from(table),
            Node::from(
                html::Div::new()
                    .id(ids::summary(aio))
                    .class_name("datatable-aio__summary"),
            ),
        ])
    }
}

/// The `dcc.Store` of the table's source: its `data` (the frame's store
/// key) is made when an app renders it, from that app's [`TableState`].
fn source_store(
    aio: &str,
    frame: DataFrame,
    columns: Option<Vec<String>>,
    encode_strings: bool,
) -> dash_core::Component {
    let options = format!("{columns:?}|{encode_strings}");
    dcc::Store::new()
        .id(ids::source(aio))
        .into_component()
        .deferred_prop("data", move |app: &AppState| {
            let prepare = |frame: &DataFrame| {
                let frame = match &columns {
                    Some(cols) => frame
                        .select(cols.iter().map(String::as_str))
                        .map_err(|e| format!("the table's columns: {e}"))?,
                    None => frame.clone(),
                };
                if encode_strings {
                    engine::encode_repeated_strings(&frame).map_err(|e| e.to_string())
                } else {
                    Ok(frame)
                }
            };
            let key = TableState::of(app).register(&frame, &options, prepare)?;
            serde_json::to_value(key).map_err(|e| e.to_string())
        })
}

impl From<DataTableAio> for Node {
    fn from(t: DataTableAio) -> Node {
        Node::from(t.build())
    }
}
