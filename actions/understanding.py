"""The entry for every content message: read the line once (bot.understanding), then answer what it asks.

A general question about a program gets the program's answer, a personal case starts the form, an office
lookup finds the office, a plan question goes to the knowledge base; "我在X县，育儿补贴去哪办" gets the answer
and the office in one reply. Rasa's intent is only a hint: the reading decides, so a line the NLU model
misfiles still gets what it asked for. Inside a form, `action_answer_question` answers a real new question
and the form resumes; it never starts another form.
"""
from __future__ import annotations

import asyncio
import re
from typing import Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, send, today, user_text
from actions.eligibility import (ALL_FACTS, FIND_OFFICE_BUTTON, FORM_PROGRAMS, PROGRAM_LABELS, as_citations,
                                 ask_which_program, choose_program, current_facts, evaluate_all, fact_options,
                                 missing_in_order, next_form)
from actions.policy import (HANDOFF_BUTTON, NOT_COVERED, NOT_UNDERSTOOD, answer_message, answer_question,
                            reply_from_kb)
from actions.program_info import reply_program_info
from actions.service_points import answer_service_points, hotline_reply
from bot import textparse
from bot.dialogue_domain import SHORT_REPLIES, form_members
from bot.eligibility.engine import get_engine
from bot.eligibility.extract import extract_facts, programs_touched
from bot.eligibility.render import fact_question, render_summary
from bot.program_info import program_answer
from bot.program_info.compose import asks_basis, expand_programs
from bot.understanding.reader import APPLYING, load_lexicon
from bot.understanding import (NOT_IN_SOURCES, OFFICE_LOOKUP, OTHER, PERSONAL_CASE, PLAN_QUESTION, PROGRAM_INFO,
                               Reading, named_programs, not_in_sources_answer, read_line, scope_reply)

OVERVIEW = "overview"
OUT_OF_SCOPE = ("抱歉，这个问题超出了我能回答的范围。我可以帮您：了解山西省“十四五”高品质生活建设规划、测算残疾人两项补贴、"
                "育儿补贴、技能提升补贴和职业培训补贴，以及查找办事地点。其他问题请拨打12345政务服务便民热线。")


def intent_of(tracker: Tracker) -> Optional[str]:
    return (tracker.latest_message.get("intent") or {}).get("name")


def reading_of(tracker: Tracker, text: str) -> Reading:
    return read_line(text, today=today(), context_programs=tracker.get_slot("last_programs") or [],
                     intent=intent_of(tracker), hint_city=tracker.get_slot("place_city"))


def place_events(reading: Reading) -> list[EventType]:
    place = reading.place or {}
    if not (place.get("city") or place.get("county")):
        return []
    return [SlotSet("place_city", place.get("city")), SlotSet("place_county", place.get("county")),
            SlotSet("place_town", place.get("town"))]


async def curated_reply(dispatcher: CollectingDispatcher, question: str) -> bool:
    """An answer the admins curated for this question (残疾证丢了怎么补办 → 向县级残联申请补发) overrides the
    reader's "no source says so": they added the source. True when one was sent."""
    result = await answer_question(question)
    message = answer_message(result) if result.get("kind") == "curated" else None
    if message is None:
        return False
    send(dispatcher, **message)
    return True


# What is unknown about an office (its hours, a person's direct line): its card still helps, below the honest line.
OFFICE_UNSTATED = ("office_hours", "office_contact")


async def reply_unstated(dispatcher: CollectingDispatcher, reading: Reading,
                         buttons: Optional[list[dict]] = None) -> None:
    """What no source states: the admins' curated answer if there is one, else the honest reply."""
    if await curated_reply(dispatcher, reading.text):
        return
    answer = not_in_sources_answer(reading)
    send(dispatcher, answer["text"], buttons=buttons, citations=answer["citations"] or None,
         unanswered="not_in_sources")


