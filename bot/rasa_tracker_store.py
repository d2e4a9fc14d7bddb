"""Rasa's SQL tracker store with a bounded conversation session (imported by Rasa, in .venv-rasa).

Rasa rebuilds the whole current session on every turn (read every event, replay it, featurise the
history for the policies), so a turn costs more the longer the conversation. This store keeps the
session short: when the current session holds more than `max_events` events, the next turn starts a
fresh session that carries the state over — every slot, the active form, and the last `keep_turns`
user turns verbatim (so rules and memoization still see the recent history). Earlier sessions stay in
the table (Rasa's own export and history queries still find them); only the live session is bounded.

Configured by bot/launcher.py in var/endpoints.runtime.yml:
    tracker_store: {type: bot.rasa_tracker_store.BoundedSQLTrackerStore, dialect: …, max_events: 60, …}
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Optional, Text

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

log = logging.getLogger(__name__)

DEFAULT_MAX_EVENTS = 60
DEFAULT_KEEP_TURNS = 3


class BoundedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, max_events: int = DEFAULT_MAX_EVENTS, keep_turns: int = DEFAULT_KEEP_TURNS,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_events = int(max_events)
        self.keep_turns = int(keep_turns)

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        tracker = await super().retrieve(sender_id)
        if tracker is None or self.max_events <= 0 or len(tracker.events) <= self.max_events:
            return tracker
        events = carried_events(tracker, self.domain, self.keep_turns)
        if events is None:
            return tracker
        self._append_session(sender_id, events)
        log.debug("sender %s: session of %d events continued in a fresh one of %d", sender_id,
                  len(tracker.events), len(events))
        return DialogueStateTracker.from_events(sender_id, events, self.domain.slots)

    def _append_session(self, sender_id: Text, events: list[Event]) -> None:
        """Store the fresh session; every event gets the same new timestamp, so Rasa's "events since the
        latest SessionStarted" query returns exactly these events, in id order."""
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(self.SQLEvent(
                    sender_id=sender_id, type_name=event.type_name, timestamp=event.timestamp,
                    intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                    action_name=data.get("name"), data=json.dumps(data)))
            session.commit()


def carried_events(tracker: DialogueStateTracker, domain: Any, keep_turns: int) -> Optional[list[Event]]:
    """A new session equivalent to `tracker` for the dialogue: SessionStarted, the state as it was before
    the last `keep_turns` user turns (slots, active form), then those turns' events as they happened.
    None when the tracker has fewer user turns than that (nothing to gain)."""
    events = list(tracker.events)
    user_idx = [i for i, e in enumerate(events) if isinstance(e, UserUttered)]
    if len(user_idx) <= keep_turns:
        return None
    cut = user_idx[-keep_turns] if keep_turns > 0 else len(events)
    before = DialogueStateTracker.from_events(tracker.sender_id, events[:cut], domain.slots)
    now = time.time()
    fresh: list[Event] = [SessionStarted(timestamp=now)]
    for slot in before.slots.values():
        if slot.value != slot.initial_value:
            fresh.append(SlotSet(slot.name, slot.value, timestamp=now))
    if before.active_loop_name:
        fresh.append(ActiveLoop(before.active_loop_name, timestamp=now))
    fresh.append(ActionExecuted("action_listen", timestamp=now))
    for event in events[cut:]:
        copy = Event.from_parameters(event.as_dict())
        copy.timestamp = now
        fresh.append(copy)
    return fresh
