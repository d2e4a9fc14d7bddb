"""The dialogue's shape, read by the actions at run time and by the domain generator at build time.

One form per program (plus `disability_both_form` for 两项补贴, the union of the two disability programs), each
asking only the facts its rules file declares; the intents that go to the entry action; the digressions a form
answers and resumes after. `bot/build/domain.py` writes domain.yml and nlu_data/rules/eligibility_forms.yml
from this module and policy_kb/rules.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from bot.settings import POLICY_KB

# Mid-form digressions: answered, then the form resumes.
DIGRESSIONS = {"ask_policy": "action_answer_question", "ask_program_info": "action_answer_question",
               "find_service_point": "action_answer_question", "out_of_scope": "action_answer_question",
               "human_handoff": "utter_human_handoff", "bot_challenge": "utter_bot_challenge",
               "thank": "utter_thank", "nlu_fallback": "action_answer_question"}
# Content messages outside a form: one entry action reads the line and answers, starts a form, or finds the
# office (actions/understanding.py); the intent is only a hint, so every content intent goes the same way.
ROUTED_INTENTS = ("ask_eligibility", "inform", "ask_program_info", "ask_policy", "find_service_point",
                  "out_of_scope", "nlu_fallback", "affirm", "deny", "stop_form", "dont_know",
                  "greet", "goodbye", "thank", "bot_challenge", "share_location", "human_handoff")
# Short replies among them ("好的", "不用了", "不知道") get their canned answer from the entry action when the
# line carries nothing else; "不用了，我就想知道育儿补贴多少钱" is read and answered like any question.
SHORT_REPLIES = {"affirm": "utter_anything_else", "deny": "utter_anything_else", "stop_form": "utter_anything_else",
                 "dont_know": "utter_no_problem", "greet": "utter_greet", "goodbye": "utter_goodbye",
                 "thank": "utter_thank", "bot_challenge": "utter_bot_challenge",
                 "human_handoff": "utter_human_handoff"}
# "同一个工种同一个等级领过了，换个单位还能再领吗": the NLU model may file a question under "a person, please"
# (换个…); the handoff answer is given only when the line names no program, fact or unstated matter.
# Greetings, thanks and "are you a robot" are often said with a real question ("你好，残疾证到期了换证咋弄"),
# and the NLU model sometimes files a plain question under them: such a line is read like any other.
ROUTE_ACTION = "action_route"
RULES_DIR = POLICY_KB / "rules"
COMBINED = {"disability_both": ["disability_living_allowance", "disability_care_allowance"]}


def program_facts(rules_dir: Path = RULES_DIR) -> dict[str, list[str]]:
    programs: dict[str, list[str]] = {}
    for path in sorted(rules_dir.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("facts"), dict) and data.get("id"):
            programs[str(data["id"])] = list(data["facts"].keys())
    for combined, members in COMBINED.items():
        if all(m in programs for m in members):
            seen: list[str] = []
            for m in members:
                seen += [f for f in programs[m] if f not in seen]
            programs[combined] = seen
    return programs


def form_members(form_program: str) -> list[str]:
    return COMBINED.get(form_program, [form_program])


# What the forms remember besides the facts: hedged answers ("好像是三级" → shown as to be checked),
# several children, an unborn child (filled by the form validation, actions/eligibility.py); the programs
# promised for after this form's result ("之后再看技能提升补贴", actions/understanding.one_after_another).
FORM_STATE_SLOTS = ["children", "child_unborn", "hedged_facts", "pending_programs"]