async def answer_reading(dispatcher: CollectingDispatcher, tracker: Tracker, reading: Reading,
                         in_form: bool = False) -> list[EventType]:
    """Answer a line that asks something (never starts a form): program, office, plan or an honest no."""
    if reading.other_province and reading.kind in (PROGRAM_INFO, PLAN_QUESTION, PERSONAL_CASE, NOT_IN_SOURCES):
        send(dispatcher, scope_reply(reading), buttons=[HANDOFF_BUTTON], unanswered="not_in_sources")
        return []
    if reading.kind == NOT_IN_SOURCES:
        await reply_unstated(dispatcher, reading, buttons=[HANDOFF_BUTTON])
        if reading.not_in_sources[0] in OFFICE_UNSTATED and reading.wants_office and \
                (reading.place.get("county") or reading.place.get("city")):
            # "X区卫健委的窗口晚上开到几点": the hours are not known, the office and its phone are
            return await answer_service_points(dispatcher, tracker, reading)
        return []
    if reading.kind in (PROGRAM_INFO, PERSONAL_CASE) and reading.programs:
        events = await reply_program_info(dispatcher, tracker, reading)
        if not in_form:
            events += offer_check(dispatcher, tracker, reading)
        return events + place_events(reading) + [SlotSet("last_programs", reading.members)]
    if reading.kind == OFFICE_LOOKUP or (tracker.get_slot("awaiting_place") and reading.place.get("city")):
        return await answer_service_points(dispatcher, tracker, reading)
    if reading.kind == PLAN_QUESTION:
        await reply_from_kb(dispatcher, reading.text, 1, NOT_COVERED)
    elif in_form:
        pass                     # nothing to answer: the form asks its question again
    elif intent_of(tracker) == "nlu_fallback":
        await reply_from_kb(dispatcher, reading.text, 4, NOT_UNDERSTOOD)
    else:
        send(dispatcher, OUT_OF_SCOPE, buttons=[HANDOFF_BUTTON], unanswered="fallback")
    return []


# --------------------------------------------------------------------------------- the offer to check
# A general answer ends with the first question of the check, once per program: "想知道您家能不能领…请问宝宝是
# 哪年哪月哪日出生的？". The next line, if it answers that question ("22年3月", "有", "没有"), starts the check
# with it; anything else is read as usual and the offer lapses (no form is opened, nothing is asked again).
OFFER_LEAD = "想知道您（或家人）能不能领、能领多少，我可以帮您测一测。"


def offer_form(reading: Reading) -> Optional[str]:
    """The one form a general answer's check would open: a single program, or both disability allowances."""
    members = [p for p in reading.members if p in FORM_PROGRAMS]
    if set(members) == set(form_members("disability_both")):
        return "disability_both"
    return members[0] if len(members) == 1 else None


def offer_check(dispatcher: CollectingDispatcher, tracker: Tracker, reading: Reading) -> list[EventType]:
    """After a general answer about one program: its first question, unless offered before or nothing is left."""
    form = offer_form(reading)
    made = list((tracker.get_slot("check_offer") or {}).get("made") or [])
    if not form or form in made or reading.other_province or \
            any((m.get("custom") or {}).get("unanswered") for m in dispatcher.messages):
        return []                      # an honest "no source says" is not followed by a questionnaire
    missing = missing_in_order(form, current_facts(tracker), set(tracker.get_slot("unknown_facts") or []))
    if not missing:
        return []
    fact = missing[0]
    program = next((p for p in form_members(form) if fact in FORM_PROGRAMS.get(p, [])), form)
    buttons = [{"title": label, "payload": label} for label in fact_options(program, fact)]
    send(dispatcher, OFFER_LEAD + fact_question(program, fact), buttons=buttons or None)
    return [SlotSet("check_offer", {"form": form, "fact": fact, "open": True, "made": made + [form]})]


