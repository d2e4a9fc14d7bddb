"""Office-type synonyms, program → office mapping and the card text."""
from __future__ import annotations

import pytest

from bot.service_points import (format_card, lookup, office_type_from_text, office_types_for_program,
                                office_types_from_text)
from bot.service_points.offices import OFFICE_TYPES


@pytest.mark.parametrize("text, expected", [
    ("太原市小店区的残联在哪里", "disability_federation"), ("迎泽区人社局电话", "hrss"),
    ("社保局几点上班", "hrss"), ("民政在哪", "civil_affairs"), ("附近有托育机构吗", "childcare"),
    ("阳曲县的培训机构有哪些", "training"), ("榆次区办事大厅在哪", "government_service_center"),
    ("卫健委电话", "health_commission"), ("我们街道办在哪儿", "town_service_center"),
    ("城区民政局", "civil_affairs"), ("今天天气不错", None),
])
def test_office_type_from_text(text, expected):
    assert office_type_from_text(text) == expected


def test_several_types_in_order_of_mention():
    assert office_types_from_text("残联还是民政局？") == ["disability_federation", "civil_affairs"]


def test_program_offices_follow_the_reference_sheet():
    assert office_types_for_program("disability_living_allowance")[0] == "town_service_center"
    assert office_types_for_program("disability_care_allowance") == ["town_service_center", "disability_federation"]
    assert office_types_for_program("skills_upgrade_subsidy") == ["hrss"]
    assert office_types_for_program("vocational_training_subsidy") == ["hrss"]
    assert set(office_types_for_program("childcare_subsidy")) <= set(OFFICE_TYPES)
    assert office_types_for_program("unknown") == []


def test_card_for_generated_record_never_invents_contact_details(sqlite_store):
    point = lookup(type="disability_federation", city="太原市", county="小店区", store=sqlite_store)[0]
    card = format_card(point)
    assert card.splitlines()[0] == "【太原市小店区残疾人联合会】"
    assert "地址请以12345核实" in card and "热线：12385" in card
    assert "电话：" not in card and "距离" not in card
    near = sqlite_store.nearest(37.74, 112.57, type="disability_federation", limit=1)[0]
    card = format_card(near)
    assert "距离：约" in card and "按县（区）政府驻地估算" in card
    assert "距离" not in format_card(near, distance=False)


def test_card_shows_real_contact_details_when_known():
    point = {"name": "某托育中心", "type": "childcare", "address": "某路1号", "phone": "0351-7654321",
             "hours": "8:00-18:00", "distance_km": 0.42, "location_precision": "exact"}
    card = format_card(point)
    assert "地址：某路1号" in card and "电话：0351-7654321" in card and "办公时间：8:00-18:00" in card
    assert "距离：约420米" in card and "估算" not in card


def test_a_hotline_number_asked_what_it_is_names_its_office():
    from actions.service_points import hotline_reply
    from bot.service_points import hotlines_asked
    assert [t.hotline for t in hotlines_asked("12333是个啥电话")] == ["12333"]
    assert hotlines_asked("我打了12333没人接") == []          # named, not asked what it is
    reply = hotline_reply("12385是干啥的")
    assert reply.startswith("12385是残疾人服务热线") and "残疾评定" in reply
    general = hotline_reply("12345是干嘛的")
    assert general.startswith("12345是政务服务便民热线，各类政务服务问题") and "便民服务中心" not in general
