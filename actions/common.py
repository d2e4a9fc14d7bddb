"""What every action needs: today's date in Shanxi and the contract-shaped rich message."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

SHANGHAI = ZoneInfo("Asia/Shanghai")


def today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def send(dispatcher: CollectingDispatcher, text: str, buttons: Optional[list[dict[str, str]]] = None,
         citations: Optional[list[dict[str, Any]]] = None, service_points: Optional[list[dict[str, Any]]] = None,
         **extra: Any) -> None:
    """One contract Message, carried as a custom payload so text, buttons and citations stay together."""
    message: dict[str, Any] = {"text": text}
    if buttons:
        message["buttons"] = buttons
    if citations:
        message["citations"] = citations
    if service_points:
        message["service_points"] = service_points
    message.update({k: v for k, v in extra.items() if v is not None})
    dispatcher.utter_message(json_message=message)


def user_text(tracker: Tracker) -> str:
    """The resident's words, or '' for a button payload such as /ask_eligibility{...}."""
    text = tracker.latest_message.get("text") or ""
    return "" if text.startswith("/") else text


def entity_values(tracker: Tracker, name: str) -> list[str]:
    values: list[str] = []
    for ent in tracker.latest_message.get("entities") or []:
        if ent.get("entity") == name and ent.get("value") is not None and str(ent["value"]) not in values:
            values.append(str(ent["value"]))
    return values


def location_from_metadata(tracker: Tracker) -> Optional[tuple[float, float, str]]:
    meta = tracker.latest_message.get("metadata") or {}
    loc = meta.get("location") if isinstance(meta, dict) else None
    if not isinstance(loc, dict):
        return None
    try:
        lat, lng = float(loc["lat"]), float(loc["lng"])
    except (KeyError, TypeError, ValueError):
        return None
    return lat, lng, str(loc.get("datum") or "gcj02")
