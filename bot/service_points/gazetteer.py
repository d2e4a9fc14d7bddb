"""Shanxi's cities, counties and towns, their aliases and seats, from the committed JSON snapshot.

Pure standard library (the Rasa venv imports it to build the spaCy pipeline). The snapshot is built
by `python -m bot.build.gazetteer` from jionlp (divisions) and cpca (coordinates, GCJ-02).
"""
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Optional

ROOT = Path(__file__).resolve().parents[2]
GAZETTEER_PATH = ROOT / "policy_kb" / "service_points" / "gazetteer.json"
# south, north, west, east (degrees, GCJ-02; Shanxi spans about 34°34′–40°44′N, 110°14′–114°33′E).
SHANXI_BOUNDS = (34.5, 40.8, 110.2, 114.6)
# Short forms that are everyday words more often than places: only the full name is recognised.
SHORT_FORM_STOPLIST = {"长子", "和顺"}
PROVINCE_ALIASES = ("山西省", "山西")
_SHORT_ANSWER = re.compile(r"(?:俺是|我是|是|在|户口在|户籍在|就在|俺们是|我们是)?(?P<short>" + "|".join(sorted(SHORT_FORM_STOPLIST))
                           + r")(?:的|那边的?|老家的?|人)?[呢啊吧嘞哩。！!]*")
LEVELS = ("city", "county", "development_zone", "town")  # also the preference order

