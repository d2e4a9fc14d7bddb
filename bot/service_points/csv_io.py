"""Admin CSV import/export: every row validated, all-or-nothing, rejections by line number."""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from bot.service_points.gazetteer import Gazetteer, in_shanxi, normalize_place_text
from bot.service_points.offices import OFFICE_TYPES, type_from_label
from bot.service_points.store import PROVINCE, ServicePointStore

# CSV header (Chinese, as in the template) → field; English field names are accepted too.
COLUMNS = {"名称": "name", "类型": "type", "市": "city", "县区": "county", "乡镇街道": "town",
           "地址": "address", "电话": "phone", "办公时间": "hours", "纬度": "lat", "经度": "lng",
           "坐标精度": "location_precision", "来源": "source"}
REQUIRED = ("name", "type", "city", "county", "source")
IGNORED = {"id", "编号", "热线", "类型名称", "数据类别", "origin"}
PRECISIONS = {"exact", "approximate", "county_seat", "predecessor_seat"}
PHONE = re.compile(r"^(0\d{2,3}-?\d{7,8}(-\d{1,6})?|1[3-9]\d{9}|400-?\d{3}-?\d{4})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_LEN = {"name": 100, "address": 200, "hours": 100, "source": 300, "town": 60}


@dataclass
class ImportReport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        if self.errors:
            return [f"第{n}行：{reason}" for n, reason in self.errors] + \
                   [f"导入已拒绝：{len(self.errors)}处错误，数据未作任何改动。"]
        verb = "已导入" if self.applied else "试运行（未写入）"
        return [f"{verb}：新增{len(self.added)}条，更新{len(self.updated)}条。"] + \
               [f"  新增 {n}" for n in self.added] + [f"  更新 {n}" for n in self.updated]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (what Excel on Chinese Windows saves)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def validate(text: str, gaz: Gazetteer) -> ImportReport:
    report = ImportReport()
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        report.errors.append((1, "文件为空或缺少表头"))
        return report
    fields = []
    for col in header:
        col = col.strip()
        name = COLUMNS.get(col) or (col if col in COLUMNS.values() else None)
        if name is None and col not in IGNORED:
            report.errors.append((1, f"未知的列“{col}”"))
        fields.append(name)
    missing = [f for f in REQUIRED if f not in fields]
    if missing:
        labels = {v: k for k, v in COLUMNS.items()}
        report.errors.append((1, "缺少必填列：" + "、".join(labels[m] for m in missing)))
    if report.errors:
        return report
    seen: dict[tuple[str, str], int] = {}
    for cells in reader:
        line = reader.line_num  # physical line where this record ends
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            report.errors.append((line, f"列数为{len(cells)}，应为{len(header)}"))
            continue
        raw = {f: _unneutralise(cells[i].strip()) for i, f in enumerate(fields) if f}
        row, reasons = _validate_row(raw, gaz)
        if row:
            key = (row["county_adcode"], row["name"])
            if key in seen:
                reasons.append(f"与第{seen[key]}行重名（同一县区内名称不能重复）")
            else:
                seen[key] = line
        if reasons:
            report.errors.extend((line, r) for r in reasons)
        else:
            report.rows.append(row)
    if not report.rows and not report.errors:
        report.errors.append((1, "文件没有数据行"))
    return report


def _validate_row(raw: dict[str, str], gaz: Gazetteer) -> tuple[Optional[dict[str, Any]], list[str]]:
    reasons: list[str] = []
    for f in REQUIRED:
        if not raw.get(f):
            reasons.append(f"“{_label(f)}”为必填项")
    for f, value in raw.items():
        if _CONTROL.search(value):
            reasons.append(f"“{_label(f)}”含有控制字符")
        if f in MAX_LEN and len(value) > MAX_LEN[f]:
            reasons.append(f"“{_label(f)}”过长（最多{MAX_LEN[f]}字）")
    name = raw.get("name", "")
    if "示例" in name:
        reasons.append("名称含“示例”，是模板中的示例行，不能导入")
    type_id = type_from_label(raw.get("type", "")) if raw.get("type") else None
    if raw.get("type") and type_id is None:
        reasons.append(f"未知的类型“{raw['type']}”（可用：{'、'.join(OFFICE_TYPES)}）")
    county = None
    if raw.get("city") and raw.get("county"):
        city = gaz.city(raw["city"])
        if city is None:
            reasons.append(f"市“{raw['city']}”不是山西省的地级市")
        else:
            res = gaz.resolve_place(raw["county"], city_hint=city.name, level="county")
            current = [c for c in res.candidates if not c.former_name]
            if len(current) == 1:
                county = current[0]
            else:
                reasons.append(f"县区“{raw['county']}”不在{city.name}的行政区划中")
    town = raw.get("town") or None
    if town and county and normalize_place_text(town) not in {t.name for t in gaz.towns_of(county.adcode)}:
        reasons.append(f"乡镇街道“{town}”不在{county.city}{county.name}")
    n_reasons = len(reasons)
    lat = _float(raw.get("lat"), "纬度", reasons)
    lng = _float(raw.get("lng"), "经度", reasons)
    if (lat is None) != (lng is None) and len(reasons) == n_reasons:
        reasons.append("经度和纬度须同时填写或同时留空")
    elif lat is not None and lng is not None and not in_shanxi(lat, lng):
        reasons.append(f"坐标（纬度{lat}，经度{lng}）不在山西省范围内")
    phone = raw.get("phone") or None
    if phone and not PHONE.match(phone.replace(" ", "")):
        reasons.append(f"电话“{phone}”格式不正确（例：0351-1234567 或 11位手机号）")
    precision = raw.get("location_precision") or None
    if precision and precision not in PRECISIONS:
        reasons.append(f"坐标精度“{precision}”应为 {'、'.join(sorted(PRECISIONS))} 之一")
    if reasons or county is None or type_id is None:
        return None, reasons
    if lat is None:  # no coordinates given: place it at the county seat and say so
        lat, lng, precision = county.lat, county.lng, county.location_precision
    return {
        "name": name, "type": type_id, "province": PROVINCE, "city": county.city,
        "city_adcode": county.city_adcode, "county": county.name, "county_adcode": county.adcode,
        "town": normalize_place_text(town) if town else None, "address": raw.get("address") or None,
        "phone": phone.replace(" ", "") if phone else None, "hours": raw.get("hours") or None,
        "lat": lat, "lng": lng, "location_precision": precision or "exact", "source": raw["source"],
    }, []


def _float(value: Optional[str], label: str, reasons: list[str]) -> Optional[float]:
    if not value:
        return None
    try:
        x = float(value)
    except ValueError:
        reasons.append(f"{label}“{value}”不是数字")
        return None
    if not math.isfinite(x):
        reasons.append(f"{label}“{value}”不是有效数字")
        return None
    return x


def _label(f: str) -> str:
    return next((k for k, v in COLUMNS.items() if v == f), f)


def import_csv(path: Path | str, store: ServicePointStore, dry_run: bool = False) -> ImportReport:
    report = validate(decode(Path(path).read_bytes()), store.gaz)
    if report.ok:
        result = store.upsert_many(report.rows, dry_run=dry_run)
        report.added, report.updated = result["added"], result["updated"]
        report.applied = not dry_run
    return report


def export_csv(store: ServicePointStore, out: io.TextIOBase, **filters: Any) -> int:
    """Write stored records with the import's columns (re-importable), plus id and 数据类别."""
    headers = list(COLUMNS) + ["id", "数据类别"]
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    rows = store.all_rows(**filters)
    for r in rows:
        writer.writerow([_cell(r.get(COLUMNS[h])) for h in COLUMNS] + [r["id"], r["origin"]])
    return len(rows)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(v: Any) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or tab/CR) gets a leading "'"
    (OWASP CSV injection); numbers are written as they are. The import strips that "'" again."""
    if v is None:
        return ""
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)
    text = str(v)
    return "'" + text if text.startswith(FORMULA_START) else text


def _unneutralise(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_START) else cell
