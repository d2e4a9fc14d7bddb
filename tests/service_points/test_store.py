"""The store on SQLite, and on PostgreSQL when DATABASE_URL points at one (marker `postgres`)."""
from __future__ import annotations

from bot.service_points import lookup
from bot.service_points.gazetteer import load_gazetteer
from bot.service_points.offices import COUNTY_OFFICE_TYPES
from bot.service_points.store import haversine_km

GAZ = load_gazetteer()


def test_seed_is_complete_and_honest(store):
    assert store.count(type="town_service_center") == len(GAZ.towns)
    for t in COUNTY_OFFICE_TYPES:
        assert store.count(type=t) == 117
    assert store.count(type="childcare") == 0 and store.count(type="training") == 0
    for row in store.all_rows():
        assert row["address"] is None and row["phone"] is None and row["hours"] is None
        assert row["source"] and row["origin"] == "seed"
        assert row["location_precision"] in {"county_seat", "predecessor_seat"}


def test_official_name_patterns(store):
    names = {r["name"] for r in store.all_rows(county_adcodes=["140105"])}
    assert {"太原市小店区残疾人联合会", "太原市小店区民政局", "太原市小店区人力资源和社会保障局",
            "太原市小店区卫生健康局", "太原市小店区政务服务中心", "太原市小店区坞城街道便民服务中心"} <= names
    assert store.search(type="civil_affairs", county_adcodes=["140121"])[0]["name"] == "清徐县民政局"


def test_seeding_is_idempotent(store):
    before = store.fingerprint()
    assert store.ensure_seeded() == 0
    assert store.fingerprint() == before


def test_civil_affairs_for_every_county(store):
    for c in GAZ.counties:
        rows = lookup(type="civil_affairs", city=c.city, county=c.name, store=store)
        assert len(rows) == 1, c.name
        assert rows[0]["county"] == c.name and rows[0]["city"] == c.city
        assert rows[0]["name"].endswith(f"{c.name}民政局")


def test_nearest_from_taiyuan(store):
    lat, lng = 37.8706, 112.5489  # central 太原 (GCJ-02)
    rows = store.nearest(lat, lng, limit=10, type="civil_affairs")
    assert [r["city"] for r in rows[:6]] == ["太原市"] * 6
    dists = [r["distance_km"] for r in rows]
    assert dists == sorted(dists) and dists[0] < 5
    for r in rows:
        assert abs(r["distance_km"] - haversine_km(lat, lng, r["lat"], r["lng"])) < 0.01


def test_nearest_far_point_still_answers(store):
    rows = store.nearest(39.9, 116.4, limit=3, type="disability_federation")  # Beijing: outside Shanxi
    assert len(rows) == 3 and all(r["distance_km"] > 150 for r in rows)


def test_town_lookup(store):
    rows = lookup(type="town_service_center", county="小店", town="坞城街道", store=store)
    assert [r["name"] for r in rows] == ["太原市小店区坞城街道便民服务中心"]
    rows = lookup(type="town_service_center", county="尧都区", limit=50, store=store)
    assert rows and all(r["county"] == "尧都区" and r["town"] for r in rows)


def test_short_and_ambiguous_names_in_lookup(store):
    assert lookup(type="hrss", city="太原", county="小店", store=store)[0]["name"] == "太原市小店区人力资源和社会保障局"
    both = lookup(type="civil_affairs", county="城区", store=store)
    assert {r["city"] for r in both} == {"阳泉市", "晋城市"}
    assert lookup(type="civil_affairs", city="大同", county="城区", store=store)[0]["county"] == "平城区"
    assert lookup(type="civil_affairs", county="'; DROP TABLE x; --", store=store) == []
    assert lookup(type="civil_affairs", city="北京", store=store) == []
    assert store.count(type="civil_affairs") == 117
