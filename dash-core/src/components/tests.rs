//! Tests of the generated component builders.

use serde_json::json;

use super::children_props::CHILDREN_PROPS;
use super::{dash_table, dcc, html};
use crate::Component;

#[test]
fn html_div_with_common_props() {
    let div = html::div()
        .id("main")
        .class_name("box")
        .style(json!({"color": "red"}))
        .n_clicks(0)
        .children(("hi", html::span().children("there"), 3))
        .data("row", "7")
        .aria("label", "main area");
    assert_eq!(
        serde_json::to_value(&div).unwrap(),
        json!({
            "type": "Div",
            "namespace": "dash_html_components",
            "props": {
                "id": "main",
                "className": "box",
                "style": {"color": "red"},
                "n_clicks": 0,
                "children": [
                    "hi",
                    {"type": "Span", "namespace": "dash_html_components",
                     "props": {"children": "there"}},
                    3
                ],
                "data-row": "7",
                "aria-label": "main area"
            }
        })
    );
    // Props keep the order they were set in.
    assert_eq!(
        serde_json::to_string(&html::Div::new().class_name("a").title("t")).unwrap(),
        r#"{"type":"Div","namespace":"dash_html_components","props":{"className":"a","title":"t"}}"#
    );
}

#[test]
fn html_keyword_and_colliding_props() {
    let input = html::Script::new().r#async("async").r#type("module");
    assert_eq!(
        serde_json::to_value(&input).unwrap()["props"],
        json!({"async": "async", "type": "module"})
    );
    // `data` is both a `data-*` wildcard and the `<object>` element's own attribute.
    let object = html::object_el().data_prop("movie.swf").data("x", "1");
    assert_eq!(
        serde_json::to_value(&object).unwrap(),
        json!({"type": "ObjectEl", "namespace": "dash_html_components",
               "props": {"data": "movie.swf", "data-x": "1"}})
    );
    let track = html::track().default_prop(true);
    assert_eq!(
        serde_json::to_value(&track).unwrap()["props"],
        json!({"default": true})
    );
}

#[test]
fn dcc_input_with_enum_and_number_props() {
    let input = dcc::input()
        .id("amount")
        .r#type(dcc::InputType::Number)
        .input_mode(dcc::InputInputMode::LatinName)
        .value(3)
        .step(0.5)
        .n_submit(2)
        .debounce(true)
        .persistence_type(dcc::InputPersistenceType::Session);
    assert_eq!(
        serde_json::to_value(&input).unwrap(),
        json!({
            "type": "Input",
            "namespace": "dash_core_components",
            "props": {
                "id": "amount",
                "type": "number",
                "inputMode": "latin-name",
                "value": 3,
                "step": 0.5,
                "n_submit": 2,
                "debounce": true,
                "persistence_type": "session"
            }
        })
    );
    // Integers stay integers on the wire.
    assert_eq!(
        serde_json::to_string(&dcc::input().n_blur(1)).unwrap(),
        r#"{"type":"Input","namespace":"dash_core_components","props":{"n_blur":1}}"#
    );
    assert_eq!(dcc::InputType::Email.as_str(), "email");
    assert_eq!(
        serde_json::to_value(dcc::InputInputMode::FullWidthLatin).unwrap(),
        json!("full-width-latin")
    );
}

#[test]
fn dcc_type_names_come_from_file_names() {
    // metadata.json's displayName is `PlotlyGraph` / `DashMarkdown`; the
    // front end registers them as `Graph` / `Markdown`.
    let graph = Component::from(dcc::graph().figure(json!({"data": []})));
    assert_eq!(graph.type_name(), "Graph");
    assert_eq!(graph.namespace(), "dash_core_components");
    assert_eq!(dcc::markdown().into_component().type_name(), "Markdown");
}

#[test]
fn dcc_tab_label_holds_components() {
    let tabs = dcc::tabs().value("a").children(vec![
        dcc::tab().label(html::b().children("A")).value("a"),
        dcc::tab().label("B").value("b"),
    ]);
    assert_eq!(
        serde_json::to_value(&tabs).unwrap()["props"]["children"],
        json!([
            {"type": "Tab", "namespace": "dash_core_components", "props": {
                "label": {"type": "B", "namespace": "dash_html_components",
                          "props": {"children": "A"}},
                "value": "a"}},
            {"type": "Tab", "namespace": "dash_core_components", "props": {
                "label": "B", "value": "b"}}
        ])
    );
}

#[test]
fn data_table_backend_paging() {
    let table = dash_table::data_table()
        .id("table")
        .columns(json!([{"name": "Name", "id": "name"}, {"name": "Age", "id": "age"}]))
        .data(json!([{"name": "Ada", "age": 36}]))
        .page_action(dash_table::DataTablePageAction::Custom)
        .page_current(0)
        .page_size(10)
        .sort_action(dash_table::DataTableSortAction::Custom)
        .sort_mode(dash_table::DataTableSortMode::Multi)
        .hidden_columns(["age"])
        .selected_rows([0, 2]);
    assert_eq!(
        serde_json::to_value(&table).unwrap(),
        json!({
            "type": "DataTable",
            "namespace": "dash_table",
            "props": {
                "id": "table",
                "columns": [{"name": "Name", "id": "name"}, {"name": "Age", "id": "age"}],
                "data": [{"name": "Ada", "age": 36}],
                "page_action": "custom",
                "page_current": 0,
                "page_size": 10,
                "sort_action": "custom",
                "sort_mode": "multi",
                "hidden_columns": ["age"],
                "selected_rows": [0, 2]
            }
        })
    );
    assert_eq!(
        serde_json::to_value(dash_table::DataTablePageAction::None).unwrap(),
        json!("none")
    );
}

#[test]
fn children_props_match_dash() {
    let find = |ns: &str, ty: &str| {
        CHILDREN_PROPS
            .iter()
            .find(|(n, t, _)| *n == ns && *t == ty)
            .map(|(_, _, paths)| *paths)
    };
    assert_eq!(find("dash_core_components", "Tab"), Some(&["label"][..]));
    assert_eq!(
        find("dash_core_components", "Loading"),
        Some(&["custom_spinner"][..])
    );
    assert_eq!(
        find("dash_core_components", "Clipboard"),
        Some(&["copied_children"][..])
    );
    assert_eq!(find("dash_html_components", "Div"), None);
    assert_eq!(find("dash_table", "DataTable"), None);
    // Sorted by namespace and type, no empty entries.
    assert!(
        CHILDREN_PROPS
            .windows(2)
            .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
    );
    assert!(CHILDREN_PROPS.iter().all(|(_, _, paths)| !paths.is_empty()));
}
