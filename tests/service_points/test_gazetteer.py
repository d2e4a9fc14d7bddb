from __future__ import annotations

import json

import pytest

from bot.service_points.gazetteer import GAZETTEER_PATH, in_shanxi, load_gazetteer, resolve_place

GAZ = load_gazetteer()


def test_counts_match_the_official_division_list():
    assert len(GAZ.cities) == 11
    assert len(GAZ.counties) == 117
    kinds = [c.name[-1] for c in GAZ.counties]
    assert (kinds.count("区"), kinds.count("市"), kinds.count("县")) == (26, 11, 80)
    assert len({c.adcode for c in GAZ.counties}) == 117
    assert all(c.adcode.startswith("14") and len(c.adcode) == 6 for c in GAZ.counties + GAZ.cities)
    assert len(GAZ.towns) > 1300
    assert all(t.name.endswith(("镇", "乡", "街道")) for t in GAZ.towns)  # 开发区/农场 units kept apart


def test_every_county_has_seat_coordinates_inside_shanxi_and_towns():
    for c in GAZ.counties:
        assert c.lat is not None and c.lng is not None, c.name
        assert in_shanxi(c.lat, c.lng), c.name
        assert c.location_precision in {"county_seat", "predecessor_seat"}
        assert GAZ.towns_of(c.adcode), c.name
    meta = json.loads(GAZ_PATH_TEXT)["meta"]
    assert meta["datum"] == "GCJ-02"


GAZ_PATH_TEXT = GAZETTEER_PATH.read_text(encoding="utf-8")


def test_current_divisions_not_cpcas_outdated_ones():
    datong = {c.name for c in GAZ.counties_of("大同市")}
    assert {"平城区", "云冈区", "云州区", "新荣区"} <= datong
    assert not datong & {"南郊区", "矿区", "城区", "大同县"}
    assert {c.name for c in GAZ.counties_of("长治市")} >= {"潞州区", "上党区", "屯留区", "潞城区"}


def test_development_zones_kept_apart():
    zones = {z.name for z in GAZ.zones if z.county is None}  # county-level zones (示范区, 经开区 …)
    assert "山西转型综合改革示范区" in zones
    assert not zones & {c.name for c in GAZ.counties}
    assert resolve_place("山西转型综合改革示范区", level="county").candidates == []
    unit = resolve_place("临汾经济开发区").place  # a township-level statistical unit, not a 乡镇/街道
    assert unit.level == "development_zone" and unit.county == "尧都区"


@pytest.mark.parametrize("alias, city, county", [
    ("太原", "太原市", None), ("太原市", "太原市", None), ("小店", "太原市", "小店区"),
    ("小店区", "太原市", "小店区"), ("尧都", "临汾市", "尧都区"), ("临汾尧都区", "临汾市", "尧都区"),
    ("临汾市尧都区", "临汾市", "尧都区"), ("山西省太原市迎泽区", "太原市", "迎泽区"),
    ("古交", "太原市", "古交市"), ("祁县", "晋中市", "祁县"), ("大同县", "大同市", "云州区"),
    ("太原市小店區", "太原市", "小店区"),
])
def test_aliases_resolve(alias, city, county):
    res = resolve_place(alias)
    assert res.place is not None, alias
    assert res.place.city == city
    assert res.place.county == county


def test_every_name_and_short_form_resolves_to_itself():
    for c in GAZ.counties:
        assert resolve_place(c.name, city_hint=c.city).place == c
        assert resolve_place(f"{c.city}{c.name}").place == c


@pytest.mark.parametrize("name", ["城区", "矿区", "郊区"])
def test_ambiguous_names_are_reported(name):
    res = resolve_place(name)
    assert res.ambiguous and res.place is None
    assert len(res.cities()) >= 2


@pytest.mark.parametrize("name, city, expected", [
    ("城区", "阳泉", "城区"), ("城区", "晋城市", "城区"), ("矿区", "阳泉市", "矿区"), ("郊区", "阳泉", "郊区"),
    ("城区", "大同", "平城区"), ("矿区", "大同市", "云冈区"), ("郊区", "长治", "潞州区"),
])
def test_ambiguity_resolved_by_city(name, city, expected):
    res = resolve_place(name, city_hint=city)
    assert res.place is not None and res.place.name == expected
    assert res.place.city.startswith(city[:2])


def test_find_places_uses_context():
    found = GAZ.find_places("阳泉城区民政局")
    assert [r.level for r in found] == ["city", "county"]
    assert found[1].place.adcode == "140302"
    amb = GAZ.find_places("城区民政局")
    assert len(amb) == 1 and amb[0].ambiguous
    assert {"阳泉市", "晋城市"} <= set(amb[0].cities())


def test_find_places_in_sentences():
    def names(text):
        return [(r.level, r.place.name if r.place else None) for r in GAZ.find_places(text)]

    assert names("太原市小店区的残联在哪里") == [("city", "太原市"), ("county", "小店区")]
    assert names("迎泽区人社局电话") == [("county", "迎泽区")]
    assert names("我在尧都区，哪里能办两项补贴") == [("county", "尧都区")]
    assert names("我家在清徐县徐沟镇") == [("county", "清徐县"), ("town", "徐沟镇")]


def test_everyday_words_and_junk_are_not_places():
    assert GAZ.find_places("我的长子今年三岁") == []
    for junk in ["'; DROP TABLE service_points; --", "<script>alert(1)</script>", "北京市朝阳区", ""]:
        assert resolve_place(junk).candidates == []


def test_a_stop_listed_short_form_said_alone_is_the_county():
    """"和顺的" in answer to "哪个县" is 和顺县; inside a sentence the everyday word stays a word."""
    assert [r.place.name for r in GAZ.find_places("和顺的")] == ["和顺县"]
    assert [r.place.name for r in GAZ.find_places("长子县的")] == ["长子县"]
    assert GAZ.find_places("脾气和顺") == [] and GAZ.find_places("他是长子") == []


def test_snapshot_is_reproducible_from_the_packaged_sources():
    import importlib.util

    if importlib.util.find_spec("cpca") is None:
        pytest.skip("cpca not installed (only needed to regenerate the snapshot)")
    from bot.build.gazetteer import _package_dir, build

    data = build(_package_dir("jionlp"), _package_dir("cpca") / "resources" / "adcodes.csv")
    assert data == json.loads(GAZ_PATH_TEXT)


def test_clarifying_question_names_the_cities():
    q = resolve_place("城区").clarifying_question()
    assert q.startswith("“城区”在晋城市、阳泉市都有，请问是哪个市的？")
    assert "原大同市城区现为平城区" in q and "原长治市城区现为潞州区" in q
    assert resolve_place("矿区").cities() == ["阳泉市", "大同市"]
