#!/usr/bin/env python3
"""Generate dash-core's typed component builders from Dash's metadata.json.

Usage:
    python3 codegen/generate.py            # (re)write the generated Rust files
    python3 codegen/generate.py --check    # exit 1 if the committed files are stale

Python 3.11+, standard library only (plus `rustfmt` on PATH).

Input
-----
`metadata.json` ships only in the PyPI wheel `dash==4.4.1` (not in the npm
tarballs, not in git). The wheel is fetched from PyPI's simple index (or, as
a fallback, with `pip download`), checked against the sha256 pinned below,
and cached outside the repo in `${DASH_RS_CACHE:-$HOME/.cache/dash-rs}/wheels/`.
For offline runs point `DASH_RS_OFFLINE_DIR` at a folder that already holds
`dash-4.4.1-py3-none-any.whl` (or pass `--wheel PATH`); then no network is
used. Nothing downloaded is ever written into the repo.

Output (all under dash-core/src/components/, formatted with
`rustfmt --edition 2024`)
------
- `html/`, `dcc/`, `dash_table/`: `mod.rs` plus one file per component
  (`html/div.rs`, `dcc/date_picker_range.rs`, ...), re-exported from mod.rs
  so the public paths are `dash_core::html::Div`, `dash_core::dcc::Input`...
- `children_props.rs`: the non-`children` prop paths that hold components,
  computed exactly as `dash/development/_collect_nodes.py` does.
`components/mod.rs` and `components/tests.rs` are written by hand.

Naming rules
------------
- Component type = the metadata file's base name, as Dash's Python generator
  uses it (`src/components/Graph.react.js` -> `Graph`, although its
  displayName is `PlotlyGraph`).
- Method = snake_case of the JS prop name (`className` -> `class_name`,
  `is_RTL` -> `is_rtl`, `n_clicks` unchanged). A Rust keyword becomes a raw
  identifier (`type` -> `r#type`, `loop` -> `r#loop`, `async` -> `r#async`).
  A name that would clash with a method every builder already has (`new`,
  `id`, `prop`, `into_component`, `default` from `Default`, and `data` /
  `aria` on components that accept `data-*` / `aria-*` attributes) gets the
  suffix `_prop` (html `ObjectEl`'s `data` attribute -> `data_prop`, html
  `Track`'s `default` -> `default_prop`).
- Constructor fn = snake_case of the type (`Div` -> `div()`,
  `DatePickerRange` -> `date_picker_range()`, `DataTable` -> `data_table()`);
  keywords would become raw identifiers (none occur).
- String-literal enum prop = Rust enum `<Component><Prop>` (`InputType`,
  `DataTablePageAction`), variants PascalCase of the literal (`'datetime-local'`
  -> `DatetimeLocal`); a literal starting with a digit gets a `V` prefix.
- Skipped props: `id` (the `component_type!` macro provides it), `setProps`,
  `func`/`symbol`/`instanceOf` props, and the wildcards `data-*`/`aria-*`
  (replaced by `.data(name, v)` / `.aria(name, v)`).
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

DASH_VERSION = "4.4.1"
WHEEL_NAME = f"dash-{DASH_VERSION}-py3-none-any.whl"
# sha256 of the wheel as published on PyPI (the simple index's #sha256= fragment).
WHEEL_SHA256 = "72120a91b10ee4d73f9446efd5d6a4ec218086feed7b1b479d2259844d1f658f"
SIMPLE_INDEX = "https://pypi.org/simple/dash/"

ROOT = Path(__file__).resolve().parent.parent
COMPONENTS_DIR = Path("dash-core/src/components")
GENERATOR = "codegen/generate.py"

# (module dir, JS namespace, Python prefix, metadata path in the wheel, package-info path)
LIBRARIES = [
    ("html", "dash_html_components", "html", "dash/html/metadata.json", "dash/html/package-info.json"),
    ("dcc", "dash_core_components", "dcc", "dash/dcc/metadata.json", "dash/dcc/package-info.json"),
    (
        "dash_table",
        "dash_table",
        "dash_table",
        "dash/dash_table/metadata.json",
        "dash/dash_table/package-info.json",
    ),
]
GENERATED_DIRS = [lib[0] for lib in LIBRARIES]

RUST_KEYWORDS = {
    # strict and reserved keywords (2024 edition)
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
    "extern", "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod",
    "move", "mut", "pub", "ref", "return", "self", "Self", "static", "struct", "super",
    "trait", "true", "type", "unsafe", "use", "where", "while", "abstract", "become", "box",
    "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
}  # fmt: skip
NOT_RAW = {"crate", "self", "Self", "super"}  # cannot be raw identifiers
BUILDER_METHODS = {"new", "id", "prop", "into_component", "default"}
SKIPPED_TYPES = {"func", "symbol", "instanceOf"}


# --------------------------------------------------------------------------------------------
# Fetching the wheel


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verified(path: Path) -> bool:
    return path.is_file() and sha256_of(path) == WHEEL_SHA256


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            for k, v in attrs:
                if k == "href" and v:
                    self.hrefs.append(v)


def _from_simple_index(dest: Path) -> None:
    req = urllib.request.Request(
        SIMPLE_INDEX, headers={"Accept": "application/vnd.pypi.simple.v1+html, text/html"}
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        page = r.read().decode("utf-8")
    parser = _Links()
    parser.feed(page)
    for href in parser.hrefs:
        url = urllib.parse.urljoin(SIMPLE_INDEX, href)
        parts = urllib.parse.urlsplit(url)
        if parts.path.rsplit("/", 1)[-1] != WHEEL_NAME:
            continue
        frag = urllib.parse.parse_qs(parts.fragment)
        listed = (frag.get("sha256") or [""])[0]
        if listed != WHEEL_SHA256:
            raise SystemExit(
                f"PyPI lists sha256 {listed!r} for {WHEEL_NAME}, expected {WHEEL_SHA256}"
            )
        with urllib.request.urlopen(urllib.parse.urlunsplit(parts._replace(fragment="")), timeout=300) as r:
            with open(dest, "wb") as f:
                shutil.copyfileobj(r, f)
        return
    raise RuntimeError(f"{WHEEL_NAME} is not listed on {SIMPLE_INDEX}")


def _from_pip(dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             f"dash=={DASH_VERSION}", "-d", tmp],
            check=True, stdout=sys.stderr,
        )  # fmt: skip
        shutil.copyfile(Path(tmp) / WHEEL_NAME, dest)


def find_wheel(explicit: str | None) -> Path:
    """The verified wheel: --wheel, $DASH_RS_OFFLINE_DIR, the cache, or a download."""
    if explicit:
        path = Path(explicit)
        if not verified(path):
            raise SystemExit(f"{path}: missing or sha256 is not {WHEEL_SHA256}")
        return path
    offline = os.environ.get("DASH_RS_OFFLINE_DIR")
    if offline:
        path = Path(offline) / WHEEL_NAME
        if not verified(path):
            raise SystemExit(f"DASH_RS_OFFLINE_DIR: {path} missing or sha256 is not {WHEEL_SHA256}")
        return path
    cache_root = os.environ.get("DASH_RS_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "dash-rs"
    )
    cache = Path(cache_root) / "wheels"
    path = cache / WHEEL_NAME
    if verified(path):
        return path
    if ROOT in path.resolve().parents:
        raise SystemExit(f"refusing to cache the wheel inside the repo: {path}")
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / (WHEEL_NAME + ".part")
    errors = []
    for fetch in (_from_simple_index, _from_pip):
        try:
            fetch(tmp)
            if sha256_of(tmp) != WHEEL_SHA256:
                raise RuntimeError(f"downloaded file has sha256 {sha256_of(tmp)}")
            os.replace(tmp, path)
            print(f"cached {path}", file=sys.stderr)
            return path
        except SystemExit:
            raise
        except Exception as e:  # noqa: BLE001 - try the next source
            errors.append(f"{fetch.__name__}: {e}")
            tmp.unlink(missing_ok=True)
    raise SystemExit("could not fetch the wheel:\n  " + "\n  ".join(errors))


# --------------------------------------------------------------------------------------------
# children_props: a faithful port of whl:dash/development/_collect_nodes.py


def _is_node(name):
    return name in ("node", "element")


def _is_shape(name):
    return name in ("shape", "exact")


def _collect_array(a_value, base, nodes):
    a_type = a_value["name"]
    if _is_node(a_type):
        nodes.append(base)
    elif a_type in ("shape", "exact"):
        nodes = collect_nodes(a_value["value"], base + "[]", nodes)
    elif a_type == "union":
        nodes = _collect_union(a_value["value"], base + "[]", nodes)
    elif a_type == "objectOf":
        nodes = _collect_object(a_value["value"], base + "[]", nodes)
    return nodes


def _collect_union(type_list, base, nodes):
    for t in type_list:
        if _is_node(t["name"]):
            nodes.append(base)
        elif _is_shape(t["name"]):
            nodes = collect_nodes(t["value"], base, nodes)
        elif t["name"] == "arrayOf":
            nodes = _collect_array(t["value"], base, nodes)
        elif t["name"] == "objectOf":
            nodes = _collect_object(t["value"], base, nodes)
    return nodes


def _collect_object(o_value, base, nodes):
    o_name = o_value.get("name")
    o_key = base + "{}"
    if _is_node(o_name):
        nodes.append(o_key)
    elif _is_shape(o_name):
        nodes = collect_nodes(o_value.get("value", {}), o_key, nodes)
    elif o_name == "union":
        nodes = _collect_union(o_value.get("value"), o_key, nodes)
    elif o_name == "arrayOf":
        nodes = _collect_array(o_value, o_key, nodes)
    return nodes


def collect_nodes(metadata, base="", nodes=None):
    nodes = nodes or []
    for prop_name, value in metadata.items():
        t_value = value.get("type", value)
        p_type = t_value.get("name")
        key = f"{base}.{prop_name}" if base else prop_name
        if _is_node(p_type):
            nodes.append(key)
        elif p_type == "arrayOf":
            nodes = _collect_array(t_value.get("value", t_value), key, nodes)
        elif _is_shape(p_type):
            nodes = collect_nodes(t_value["value"], key, nodes)
        elif p_type == "union":
            nodes = _collect_union(t_value["value"], key, nodes)
        elif p_type == "objectOf":
            nodes = _collect_object(t_value.get("value", {}), key, nodes)
    return nodes


# --------------------------------------------------------------------------------------------
# Names


def snake(name: str) -> str:
    s = name.replace("-", "_")
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"_+", "_", s.lower())
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", s):
        raise SystemExit(f"cannot make a Rust name from {name!r}")
    return s


def pascal(name: str) -> str:
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", snake(name) if re.search(r"[A-Z]", name) else name) if p]
    s = "".join(p[:1].upper() + p[1:] for p in parts) or "Empty"
    return "V" + s if s[0].isdigit() else s


def ident(name: str) -> str:
    """A Rust identifier for `name`: raw if it is a keyword."""
    if name in NOT_RAW:
        return name + "_"
    if name in RUST_KEYWORDS:
        return "r#" + name
    return name


def bare(rust_ident: str) -> str:
    return rust_ident[2:] if rust_ident.startswith("r#") else rust_ident


# --------------------------------------------------------------------------------------------
# Type nodes


def norm(t: dict) -> dict:
    """Flatten unions, drop TS `undefined` members, unwrap one-member unions."""
    name = t.get("name")
    if name == "union":
        members = []
        for m in t.get("value", []):
            m = norm(m)
            if m.get("name") == "union":
                members.extend(m["value"])
            elif not (m.get("name") == "literal" and m.get("value") == "undefined"):
                members.append(m)
        if len(members) == 1:
            return members[0]
        return {"name": "union", "value": members}
    if name == "enum" and isinstance(t.get("value"), list):
        return {"name": "enum", "value": [v for v in t["value"] if "value" in v]}
    return t


def js_string_literal(v) -> str | None:
    """The string of a JS string literal such as `'custom'`, else None."""
    if not isinstance(v, str) or len(v) < 2 or v[0] != v[-1] or v[0] not in "'\"":
        return None
    inner = v[1:-1]
    if "\\" in inner or v[0] in inner:
        return None
    return inner


def string_enum_values(t: dict) -> list[str] | None:
    if t.get("name") != "enum" or not isinstance(t.get("value"), list) or not t["value"]:
        return None
    out = []
    for v in t["value"]:
        s = js_string_literal(v.get("value"))
        if s is None or v.get("computed"):
            return None
        out.append(s)
    return out


PLURALS = {
    "a string": "strings",
    "a number": "numbers",
    "a boolean": "booleans",
    "an object": "objects",
    "a list": "lists",
    "a component": "components",
    "any JSON value": "any JSON values",
}


def code(s: str) -> str:
    s = " ".join(s.split())
    if "`" in s:
        return f"`` {s} ``"
    return f"`{s}`"


def join_or(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def enum_codes(t: dict) -> list[str]:
    """The values of an enum, as code spans (string literals in JSON quotes)."""
    out = []
    for v in t.get("value", []):
        lit = v.get("value")
        s = js_string_literal(lit)
        out.append(code(json.dumps(s) if s is not None else str(lit)))
    return out


def words(t: dict, depth: int = 0) -> str:
    """The type, in words (for doc comments)."""
    t = norm(t)
    n = t.get("name")
    if n == "string":
        return "a string"
    if n == "number":
        return "a number"
    if n == "bool":
        return "a boolean"
    if n == "node":
        return "a node (a component, text, a number, or a list of them)"
    if n == "element":
        return "a component"
    if n == "object":
        return "an object"
    if n == "array":
        return "a list"
    if n == "any":
        return "any JSON value"
    if n == "enum":
        return "one of " + join_or(enum_codes(t))
    if n == "literal":
        return "the literal " + code(json.dumps(t.get("value")))
    if n == "union":
        seen = []
        for m in t["value"]:
            m = norm(m)
            if m.get("name") == "enum":
                ws = enum_codes(m)
            elif m.get("name") == "literal":
                ws = [code(json.dumps(m.get("value")))]
            else:
                ws = [words(m, depth + 1)]
            seen.extend(w for w in ws if w not in seen)
        return join_or(seen)
    if n == "arrayOf":
        inner = words(t["value"], depth + 1)
        return "a list of " + PLURALS[inner] if inner in PLURALS else f"a list; each item is {inner}"
    if n == "objectOf":
        inner = words(t["value"], depth + 1)
        return f"an object whose values are {PLURALS.get(inner, inner)}"
    if n in ("shape", "exact"):
        keys = list(t.get("value", {}))
        if depth > 0 or not keys:
            return "an object"
        only = "only " if n == "exact" else ""
        req = [k for k, v in t["value"].items() if v.get("required")]
        s = f"an object with {only}the keys " + ", ".join(code(k) for k in keys)
        if req:
            s += " (required: " + ", ".join(code(k) for k in req) + ")"
        return s
    return f"a `{n}` value"


# --------------------------------------------------------------------------------------------
# Rust generation


def doc(lines: list[str], indent: str = "") -> str:
    out = []
    for line in lines:
        if not line:
            out.append(f"{indent}///")
            continue
        wrapped = textwrap.wrap(line, width=92, break_long_words=False, break_on_hyphens=False)
        out.extend(f"{indent}/// {w}" for w in wrapped)
    return "\n".join(out) + "\n"


def rust_str(s: str) -> str:
    return json.dumps(s)  # a JSON string is a valid Rust string literal for these names


def header(source: str) -> str:
    return (
        f"// Generated by {GENERATOR} from {source} in the dash=={DASH_VERSION} wheel.\n"
        f"// Do not edit by hand: change the generator and run `python3 {GENERATOR}`.\n\n"
    )


class Component:
    def __init__(self, lib, path: str, meta: dict):
        self.dir, self.namespace, self.py_prefix, self.source, self.version = lib
        self.type_name = path.rsplit("/", 1)[-1].split(".")[0]
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", self.type_name):
            raise SystemExit(f"unexpected component name {self.type_name!r} in {path}")
        self.props: dict = meta["props"]
        self.module = ident(snake(self.type_name))
        self.ctor = ident(snake(self.type_name))
        nodes = collect_nodes({k: v for k, v in self.props.items() if k != "children"})
        self.children_props = nodes
        self.node_props = set(collect_nodes(self.props))
        self.wildcards = [p[:-2] for p in ("data-*", "aria-*") if p in self.props]

    def reference_url(self) -> str:
        if self.dir == "html":
            return f"https://dash.plotly.com/dash-html-components/{self.type_name.lower()}"
        if self.dir == "dcc":
            return f"https://dash.plotly.com/dash-core-components/{self.type_name.lower()}"
        return "https://dash.plotly.com/datatable/reference"

    def methods(self):
        """(method ident, JS prop name, prop metadata), sorted, with children first."""
        reserved = BUILDER_METHODS | set(self.wildcards)
        out = {}
        for name, meta in self.props.items():
            if name in ("id", "setProps") or name.endswith("-*"):
                continue
            if meta.get("type", {}).get("name") in SKIPPED_TYPES:
                continue
            m = snake(name)
            if m in reserved:
                m += "_prop"
            m = ident(m)
            if m in out:
                raise SystemExit(f"{self.type_name}: props {out[m][0]!r} and {name!r} both map to {m}")
            out[m] = (name, meta)
        return sorted(
            ((m, n, meta) for m, (n, meta) in out.items()),
            key=lambda x: (x[1] != "children", bare(x[0])),
        )

    def render(self) -> tuple[str, list[str]]:
        """Rust source of the component's file, and the names it exports."""
        t = self.type_name
        exports = [t, self.ctor]
        enums = []
        body = []
        for m, js, meta in self.methods():
            ty = norm(meta["type"])
            lines = [f"Sets the `{js}` prop: {words(meta['type'])}."]
            if (string_enum_values(ty) is not None) and not (js == "children" or js in self.node_props):
                lines[0] = f"Sets the `{js}` prop: {words(meta['type'])} ([`{t}{pascal(snake(js))}`])."
            tail = "Required." if meta.get("required") else "Optional."
            dv = meta.get("defaultValue")
            if dv and "value" in dv:
                what = "Default (computed by the component)" if dv.get("computed") else "Default"
                tail += f" {what}: {code(str(dv['value']))}."
            lines += ["", tail]
            svals = string_enum_values(ty)
            if js == "children" or js in self.node_props:
                param, value = "impl Into<crate::Children>", None
            elif ty["name"] == "string":
                param, value = "impl Into<String>", "v.into()"
            elif ty["name"] == "number":
                param, value = "impl Into<crate::Number>", "v.into()"
            elif ty["name"] == "bool":
                param, value = "bool", "v"
            elif svals is not None:
                ename = t + pascal(snake(js))
                enums.append((ename, js, svals))
                exports.append(ename)
                param, value = ename, "v"
            elif ty["name"] == "arrayOf" and norm(ty["value"])["name"] == "string":
                param = "impl IntoIterator<Item = impl Into<String>>"
                value = "v.into_iter().map(Into::into).collect::<Vec<String>>()"
            elif ty["name"] == "arrayOf" and norm(ty["value"])["name"] == "number":
                param = "impl IntoIterator<Item = impl Into<crate::Number>>"
                value = "v.into_iter().map(Into::into).collect::<Vec<crate::Number>>()"
            else:
                param, value = "impl Into<serde_json::Value>", "v"
            body.append(doc(lines, "    "))
            if value is None:
                call = f"self.0.children_prop({rust_str(js)}, v)"
            else:
                call = f"self.0.prop({rust_str(js)}, {value})"
            body.append(f"    pub fn {m}(self, v: {param}) -> Self {{\n        Self({call})\n    }}\n\n")
        for w in self.wildcards:
            wtype = norm(self.props[f"{w}-*"]["type"])
            wparam, wvalue = (
                ("impl Into<String>", "v.into()")
                if wtype.get("name") == "string"
                else ("impl Into<serde_json::Value>", "v")
            )
            body.append(
                doc(
                    [
                        f"Sets a `{w}-*` attribute: `.{w}(\"x\", v)` sets the prop `{w}-x` "
                        f"({words(self.props[f'{w}-*']['type'])}).",
                        "",
                        "Optional.",
                    ],
                    "    ",
                )
            )
            body.append(
                f"    pub fn {w}(self, name: &str, v: {wparam}) -> Self {{\n"
                f"        Self(self.0.prop(format!(\"{w}-{{name}}\"), {wvalue}))\n    }}\n\n"
            )

        py = f"{self.py_prefix}.{t}"
        first = f"The `{t}` component of `{self.namespace}` {self.version} (`{py}` in Python)"
        if self.dir == "html":
            tag = t[:-2] if t.endswith("El") else t
            first += f": the HTML `<{tag.lower()}>` element."
        else:
            first += "."
        sdoc = [first, "", f"Reference: <{self.reference_url()}>"]
        typed = {js for _, js, _ in self.methods()} | {"id"}
        required = sorted(p for p, m in self.props.items() if m.get("required") and p in typed)
        if required:
            sdoc += ["", "Required props: " + ", ".join(f"`{p}`" for p in required) + "."]
        if self.children_props:
            sdoc += [
                "",
                "Props other than `children` that hold components: "
                + ", ".join(f"`{p}`" for p in self.children_props)
                + ".",
            ]
        if self.wildcards:
            sdoc += [
                "",
                "Accepts "
                + " and ".join(f"`{w}-*`" for w in self.wildcards)
                + " attributes through "
                + " and ".join(f"[`{t}::{w}`]" for w in self.wildcards)
                + ".",
            ]

        src = [header(self.source)]
        src.append("crate::component_type!(\n")
        src.append(doc(sdoc, "    "))
        src.append(f"    {t}, {rust_str(self.namespace)}, {rust_str(t)}\n);\n\n")
        src.append(f"impl {t} {{\n")
        src.extend(body)
        src.append("}\n\n")
        src.append(doc([f"A new [`{t}`] with no props set (the same as [`{t}::new`])."]))
        src.append(f"pub fn {self.ctor}() -> {t} {{\n    {t}::new()\n}}\n")
        for ename, js, vals in enums:
            src.append(render_enum(ename, t, js, vals))
        return "".join(src), exports