async def take_offer(dispatcher: CollectingDispatcher, tracker: Tracker, reading: Reading,
                     offer: dict) -> Optional[list[EventType]]:
    """The line after an offer: an answer to its question starts the check with it; "好" starts it; else None."""
    form, fact = offer.get("form"), offer.get("fact")
    if form not in FORM_PROGRAMS and form != "disability_both":
        return None
    text = reading.text.strip()
    if textparse.is_assent(text):      # "好", "测一测": the check starts with its first question
        return [SlotSet("eligibility_program", form), SlotSet("awaiting_place", False)]
    extracted = extract_facts(text, today(), asking=fact)
    facts = {k: v for k, v in (extracted.get("facts") or {}).items() if k in ALL_FACTS}
    if fact not in facts:
        return None
    if reading.question and (reading.aspects or reading.not_in_sources or reading.office_types):
        return None                    # "有，那去哪办": a question of its own, read as usual
    if reading.programs and not set(reading.members) <= set(form_members(form)):
        return None                    # another program named: its own case
    reading.programs = list(reading.programs) or ([form] if form == "disability_both" else form_members(form))
    reading.facts = {**reading.facts, **facts}
    reading.kind = PERSONAL_CASE
    reading.question = False           # "没有" answers; it asks nothing
    return await start_personal_case(dispatcher, tracker, reading)


def _only_program_of(facts: dict) -> list[str]:
    """The one program the stated facts are about (a certificate level → 技能提升补贴), if only one."""
    touched = programs_touched({k: v for k, v in facts.items() if k in ALL_FACTS})
    return touched if len(touched) == 1 else []


def answer_first(dispatcher: CollectingDispatcher, reading: Reading) -> bool:
    """A personal case that also asks something specific ("户口不在山西能在这儿办不", "降到三级还能拿不"):
    the sourced answer to that comes first, then the form works out the resident's own case. True when the
    answer is that the sources do not say: then no questionnaire follows, only the offer to check."""
    programs = reading.programs or _only_program_of(reading.facts)   # "先考了中级又考了高级，两回都能补吗"
    if not (reading.question and programs):
        return False
    both = set(reading.members) == set(form_members("disability_both"))
    # The outcome will say who qualifies and how much; an amount no source states is said now, and "去哪办" is
    # answered now (the office card of a named place follows with the result).
    # A date known only roughly ("前年冬天生的") may leave the amount open: then the standard is said now.
    rough = any("/" in str(reading.facts.get(f, "")) for f in reading.approximate)
    stated = not rough and \
        all(not get_engine().program(p).data.get("amount", {}).get("none_note") for p in expand_programs(programs))
    # "咨询护理补贴条件及受理部门" with facts that leave the case open: the rule is said now, as the outcome that
    # would say it needs more questions first.
    open_case = "who" in reading.aspects and set(reading.aspects) - {"who"} <= APPLYING and \
        any(r["outcome"] == "needs_more_info" for r in evaluate_all(expand_programs(programs), reading.facts))
    skip = (set() if open_case else {"who"}) | ({"amount"} if stated else set()) | (set() if both else {"combine"})
    aspects = [a for a in reading.aspects if a not in skip]
    if open_case:
        aspects = [a for a in aspects if a != "who"] + ["who"]   # what was asked besides comes first
    if rough and not aspects and set(reading.aspects) <= {"who"}:
        aspects = ["amount"]   # "娃两岁，能领育儿补贴不": the standard now, the range once the form has asked
    if not aspects and asks_basis(reading.text):
        aspects = ["what"]     # "来电人家有一级残疾人，问护理补贴政策依据文件": the document, then the case
    # "想申请技能提升补贴得满足啥" asks who, answered below: no other aspect is guessed from the wording
    answer = {} if not aspects and "who" in reading.aspects else \
        program_answer(programs, aspects, question=reading.text)
    if answer.get("unanswered"):
        send(dispatcher, answer["text"], buttons=answer.get("buttons"), unanswered="not_in_sources")
        return True
    if answer.get("points") or aspects:       # "咋弄", "要带啥" are answered too, then the form goes on
        send(dispatcher, answer["text"], citations=answer.get("citations"))
    elif not load_lexicon().first_person.search(reading.text) or \
            any(r["outcome"] == "needs_more_info" for r in evaluate_all(expand_programs(programs), reading.facts)):
        # A kind of person, not the speaker ("农民工学个技术有没有培训补贴"), or a "can I" that needs more
        # questions ("一级残疾，但是自个儿能照顾自个儿，还能领护理补贴吗"): the rule comes first, then the
        # questions that check the particular case.
        who = program_answer(programs, ["who"])
        send(dispatcher, who["text"], citations=who.get("citations"))
    return False


