"""Finding the office: type from the words (or the program just discussed), place from the words, slots or location."""
from __future__ import annotations

import asyncio
import re
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, location_from_metadata, send, user_text
from bot.dialogue_domain import form_members
from bot.service_points.gazetteer import wgs84_to_gcj02
from bot.service_points import (OFFICE_TYPES, format_card, hotline_types, hotlines_asked, lookup,
                                office_types_for_program)
from bot.understanding import Reading, read_line

ASK_PLACE = "请问您在哪个市、县（区）？比如“太原市小店区”。在微信里也可以直接发送您的位置，我帮您找最近的办理地点。"
# The two subsidies are applied for, and the 残疾人证 issued, where the 户口 is (国发〔2015〕52号; the rules'
# hints): for these offices the place to ask is the 户籍 county, not where the resident happens to be.
HUKOU_OFFICES = ("disability_federation", "town_service_center")
ASK_HUKOU_PLACE = "这类事项在户籍所在地办理。请问您的户口（残疾人本人的户口）在哪个县（市、区）？比如“平遥县”。"
TWO_SUBSIDIES_NOTE = "残疾人两项补贴由本人（或法定监护人、委托人）向户籍所在地乡镇人民政府（街道办事处）申请，可在当地便民服务中心办理。"


def types_for_programs(programs: list[str]) -> list[str]:
    types: list[str] = []
    for program in programs:
        for member in form_members(program):  # 两项补贴 → both disability programs' offices
            types += [t for t in office_types_for_program(member) if t not in types]
    return types


def wanted_types(tracker: Tracker, reading: Reading) -> list[str]:
    """Office types named in the words, else those of the program named, else of the last result."""
    types = [t for t in entity_values(tracker, "office_type") if t in OFFICE_TYPES]
    types += [t for t in reading.office_types if t not in types]
    types = types or types_for_programs(reading.programs or entity_values(tracker, "program"))
    types = types or types_for_programs(tracker.get_slot("last_programs") or [])
    asked_for = tracker.get_slot("office_type")
    if not types and asked_for in OFFICE_TYPES:
        types = [asked_for]
    if tracker.get_slot("awaiting_place") and asked_for in OFFICE_TYPES and asked_for in types[1:] \
            and not reading.office_types and not entity_values(tracker, "office_type"):
        types = [asked_for] + [t for t in types if t != asked_for]   # the office we asked the place for first
    return types


def place_of(tracker: Tracker, reading: Reading) -> dict[str, Optional[str]]:
    """The place the line names, else the one the conversation already knows."""
    if any(reading.place.values()):
        return dict(reading.place)
    return {k: tracker.get_slot(f"place_{k}") for k in ("city", "county", "town")}


def read_for_offices(tracker: Tracker) -> Reading:
    return read_line(user_text(tracker), hint_city=tracker.get_slot("place_city"),
                     context_programs=tracker.get_slot("last_programs") or [])


async def find_offices(types: list[str], place: dict[str, Optional[str]],
                       location: Optional[tuple[float, float, str]]) -> list[dict[str, Any]]:
    """Offices of the first two types in the place (or nearest the shared location): plain data, no reply."""
    points: list[dict[str, Any]] = []
    for office_type in types[:2]:
        kwargs: dict[str, Any] = dict(type=office_type, city=place.get("city"), county=place.get("county"),
                                      town=place.get("town"), limit=3 if office_type == "town_service_center" else 1)
        if location is not None:
            lat, lng = wgs84_to_gcj02(*location[:2]) if location[2] == "wgs84" else location[:2]  # stored data is GCJ-02
            kwargs.update(lat=lat, lng=lng, city=None, county=None, town=None, limit=3)
        found = await asyncio.to_thread(lookup, **kwargs)
        if not found and kwargs.get("town"):   # "泽州巴公镇的": a county office (卫健局) serves the town
            found = await asyncio.to_thread(lookup, **{**kwargs, "town": None})
        points += found
    return points


_HOTLINE_ASKED = re.compile(r"热线|服务电话|咨询电话|打哪个电话|打什么电话|打啥电话|打甚电话|打哪个号")