def render_enum(ename: str, comp: str, js: str, vals: list[str]) -> str:
    variants = []
    for v in vals:
        vn = pascal(v)
        if vn in [x for x, _ in variants]:
            raise SystemExit(f"{ename}: two values map to the variant {vn}")
        variants.append((vn, v))
    out = ["\n", doc([f"The values of the `{js}` prop of [`{comp}`]; each is sent as its string."])]
    out.append("#[derive(Debug, Clone, Copy, PartialEq, Eq)]\n")
    out.append(f"pub enum {ename} {{\n")
    for vn, v in variants:
        out.append(doc([f"`{json.dumps(v)}`"], "    "))
        out.append(f"    {vn},\n")
    out.append("}\n\n")
    out.append(f"impl {ename} {{\n")
    out.append(doc(["The string sent to the front end."], "    "))
    out.append("    pub fn as_str(self) -> &'static str {\n        match self {\n")
    for vn, v in variants:
        out.append(f"            Self::{vn} => {rust_str(v)},\n")
    out.append("        }\n    }\n}\n\n")
    out.append(
        f"impl serde::Serialize for {ename} {{\n"
        "    fn serialize<S: serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {\n"
        "        s.serialize_str(self.as_str())\n    }\n}\n\n"
        f"impl ::core::convert::From<{ename}> for serde_json::Value {{\n"
        f"    fn from(v: {ename}) -> Self {{\n"
        "        serde_json::Value::String(v.as_str().to_owned())\n    }\n}\n"
    )
    return "".join(out)


