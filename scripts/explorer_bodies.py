#!/usr/bin/env python3
"""Writes `_dash-update-component` bodies for the explorer's table callback,
one JSON body per line, for `dash-load --bodies FILE`.

    explorer_bodies.py URL CASE COUNT > FILE

URL is the running explorer (http://127.0.0.1:PORT). The request is built
from the server's own /_dash-dependencies and /_dash-layout, the way the
renderer builds it. CASE is one of

  flips     page flips of one filtered, sorted view (`{price} > 100`,
            sorted by price descending): page_current varies, the view is
            the same, so after the first request every flip is cached;
  numeric   `{price} > X && {category} = cat_7` with X different in every
            body (0.001 steps), a filter never seen before;
  contains  `{name} contains ab` (run it against a server whose view
            cache is off, so every request filters);
  sort2     the first page of a two-column sort, cycling through several
            column pairs and directions (again with the view cache off);
  soak      a mixed plan for dash-soak (scripts/soak.sh): one JSON object
            per line with the request and what a correct server answers —
            page flips, new filters, sorts, searches, view keys, small
            exports, malformed requests and page reloads.

Standard library only.
"""

import json
import random
import sys
import urllib.request

AIO = "explorer"
PAGE_SIZE = 100


def get(url):
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.load(r)


def find_prop(node, ident, prop):
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and props.get("id") == ident:
            return props.get(prop)
        for v in node.values():
            found = find_prop(v, ident, prop)
            if found is not None:
                return found
    elif isinstance(node, list):
        for v in node:
            found = find_prop(v, ident, prop)
            if found is not None:
                return found
    return None


def sub_id(sub):
    return {"aio_id": AIO, "component": "DataTableAio", "subcomponent": sub}


def stringify(ident):
    return json.dumps(ident, sort_keys=True, separators=(",", ":"))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    base, case, count = sys.argv[1].rstrip("/"), sys.argv[2], int(sys.argv[3])
    deps = get(base + "/_dash-dependencies")
    layout = get(base + "/_dash-layout")
    dep = next(d for d in deps if ".page_count" in d["output"])
    source = find_prop(layout, sub_id("source"), "data")
    if source is None:
        sys.exit("the explorer's layout has no table source")

    def concrete(ident):
        # /_dash-dependencies gives dict ids stringified.
        ident = json.loads(ident) if isinstance(ident, str) else dict(ident)
        ident["aio_id"] = AIO
        return ident

    outputs = []
    for part in dep["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": concrete(json.loads(ident)), "property": prop})

    def body(page_current, sort_by, filter_query, changed):
        values = {
            ("table", "page_current"): page_current,
            ("table", "sort_by"): sort_by,
            ("table", "filter_query"): filter_query,
            ("search", "value"): "",
            ("page_size", "value"): PAGE_SIZE,
            ("source", "data"): source,
        }

        def with_values(deps_list):
            out = []
            for d in deps_list:
                ident = concrete(d["id"])
                value = values[(ident["subcomponent"], d["property"])]
                out.append({"id": ident, "property": d["property"], "value": value})
            return out

        return json.dumps(
            {
                "output": dep["output"],
                "outputs": outputs,
                "inputs": with_values(dep["inputs"]),
                "state": with_values(dep["state"]),
                "changedPropIds": [stringify(sub_id("table")) + "." + changed],
            },
            separators=(",", ":"),
        )

    rng = random.Random(7)
    lines = []
    if case == "soak":
        soak(deps, source, concrete, rng, count)
        return
    if case == "flips":
        sort_by = [{"column_id": "price", "direction": "desc"}]
        for _ in range(count):
            lines.append(body(rng.randrange(0, 5000), sort_by, "{price} > 100", "page_current"))
    elif case == "numeric":
        xs = rng.sample(range(0, 1_000_000), count)
        for x in xs:
            q = "{price} > %.3f && {category} = cat_7" % (x / 1000)
            lines.append(body(0, [], q, "filter_query"))
    elif case == "contains":
        for _ in range(count):
            lines.append(body(0, [], "{name} contains ab", "filter_query"))
    elif case == "sort2":
        pairs = [("category", "price"), ("name", "qty"), ("qty", "ts"), ("category", "ts"), ("price", "name")]
        for i in range(count):
            a, b = pairs[i % len(pairs)]
            sort_by = [
                {"column_id": a, "direction": rng.choice(["asc", "desc"])},
                {"column_id": b, "direction": rng.choice(["asc", "desc"])},
            ]
            lines.append(body(0, sort_by, "", "sort_by"))
    else:
        sys.exit("unknown case %r (flips, numeric, contains, sort2)" % case)
    sys.stdout.write("\n".join(lines) + "\n")


def request_for(dep, concrete, values, changed):
    """A callback request for `dep`, the renderer's way, with `values` by
    (subcomponent, property)."""

    def with_values(deps_list):
        out = []
        for d in deps_list:
            ident = concrete(d["id"])
            out.append({"id": ident, "property": d["property"],
                        "value": values.get((ident["subcomponent"], d["property"]))})
        return out

    outputs = []
    for part in dep["output"].strip(".").split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": concrete(json.loads(ident)), "property": prop})
    if len(outputs) == 1 and not dep["output"].startswith(".."):
        outputs = outputs[0]
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": with_values(dep["inputs"]),
        "state": with_values(dep.get("state", [])),
        "changedPropIds": [stringify(sub_id(changed[0])) + "." + changed[1]],
    }