def _rules_settle(tracker: Tracker, reading: Reading) -> bool:
    """A "special case" whose facts the rules already decide for the program in question (个体户 → none of
    the five training categories): the result answers it, so no "the sources do not say" goes before it."""
    if reading.not_in_sources[0] != "special_case" or not reading.facts:
        return False
    programs = expand_programs(reading.programs or tracker.get_slot("last_programs") or [])
    programs = [p for p in programs if p in FORM_PROGRAMS]
    facts = current_facts(tracker) | {k: v for k, v in reading.facts.items() if k in ALL_FACTS}
    return bool(programs) and all(r["outcome"] in ("eligible", "not_eligible") for r in evaluate_all(programs, facts))


async def start_personal_case(dispatcher: CollectingDispatcher, tracker: Tracker,
                              reading: Reading) -> list[EventType]:
    """The resident's own case: keep the facts given, then the program's form, or what applies to them."""
    if reading.not_in_sources and not _rules_settle(tracker, reading):
        # What no source settles comes first ("离婚了归谁领"), then the case the facts make checkable.
        await reply_unstated(dispatcher, reading)
        unanswered = False
    elif reading.not_in_sources:
        unanswered = False   # "个体户，没登记失业": a special case the rules do decide; the result says how
    else:
        unanswered = answer_first(dispatcher, reading)
    new_facts = {k: v for k, v in reading.facts.items() if k in ALL_FACTS}
    events: list[EventType] = [SlotSet(k, v) for k, v in new_facts.items()] + place_events(reading)
    relevant = {f for p in reading.members for f in FORM_PROGRAMS.get(p, [])}
    if unanswered and not set(new_facts) & relevant:   # nothing of theirs to check: the honest answer suffices
        return events + [SlotSet("eligibility_program", OVERVIEW), SlotSet("last_programs", reading.members)]
    facts = current_facts(tracker) | new_facts
    # The reader decides (it knows "…怕是不行，那职业培训补贴呢" drops the first); Rasa's entity only fills a gap.
    program = choose_program(tracker, reading.programs or entity_values(tracker, "program"), new_facts,
                             reading.correction)
    if program is None:
        ask_which_program(dispatcher)
        return events + [SlotSet("eligibility_program", OVERVIEW)]
    if program == OVERVIEW:
        named = [p for p in named_programs(reading.text) if p in FORM_PROGRAMS]   # by name, not by cue words
        # Two programs asked in one line ("娃今年1月生的有育儿补贴不，我还想学个技术考证有补贴吗"): each is
        # worked out, the second's questions straight after the first's answer.
        asked = [p for p in expand_programs(reading.programs) if p in FORM_PROGRAMS] if reading.programs else []
        one_by_one = named if len(named) > 1 else asked if len(asked) > 1 else []
        touched = one_by_one or programs_touched(facts)
        if not touched:
            ask_which_program(dispatcher)
            return events + [SlotSet("eligibility_program", OVERVIEW)]
        results = await asyncio.to_thread(evaluate_all, touched, facts)
        if one_by_one:
            return events + await one_after_another(dispatcher, results)
        buttons = [{"title": f"详细测算：{PROGRAM_LABELS.get(p, p)}",
                    "payload": f'/ask_eligibility{{"program": "{p}"}}'} for p in touched]
        send(dispatcher, render_summary(results), buttons=buttons + [FIND_OFFICE_BUTTON],
             citations=as_citations(results))
        return events + [SlotSet("eligibility_program", OVERVIEW), SlotSet("last_programs", touched)]
    # A resident who names their county gets that county's office with the result ("俺们是原平的").
    wants_office = bool(reading.place.get("county") or reading.place.get("city"))
    return events + [SlotSet("eligibility_program", program), SlotSet("awaiting_place", False),
                     SlotSet("office_wanted", wants_office)]