MODULE_DOCS = {
    "html": (
        "Typed builders for `dash_html_components` {v}: one per HTML element (`html.Div` in "
        "Python is [`Div`], also made by [`div()`]).",
    ),
    "dcc": (
        "Typed builders for `dash_core_components` {v} (`dcc.Input` in Python is [`Input`], "
        "also made by [`input()`]).",
    ),
    "dash_table": (
        "Typed builder for `dash_table` {v}: [`DataTable`] (also made by [`data_table()`]).",
    ),
}


def render_mod(libdir: str, version: str, source: str, comps: list[tuple[Component, list[str]]]) -> str:
    lines = [MODULE_DOCS[libdir][0].format(v=version), ""]
    lines.append(
        "Every prop is a method that consumes and returns the builder; props this crate does "
        "not type can be set with `prop(name, value)`."
    )
    if libdir == "html":
        lines += [
            "",
            "This module has a type named [`Option`] (the `<option>` element): prefer "
            "`use dash_core::html;` and `html::div()` over a glob import, which would shadow "
            "`std::option::Option`.",
        ]
    lines += ["", f"Generated by `{GENERATOR}` from `{source}`; do not edit by hand."]
    out = [header(source), doc(lines).replace("///", "//!"), "\n"]
    for c, _ in comps:
        out.append(f"mod {c.module};\n")
    out.append("\n")
    for c, exports in comps:
        out.append(f"pub use self::{c.module}::{{{', '.join(exports)}}};\n")
    return "".join(out)


