//! What a pager shows for a page: the numbered buttons, which end buttons
//! are disabled, and the summary line — made by one function, used both
//! for the first layout and by the callback, so they always agree.

use serde_json::{Value, json};

use crate::pages::{Slot, item_range, page_count, slots};

/// One numbered button as shown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SlotView {
    pub(crate) text: String,
    /// The page it goes to, from 1 (`""` for a gap or an unused slot).
    pub(crate) value: String,
    pub(crate) disabled: bool,
    pub(crate) class: &'static str,
    pub(crate) style: Value,
    pub(crate) current: Value,
    pub(crate) label: String,
}

/// Everything the callback sets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PagerView {
    pub(crate) page: u64,
    pub(crate) slots: Vec<SlotView>,
    pub(crate) at_start: bool,
    pub(crate) at_end: bool,
    pub(crate) summary: String,
}

const BUTTON: &str = "pagination-aio__button";
const CURRENT: &str = "pagination-aio__button pagination-aio__button--current";
const GAP: &str = "pagination-aio__button pagination-aio__button--gap";

/// The view of `page` (clamped) for `total` items at `page_size`, in
/// `width` numbered slots, the items called `label`.
pub(crate) fn view(page: u64, page_size: u64, total: u64, width: usize, label: &str) -> PagerView {
    let count = page_count(total, page_size);
    let page = page.min(count - 1);
    let shown = slots(page, count, width);
    let mut out: Vec<SlotView> = shown
        .iter()
        .map(|s| match *s {
            Slot::Page(p) => SlotView {
                text: (p + 1).to_string(),
                value: (p + 1).to_string(),
                disabled: p == page,
                class: if p == page { CURRENT } else { BUTTON },
                style: json!({}),
                current: if p == page {
                    json!("page")
                } else {
                    Value::Null
                },
                label: format!("Page {}", p + 1),
            },
            Slot::Gap => SlotView {
                text: "…".into(),
                value: String::new(),
                disabled: true,
                class: GAP,
                style: json!({}),
                current: Value::Null,
                label: "More pages".into(),
            },
        })
        .collect();
    // Unused slots (fewer pages than slots) are hidden.
    while out.len() < width {
        out.push(SlotView {
            text: String::new(),
            value: String::new(),
            disabled: true,
            class: BUTTON,
            style: json!({"display": "none"}),
            current: Value::Null,
            label: String::new(),
        });
    }
    out.truncate(width);
    let r = item_range(page, page_size, total);
    let summary = if total == 0 {
        format!("no {label}")
    } else {
        format!("{label} {}–{} of {total}", r.start + 1, r.end)
    };
    PagerView {
        page,
        slots: out,
        at_start: page == 0,
        at_end: page + 1 >= count,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_middle_of_a_long_list() {
        let v = view(9, 10, 200, 7, "cards");
        let texts: Vec<&str> = v.slots.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(texts, ["1", "…", "9", "10", "11", "…", "20"]);
        assert_eq!(v.slots[3].current, json!("page"));
        assert!(v.slots[3].disabled && v.slots[1].disabled && !v.slots[2].disabled);
        assert_eq!(v.slots[2].value, "9");
        assert_eq!(v.summary, "cards 91–100 of 200");
        assert!(!v.at_start && !v.at_end);
    }

    #[test]
    fn ends_short_lists_and_empty_ones() {
        let v = view(0, 10, 25, 7, "items");
        assert!(v.at_start && !v.at_end);
        assert_eq!(
            v.slots
                .iter()
                .filter(|s| s.style == json!({"display": "none"}))
                .count(),
            4
        );
        assert_eq!(v.summary, "items 1–10 of 25");
        let v = view(99, 10, 25, 7, "items");
        assert_eq!(v.page, 2);
        assert!(v.at_end && !v.at_start);
        assert_eq!(v.summary, "items 21–25 of 25");
        let v = view(3, 10, 0, 7, "items");
        assert_eq!((v.page, v.at_start, v.at_end), (0, true, true));
        assert_eq!(v.summary, "no items");
    }
}
