"""Eligibility conversations: one form per program, asking only what the engine still needs.

The engine (bot/eligibility) decides which facts are missing and in what order; free-text extraction
fills several facts from one message; this module only moves values between Rasa slots and the engine.
"""
from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import location_from_metadata, send, today, user_text
from actions.service_points import (ASK_HUKOU_PLACE, ASK_PLACE, HUKOU_OFFICES, find_offices, types_for_programs,
                                     which_office)
from bot import textparse
from bot.dialogue_domain import DIGRESSIONS, form_members, program_facts
from bot.eligibility.engine import MIXED_AMOUNT_NOTE, get_engine
from bot.eligibility.extract import cross_suggestions, extract_facts, programs_touched
from bot.eligibility.spans import DateSpan, parse_span
from bot.service_points import find_places, format_card
from bot.program_info import program_answer
from bot.understanding import is_question, not_in_sources_answer, question_part, read_line
from bot.eligibility.render import fact_question, render_results, render_suggestions, unknown_help

FORM_PROGRAMS = program_facts()          # form program → facts it may ask, from policy_kb/rules
ALL_FACTS = sorted({f for facts in FORM_PROGRAMS.values() for f in facts})
PROGRAM_LABELS = {p["id"]: p["label"] for p in get_engine().programs()} | {"disability_both": "残疾人两项补贴"}
FIND_OFFICE_BUTTON = {"title": "查找办理地点", "payload": "/find_service_point"}
WHICH_PROGRAM = "请问您想了解哪一项补贴？也可以直接说说您家的情况（比如残疾等级、是否低保、孩子出生日期），我帮您看看能申请哪些。"


def ask_which_program(dispatcher: CollectingDispatcher) -> None:
    buttons = [{"title": label, "payload": f'/ask_eligibility{{"program": "{p}"}}'}
               for p, label in PROGRAM_LABELS.items() if p != "disability_both"]
    send(dispatcher, WHICH_PROGRAM, buttons=buttons)


def current_facts(tracker: Tracker) -> dict[str, Any]:
    return {f: tracker.get_slot(f) for f in ALL_FACTS if tracker.get_slot(f) is not None}


def evaluate_all(programs: list[str], facts: dict[str, Any]) -> list[dict[str, Any]]:
    engine = get_engine()
    return [engine.evaluate(p, facts, as_of=today()) for p in programs]


def missing_in_order(form_program: str, facts: dict[str, Any], unknown: set[str]) -> list[str]:
    """The engine's most-decisive-first missing facts, across the form's programs, minus the unknown ones;
    then a date known only from an age or a year ("两岁多", "2024年的") when the outcome is settled but the
    amount still depends on the month: asked once, so the sum is exact rather than a range."""
    missing: list[str] = []
    for result in evaluate_all(form_members(form_program), facts):
        if result["outcome"] == "needs_more_info":
            missing += [f for f in result["missing_facts"] if f not in unknown and f not in missing]
        else:
            missing += [f for f in rough_amount_facts(result, facts) if f not in unknown and f not in missing]
    return missing


def rough_amount_facts(result: dict[str, Any], facts: dict[str, Any]) -> list[str]:
    """Dates said as an age or a year on which a settled result's amount still depends (it is a range)."""
    mixed = result.get("amount") is None and (result.get("amount_note") or "").startswith(MIXED_AMOUNT_NOTE)
    if not ((result.get("amount") or {}).get("value_max") or mixed):
        return []
    return [f for f, v in facts.items() if f in (result.get("facts") or {}) and _rough(v)]


def _rough(value: Any) -> bool:
    """A date said as an age or a year ("两岁多", "2023年"): a span, not a day or a month."""
    span = parse_span(value)
    return isinstance(span, DateSpan) and span.precision in ("range", "year")


