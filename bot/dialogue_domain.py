"""Keep domain.yml's forms, fact slots and ask/validate actions in step with policy_kb/rules.

One form per program (and its rules in nlu_data/rules/eligibility_forms.yml) (plus `disability_both_form` for 两项补贴, the union of the two disability programs),
each asking only the facts its rules file declares. `python -m bot.dialogue_domain` rewrites the generated
blocks; `--check` exits 1 when domain.yml is stale (run by the tests).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

from bot.settings import POLICY_KB, ROOT

DOMAIN = ROOT / "domain.yml"
FORM_RULES = ROOT / "nlu_data" / "rules" / "eligibility_forms.yml"
# Mid-form digressions: answered, then the form resumes.
DIGRESSIONS = {"ask_policy": "action_answer_question", "ask_program_info": "action_answer_question",
               "find_service_point": "action_answer_question", "out_of_scope": "action_answer_question",
               "human_handoff": "utter_human_handoff", "bot_challenge": "utter_bot_challenge",
               "thank": "utter_thank", "nlu_fallback": "action_answer_question"}
# Content messages outside a form: one entry action reads the line and answers, starts a form, or finds the
# office (actions/understanding.py); the intent is only a hint, so every content intent goes the same way.
ROUTED_INTENTS = ("ask_eligibility", "inform", "ask_program_info", "ask_policy", "find_service_point",
                  "out_of_scope", "nlu_fallback", "affirm", "deny", "stop_form", "dont_know")
# Short replies among them ("好的", "不用了", "不知道") get their canned answer from the entry action when the
# line carries nothing else; "不用了，我就想知道育儿补贴多少钱" is read and answered like any question.
SHORT_REPLIES = {"affirm": "utter_anything_else", "deny": "utter_anything_else", "stop_form": "utter_anything_else",
                 "dont_know": "utter_no_problem"}
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
# several children, an unborn child. Filled by the form validation (actions/eligibility.py).
FORM_STATE_SLOTS = ["children", "child_unborn", "hedged_facts"]


def _blocks(programs: dict[str, list[str]]) -> dict[str, str]:
    facts = sorted({f for fs in programs.values() for f in fs})
    slots = "".join(
        f"  {f}:\n    type: any\n    influence_conversation: false\n    mappings:\n      - type: custom\n"
        for f in facts + FORM_STATE_SLOTS)
    actions = "".join(f"  - validate_{p}_form\n" for p in programs) + "".join(f"  - action_ask_{f}\n" for f in facts)
    forms = "forms:\n" + "".join(
        f"  {p}_form:\n    required_slots:\n" + "".join(f"      - {f}\n" for f in fs) for p, fs in programs.items())
    return {"slots": slots, "actions": actions, "forms": forms}


def render_rules(programs: dict[str, list[str]]) -> str:
    out = ["# Generated from policy_kb/rules by `python -m bot.dialogue_domain`; do not edit by hand.",
           'version: "3.1"', "rules:"]
    for intent in ROUTED_INTENTS:
        out += [f"  - rule: {intent} answered without a form", "    steps:", f"      - intent: {intent}",
                f"      - action: {ROUTE_ACTION}", "      - slot_was_set:", "          - eligibility_program: overview"]
    for p in programs:
        form = f"{p}_form"
        for intent in ROUTED_INTENTS:
            out += [f"  - rule: {intent} starts {form}", "    steps:", f"      - intent: {intent}",
                    f"      - action: {ROUTE_ACTION}", "      - slot_was_set:",
                    f"          - eligibility_program: {p}", f"      - action: {form}", f"      - active_loop: {form}"]
        out += [f"  - rule: submit {form}", "    condition:", f"      - active_loop: {form}", "    steps:",
                f"      - action: {form}", "      - active_loop: null", "      - slot_was_set:",
                "          - requested_slot: null", "      - action: action_eligibility_result"]
        out += [f"  - rule: stop {form}", "    condition:", f"      - active_loop: {form}", "    steps:",
                "      - intent: stop_form", "      - action: action_deactivate_loop", "      - active_loop: null",
                "      - slot_was_set:", "          - requested_slot: null", "      - action: utter_form_stopped"]
        for intent, action in DIGRESSIONS.items():
            out += [f"  - rule: {intent} inside {form}", "    condition:", f"      - active_loop: {form}",
                    "    steps:", f"      - intent: {intent}", f"      - action: {action}", f"      - action: {form}",
                    f"      - active_loop: {form}"]
    return "\n".join(out) + "\n"


def render(text: str, programs: dict[str, list[str]]) -> str:
    for name, body in _blocks(programs).items():
        pattern = re.compile(rf"(# >>> {name}:[^\n]*\n)(.*?)([ ]*# <<< {name}\n)", re.S)
        if not pattern.search(text):
            raise SystemExit(f"domain.yml 缺少生成区块标记 '# >>> {name}:'")
        text = pattern.sub(lambda m: m.group(1) + body + m.group(3), text)
    return text


def main(argv: list[str]) -> int:
    programs = program_facts()
    current = DOMAIN.read_text(encoding="utf-8")
    wanted = render(current, programs)
    rules = render_rules(programs)
    rules_current = FORM_RULES.read_text(encoding="utf-8") if FORM_RULES.exists() else ""
    if "--check" in argv:
        if wanted != current or rules != rules_current:
            print("domain.yml 或 nlu_data/rules/eligibility_forms.yml 与 policy_kb/rules 不一致：请运行 `.venv/bin/python -m bot.dialogue_domain`。")
            return 1
        return 0
    if wanted != current:
        DOMAIN.write_text(wanted, encoding="utf-8")
        print(f"domain.yml 已更新：{len(programs)} 个表单。")
    if rules != rules_current:
        FORM_RULES.parent.mkdir(parents=True, exist_ok=True)
        FORM_RULES.write_text(rules, encoding="utf-8")
        print(f"{FORM_RULES.relative_to(ROOT)} 已更新。")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
