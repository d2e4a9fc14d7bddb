"""Keep domain.yml's forms, fact slots and ask/validate actions in step with policy_kb/rules (build time).

`python -m bot.build.domain` rewrites the generated blocks of domain.yml and nlu_data/rules/eligibility_forms.yml
from the dialogue's shape (bot/dialogue_domain.py) and the rules files; `--check` exits 1 when either is stale
(run by the tests and by `make domain`'s callers).
"""
from __future__ import annotations

import re
import sys

from bot.dialogue_domain import (DIGRESSIONS, FORM_STATE_SLOTS, ROUTE_ACTION, ROUTED_INTENTS,  # noqa: F401
                                 program_facts)
from bot.settings import ROOT

DOMAIN = ROOT / "domain.yml"
FORM_RULES = ROOT / "nlu_data" / "rules" / "eligibility_forms.yml"


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
    out = ["# Generated from policy_kb/rules by `python -m bot.build.domain`; do not edit by hand.",
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
            print("domain.yml 或 nlu_data/rules/eligibility_forms.yml 与 policy_kb/rules 不一致：请运行 `.venv/bin/python -m bot.build.domain`。")
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