def as_citations(results: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Engine citations ({source, section, quote}) in the chat Message's Citation shape."""
    seen, out = set(), []
    for result in results:
        for c in result.get("citations", []):
            key = (c.get("source"), c.get("quote"))
            if key in seen:
                continue
            seen.add(key)
            out.append({"doc_id": c.get("source", ""), "section": c.get("section", ""), "quote": c.get("quote", "")})
    return out


def choose_program(tracker: Tracker, mentioned: list[str], new_facts: dict[str, Any], correction: bool) -> Optional[str]:
    programs = [p for p in dict.fromkeys(mentioned) if p in FORM_PROGRAMS or p == "disability_both"]
    if set(programs) >= {"disability_living_allowance", "disability_care_allowance"}:
        programs = ["disability_both"] + [p for p in programs
                                          if p not in form_members("disability_both") and p != "disability_both"]
    if len(programs) == 1:
        return programs[0]
    if len(programs) > 1:
        return "overview"
    previous = tracker.get_slot("eligibility_program")
    if new_facts and previous and previous != "overview" and (correction or tracker.active_loop_name):
        return previous
    last = [p for p in tracker.get_slot("last_programs") or [] if p in FORM_PROGRAMS]
    touched_now = set(programs_touched(new_facts)) if new_facts else set()
    if len(last) == 1 and last[0] in touched_now:
        return last[0]   # "翻出证看了，上面写的是二级": the program just worked out, not every one the level touches
    if new_facts:
        touched = set(programs_touched(new_facts))
        if len(touched) == 1:
            return touched.pop()
        if touched == set(form_members("disability_both")):
            return "disability_both"
        return "overview"
    return None


def form_state(extracted: dict[str, Any], tracker: Tracker, facts: dict[str, Any]) -> list[EventType]:
    """Slots beside the facts: hedged answers to flag, several children, an unborn child."""
    events: list[EventType] = []
    hedged = dict(tracker.get_slot("hedged_facts") or {})
    for fact in facts:
        if fact in (extracted.get("hedged") or {}):
            hedged[fact] = extracted["hedged"][fact]
        else:
            hedged.pop(fact, None)   # said again without a hedge: now it is firm
    if hedged != (tracker.get_slot("hedged_facts") or {}):
        events.append(SlotSet("hedged_facts", hedged))
    if extracted.get("children"):
        events.append(SlotSet("children", extracted["children"]))
    if extracted.get("unborn") and not tracker.get_slot("child_unborn"):
        events.append(SlotSet("child_unborn", True))
    return events


def place_said(text: str, tracker: Tracker) -> list[EventType]:
    """A county or city named in an answer ("在呢，就是平遥县的") is kept, so "那去哪儿办" finds that office."""
    if not text or tracker.get_slot("place_county"):
        return []
    found = find_places(text)
    if not found or len({c.city for c in found[0].candidates}) != 1:
        return []
    c = found[0].candidates[0]
    county = c.name if c.level == "county" else (c.county if c.level == "town" else None)
    return [SlotSet("place_city", c.city), SlotSet("place_county", county),
            SlotSet("place_town", c.name if c.level == "town" else None), SlotSet("office_wanted", True)]


class EligibilityFormValidation(FormValidationAction, ABC):
    """validate_<program>_form: read the reply as an answer to the question just asked, then request the
    engine's next question. A line is a digression only when it gives nothing for the asked fact and
    really is a new question ("有，残联给办的那个新证" answers the certificate question)."""

    @property
    @abstractmethod
    def form_program(self) -> str:
        """The form's program id (a class attribute in each generated subclass)."""

    def name(self) -> str:
        return f"validate_{self.form_program}_form"

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: dict) -> list[str]:
        unknown = set(tracker.get_slot("unknown_facts") or [])
        if tracker.get_slot("child_unborn"):
            unknown.add("child_birth_date")   # not born yet: we say when and how to claim after birth
        return missing_in_order(self.form_program, current_facts(tracker), unknown)

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = user_text(tracker)
        asking = tracker.get_slot("requested_slot")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        unknown = list(tracker.get_slot("unknown_facts") or [])
        extracted = extract_facts(text, today(), asking=asking) if text else {"facts": {}, "unknown": []}
        facts = {k: v for k, v in extracted["facts"].items() if k in ALL_FACTS}
        if text and not asking:
            # The line that opened the form: its facts as the reader reads them (the parents' work beside a
            # child's subsidy is no fact of the case, a new 残疾证's level is no skills certificate's)
            facts = {k: v for k, v in read_line(text, today=today(), context_programs=form_members(self.form_program))
                     .facts.items() if k in ALL_FACTS}
        answered = asking in facts or asking in extracted["unknown"]
        if asking in facts and _still_rough(tracker.get_slot(asking), facts[asking]):
            extracted["unknown"] = [*extracted["unknown"], asking]   # asked again, still an age: the range stands
        if asking and not answered and not extracted.get("unborn"):
            if textparse.is_stop(text) or (intent == "stop_form" and len(text) <= 8):   # a long line is no "算了"
                return []  # the form rejects, and the stop rule takes over
            if intent in DIGRESSIONS and (not facts or is_question(text)):
                return []  # a new question: answered by the digression rule, then the form resumes
        events: list[EventType] = [SlotSet(k, v) for k, v in facts.items()]
        if answered and facts:
            answer_aside(dispatcher, text, form_members(self.form_program))
        events += form_state(extracted, tracker, facts)
        events += place_said(text, tracker)
        for fact in extracted["unknown"]:
            if fact == asking and fact in facts and fact not in unknown:
                unknown.append(fact)      # no help text: the resident gave what they know
                continue
            if fact in ALL_FACTS and fact not in unknown and fact not in facts:
                unknown.append(fact)
                dispatcher.utter_message(text=unknown_help(fact))
        unknown = [f for f in unknown if f not in facts or f in extracted["unknown"]]
        if text and asking and not facts and asking not in unknown and not extracted.get("unborn"):
            dispatcher.utter_message(text="抱歉，我没能从您的回答中识别出这一项。您可以直接回答，例如“有”“没有”，"
                                          "不清楚的话请说“不知道”；不想继续可以说“算了”。")
        events.append(SlotSet("unknown_facts", unknown))
        tracker.add_slots(events)
        missing = await self.required_slots([], dispatcher, tracker, domain)
        return events + [SlotSet("requested_slot", missing[0] if missing else None)]