def render_children_props(entries: list[tuple[str, str, list[str]]]) -> str:
    out = [
        f"// Generated by {GENERATOR} from the metadata.json files in the dash=={DASH_VERSION} wheel.\n",
        f"// Do not edit by hand: change the generator and run `python3 {GENERATOR}`.\n\n",
        "//! Props other than `children` that hold components, as `_dash-config` sends them in\n",
        "//! `children_props`. Paths use Dash's syntax (`dash/development/_collect_nodes.py`):\n",
        "//! `[]` for each list item, `{}` for each object value, `.` for a nested key.\n\n",
        "/// `(namespace, type, prop paths)` for each component that has such props.\n",
        "pub(crate) const CHILDREN_PROPS: &[(&str, &str, &[&str])] = &[\n",
    ]
    for ns, t, paths in entries:
        out.append(f"    ({rust_str(ns)}, {rust_str(t)}, &[{', '.join(rust_str(p) for p in paths)}]),\n")
    out.append("];\n")
    return "".join(out)


def generate(wheel: Path) -> dict[str, str]:
    """Relative path (under COMPONENTS_DIR) -> unformatted Rust source."""
    files: dict[str, str] = {}
    children_entries = []
    with zipfile.ZipFile(wheel) as z:
        for libdir, namespace, py_prefix, meta_path, info_path in LIBRARIES:
            metadata = json.loads(z.read(meta_path))
            version = json.loads(z.read(info_path))["version"]
            source = f"{meta_path}"
            lib = (libdir, namespace, py_prefix, source, version)
            comps = sorted(
                (Component(lib, path, meta) for path, meta in metadata.items()),
                key=lambda c: c.type_name,
            )
            rendered = []
            seen_types: dict[str, str] = {}
            seen_values: set[str] = set()
            seen_modules: set[str] = set()
            for c in comps:
                src, exports = c.render()
                for e in exports:
                    space = seen_values if e[:1].islower() or e.startswith("r#") else seen_types
                    if e in space:
                        raise SystemExit(f"{libdir}: two items are named {e}")
                    if isinstance(space, dict):
                        space[e] = c.type_name
                    else:
                        space.add(e)
                if c.module in seen_modules:
                    raise SystemExit(f"{libdir}: two modules are named {c.module}")
                seen_modules.add(c.module)
                files[f"{libdir}/{bare(c.module)}.rs"] = src
                rendered.append((c, exports))
                if c.children_props:
                    children_entries.append((namespace, c.type_name, c.children_props))
            files[f"{libdir}/mod.rs"] = render_mod(libdir, version, source, rendered)
    children_entries.sort(key=lambda e: (e[0], e[1]))
    files["children_props.rs"] = render_children_props(children_entries)
    return files