async def one_after_another(dispatcher: CollectingDispatcher, results: list[dict]) -> list[EventType]:
    """Several programs named at once ("育儿补贴和生活补贴都能领不"): what is settled now, then the form of the
    first one that needs more facts, asking its question straight away instead of making the resident choose."""
    decided = [r for r in results if r["outcome"] != "needs_more_info"]
    pending = [r["program"] for r in results if r["outcome"] == "needs_more_info"]
    if not pending:
        buttons = [{"title": f"详细测算：{PROGRAM_LABELS.get(r['program'], r['program'])}",
                    "payload": f'/ask_eligibility{{"program": "{r["program"]}"}}'} for r in results]
        send(dispatcher, render_summary(results), buttons=buttons + [FIND_OFFICE_BUTTON],
             citations=as_citations(results),
             eligibility=[{k: r.get(k) for k in ("program", "outcome", "amount")} for r in results])
        return [SlotSet("eligibility_program", OVERVIEW), SlotSet("last_programs", [r["program"] for r in results])]
    first, later = next_form(pending)
    labels = "和".join(PROGRAM_LABELS.get(p, p) for p in form_members(first))
    note = f"下面先帮您看{labels}" + (f"，之后再看{'、'.join(PROGRAM_LABELS.get(p, p) for p in later)}" if later else "") + "。"
    if decided:
        send(dispatcher, render_summary(decided, closing=note), citations=as_citations(decided),
             eligibility=[{k: r.get(k) for k in ("program", "outcome", "amount")} for r in decided])
    else:
        send(dispatcher, note)
    return [SlotSet("eligibility_program", first), SlotSet("awaiting_place", False),
            SlotSet("pending_programs", later or None), SlotSet("last_programs", [r["program"] for r in results])]


SOCIAL_INTENTS = ("greet", "goodbye", "thank", "bot_challenge", "share_location")
_SOCIAL_WORDS = re.compile(r"你好|您好|哈喽|喂|请问一下|请问|問一下|请教|问一下|问个事|谢谢你?|谢了|多谢|感谢|再见|拜拜|"
                           r"麻烦(你|您)?了?|在吗|在不在|你是(机器人|真人|人)(吗|不|么)?|[啊呀吧呢嘛哦哈，,。！!？?~\s]")


def carries_content(reading: Reading, social: bool = False) -> bool:
    """More than a yes, a no or an I-don't-know: a program, a fact, a place, an office or a question of its own.
    For a greeting or a thanks (`social`), a question counts only with words beyond the pleasantries."""
    question = reading.question and len(reading.text) > 6
    if social:
        question = reading.question and len(_SOCIAL_WORDS.sub("", reading.text)) > 4
    return bool(reading.programs or reading.facts or reading.office_types or reading.not_in_sources or
                reading.other_province or reading.other_benefit or
                reading.place.get("city") or reading.place.get("county") or question)


def place_answer(reading: Reading) -> bool:
    """A line that only names a place (and at most that the 户口 is there): the answer to a place question."""
    return bool(reading.place.get("county") or reading.place.get("city")) and not reading.programs \
        and set(reading.facts) <= {"hukou_in_shanxi"} and not reading.not_in_sources and not reading.aspects


