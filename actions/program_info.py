"""General questions about a program ("护理补贴是管什么的", "育儿补贴领到几岁"): the answer composed from the
rules files (bot.program_info), and, when the resident named a place, the office there in the same reply."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import location_from_metadata, send
from actions.service_points import find_offices, types_for_programs
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
    text = answer["text"]
    if points:
        where = place.get("town") or place.get("county") or place.get("city") or "您附近"
        text += f"\n\n{where}的办理地点：\n" + "\n\n".join(format_card(p) for p in points)
    send(dispatcher, text, buttons=answer.get("buttons"), citations=answer.get("citations"), service_points=points)
    return [SlotSet("office_type", answer["office_types"][0])] if answer.get("office_types") else []

