"""Service-point CSV import with a dry-run diff per county (added, changed, removed), then apply.

The CSV is validated by the CLI's own rules (bot.service_points.csv_io.validate). It is authoritative
for the (county, type) pairs it contains: a record that admins imported earlier for such a pair and
that the CSV no longer lists is removed. Generated county-seat records (origin "seed") are never
removed. Apply runs in one transaction, so a failure changes nothing.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import delete, insert, select, update

from bot.service_points.csv_io import decode, validate
from bot.service_points.store import ServicePointStore, _now, point_id

COMPARED = ("type", "town", "address", "phone", "hours", "lat", "lng", "location_precision", "source")


class ImportRejected(ValueError):
    def __init__(self, errors: list[tuple[int, str]]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def plan(store: ServicePointStore, data: bytes) -> dict[str, Any]:
    """The diff, without writing: {"counties": [{county, city, added, changed, removed}], "totals"}."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise ImportRejected([(1, "无法识别文件编码：请保存为 UTF-8 或 GB18030 编码的 CSV")])
    report = validate(text, store.gaz)
    if not report.ok:
        raise ImportRejected(report.errors)
    rows = report.rows
    pairs = {(r["county_adcode"], r["type"]) for r in rows}
    existing = {(r["county_adcode"], r["name"]): r for r in store.all_rows()
                if (r["county_adcode"], r["type"]) in pairs or any(r["county_adcode"] == c for c, _ in pairs)}
    incoming = {(r["county_adcode"], r["name"]): r for r in rows}
    by_county: dict[str, dict[str, Any]] = defaultdict(lambda: {"added": [], "changed": [], "removed": []})
    for key, row in incoming.items():
        old = existing.get(key)
        entry = by_county[row["county_adcode"]]
        entry.setdefault("city", row["city"])
        entry.setdefault("county", row["county"])
        if old is None:
            entry["added"].append({"name": row["name"], "type": row["type"]})
        else:
            diffs = {f: {"before": old.get(f), "after": row.get(f)} for f in COMPARED if old.get(f) != row.get(f)}
            if diffs:
                entry["changed"].append({"name": row["name"], "type": row["type"], "fields": diffs})
    removed_ids = []
    for key, old in existing.items():
        if key in incoming or old["origin"] != "admin" or (old["county_adcode"], old["type"]) not in pairs:
            continue
        entry = by_county[old["county_adcode"]]
        entry.setdefault("city", old["city"])
        entry.setdefault("county", old["county"])
        entry["removed"].append({"name": old["name"], "type": old["type"]})
        removed_ids.append(old["id"])
    counties = [{"county_adcode": code, **v} for code, v in sorted(by_county.items())]
    totals = {k: sum(len(c[k]) for c in counties) for k in ("added", "changed", "removed")}
    return {"counties": counties, "totals": totals, "rows": len(rows), "_rows": rows, "_removed": removed_ids}


def apply(store: ServicePointStore, diff: dict[str, Any]) -> dict[str, int]:
    """Write a plan's rows and removals in one transaction."""
    now = _now()
    t = store.points
    with store.engine.begin() as conn:
        for row in diff["_rows"]:
            key = (t.c.county_adcode == row["county_adcode"], t.c.name == row["name"])
            existing = conn.execute(select(t.c.id).where(*key)).scalar()
            values = {**row, "origin": "admin", "updated_at": now}
            if existing:
                conn.execute(update(t).where(t.c.id == existing).values(**values))
            else:
                conn.execute(insert(t).values(id=point_id(row["county_adcode"], row["name"]), **values))
        for rid in diff["_removed"]:
            conn.execute(delete(t).where(t.c.id == rid, t.c.origin == "admin"))
    return diff["totals"]


def public(diff: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in diff.items() if not k.startswith("_")}
