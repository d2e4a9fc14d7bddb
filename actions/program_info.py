"""General questions about a program ("护理补贴是管什么的", "育儿补贴领到几岁"): the answer composed from the
rules files (bot.program_info), and, when the resident named a place, the office there in the same reply."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import location_from_metadata, send
from actions.policy import HANDOFF_BUTTON
from actions.service_points import find_offices, types_for_programs
from bot.eligibility.engine import get_engine
from bot.program_info import program_answer
from bot.service_points import format_card
from bot.understanding import Reading

# Aspects whose answer is about applying: with a place named, the office there comes along.
OFFICE_ASPECTS = {"where", "how_to_apply", "documents"}


async def reply_program_info(dispatcher: CollectingDispatcher, tracker: Tracker, reading: Reading) -> list[EventType]:
    # The place named now, else the one the conversation already knows ("户口在太原" earlier, then "那去哪办").
    place = {k: v for k, v in (reading.place or {}).items() if v} or \
        {k: tracker.get_slot(f"place_{k}") for k in ("city", "county", "town") if tracker.get_slot(f"place_{k}")}
    location = location_from_metadata(tracker)
    points: list[dict] = []
    if (place or location) and (OFFICE_ASPECTS & set(reading.aspects) or reading.wants_office):
        points = await find_offices(types_for_programs(reading.members), place, location)
    # With the offices in hand the answer lists them; otherwise it says where the place's offices can be found.
    answer = program_answer(reading.programs, reading.aspects, place=None if points else (place or None),
                            question=reading.text)
    if reading.with_benefit and "combine" in reading.aspects and not answer.get("points"):
        # "领了护理补贴还能报长护险不": our sources say nothing of the other benefit, so no combine line of ours
        # (which is about our own programs) stands in for an answer.
        labels = "、".join(get_engine().program(p).data["label"] for p in reading.members)
        send(dispatcher, f"抱歉，关于{labels}和{reading.with_benefit}能不能同时享受，我依据的政策资料里没有写明，"
                         "不能给您不准确的说法。建议您拨打12345政务服务便民热线，或向当地主管部门咨询。",
             buttons=[HANDOFF_BUTTON], unanswered="not_in_sources")
        return []
    text = answer["text"]
    if points:
        where = place.get("town") or place.get("county") or place.get("city") or "您附近"
        text += f"\n\n{where}的办理地点：\n" + "\n\n".join(format_card(p) for p in points)
    send(dispatcher, text, buttons=answer.get("buttons"), citations=answer.get("citations"), service_points=points,
         unanswered="not_in_sources" if answer.get("unanswered") else None)
    return [SlotSet("office_type", answer["office_types"][0])] if answer.get("office_types") else []

