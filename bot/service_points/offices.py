"""Office types: names, what they handle, national hotlines, synonyms in resident speech, card text.

Standard library (plus PyYAML, loaded lazily to read a program's office types from its rules file), like
the gazetteer, so both venvs can import it.
"""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from bot.service_points.gazetteer import ROOT, normalize_place_text

# Program → office types is not kept here: each program's rules file names its office types.
RULES_DIR: Path = ROOT / "policy_kb" / "rules"
_PROGRAM_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_rules_cache: dict[Path, tuple[tuple[int, int], list[str]]] = {}
_rules_lock = threading.Lock()


@dataclass(frozen=True)
class OfficeType:
    id: str
    label: str           # contract's Chinese name of the type
    suffix: Optional[str]  # official name suffix for generated county records
    handles: str         # what residents go there for (kept to what our sources support)
    hotline: str
    hotline_name: str


# Order matters: it is the display order of county offices.
OFFICE_TYPES: dict[str, OfficeType] = {t.id: t for t in (
    OfficeType("town_service_center", "乡镇（街道）便民服务中心", "便民服务中心",
               "受理残疾人两项补贴（困难残疾人生活补贴、重度残疾人护理补贴）申请等便民事项",
               "12345", "政务服务便民热线"),
    OfficeType("disability_federation", "残疾人联合会", "残疾人联合会",
               "残疾评定与残疾人证办理，残疾人两项补贴政策咨询", "12385", "残疾人服务热线"),
    OfficeType("civil_affairs", "民政局", "民政局", "低保、特困供养等社会救助和民政事务",
               "12345", "政务服务便民热线"),
    OfficeType("hrss", "人力资源和社会保障局（公共就业服务中心）", "人力资源和社会保障局",
               "就业服务、职业培训补贴、技能提升补贴、社会保险", "12333", "人力资源社会保障服务热线"),
    OfficeType("health_commission", "卫生健康局", "卫生健康局", "卫生健康事务、婴幼儿照护（托育）服务管理",
               "12320", "卫生健康热线"),
    OfficeType("government_service_center", "政务服务中心", "政务服务中心", "各类政务服务事项的综合受理（办事大厅）",
               "12345", "政务服务便民热线"),
    OfficeType("childcare", "托育机构", None, "3岁以下婴幼儿托育服务", "12320", "卫生健康热线"),
    OfficeType("training", "职业技能培训机构", None, "职业技能培训", "12333", "人力资源社会保障服务热线"),
)}
COUNTY_OFFICE_TYPES = ("disability_federation", "civil_affairs", "hrss", "health_commission",
                       "government_service_center")

# Words residents use → type id. Longest match wins, so 社保局 is not read as 社保 + 局.
TYPE_SYNONYMS: dict[str, str] = {}
for _type, _words in {
    # 残疾评定 and the certificate are done at the 残联: residents name the service for the office.
    "disability_federation": ["残疾人联合会", "残疾人联合", "残联", "残疾评定", "评残", "残疾鉴定", "办残疾证", "办残疾人证",
                              "残疾等级怎么评", "残疾怎么评", "怎么评残疾", "残疾等级评定", "评残疾等级"],
    "civil_affairs": ["民政局", "民政部门", "民政所", "民政"],
    "hrss": ["人力资源和社会保障局", "人力资源社会保障局", "人力资源和社会保障", "人社局", "人社部门", "人社",
             "社保局", "社保中心", "社保所", "社保", "劳动局", "就业局", "公共就业服务中心", "就业服务中心",
             "失业保险经办机构"],
    "health_commission": ["卫生健康局", "卫生健康委员会", "卫健局", "卫健委", "卫生局", "卫计局", "卫健"],
    "government_service_center": ["政务服务中心", "政务服务大厅", "政务大厅", "办事大厅", "政务中心", "行政审批局",
                                  "审批局", "市民之家"],
    "town_service_center": ["便民服务中心", "便民服务站", "乡镇政府", "乡政府", "镇政府", "街道办事处", "街道办",
                            "乡镇便民"],
    "childcare": ["托育机构", "托育中心", "托育园", "托育", "托儿所", "托班"],
    "training": ["职业技能培训机构", "职业培训机构", "技能培训机构", "培训机构", "培训学校", "技能培训", "职业培训",
                 "技工学校", "技校", "培训报名", "报名培训"],
}.items():
    for _w in _words:
        TYPE_SYNONYMS[_w] = _type
_MAX_SYNONYM = max(len(w) for w in TYPE_SYNONYMS)

_PRECISION_NOTES = {
    "county_seat": "按县（区）政府驻地估算",
    "predecessor_seat": "按县（区）政府驻地估算",
    "approximate": "位置为大致位置",
}