def _still_rough(before: Any, now: Any) -> bool:
    """A date asked again and answered again only roughly: an age or a year, or the same month once more
    ("去年12月" twice): the resident has said what they know, so the form goes on instead of asking a third time."""
    if _rough(before) and _rough(now):
        return True
    b, n = parse_span(before), parse_span(now)
    return isinstance(b, DateSpan) and isinstance(n, DateSpan) and (b.earliest, b.latest) == (n.earliest, n.latest)


# What an answer may also ask ("卧床两年了。对了 两项补贴能同时领吗"): answered at once; who qualifies, the
# amount and the office are left to the result, which the form is about to give.
ASIDE_ASPECTS = ("combine", "documents", "how_to_apply", "deadline", "tax_income", "difference", "duration")


def answer_aside(dispatcher: CollectingDispatcher, text: str, members: list[str]) -> None:
    """An answer to the asked fact that also asks something: the sourced answer (or the honest one) first."""
    asked = question_part(text)
    if not asked:
        return
    reading = read_line(asked, context_programs=members)
    if reading.not_in_sources:
        send(dispatcher, not_in_sources_answer(reading)["text"])
        return
    aspects = [a for a in reading.aspects if a in ASIDE_ASPECTS]
    if aspects:
        answer = program_answer(reading.programs or members, aspects, question=asked)
        send(dispatcher, answer["text"], citations=answer.get("citations"))


class ActionAskFact(Action, ABC):
    """action_ask_<fact>: the question text and quick replies come from the rules file."""

    @property
    @abstractmethod
    def fact(self) -> str:
        """The fact this action asks for (a class attribute in each generated subclass)."""

    def name(self) -> str:
        return f"action_ask_{self.fact}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        form = (tracker.active_loop_name or "").removesuffix("_form") or tracker.get_slot("eligibility_program")
        program = next((p for p in form_members(form or "") if self.fact in FORM_PROGRAMS.get(p, [])), form)
        question, options = fact_question(program, self.fact), fact_options(program, self.fact)
        rough = parse_span(tracker.get_slot(self.fact))
        ranged = settled_but_rough(form, self.fact, current_facts(tracker)) if isinstance(rough, DateSpan) else None
        if ranged:
            # The outcome is known; the amount is counted by month: the range now, the month for the exact sum.
            question = (f"按您说的（{rough.cn()}），可以领取，按月折算合计在{ranged['value']}至{ranged['value_max']}"
                        f"{ranged.get('unit') or '元'}之间；要算准金额，还需要知道具体的出生年月。" + question)
        elif isinstance(rough, DateSpan):
            # Asked again because a month, year or age does not settle it: say so, never guess the day.
            question = f"您说的是{rough.cn()}，要确定结果还需要更准确的日期。" + question
        buttons = [{"title": label, "payload": label} for label in options] + [{"title": "不知道", "payload": "不知道"}]
        send(dispatcher, question, buttons=buttons)
        return []


