'use strict';
// examples/src/bin/explorer with two CSV files: one DataTable AIO each
// (aio_id `a` and `b`). Every expectation — the rows a page shows, the
// summary line, the exported CSV — is computed here in JS from the rows this
// file generated, never read back from the app.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, describe, test } = require('node:test');

const h = require('./harness');

// ---------------------------------------------------------------------------
// Fixtures: a tiny seeded PRNG (mulberry32), so every run writes the same files.

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GIVEN = ['Ada', 'Alan', 'Barbara', 'Claude', 'Dennis', 'Edsger', 'Grace', 'Hedy', 'Ken', 'Linus', 'Margaret', 'Radia'];
const FAMILY = ['Lovelace', 'Turing', 'Liskov', 'Shannon', 'Ritchie', 'Dijkstra', 'Hopper', 'Lamarr', 'Thompson', 'Torvalds', 'Hamilton', 'Perlman'];
// Names the export must quote (a comma; a quote).
const COMMA_NAME = 'Hopper, Grace 7';
const QUOTE_NAME = 'Grace "Amazing" Hopper 3';
// A price many rows share, so sorting by it has ties (kept in id order).
const TIE_PRICE = 999.5;

const A_COLUMNS = ['id', 'name', 'category', 'price', 'qty', 'ts'];
const A_TYPES = { id: 'int', name: 'str', category: 'str', price: 'float', qty: 'int', ts: 'datetime' };
const B_COLUMNS = ['city', 'country', 'population'];
const B_TYPES = { city: 'str', country: 'str', population: 'int' };

/** `a.csv`: id, name (some null), category, price (some null, ties), qty (some null), ts. */
function makeA(n = 3000) {
  const rnd = mulberry32(0x5eed);
  const int = (k) => Math.floor(rnd() * k);
  const pool = new Set();
  while (pool.size < 300) pool.add(`${GIVEN[int(GIVEN.length)]} ${FAMILY[int(FAMILY.length)]} ${int(30)}`);
  const names = [...pool];
  const start = Date.UTC(2020, 0, 1) / 1000;
  const rows = [];
  for (let id = 0; id < n; id += 1) {
    let name = rnd() < 0.06 ? null : names[int(names.length)];
    if (id % 97 === 11) name = COMMA_NAME;
    if (id % 101 === 13) name = QUOTE_NAME;
    const category = `cat_${int(10)}`;
    const p = rnd();
    const priceText = p < 0.04 ? '' : p < 0.07 ? TIE_PRICE.toFixed(2) : (int(100_001) / 100).toFixed(2);
    const qty = rnd() < 0.03 ? null : int(500);
    // Whole seconds: the cell reads YYYY-MM-DDTHH:MM:SS, no fraction.
    const ts = new Date((start + int(3 * 365 * 86_400)) * 1000).toISOString().slice(0, 19);
    rows.push({ id, name, category, price: priceText === '' ? null : Number(priceText), priceText, qty, ts });
  }
  const csv =
    `${A_COLUMNS.join(',')}\n` +
    rows
      .map((r) =>
        [r.id, csvField(r.name ?? ''), r.category, r.priceText, r.qty ?? '', r.ts.replace('T', ' ')].join(','),
      )
      .join('\n') +
    '\n';
  return { rows: rows.map(({ priceText, ...r }) => r), csv };
}