# --------------------------------------------------------------------------------------------
# Formatting, writing, checking


def rustfmt_config() -> list[str]:
    """Use the same rustfmt.toml that `cargo fmt` would find for the components dir."""
    d = ROOT / COMPONENTS_DIR
    while True:
        for name in ("rustfmt.toml", ".rustfmt.toml"):
            if (d / name).is_file():
                return ["--config-path", str(d / name)]
        if d == ROOT or d.parent == d:
            return []
        d = d.parent


def write_formatted(files: dict[str, str], out_dir: Path) -> None:
    for rel, src in files.items():
        p = out_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(src, encoding="utf-8", newline="\n")
    paths = sorted(str(out_dir / rel) for rel in files)
    for i in range(0, len(paths), 100):
        subprocess.run(["rustfmt", "--edition", "2024", *rustfmt_config(), *paths[i : i + 100]], check=True)


def managed_files(base: Path) -> set[str]:
    """Files under `base` (a components dir) that the generator owns."""
    out = set()
    if (base / "children_props.rs").exists():
        out.add("children_props.rs")
    for d in GENERATED_DIRS:
        if (base / f"{d}.rs").exists():
            out.add(f"{d}.rs")  # placeholder that the directory replaces
        if (base / d).is_dir():
            out.update(str(p.relative_to(base)) for p in (base / d).rglob("*.rs"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if the committed files are stale")
    ap.add_argument("--wheel", help=f"use this {WHEEL_NAME} (sha256 is still checked)")
    args = ap.parse_args()

    wheel = find_wheel(args.wheel)
    files = generate(wheel)
    target = ROOT / COMPONENTS_DIR
    with tempfile.TemporaryDirectory(prefix="dash-rs-codegen-") as tmp:
        tmp = Path(tmp)
        write_formatted(files, tmp)
        new = {rel: (tmp / rel).read_text(encoding="utf-8") for rel in sorted(files)}

    old_names = managed_files(target)
    if args.check:
        changed = []
        for rel, text in new.items():
            p = target / rel
            if not p.is_file():
                changed.append((rel, "missing", []))
            elif (cur := p.read_text(encoding="utf-8")) != text:
                diff = list(
                    difflib.unified_diff(
                        cur.splitlines(), text.splitlines(), f"committed/{rel}", f"generated/{rel}", lineterm="", n=1
                    )
                )
                changed.append((rel, "differs", diff))
        for rel in sorted(old_names - set(new)):
            changed.append((rel, "not generated (stale, should be removed)", []))
        if not changed:
            print(f"generated code is up to date ({len(new)} files)")
            return 0
        print(f"{len(changed)} generated file(s) out of date; run `python3 {GENERATOR}`:")
        budget = 60
        for rel, what, diff in changed:
            plus = sum(1 for d in diff if d.startswith("+") and not d.startswith("+++"))
            minus = sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))
            print(f"  {COMPONENTS_DIR / rel}: {what}" + (f" (+{plus} -{minus})" if diff else ""))
            for d in diff[: max(0, budget)]:
                print(f"    {d}")
            budget -= len(diff)
        return 1

    written = 0
    for rel, text in new.items():
        p = target / rel
        if not p.is_file() or p.read_text(encoding="utf-8") != text:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8", newline="\n")
            written += 1
    removed = sorted(old_names - set(new))
    for rel in removed:
        (target / rel).unlink()
    print(f"{len(new)} files generated, {written} written, {len(removed)} removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