def settled_but_rough(form: str, fact: str, facts: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The amount (a range) when the fact is asked only to make it exact: every result using it is settled."""
    results = evaluate_all(form_members(form or ""), facts) if form in FORM_PROGRAMS else []
    if any(fact in (r.get("missing_facts") or []) for r in results if r["outcome"] == "needs_more_info"):
        return None
    return next((r["amount"] for r in results if fact in rough_amount_facts(r, facts)), None)


def fact_options(program: str, fact: str) -> list[str]:
    """Quick-reply labels for a fact: 有/没有 or 是/不是 for yes-no facts, the Chinese labels for choices."""
    spec = get_engine().program(program).facts.get(fact, {})
    if spec.get("type") == "bool":
        yes_words = (spec.get("words") or {}).get("true") or []
        return ["有", "没有"] if any(w.startswith("有") for w in yes_words) else ["是", "不是"]
    if spec.get("value_labels"):
        return [str(label) for label in spec["value_labels"].values()][:8]
    values = spec.get("values") or {}
    return [str(label) for label in values.values()][:8] if isinstance(values, dict) else []


class ActionEligibilityResult(Action):
    """After the form: the outcome in plain words, reasons, amount, 文号, next steps, then the office offer."""

    def name(self) -> str:
        return "action_eligibility_result"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        program = tracker.get_slot("eligibility_program")
        if not program or program == "overview":
            ask_which_program(dispatcher)
            return []
        facts = current_facts(tracker)
        unknown = set(tracker.get_slot("unknown_facts") or [])
        if tracker.get_slot("child_unborn"):
            unknown.add("child_birth_date")
        # Programs promised for later ("之后再看技能提升补贴"): each follows its predecessor's result, its form
        # asking only what is still open; one that the facts already settle is answered at once.
        pending = [p for p in (tracker.get_slot("pending_programs") or []) if p in FORM_PROGRAMS]
        # Programs answered just before this form (a promised form carries them in last_programs, beside its
        # own) are not suggested again.
        before = list(tracker.get_slot("last_programs") or [])
        before = before if program in before else []
        shown: list[str] = []
        while True:
            later = [p for p in pending if p not in form_members(program)]
            office_events = await self.send_result(dispatcher, tracker, program, facts, last=not later,
                                                   later=later + shown + [p for p in before if p not in form_members(program)])
            shown += form_members(program)
            if not later:
                return [SlotSet("last_programs", shown), SlotSet("office_wanted", False),
                        SlotSet("pending_programs", None)] + office_events
            program, pending = next_form(later)
            if missing_in_order(program, facts, unknown):
                send(dispatcher, f"接下来帮您看{PROGRAM_LABELS.get(program, program)}。")
                return [SlotSet("last_programs", shown + [program]), SlotSet("eligibility_program", program),
                        SlotSet("pending_programs", pending or None), SlotSet("requested_slot", None),
                        FollowupAction(f"{program}_form")]

    async def send_result(self, dispatcher: CollectingDispatcher, tracker: Tracker, program: str,
                          facts: dict[str, Any], last: bool, later: list[str]) -> list[EventType]:
        """One form's result; `later` are programs shown before it or promised after it (not suggested again)."""
        members = form_members(program)
        results = await asyncio.to_thread(evaluate_all, members, facts)
        unknown = tracker.get_slot("unknown_facts") or []
        text = render_results(results, facts, skip=unknown, hedged=tracker.get_slot("hedged_facts") or {},
                              children=tracker.get_slot("children"), unborn=bool(tracker.get_slot("child_unborn")),
                              as_of=today())
        buttons = [FIND_OFFICE_BUTTON]
        suggestions = [p for p in cross_suggestions(facts, program, as_of=today())
                       if p not in members and p not in later]
        if suggestions and last:
            text += "\n\n" + render_suggestions(suggestions)
            buttons += [{"title": f"测算{PROGRAM_LABELS.get(p, p)}", "payload": f'/ask_eligibility{{"program": "{p}"}}'}
                        for p in suggestions[:3]]
        # Where a result's own hint sends the resident first (no 残疾人证 → the county 残联 that issues it).
        first = [t for r in results for t in r.get("hint_offices") or []]
        events: list[EventType] = []
        points = await offices_asked_for(tracker, members, first=first)
        if not points and first and last:
            points = await offices_asked_for(tracker, members, first=first, wanted=True)
        where = tracker.get_slot("place_county") or tracker.get_slot("place_city") or "您附近"
        if points:
            text += f"\n\n{where}的办理地点：\n" + "\n\n".join(format_card(p) for p in points)
        elif first and last:
            # The certificate is issued where the 户口 is: ask that county, then show its office.
            text += "\n\n" + which_office(first[:1]) + (ASK_HUKOU_PLACE if first[0] in HUKOU_OFFICES else ASK_PLACE)
            events = [SlotSet("awaiting_place", True), SlotSet("office_type", first[0])]
        elif last:
            text += "\n\n需要帮您查找就近的办理地点吗？"
            events = [SlotSet("awaiting_place", True)]     # "俺是侯马的" next is the place for that office
        send(dispatcher, text, buttons=buttons, citations=as_citations(results), service_points=points,
             eligibility=[{k: r.get(k) for k in ("program", "outcome", "amount")}
                          for r in family_results(results, facts, tracker.get_slot("children"))])
        return events


def next_form(pending: list[str]) -> tuple[str, list[str]]:
    """The next promised program's form and what stays promised (both disability allowances share one form)."""
    both = form_members("disability_both")
    first = "disability_both" if set(both) <= set(pending) else pending[0]
    return first, [p for p in pending if p not in form_members(first)]


def family_results(results: list[dict[str, Any]], facts: dict[str, Any],
                   children: Optional[dict[str, Any]]) -> list[dict[str, Any]]:
    """With several children the family's childcare outcome is the best child's ("老大过了3岁，老二能领":
    the family can claim); the text already gives each child's own result. A child not yet born has no birth
    date: the outcome stays the engine's for those facts (needs_more_info, as POST /api/eligibility says), and
    the text says when and how to claim after birth."""
    dates = (children or {}).get("birth_dates") or []
    if len(dates) < 2:
        return results
    out = []
    for r in results:
        if r["program"] == "childcare_subsidy":
            engine = get_engine()
            per_child = [engine.evaluate("childcare_subsidy", {**facts, "child_birth_date": d}, as_of=today())
                         for d in dates]
            r = next((c for c in per_child if c["outcome"] == "eligible"), r)
        out.append(r)
    return out


async def offices_asked_for(tracker: Tracker, programs: list[str], first: Optional[list[str]] = None,
                            wanted: bool = False) -> list[dict[str, Any]]:
    """The offices for the programs, when the resident asked where to apply (or `wanted`: a hint's office) and
    named a place (two at once); `first` are office types to put before the programs' own."""
    place = {k: tracker.get_slot(f"place_{k}") for k in ("city", "county", "town")}
    if not (wanted or tracker.get_slot("office_wanted")) or not (place["city"] or place["county"]):
        return []
    types = list(first or []) + [t for t in types_for_programs(programs) if t not in (first or [])]
    return await find_offices(types, place, location_from_metadata(tracker))


# One validation action per form and one ask action per fact, all named from the rules files.
for _program in FORM_PROGRAMS:
    globals()[f"ValidateForm_{_program}"] = type(f"ValidateForm_{_program}", (EligibilityFormValidation,),
                                                 {"form_program": _program})
for _fact in ALL_FACTS:
    globals()[f"AskFact_{_fact}"] = type(f"AskFact_{_fact}", (ActionAskFact,), {"fact": _fact})