def hotline_reply(text: str) -> str:
    """"人社的服务热线是多少": the national hotline answers it at once; a local office's phone needs the place."""
    named = hotlines_asked(text)
    if named:      # "12333是个啥电话": what that number is, and what it handles
        lines = [f"{t.hotline}是{t.hotline_name}，各类政务服务问题都可以打这个电话咨询。" if t.hotline == "12345" else
                 f"{t.hotline}是{t.hotline_name}，{t.label}的事（{t.handles}）可以打这个电话咨询。" for t in named]
        if not any(t.hotline == "12345" for t in named):
            lines.append("其他问题也可以拨打12345政务服务便民热线。")
        return "".join(lines)
    if not _HOTLINE_ASKED.search(text or ""):
        return ""
    lines = []
    for t in hotline_types(text):
        office = OFFICE_TYPES[t]
        line = f"{office.hotline}（{office.hotline_name}）"
        if line not in lines:
            lines.append(line)
    if not lines:
        return ""
    return ("可以拨打" + "、".join(lines) + "咨询，也可以拨打12345政务服务便民热线。"
            "如果需要当地办理地点的地址和电话，请告诉我您在哪个市、县（区）。")


def which_office(types: list[str]) -> str:
    """Before asking for the place, say which office handles it ("残疾评定在残疾人联合会办理。")."""
    named = [OFFICE_TYPES[t] for t in types[:2] if t in OFFICE_TYPES]
    if not named:
        return ""
    return "这件事在" + "或".join(f"{t.label}（{t.handles}）" for t in named) + "办理。"


# What a resident may ask about an office itself, and the field that would answer it.
_DETAILS = (("hours", "办公时间", re.compile(r"几点|上班|下班|开门|关门|周末|礼拜|星期|周[六日天]|休息|午休|中午|节假日|工作时间|办公时间")),
            ("phone", "电话", re.compile(r"电话|号码|联系方式")),
            ("address", "详细地址", re.compile(r"地址|哪条街|哪条路|门牌|几楼|怎么走|咋走|坐几路")))


def missing_details(text: str, points: list[dict]) -> str:
    """The office details the line asks for that none of the found offices has on record ("" if none)."""
    names = [label for key, label, pattern in _DETAILS
             if pattern.search(text or "") and not any(p.get(key) for p in points)]
    return "、".join(names)


async def answer_service_points(dispatcher: CollectingDispatcher, tracker: Tracker,
                                reading: Optional[Reading] = None) -> list[EventType]:
    reading = reading or read_for_offices(tracker)
    types = wanted_types(tracker, reading)
    location = location_from_metadata(tracker)
    place = place_of(tracker, reading)
    type_events = [SlotSet("office_type", types[0])] if types else []
    if reading.place_ambiguous:
        send(dispatcher, reading.place_question or ASK_PLACE,
             buttons=[{"title": c, "payload": c} for c in reading.place_ambiguous])
        return type_events + [SlotSet("awaiting_place", True)]
    if location is None and not place.get("city") and not place.get("county"):
        hotlines = hotline_reply(reading.text if reading else "")
        if hotlines:
            send(dispatcher, hotlines)
            return type_events + [SlotSet("awaiting_place", True)]
        send(dispatcher, which_office(types) + (ASK_HUKOU_PLACE if types and types[0] in HUKOU_OFFICES else ASK_PLACE))
        return type_events + [SlotSet("awaiting_place", True)]
    types = types or ["government_service_center", "town_service_center"]
    points = await find_offices(types, place, location)
    if not points:
        send(dispatcher, "抱歉，没有查到符合条件的办理地点。请确认地名，或拨打12345政务服务便民热线咨询。")
        return type_events + [SlotSet("awaiting_place", False)]
    where = place.get("town") or place.get("county") or place.get("city") or "您附近"
    intro = f"{where}的办理地点："
    if types[0] == "town_service_center" and not place.get("town") and location is None:
        intro = f"{TWO_SUBSIDIES_NOTE}\n{where}的部分便民服务中心如下（告诉我您所在的乡镇或街道，可以查得更准）："
    cards = "\n\n".join(format_card(p) for p in points)
    missing = missing_details(reading.text if reading else "", points)
    if missing:
        cards += f"\n\n我们登记的办理地点资料里没有{missing}，不能给您不准确的说法，请拨打12345政务服务便民热线或办理地点的热线核实。"
    send(dispatcher, f"{intro}\n\n{cards}", service_points=points)
    return type_events + [SlotSet("awaiting_place", False), SlotSet("place_city", place.get("city")),
                          SlotSet("place_county", place.get("county")), SlotSet("place_town", place.get("town"))]


class ActionFindServicePoint(Action):
    def name(self) -> str:
        return "action_find_service_point"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        return await answer_service_points(dispatcher, tracker)