/** `b.csv`: 40 cities with a country and a population. */
function makeB() {
  const rnd = mulberry32(0xc17e5);
  const cities = [
    ['Oslo', 'Norway'], ['Lima', 'Peru'], ['Tokyo', 'Japan'], ['Lagos', 'Nigeria'], ['Quito', 'Ecuador'],
    ['Cairo', 'Egypt'], ['Dhaka', 'Bangladesh'], ['Paris', 'France'], ['Berlin', 'Germany'], ['Madrid', 'Spain'],
    ['Rome', 'Italy'], ['Vienna', 'Austria'], ['Prague', 'Czechia'], ['Warsaw', 'Poland'], ['Kyiv', 'Ukraine'],
    ['Ankara', 'Turkey'], ['Tehran', 'Iran'], ['Delhi', 'India'], ['Karachi', 'Pakistan'], ['Jakarta', 'Indonesia'],
    ['Manila', 'Philippines'], ['Hanoi', 'Vietnam'], ['Bangkok', 'Thailand'], ['Seoul', 'South Korea'], ['Beijing', 'China'],
    ['Sydney', 'Australia'], ['Auckland', 'New Zealand'], ['Santiago', 'Chile'], ['Bogota', 'Colombia'], ['Caracas', 'Venezuela'],
    ['Havana', 'Cuba'], ['Toronto', 'Canada'], ['Chicago', 'USA'], ['Mexico City', 'Mexico'], ['Nairobi', 'Kenya'],
    ['Accra', 'Ghana'], ['Dakar', 'Senegal'], ['Zurich', 'Switzerland'], ['Lisbon', 'Portugal'], ['Dublin', 'Ireland'],
  ];
  const rows = cities.map(([city, country]) => ({ city, country, population: 50_000 + Math.floor(rnd() * 20_000_000) }));
  const csv = `${B_COLUMNS.join(',')}\n${rows.map((r) => [r.city, r.country, r.population].join(',')).join('\n')}\n`;
  return { rows, csv };
}

// ---------------------------------------------------------------------------
// The model: what the server should show, computed independently.

