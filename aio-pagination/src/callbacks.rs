//! The one callback every [`crate::PaginationAio`] shares, registered with
//! `MATCH` on the `aio_id` (by [`crate::PaginationExtension`]): a click, a
//! new page size or a new total moves the page and redraws the pager.

use dash_core::{
    ALL, Callback, CallbackError, Input, MATCH, Output, State, callback_context, named,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::component::{DEFAULT_LABEL, MAX_PAGE_SIZE};
use crate::ids;
use crate::pages::page_count;
use crate::view::view;

/// What the callback reads. Every value comes from the browser, so each
/// is read leniently and checked.
#[derive(Debug, Deserialize)]
struct PagerArgs {
    page_size: Option<Value>,
    total: Option<Value>,
    page: Option<Value>,
    slot_values: Option<Vec<Value>>,
    options: Option<Value>,
}

/// What the callback writes.
#[derive(Debug, Serialize)]
struct PagerOut {
    page: u64,
    slot_text: Vec<String>,
    slot_value: Vec<String>,
    slot_disabled: Vec<bool>,
    slot_class: Vec<&'static str>,
    slot_style: Vec<Value>,
    slot_current: Vec<Value>,
    slot_label: Vec<String>,
    first: bool,
    previous: bool,
    next: bool,
    last: bool,
    summary: String,
}

/// A whole number from 0 up, or `None`.
fn count(v: Option<&Value>) -> Option<u64> {
    let v = v?;
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f <= 9.0e15)
            .map(|f| f as u64)
    })
}

/// Which part fired the call: the `subcomponent` and, for a slot, its index.
fn fired() -> Option<(String, Option<usize>)> {
    let ctx = callback_context()?;
    let t = ctx.triggered().first()?;
    let id = t.id.as_ref()?.to_json();
    let sub = id.get("subcomponent")?.as_str()?.to_owned();
    let index = id.get("index").and_then(Value::as_u64).map(|i| i as usize);
    Some((sub, index))
}

async fn pager(args: PagerArgs) -> Result<PagerOut, CallbackError> {
    let page_size = count(args.page_size.as_ref())
        .unwrap_or(10)
        .clamp(1, MAX_PAGE_SIZE);
    let total = count(args.total.as_ref()).unwrap_or(0);
    let last = page_count(total, page_size) - 1;
    let page = count(args.page.as_ref()).unwrap_or(0).min(last);
    let values = args.slot_values.unwrap_or_default();
    let page = match fired() {
        Some((sub, index)) => match sub.as_str() {
            "first" => 0,
            "previous" => page.saturating_sub(1),
            "next" => (page + 1).min(last),
            "last" => last,
            // A new page size starts from the first page, as the table does.
            "page_size" => 0,
            "slot" => index
                .and_then(|i| values.get(i))
                .and_then(|v| v.as_str().and_then(|s| s.parse::<u64>().ok()))
                .map_or(page, |p| p.saturating_sub(1).min(last)),
            _ => page,
        },
        None => page,
    };
    let label = args
        .options
        .as_ref()
        .and_then(|o| o.get("label"))
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_LABEL);
    // The page's slots are as many as the browser has.
    let v = view(page, page_size, total, values.len(), label);
    let n = v.slots.len();
    let mut out = PagerOut {
        page: v.page,
        slot_text: Vec::with_capacity(n),
        slot_value: Vec::with_capacity(n),
        slot_disabled: Vec::with_capacity(n),
        slot_class: Vec::with_capacity(n),
        slot_style: Vec::with_capacity(n),
        slot_current: Vec::with_capacity(n),
        slot_label: Vec::with_capacity(n),
        first: v.at_start,
        previous: v.at_start,
        next: v.at_end,
        last: v.at_end,
        summary: v.summary,
    };
    for s in v.slots {
        out.slot_text.push(s.text);
        out.slot_value.push(s.value);
        out.slot_disabled.push(s.disabled);
        out.slot_class.push(s.class);
        out.slot_style.push(s.style);
        out.slot_current.push(s.current);
        out.slot_label.push(s.label);
    }
    Ok(out)
}

/// The callbacks of every PaginationAio.
pub fn callbacks() -> Vec<Callback> {
    let slot = || ids::slot(MATCH, ALL);
    vec![Callback::new(
        named! {
            page: Output::new(ids::page(MATCH), "data"),
            slot_text: Output::new(slot(), "children"),
            slot_value: Output::new(slot(), "value"),
            slot_disabled: Output::new(slot(), "disabled"),
            slot_class: Output::new(slot(), "className"),
            slot_style: Output::new(slot(), "style"),
            slot_current: Output::new(slot(), "aria-current"),
            slot_label: Output::new(slot(), "aria-label"),
            first: Output::new(ids::first(MATCH), "disabled"),
            previous: Output::new(ids::previous(MATCH), "disabled"),
            next: Output::new(ids::next(MATCH), "disabled"),
            last: Output::new(ids::last(MATCH), "disabled"),
            summary: Output::new(ids::summary(MATCH), "children"),
        },
        named! {
            first: Input::new(ids::first(MATCH), "n_clicks"),
            previous: Input::new(ids::previous(MATCH), "n_clicks"),
            next: Input::new(ids::next(MATCH), "n_clicks"),
            last: Input::new(ids::last(MATCH), "n_clicks"),
            slots: Input::new(slot(), "n_clicks"),
            page_size: Input::new(ids::page_size(MATCH), "value"),
            total: Input::new(ids::total(MATCH), "data"),
            page: State::new(ids::page(MATCH), "data"),
            slot_values: State::new(slot(), "value"),
            options: State::new(ids::options(MATCH), "data"),
        },
        pager,
    )]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn counts_from_the_browser_are_checked() {
        assert_eq!(count(Some(&json!(3))), Some(3));
        assert_eq!(count(Some(&json!(3.0))), Some(3));
        assert_eq!(count(Some(&json!(-1))), None);
        assert_eq!(count(Some(&json!(2.5))), None);
        assert_eq!(count(Some(&json!("7"))), None);
        assert_eq!(count(Some(&json!(1e300))), None);
        assert_eq!(count(None), None);
    }
}