# Common traditional forms in place names, for callers that did not normalise (Rasa venv has no zhconv).
_TRAD = str.maketrans(
    "區縣鎮鄉陽臨長東興蘭嶺靈廣渾陰關寧陸開榮濟萬聞絳廟莊灣溝堯壺澤壽權順遙離樓靜樂嵐",
    "区县镇乡阳临长东兴兰岭灵广浑阴关宁陆开荣济万闻绛庙庄湾沟尧壶泽寿权顺遥离楼静乐岚",
)


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 (GPS, browser geolocation) → GCJ-02 (our data, WeChat, AMap); the public formula."""
    a, ee = 6378245.0, 0.00669342162296594323
    x, y = lng - 105.0, lat - 35.0
    dlat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
            + (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0)
    dlng = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
            + (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
            + (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
            + (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - ee * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((a * (1 - ee)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (a / sqrt_magic * math.cos(rad) * math.pi)
    return lat + dlat, lng + dlng


def in_shanxi(lat: float, lng: float) -> bool:
    south, north, west, east = SHANXI_BOUNDS
    return south <= lat <= north and west <= lng <= east


@dataclass(frozen=True)
class Place:
    """One division. `county` is the county a town belongs to (or the county itself)."""

    level: str
    name: str
    city: str
    city_adcode: str
    adcode: Optional[str] = None
    county: Optional[str] = None
    county_adcode: Optional[str] = None
    lat: Optional[float] = None
    lng: Optional[float] = None
    location_precision: Optional[str] = None
    former_name: Optional[str] = None  # set when matched through a pre-rename name (大同 城区 → 平城区)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items()}

    @property
    def key(self) -> tuple:
        return (self.level, self.city_adcode, self.county_adcode, self.name)


@dataclass
class Resolution:
    """What a name resolved to: one place, several candidates (ambiguous), or nothing."""

    text: str
    candidates: list[Place] = field(default_factory=list)
    start: int = 0
    end: int = 0

    @property
    def place(self) -> Optional[Place]:
        return self.candidates[0] if len(self.candidates) == 1 else None

    @property
    def ambiguous(self) -> bool:
        return len(self.candidates) > 1

    @property
    def level(self) -> Optional[str]:
        levels = {c.level for c in self.candidates}
        return levels.pop() if len(levels) == 1 else None

    def current(self) -> list[Place]:
        """Candidates under their current names when there are any (for exact lookups)."""
        return [c for c in self.candidates if not c.former_name] or list(self.candidates)

    def cities(self) -> list[str]:
        """Cities the name may be in: current namesakes first, then where it is a former name."""
        current = sorted({c.city for c in self.candidates if not c.former_name})
        return current + sorted({c.city for c in self.candidates if c.former_name} - set(current))

    def clarifying_question(self) -> str:
        """The question to ask when the name is ambiguous (城区 → 阳泉市还是晋城市)."""
        current = sorted({c.city for c in self.candidates if not c.former_name})
        former = [c for c in self.candidates if c.former_name]
        if current:
            q = f"“{self.text}”在{'、'.join(current)}都有，请问是哪个市的？" if len(current) > 1 else \
                f"请问您说的“{self.text}”是{current[0]}的{self.text}吗？"
        else:
            q = f"请问您说的“{self.text}”是哪个市的？"
        if former:
            q += "（" + "；".join(f"原{c.city}{c.former_name}现为{c.name}" for c in former) + "）"
        return q

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "start": self.start, "end": self.end, "level": self.level,
            "ambiguous": self.ambiguous, "place": self.place.to_dict() if self.place else None,
            "candidates": [c.to_dict() for c in self.candidates],
        }


# Township-level units whose whole name is a common word ("在万柏林区社区登记了失业"): not places.
GENERIC_UNIT_NAMES = frozenset({"社区"})


def normalize_place_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_TRAD)
    return "".join(ch for ch in text if not ch.isspace())


class Gazetteer:
    def __init__(self, data: dict[str, Any]) -> None:
        self.meta = data["meta"]
        self.cities: list[Place] = []
        self.counties: list[Place] = []
        self.towns: list[Place] = []
        self.zones: list[Place] = []
        self._aliases: dict[str, list[Place]] = {}
        self._former: dict[str, list[Place]] = {}
        for c in data["cities"]:
            place = Place("city", c["name"], c["name"], c["adcode"], adcode=c["adcode"], lat=c["lat"],
                          lng=c["lng"], location_precision="city_centre")
            self.cities.append(place)
            self._add(place, c["name"], c["short"])
        for c in data["counties"]:
            place = Place("county", c["name"], c["city"], c["city_adcode"], adcode=c["adcode"],
                          county=c["name"], county_adcode=c["adcode"], lat=c["lat"], lng=c["lng"],
                          location_precision=c["location_precision"])
            self.counties.append(place)
            short = c["short"] if len(c["short"]) >= 2 and c["short"] not in SHORT_FORM_STOPLIST else None
            self._add(place, c["name"], short)
            for town in c["towns"]:
                t = Place("town", town, c["city"], c["city_adcode"], county=c["name"],
                          county_adcode=c["adcode"], lat=c["lat"], lng=c["lng"],
                          location_precision=c["location_precision"])
                self.towns.append(t)
                self._add(t, town)
            for unit in c.get("other_units", []):  # 开发区/农场 etc. at township level: kept apart
                zone = Place("development_zone", unit, c["city"], c["city_adcode"], county=c["name"],
                             county_adcode=c["adcode"])
                self.zones.append(zone)
                self._add(zone, unit)
        for z in data["development_zones"]:
            zone = Place("development_zone", z["name"], z["city"], z["city_adcode"], adcode=z["adcode"])
            self.zones.append(zone)
            self._add(zone, z["name"])
        by_adcode = {c.adcode: c for c in self.counties}
        for f in data["former_names"]:
            now = by_adcode[f["now_adcode"]]
            former = Place(**{**now.to_dict(), "former_name": f["name"], "location_precision":
                              now.location_precision})
            self._former.setdefault(f["name"], []).append(former)
        self.max_alias_len = max(len(a) for a in list(self._aliases) + list(self._former))

    def _add(self, place: Place, *names: Optional[str]) -> None:
        for name in dict.fromkeys(n for n in names if n):
            bucket = self._aliases.setdefault(name, [])
            if place not in bucket:
                bucket.append(place)

    # ---- lookups -------------------------------------------------------------------------
    def aliases(self) -> dict[str, list[Place]]:
        """Every recognised surface form (current names and short forms; not former names)."""
        return self._aliases

    def former_names(self) -> dict[str, list[Place]]:
        return self._former

    def candidates(self, name: str) -> list[Place]:
        """Current places first; divisions renamed away (大同 城区 → 平城区) as extra candidates."""
        return list(self._aliases.get(name, [])) + list(self._former.get(name, []))

    def city(self, name: str) -> Optional[Place]:
        return next((p for p in self.candidates(normalize_place_text(name)) if p.level == "city"), None)

    def county_by_adcode(self, adcode: str) -> Optional[Place]:
        return next((c for c in self.counties if c.adcode == adcode), None)

    def towns_of(self, county_adcode: str) -> list[Place]:
        return [t for t in self.towns if t.county_adcode == county_adcode]

    def counties_of(self, city_name: str) -> list[Place]:
        return [c for c in self.counties if c.city == city_name]

    # ---- text ----------------------------------------------------------------------------
    def find_places(self, text: str) -> list[Resolution]:
        """Place mentions in free text, longest match first, ambiguity narrowed by the other mentions."""
        text = normalize_place_text(text)
        found: list[Resolution] = []
        i = 0
        while i < len(text):
            for size in range(min(self.max_alias_len, len(text) - i), 1, -1):
                chunk = text[i:i + size]
                cands = self.candidates(chunk)
                if chunk in GENERIC_UNIT_NAMES:
                    cands = []    # "在万柏林区社区登记了失业": the common word, not the unit of that name
                if cands and text[i + size:i + size + 1] == "山" and not chunk.endswith("市") and \
                        all(c.level == "city" for c in cands):
                    cands = []    # 吕梁山 (护工) is the mountain range and its brand, not 吕梁市
                if cands:
                    found.append(Resolution(chunk, cands, i, i + size))
                    i += size
                    break
            else:
                i += 1
        if not found:
            # A line that is only a stop-listed short form ("和顺的", "俺是长子县那边的" is caught above): said on its
            # own, as the answer to "在哪个县", it is the place, not the everyday word.
            m = _SHORT_ANSWER.fullmatch(text)
            if m:
                full = next((n for n, _ in self.aliases().items() if n.startswith(m.group("short")) and
                             n != m.group("short") and any(p.level == "county" for p in self.candidates(n))), None)
                if full:
                    found.append(Resolution(m.group("short"), self.candidates(full), m.start("short"), m.end("short")))
        return self._narrow(found)

    @staticmethod
    def _narrow(found: list[Resolution], city_hint: Optional[str] = None,
                county_hint: Optional[str] = None) -> list[Resolution]:
        cities = {city_hint} if city_hint else set()
        counties = {county_hint} if county_hint else set()
        for _ in range(2):  # a resolved county can settle a town, which cannot unsettle anything
            for r in found:
                if r.place:
                    cities.add(r.place.city)
                    if r.place.level in ("county", "town"):
                        counties.add(r.place.county_adcode)
            for r in found:
                if not r.ambiguous:
                    continue
                narrowed = [c for c in r.candidates if c.county_adcode in counties] if counties else []
                if not narrowed and cities:
                    narrowed = [c for c in r.candidates if c.city in cities]
                if narrowed:
                    # Current names beat names that were renamed away, within the same context.
                    current = [c for c in narrowed if not c.former_name]
                    r.candidates = current or narrowed
        for r in found:  # 城区 is a county in 阳泉 and 晋城 and also a town name in 晋中: county wins
            if r.ambiguous:
                top = min(LEVELS.index(c.level) for c in r.candidates)
                r.candidates = [c for c in r.candidates if LEVELS.index(c.level) == top]
        return found

    def resolve_place(self, name: str, city_hint: Optional[str] = None,
                      level: Optional[str] = None) -> Resolution:
        """One name (小店, 临汾尧都区, 城区 + city_hint 阳泉) → the place(s) it can mean."""
        text = normalize_place_text(name or "")
        hint = self.city(city_hint) if city_hint else None
        if city_hint and hint is None:
            return Resolution(text)
        cands = self.candidates(text)
        if cands:
            res = Resolution(text, cands, 0, len(text))
            self._narrow([res], city_hint=hint.name if hint else None)
            if hint:
                res.candidates = [c for c in res.candidates if c.city == hint.name]
        else:
            rest = text[self._province_prefix_len(text):]
            mentions = self.find_places(rest)
            if not mentions or sum(r.end - r.start for r in mentions) != len(rest):
                return Resolution(text)  # only place names may make up the text
            res = mentions[-1]  # the most specific part comes last: 临汾市 尧都区
            if hint:
                res.candidates = [c for c in res.candidates if c.city == hint.name]
            res = Resolution(text, res.candidates, 0, len(text))
        if level:
            res.candidates = [c for c in res.candidates if c.level == level]
        return res

    @staticmethod
    def _province_prefix_len(text: str) -> int:
        return next((len(p) for p in PROVINCE_ALIASES if text.startswith(p)), 0)


@lru_cache(maxsize=4)
def _load(path: str) -> Gazetteer:
    return Gazetteer(json.loads(Path(path).read_text(encoding="utf-8")))


def load_gazetteer(path: Path | str = GAZETTEER_PATH) -> Gazetteer:
    return _load(str(path))


def find_places(text: str) -> list[Resolution]:
    return load_gazetteer().find_places(text)


def resolve_place(name: str, city_hint: Optional[str] = None, level: Optional[str] = None) -> Resolution:
    return load_gazetteer().resolve_place(name, city_hint=city_hint, level=level)


def surface_forms(gaz: Gazetteer) -> Iterable[tuple[str, str, list[Place]]]:
    """(text, label, places) for every alias and former name; label is the level of its places."""
    for table in (gaz.aliases(), gaz.former_names()):
        for text, places in table.items():
            for level in dict.fromkeys(p.level for p in places):
                yield text, level, [p for p in places if p.level == level]