def office_types_for_program(program_id: str) -> list[str]:
    """Office types to suggest for a program, most relevant first ([] if unknown).

    Read from the program's rules file (`office_types:` in policy_kb/rules/<id>.yaml), the only place the
    program → office mapping lives; a file that cannot be read keeps its last good value.
    """
    if not isinstance(program_id, str) or not _PROGRAM_ID.match(program_id):
        return []
    path = RULES_DIR / f"{program_id}.yaml"
    try:
        st = path.stat()
    except OSError:
        return []
    sig = (st.st_mtime_ns, st.st_size)
    with _rules_lock:
        cached = _rules_cache.get(path)
        if cached and cached[0] == sig:
            return list(cached[1])
        import yaml  # PyYAML: in both venvs; imported here so the gazetteer stays import-light

        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            types = [t for t in data.get("office_types") or [] if t in OFFICE_TYPES]
        except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
            return list(cached[1]) if cached else []
        _rules_cache[path] = (sig, types)
        return list(types)


def office_types_from_text(text: str) -> list[str]:
    """Every office type mentioned, in order of mention (残联在哪 → [disability_federation])."""
    text = normalize_place_text(text or "")
    found: list[str] = []
    i = 0
    while i < len(text):
        for size in range(min(_MAX_SYNONYM, len(text) - i), 1, -1):
            t = TYPE_SYNONYMS.get(text[i:i + size])
            if t:
                if t not in found:
                    found.append(t)
                i += size
                break
        else:
            i += 1
    return found


# A hotline question names a topic rather than an office ("残疾人服务热线", "就业的事打哪个热线").
HOTLINE_TOPICS: tuple[tuple[str, str], ...] = (
    ("残疾|残障|两项补贴|护理补贴|生活补贴", "disability_federation"),
    ("就业|培训|社保|失业|技能|人社|劳动", "hrss"),
    ("育儿|卫健|卫生|托育|婴幼儿|生娃|养娃", "health_commission"),
)


def hotline_types(text: str) -> list[str]:
    """Office types whose hotline a line asks for: the offices it names, else the topics it names."""
    found = office_types_from_text(text)
    if found:
        return found
    return [t for pattern, t in HOTLINE_TOPICS if re.search(pattern, text or "")]


# "12333是个啥电话", "12385是干啥的": a hotline named by its number, asked what it is.
_NUMBER_ASKED = re.compile(r"(?<!\d)(\d{5})(?!\d)[^，。？?\d]{0,6}?(?:是|叫|属于|归)?[^，。？?\d]{0,4}(?:啥|什么|甚|哪|谁|干嘛|管)")


def hotlines_asked(text: str) -> list[OfficeType]:
    """The offices whose hotline number the line asks about, one per number, in the order named."""
    found: list[OfficeType] = []
    for m in _NUMBER_ASKED.finditer(text or ""):
        office = next((t for t in OFFICE_TYPES.values() if t.hotline == m.group(1)), None)
        if office and office.hotline not in [f.hotline for f in found]:
            found.append(office)
    return found


def office_type_from_text(text: str) -> Optional[str]:
    found = office_types_from_text(text)
    return found[0] if found else None


def type_from_label(value: str) -> Optional[str]:
    """A type id from its id, contract label or a synonym (for CSV imports)."""
    value = (value or "").strip()
    if value in OFFICE_TYPES:
        return value
    for t in OFFICE_TYPES.values():
        if value == t.label:
            return t.id
    return TYPE_SYNONYMS.get(value)


def hotline_for(type_id: str) -> tuple[str, str]:
    t = OFFICE_TYPES[type_id]
    return t.hotline, t.hotline_name


def format_distance(km: float) -> str:
    return f"约{km * 1000:.0f}米" if km < 1 else f"约{km:.1f}公里"


def format_card(point: Mapping[str, Any], distance: bool = True) -> str:
    """Chinese card text: name, what it handles, address (or 12345), phone, hotline, distance."""
    t = OFFICE_TYPES.get(point.get("type") or "")
    lines = [f"【{point['name']}】"]
    if t:
        lines.append(f"办理：{t.handles}")
    lines.append(f"地址：{point['address']}" if point.get("address") else "地址请以12345核实")
    if point.get("phone"):
        lines.append(f"电话：{point['phone']}")
    if point.get("hours"):
        lines.append(f"办公时间：{point['hours']}")
    hotline = point.get("hotline") or (t.hotline if t else None)
    if hotline:
        name = point.get("hotline_name") or (t.hotline_name if t and t.hotline == hotline else "")
        lines.append(f"热线：{hotline}" + (f"（{name}）" if name else ""))
    if distance and point.get("distance_km") is not None:
        note = _PRECISION_NOTES.get(point.get("location_precision") or "")
        lines.append(f"距离：{format_distance(float(point['distance_km']))}" + (f"（{note}）" if note else ""))
    return "\n".join(lines)
