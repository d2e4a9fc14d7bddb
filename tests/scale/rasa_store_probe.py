"""Run in Rasa's venv by test_rasa_stores.py: drive Rasa's own tracker and lock stores, configured from
the endpoints file the launcher writes, and print what happened as JSON (the test asserts on it).

    .venv-rasa/bin/python tests/scale/rasa_store_probe.py ENDPOINTS_YML DOMAIN_YML
"""
from __future__ import annotations

import asyncio
import json
import sys
import uuid

from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def turn(i: int) -> list:
    return [UserUttered(f"第{i}句", {"name": "ask_policy", "confidence": 1.0}), ActionExecuted("utter_x"),
            ActionExecuted("action_listen")]


async def trackers(endpoints: AvailableEndpoints, domain: Domain) -> dict:
    store = TrackerStore.create(endpoints.tracker_store, domain=domain)
    out: dict = {"tracker_store": type(store).__name__, "dialect": store.engine.dialect.name}
    sender = f"probe-{uuid.uuid4().hex[:8]}"
    events = [SessionStarted(), ActionExecuted("action_listen")]
    events += turn(0) + [SlotSet("place_city", "太原市"), ActiveLoop("childcare_subsidy_form"),
                         SlotSet("requested_slot", "child_birth_date"), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events(sender, events, domain.slots)
    await store.save(tracker)
    again = await store.retrieve(sender)
    out["round_trip_slot"] = again.get_slot("place_city")
    out["round_trip_active_loop"] = again.active_loop_name
    out["round_trip_events"] = [len(tracker.events), len(again.events)]

    # A long conversation, one turn at a time as Rasa does it: retrieve, add the turn, save.
    max_events = getattr(store, "max_events", 0)
    lengths = []
    for i in range(1, 80):
        t = await store.retrieve(sender)
        for e in turn(i):
            t.update(e)
        await store.save(t)
        lengths.append(len(t.events))
    last = await store.retrieve(sender)
    out["max_events"] = max_events
    out["session_lengths_max"] = max(lengths)
    out["last_slot"] = last.get_slot("place_city")
    out["last_active_loop"] = last.active_loop_name
    out["last_requested_slot"] = last.get_slot("requested_slot")
    out["last_user_texts"] = [e.text for e in last.events if isinstance(e, UserUttered)][-3:]
    # Every turn once in the newest session's tail: nothing lost, nothing duplicated.
    out["last_session_user_texts"] = [e.text for e in last.events if isinstance(e, UserUttered)]
    return out


async def locks(endpoints: AvailableEndpoints) -> dict:
    if endpoints.lock_store is None:
        return {"lock_store": None}
    # Two stores = two Rasa workers sharing Redis; one conversation's turns must run one after the other.
    first, second = LockStore.create(endpoints.lock_store), LockStore.create(endpoints.lock_store)
    conv = f"probe-{uuid.uuid4().hex[:8]}"
    order: list[str] = []
    held = asyncio.Event()

    async def worker_a():
        async with first.lock(conv, wait_time_in_seconds=0.05):
            order.append("a:start")
            held.set()
            await asyncio.sleep(0.5)
            order.append("a:end")

    async def worker_b():
        await held.wait()
        async with second.lock(conv, wait_time_in_seconds=0.05):
            order.append("b:start")
            order.append("b:end")

    await asyncio.gather(worker_a(), worker_b())
    return {"lock_store": type(first).__name__, "order": order}


async def main() -> None:
    endpoints = AvailableEndpoints.read_endpoints(sys.argv[1])
    domain = Domain.load(sys.argv[2])
    result = await trackers(endpoints, domain)
    result.update(await locks(endpoints))
    print("PROBE " + json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