class ActionRoute(Action):
    """Every content message outside a form: read it once, then answer, start the form, or find the office."""

    def name(self) -> str:
        return "action_route"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        # A new message outside a form ends an earlier promise to look at another program afterwards.
        return [SlotSet("pending_programs", None)] + await self.route(dispatcher, tracker)

    async def route(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        text = user_text(tracker)
        intent = intent_of(tracker)
        if not text:   # a button payload: its intent and entities say exactly what was chosen
            if intent in ("find_service_point", "share_location"):
                return await answer_service_points(dispatcher, tracker) + [SlotSet("eligibility_program", OVERVIEW)]
            program = choose_program(tracker, entity_values(tracker, "program"), {}, False)
            if program and program != OVERVIEW:
                return [SlotSet("eligibility_program", program), SlotSet("awaiting_place", False)]
            ask_which_program(dispatcher)
            return [SlotSet("eligibility_program", OVERVIEW)]
        reading = reading_of(tracker, text)
        offer = tracker.get_slot("check_offer") or {}
        if offer.get("open"):
            taken = await take_offer(dispatcher, tracker, reading, offer)
            closed = [SlotSet("check_offer", {**offer, "open": False})]
            if taken is not None:
                return closed + taken
            return closed + await self.read_as_usual(dispatcher, tracker, text, intent, reading)
        return await self.read_as_usual(dispatcher, tracker, text, intent, reading)

    async def read_as_usual(self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str,
                            intent: Optional[str], reading: Reading) -> list[EventType]:
        if intent == "human_handoff" and not (reading.programs or reading.facts or reading.not_in_sources
                                              or hotline_reply(reading.text)):   # "卫健热线几号": that hotline
            dispatcher.utter_message(response=SHORT_REPLIES[intent])      # "我要转人工"
            return [SlotSet("eligibility_program", OVERVIEW)]
        if intent in SHORT_REPLIES and intent != "human_handoff" and \
                not carries_content(reading, social=intent in SOCIAL_INTENTS):
            dispatcher.utter_message(response=SHORT_REPLIES[intent])      # "好的", "不用了", "不知道", "你好"
            return [SlotSet("eligibility_program", OVERVIEW)]
        if intent == "share_location" and not carries_content(reading, social=True):
            return await answer_service_points(dispatcher, tracker, reading) + [SlotSet("eligibility_program", OVERVIEW)]
        if tracker.get_slot("awaiting_place") and place_answer(reading):
            # "是的 榆社县的户口" after "您的户口在哪个县": the place asked for, not a new case
            return await answer_service_points(dispatcher, tracker, reading) + [SlotSet("eligibility_program", OVERVIEW)]
        if reading.kind == PERSONAL_CASE and not reading.other_province:
            return await start_personal_case(dispatcher, tracker, reading)
        if tracker.get_slot("awaiting_place") and reading.kind in (OTHER, PLAN_QUESTION) and \
                (reading.place.get("city") or reading.place_ambiguous) and not reading.programs:
            return await answer_service_points(dispatcher, tracker, reading) + [SlotSet("eligibility_program", OVERVIEW)]
        events = await answer_reading(dispatcher, tracker, reading)
        return events + [SlotSet("eligibility_program", OVERVIEW)]


class ActionAnswerQuestion(Action):
    """A real new question inside a form: answered, then the form asks its question again."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        text = user_text(tracker)
        if not text:
            return await answer_service_points(dispatcher, tracker) if intent_of(tracker) == "find_service_point" else []
        reading = reading_of(tracker, text)
        form = (tracker.active_loop_name or "").removesuffix("_form")
        if form and reading.programs and not reading.aspects and not reading.question \
                and set(reading.members) <= set(form_members(form)):
            labels = "和".join(PROGRAM_LABELS.get(p, p) for p in reading.members)
            send(dispatcher, f"好的，{labels}{'都' if len(reading.members) > 1 else ''}在帮您看，我们接着来。")
            return []          # "两个都问问" while both are being assessed: the form simply goes on
        if reading.kind in (PERSONAL_CASE, OTHER) and not reading.programs and not reading.other_province:
            if intent_of(tracker) == "find_service_point" or reading.office_types:
                return await answer_service_points(dispatcher, tracker, reading)
            if intent_of(tracker) == "out_of_scope":
                send(dispatcher, OUT_OF_SCOPE, unanswered="fallback")
                return []
            await reply_from_kb(dispatcher, reading.text, 1, NOT_COVERED)
            return []
        if reading.kind == PERSONAL_CASE:
            reading.kind = PROGRAM_INFO
        return await answer_reading(dispatcher, tracker, reading, in_form=bool(tracker.active_loop_name))

