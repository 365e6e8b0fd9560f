//! Page arithmetic, apart from any UI: how many pages, which items a page
//! holds, and which page buttons a pager shows (with gaps).
//!
//! Pages are numbered from 0, as `dash_table.DataTable`'s `page_current`;
//! the pager shows them from 1.

use std::ops::Range;

/// The number of pages `total` items fill at `page_size` a page; at least
/// one (an empty list has one empty page). A `page_size` of 0 counts as 1.
///
/// ```
/// use aio_pagination::pages::page_count;
/// assert_eq!(page_count(0, 10), 1);
/// assert_eq!(page_count(10, 10), 1);
/// assert_eq!(page_count(11, 10), 2);
/// ```
pub fn page_count(total: u64, page_size: u64) -> u64 {
    total.div_ceil(page_size.max(1)).max(1)
}

/// `page` moved into `0..page_count(total, page_size)`.
pub fn clamp(page: u64, page_size: u64, total: u64) -> u64 {
    page.min(page_count(total, page_size) - 1)
}

/// The items of `page` (clamped): `start..end`, empty when `total` is 0.
///
/// ```
/// use aio_pagination::pages::item_range;
/// assert_eq!(item_range(2, 10, 25), 20..25);
/// assert_eq!(item_range(9, 10, 25), 20..25); // clamped to the last page
/// assert_eq!(item_range(0, 10, 0), 0..0);
/// ```
pub fn item_range(page: u64, page_size: u64, total: u64) -> Range<u64> {
    let size = page_size.max(1);
    let start = clamp(page, size, total).saturating_mul(size).min(total);
    start..start.saturating_add(size).min(total)
}

/// One button of the numbered part of a pager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A page (0-based).
    Page(u64),
    /// Pages left out, shown as `…`.
    Gap,
}

/// The numbered buttons for `page` of `count` pages in `width` slots
/// (odd widths look best; at least 5): every page when they fit, else the
/// first and last page, the pages around `page`, and gaps between —
/// always exactly `min(count, width)` slots, so the buttons do not jump.
///
/// ```
/// use aio_pagination::pages::{Slot::{Gap, Page}, slots};
/// assert_eq!(slots(0, 3, 7), [Page(0), Page(1), Page(2)]);
/// assert_eq!(slots(0, 20, 7), [Page(0), Page(1), Page(2), Page(3), Page(4), Gap, Page(19)]);
/// assert_eq!(slots(9, 20, 7), [Page(0), Gap, Page(8), Page(9), Page(10), Gap, Page(19)]);
/// assert_eq!(slots(19, 20, 7), [Page(0), Gap, Page(15), Page(16), Page(17), Page(18), Page(19)]);
/// ```
pub fn slots(page: u64, count: u64, width: usize) -> Vec<Slot> {
    let width = width.max(5) as u64;
    let count = count.max(1);
    let page = page.min(count - 1);
    if count <= width {
        return (0..count).map(Slot::Page).collect();
    }
    // Near the start: first width-2 pages, a gap, the last page.
    let run = width - 2;
    let mut out = Vec::with_capacity(width as usize);
    if page < run - 1 {
        out.extend((0..run).map(Slot::Page));
        out.extend([Slot::Gap, Slot::Page(count - 1)]);
    } else if page > count - run {
        out.extend([Slot::Page(0), Slot::Gap]);
        out.extend((count - run..count).map(Slot::Page));
    } else {
        let side = (width - 5) / 2;
        let mid = width - 4;
        let first = page - side;
        out.extend([Slot::Page(0), Slot::Gap]);
        out.extend((first..first + mid).map(Slot::Page));
        out.extend([Slot::Gap, Slot::Page(count - 1)]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The slots hold the current page, the first and the last, in
        /// increasing order, no two gaps side by side, a gap only where
        /// pages are left out, and always min(count, width) of them.
        #[test]
        fn slots_are_a_sound_window(count in 1u64..500, page in 0u64..600, width in 5usize..15) {
            let s = slots(page, count, width);
            let page = page.min(count - 1);
            prop_assert_eq!(s.len() as u64, count.min(width as u64));
            prop_assert!(s.contains(&Slot::Page(page)));
            prop_assert_eq!(s.first(), Some(&Slot::Page(0)));
            prop_assert_eq!(s.last(), Some(&Slot::Page(count - 1)));
            let mut last: Option<u64> = None;
            let mut gap = false;
            for slot in &s {
                match slot {
                    Slot::Page(p) => {
                        if let Some(l) = last {
                            prop_assert!(*p > l);
                            // Consecutive unless a gap stands between.
                            prop_assert_eq!(*p == l + 1, !gap, "pages {} {} gap {}", l, p, gap);
                        }
                        last = Some(*p);
                        gap = false;
                    }
                    Slot::Gap => {
                        prop_assert!(!gap);
                        gap = true;
                    }
                }
            }
        }

        /// Pages split the items exactly once, in order.
        #[test]
        fn item_ranges_cover_every_item_once(total in 0u64..5000, size in 1u64..300) {
            let mut next = 0;
            for p in 0..page_count(total, size) {
                let r = item_range(p, size, total);
                prop_assert_eq!(r.start, next);
                prop_assert!(r.end - r.start <= size);
                prop_assert!(total == 0 || r.end > r.start);
                next = r.end;
            }
            prop_assert_eq!(next, total);
        }
    }

    #[test]
    fn clamping() {
        assert_eq!(clamp(5, 10, 25), 2);
        assert_eq!(clamp(1, 10, 25), 1);
        assert_eq!(clamp(3, 10, 0), 0);
        assert_eq!(page_count(5, 0), 5);
    }
}