function csvField(s) {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Case-insensitive substring over the text columns only, trimmed; ANDed by the caller. */
function searchRows(rows, types, text) {
  const t = text.trim().toLowerCase();
  if (!t) return rows;
  const textCols = Object.keys(types).filter((c) => types[c] === 'str');
  return rows.filter((r) => textCols.some((c) => typeof r[c] === 'string' && r[c].toLowerCase().includes(t)));
}

/** Stable multi-key sort, nulls last in both directions; JS `<` (UTF-16 code units for strings). */
function sortRows(rows, keys) {
  return rows
    .map((r, i) => [r, i])
    .sort(([a, ia], [b, ib]) => {
      for (const { col, desc } of keys) {
        const x = a[col];
        const y = b[col];
        if (x === null && y === null) continue;
        if (x === null) return 1;
        if (y === null) return -1;
        const c = x < y ? -1 : x > y ? 1 : 0;
        if (c) return desc ? -c : c;
      }
      return ia - ib;
    })
    .map(([r]) => r);
}

/** What a cell shows (no column format is set for file tables). */
function cellText(v) {
  return v === null ? '' : String(v);
}

function pageOf(rows, columns, page, size) {
  return rows.slice(page * size, (page + 1) * size).map((r) => columns.map((c) => cellText(r[c])));
}

function summaryOf(len, total, page, size) {
  if (len === 0) return `no rows match (filtered from ${total})`;
  const first = page * size;
  const filtered = len === total ? '' : ` (filtered from ${total})`;
  return `rows ${first + 1}–${Math.min(first + size, len)} of ${len}${filtered}`;
}

/** The export: header of column ids, every row, serde_json numbers, ISO datetimes, `\n` line ends. */
function csvOf(rows, columns, types) {
  const cell = (v, type) => {
    if (v === null) return '';
    if (type === 'float') return Number.isInteger(v) ? `${v}.0` : String(v);
    if (type === 'int') return String(v);
    return csvField(v);
  };
  return [columns.map(csvField).join(','), ...rows.map((r) => columns.map((c) => cell(r[c], types[c])).join(','))]
    .map((l) => `${l}\n`)
    .join('');
}

// ---------------------------------------------------------------------------
// The page.

const part = (aio, subcomponent) => h.dictId({ aio_id: aio, component: 'DataTableAio', subcomponent });
const TABLE = (aio) => part(aio, 'table');

/** What table `aio` shows: its body cells row by row, the summary and the message line. */
function readTable(page, aio) {
  return page.evaluate(
    ({ table, summary, message }) => {
      const t = document.querySelector(table);
      const text = (sel) => {
        const el = document.querySelector(sel);
        return el ? el.textContent.trim() : null;
      };
      return {
        rows: t
          ? [...t.querySelectorAll('tr')]
              .filter((tr) => tr.querySelector('td.dash-cell'))
              .map((tr) => [...tr.querySelectorAll('td.dash-cell')].map((td) => td.textContent.trim()))
          : null,
        summary: text(summary),
        message: text(message),
      };
    },
    { table: TABLE(aio), summary: part(aio, 'summary'), message: part(aio, 'message') },
  );
}

/**
 * Wait until table `aio` shows page `page` (0-based) of `rows` at `size`
 * rows a page, with the summary for `total` source rows and an empty message
 * line (or `message` when given: a substring, or a RegExp).
 */
async function expectView(page, aio, { rows, columns, total, page: p = 0, size = 25, message = '' }) {
  const want = { rows: pageOf(rows, columns, p, size), summary: summaryOf(rows.length, total, p, size) };
  await h.eventually(async () => {
    const got = await readTable(page, aio);
    assert.equal(got.summary, want.summary, `summary of table ${aio}`);
    assert.deepEqual(got.rows, want.rows, `rows of table ${aio} (page ${p + 1})`);
    if (message instanceof RegExp) assert.match(got.message, message, `message of table ${aio}`);
    else if (message) assert.ok(got.message.includes(message), `message of table ${aio}: ${JSON.stringify(got.message)}`);
    else assert.equal(got.message, '', `message of table ${aio}`);
  });
}

async function search(page, aio, text) {
  const input = page.locator(part(aio, 'search'));
  await input.fill(text);
  await input.press('Enter'); // debounce=true: the value goes out on Enter or blur
}

async function filter(page, aio, col, text) {
  const input = page.locator(`${TABLE(aio)} th.dash-filter[data-dash-column="${col}"] input[type=text]`);
  await input.fill(text);
  await input.press('Enter');
}

function sortArrow(page, aio, col) {
  return page.locator(`${TABLE(aio)} th.dash-header[data-dash-column="${col}"] .column-header--sort`);
}

// The dev-tools menu may lie over the pagination buttons in debug mode.
async function pager(page, aio, which) {
  await page.locator(`${TABLE(aio)} button.${which}`).dispatchEvent('click');
}

// ---------------------------------------------------------------------------

describe('explorer: DataTable AIO over two CSV files', { timeout: 120_000 }, () => {
  const A = makeA();
  const B = makeB();
  const A_TOTAL = A.rows.length;
  const B_TOTAL = B.rows.length;
  const a = (rows, rest = {}) => ({ rows, columns: A_COLUMNS, total: A_TOTAL, ...rest });
  const b = (rows, rest = {}) => ({ rows, columns: B_COLUMNS, total: B_TOTAL, ...rest });

  const appOpts = { args: [] };
  const fx = h.appFixture('explorer', appOpts);
  let dir;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-e2e-datatable-'));
    fs.writeFileSync(path.join(dir, 'a.csv'), A.csv);
    fs.writeFileSync(path.join(dir, 'b.csv'), B.csv);
    appOpts.args.push(path.join(dir, 'a.csv'), path.join(dir, 'b.csv'));
    await fx.setup();
  });
  after(async () => {
    await fx.teardown();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('search box: a mixed-case name fragment, text columns only, then ANDed with a column filter', () =>
    fx.run(async ({ page }) => {
      await expectView(page, 'a', a(A.rows));
      await expectView(page, 'b', b(B.rows));

      const found = searchRows(A.rows, A_TYPES, 'lOVElace 1');
      assert.ok(found.length > 25 && found.length < A_TOTAL, `fixture: ${found.length} rows match`);
      await search(page, 'a', 'lOVElace 1');
      await expectView(page, 'a', a(found));
      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(found, { page: 1 }));

      // Dates and numbers are not searched: `2021-` is in many ts cells.
      assert.equal(searchRows(A.rows, A_TYPES, '2021-').length, 0);
      assert.ok(A.rows.some((r) => r.ts.startsWith('2021-')));
      await search(page, 'a', '2021-');
      await expectView(page, 'a', a([]));

      // The category column is text too; surrounding spaces are ignored.
      await search(page, 'a', '  CAT_3 ');
      await expectView(page, 'a', a(searchRows(A.rows, A_TYPES, 'cat_3')));

      await search(page, 'a', 'lOVElace 1');
      await expectView(page, 'a', a(found));
      await filter(page, 'a', 'price', '> 500');
      const both = found.filter((r) => r.price > 500);
      assert.ok(both.length > 0 && both.length < found.length, `fixture: ${both.length} rows`);
      await expectView(page, 'a', a(both));

      // Table b saw none of it.
      await expectView(page, 'b', b(B.rows));
    }));

  test('multi-sort: category ascending, then price descending (nulls last, ties in id order), paged', () =>
    fx.run(async ({ page }) => {
      await expectView(page, 'a', a(A.rows));
      await sortArrow(page, 'a', 'category').click();
      await expectView(page, 'a', a(sortRows(A.rows, [{ col: 'category' }])));
      await sortArrow(page, 'a', 'price').click();
      await expectView(page, 'a', a(sortRows(A.rows, [{ col: 'category' }, { col: 'price' }])));
      await sortArrow(page, 'a', 'price').click();
      const sorted = sortRows(A.rows, [{ col: 'category' }, { col: 'price', desc: true }]);
      // The fixture gives the first page ties (kept in id order) and the
      // last page nulls (last, even descending).
      assert.ok(sorted.slice(0, 25).filter((r) => r.price === TIE_PRICE).length > 1);
      assert.equal(sorted[sorted.length - 1].price, null);
      await expectView(page, 'a', a(sorted));

      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(sorted, { page: 1 }));
      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(sorted, { page: 2 }));
      await pager(page, 'a', 'previous-page');
      await expectView(page, 'a', a(sorted, { page: 1 }));
      await pager(page, 'a', 'previous-page');
      await expectView(page, 'a', a(sorted, { page: 0 }));
      await pager(page, 'a', 'last-page');
      await expectView(page, 'a', a(sorted, { page: Math.ceil(A_TOTAL / 25) - 1 }));
    }));

  test('page-size selector: 10 rows, paged, then 50 rows from the first page', () =>
    fx.run(async ({ page }) => {
      await expectView(page, 'a', a(A.rows));
      const choose = async (label) => {
        await page.locator(part('a', 'page_size')).click();
        await page.getByRole('option', { name: label, exact: true }).click();
      };
      await choose('10 rows');
      await expectView(page, 'a', a(A.rows, { size: 10 }));
      await h.expectText(page, part('a', 'summary'), `rows 1–10 of ${A_TOTAL}`);
      await h.expectText(page, `${part('a', 'page_size')} .dash-dropdown-value`, '10 rows');
      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(A.rows, { size: 10, page: 1 }));
      // A new page size starts again from the first page.
      await choose('50 rows');
      await expectView(page, 'a', a(A.rows, { size: 50 }));
      await expectView(page, 'b', b(B.rows));
    }));

  test('export: the whole filtered and sorted result as CSV', () =>
    fx.run(async ({ page }) => {
      await expectView(page, 'a', a(A.rows));
      await filter(page, 'a', 'category', 'cat_3');
      await filter(page, 'a', 'price', '> 250');
      const filtered = A.rows.filter((r) => r.category === 'cat_3' && r.price > 250);
      await expectView(page, 'a', a(filtered));
      await sortArrow(page, 'a', 'qty').click();
      await sortArrow(page, 'a', 'qty').click();
      const sorted = sortRows(filtered, [{ col: 'qty', desc: true }]);
      await expectView(page, 'a', a(sorted));
      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(sorted, { page: 1 }));

      const expected = csvOf(sorted, A_COLUMNS, A_TYPES);
      // The fixture covers the interesting cells: more rows than a page,
      // quoted names, nulls, ties.
      assert.ok(sorted.length > 100, `${sorted.length} rows`);
      assert.ok(expected.includes(`"${QUOTE_NAME.replace(/"/g, '""')}"`) && expected.includes(`"${COMMA_NAME}"`));
      assert.ok(sorted.some((r) => r.name === null) && sorted.some((r) => r.qty === null));

      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: h.TIMEOUT_MS }),
        page.locator(part('a', 'export_button')).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'export.csv');
      const got = fs.readFileSync(await download.path(), 'utf8');
      const gotLines = got.split('\n');
      const wantLines = expected.split('\n');
      assert.equal(gotLines.length, wantLines.length, `lines in the export (want ${sorted.length} rows + header)`);
      for (let i = 0; i < wantLines.length; i += 1) assert.equal(gotLines[i], wantLines[i], `export line ${i + 1}`);
      assert.equal(got, expected);
      // The table kept its page.
      await expectView(page, 'a', a(sorted, { page: 1 }));
    }));

  test('two tables on one page keep their own filter, sort and page', () =>
    fx.run(async ({ page }) => {
      await expectView(page, 'a', a(A.rows));
      await expectView(page, 'b', b(B.rows));

      await filter(page, 'a', 'category', 'cat_5');
      const filtered = A.rows.filter((r) => r.category === 'cat_5');
      await expectView(page, 'a', a(filtered));
      await sortArrow(page, 'a', 'price').click();
      await sortArrow(page, 'a', 'price').click();
      const aSorted = sortRows(filtered, [{ col: 'price', desc: true }]);
      await expectView(page, 'a', a(aSorted));
      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(aSorted, { page: 1 }));

      // Nothing is pending, and b still shows its first page, unfiltered.
      await h.waitForDashReady(page);
      assert.deepEqual(await readTable(page, 'b'), {
        rows: pageOf(B.rows, B_COLUMNS, 0, 25),
        summary: 'rows 1–25 of 40',
        message: '',
      });

      await sortArrow(page, 'b', 'population').click();
      const bSorted = sortRows(B.rows, [{ col: 'population' }]);
      await expectView(page, 'b', b(bSorted));
      await pager(page, 'b', 'next-page');
      await expectView(page, 'b', b(bSorted, { page: 1 }));
      await h.expectText(page, part('b', 'summary'), 'rows 26–40 of 40');

      await h.waitForDashReady(page);
      await expectView(page, 'a', a(aSorted, { page: 1 }));
      assert.equal(
        await page.locator(`${TABLE('a')} th.dash-filter[data-dash-column="category"] input[type=text]`).inputValue(),
        'cat_5',
      );
      // Both tables still answer: a's next page, b untouched.
      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(aSorted, { page: 2 }));
      await h.waitForDashReady(page);
      await expectView(page, 'b', b(bSorted, { page: 1 }));
    }));

  test('a bad filter shows a message and keeps the last good rows', () =>
    fx.run(async ({ page }) => {
      await expectView(page, 'a', a(A.rows));
      await filter(page, 'a', 'price', '> 500');
      const good = A.rows.filter((r) => r.price > 500);
      await expectView(page, 'a', a(good));
      await pager(page, 'a', 'next-page');
      await expectView(page, 'a', a(good, { page: 1 }));

      // A column comparison with a misspelt column: the filter row sends
      // `{price} s> {QTY}`, which names no column.
      await filter(page, 'a', 'price', '> {QTY}');
      await expectView(page, 'a', a(good, { page: 1, message: /unknown column `QTY`.*did you mean `qty`/ }));

      // Fixed: the comparison works (null counts as 0, as in JS) and the message goes.
      await filter(page, 'a', 'price', '> {qty}');
      const vsQty = A.rows.filter((r) => r.price > r.qty);
      await expectView(page, 'a', a(vsQty));

      // An unquoted value with a non-breaking space: the filter row quotes
      // values only when they hold a plain space, so it sends
      // `{name} scontains Ada<NBSP>Lovelace`, which does not parse.
      await filter(page, 'a', 'name', 'Ada\u00a0Lovelace');
      await expectView(page, 'a', a(vsQty, { message: /^Filter: invalid filter query at character \d+/ }));
      // Clearing that filter brings the message away again.
      await filter(page, 'a', 'name', '');
      await expectView(page, 'a', a(vsQty));
      await expectView(page, 'b', b(B.rows));
    }));
});