def soak(deps, source, concrete, rng, count):
    """Writes the soak plan: `count` lines in a shuffled mix of kinds."""
    table = next(d for d in deps if ".page_count" in d["output"])
    view_key = next(d for d in deps if "view_key" in d["output"])
    export = next(d for d in deps if "download" in d["output"])
    update = "/_dash-update-component"

    def table_body(page=0, sort_by=(), filter_query="", search="", changed="page_current"):
        values = {
            ("table", "page_current"): page,
            ("table", "sort_by"): list(sort_by),
            ("table", "filter_query"): filter_query,
            ("search", "value"): search,
            ("page_size", "value"): PAGE_SIZE,
            ("source", "data"): source,
        }
        sub = "search" if changed == "value" else "table"
        return request_for(table, concrete, values, (sub, changed))

    def line(kind, body, status=200, expect=None, method="POST", path=update):
        out = {"kind": kind, "method": method, "path": path, "status": status}
        if body is not None:
            out["body"] = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
        if expect is not None:
            out["expect"] = expect
        return json.dumps(out, separators=(",", ":"))

    words = ["ab", "an", "da", "ev", "ch", "ol", "ar", "en", "li", "mo"]
    pairs = [("category", "price"), ("name", "qty"), ("qty", "ts"), ("category", "ts")]
    flip_sort = [{"column_id": "price", "direction": "desc"}]
    forged = dict(source, sig="0" * len(source.get("sig", "0" * 64)))

    def make(kind, i):
        if kind == "flip":
            return line(kind, table_body(rng.randrange(0, 5000), flip_sort, "{price} > 100"),
                        expect='"page_count"')
        if kind == "filter":
            q = "{price} > %.3f && {category} = cat_%d" % (rng.randrange(0, 1_000_000) / 1000,
                                                        rng.randrange(0, 20))
            return line(kind, table_body(0, [], q, changed="filter_query"), expect='"page_count"')
        if kind == "sort":
            a, b = pairs[i % len(pairs)]
            sort_by = [{"column_id": a, "direction": "asc"}, {"column_id": b, "direction": "desc"}]
            return line(kind, table_body(rng.randrange(0, 50), sort_by, changed="sort_by"),
                        expect='"page_count"')
        if kind == "search":
            return line(kind, table_body(0, [], "", rng.choice(words), changed="value"),
                        expect='"page_count"')
        if kind == "view_key":
            spec = {"filter": "{qty} = %d" % rng.randrange(1, 100), "search": "",
                    "sort_by": [{"column_id": "price", "direction": "asc"}]}
            values = {("view_spec", "data"): spec, ("source", "data"): source}
            return line(kind, request_for(view_key, concrete, values, ("view_spec", "data")),
                        expect='"sig"')
        if kind == "export":
            spec = {"filter": "{price} > 999.5 && {category} = cat_%d" % rng.randrange(0, 20),
                    "search": "", "sort_by": []}
            values = {("export_button", "n_clicks"): 1 + i, ("view_spec", "data"): spec,
                      ("source", "data"): source}
            return line(kind, request_for(export, concrete, values, ("export_button", "n_clicks")),
                        expect='"filename"')
        if kind == "bad_filter":
            q, shown = rng.choice([("{price} >>> 3", "invalid filter query"),
                                   ("{price} > 1 &&", "invalid filter query"),
                                   ("(" * 100, "invalid filter query"),
                                   ("{nope} > 1", "unknown column `nope`")])
            return line(kind, table_body(0, [], q, changed="filter_query"), expect=shown)
        if kind == "malformed":
            variant = i % 4
            if variant == 0:
                return line(kind, '{"output": "oops', status="4xx")
            body = table_body(0)
            if variant == 1:
                body["output"] = "secret.children"
                body["outputs"] = {"id": "secret", "property": "children"}
            elif variant == 2:
                # a reference the app did not sign: shown in the message line
                for s in body["state"]:
                    s["value"] = forged
                return line(kind, body, expect="data source is invalid")
            else:
                body["changedPropIds"] = ["nobody.value"]
            return line(kind, body, status="4xx")
        if kind == "reload":
            path, expect = [("/", "_dash-renderer"), ("/_dash-layout", "DataTableAio"),
                            ("/_dash-dependencies", "page_count")][i % 3]
            return line(kind, None, expect=expect, method="GET", path=path)
        raise ValueError(kind)

    mix = {"flip": 30, "filter": 15, "sort": 8, "search": 8, "view_key": 8, "export": 3,
           "bad_filter": 5, "malformed": 8, "reload": 15}
    kinds = rng.choices(list(mix), weights=list(mix.values()), k=count)
    sys.stdout.write("\n".join(make(k, i) for i, k in enumerate(kinds)) + "\n")


if __name__ == "__main__":
    main()
