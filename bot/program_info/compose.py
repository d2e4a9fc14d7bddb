"""General answers about a program, composed from the `info:` blocks of the rules files.

A resident who asks what a program is, how much it pays or where to apply gets the sourced statements
for that aspect, the documents they come from and a button that starts the eligibility form. Pure Python
over the already-loaded rules (the eligibility engine's last good version), so it is fast and serves the
chat actions and agent assist alike.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import string
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from bot.dialogue_domain import COMBINED, form_members
from bot.eligibility.engine import EligibilityEngine, cn_date, get_engine, today_shanghai
from bot.eligibility.loader import Program
from bot.program_info.schema import ASPECT_LABELS, ASPECTS, param_now

OVERVIEW = ("what", "amount", "how_to_apply")
# The question asks which document (or who issued it) the program rests on.
_BASIS = re.compile(r"(哪个|哪份|什么|啥|甚|哪一?个?部门[^，。？?]{0,3}(发|出|下|定)的?)[^，。？?]{0,2}(文件|文)|政策依据|依据(是|的是)?(啥|什么|甚|哪)|"
                    r"出处|文号|红头文件|(谁|哪儿|哪里|哪个部门)(发|出|定|下)的(政策|文件|规定)|"
                    r"(方案|文件|政策|规定|通知)[^，。？?]{0,2}(是)?(谁|哪个部门|哪里|哪儿|哪级)(发|出|定|下|印发)的|"
                    # "育儿补贴的文件是啥时候发的": when its document was issued
                    r"(方案|文件|政策|规定|通知)[^，。？?]{0,3}(是)?(啥时候|什么时候|哪年|几月|多会儿|甚时候|哪天)(发|出|定|下|印发|出台|公布)")
MAX_LINES = 5                      # a phone screen: content lines plus the source line
CHECK_TITLE = "测一测我能不能领"
FIND_TITLE = "查找办理地点"
FIND_PAYLOAD = "/find_service_point"
COMPARE = {"difference", "combine"}
# Short labels in front of a line when several aspects share one answer (what needs none).
LINE_LABELS = {"who": "谁能领", "amount": "金额", "duration": "期限", "how_to_apply": "申请", "where": "地点",
               "documents": "材料", "deadline": "时限", "combine": "同时申领", "difference": "区别",
               "tax_income": "个税与收入", "related": "相关政策"}


_LOCAL_DECIDES = re.compile(r"以(山西省及)?当地[^。；]{0,6}为准")


@dataclass
class Statement:
    """One rendered info item with where it comes from."""
    program: Program
    aspect: str
    text: str
    item: dict[str, Any]

    @property
    def silent(self) -> bool:
        return bool(self.item.get("silent"))


class _Params(string.Formatter):
    """Fills {param}, {param[key]} and {date_param:month} from the program's parameters in force."""

    def __init__(self, program: Program, as_of: dt.date) -> None:
        super().__init__()
        self.program = program
        self.as_of = as_of

    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str) and "*" in key:
            # "{annual_amount*age_limit_years}": a product of parameters, so a total is never typed in twice
            value = 1
            for name in key.split("*"):
                value *= param_now(self.program.data["parameters"][name.strip()], self.as_of)
            return value
        return param_now(self.program.data["parameters"][key], self.as_of)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, dt.date):
            if format_spec == "month":
                return f"{value.year}年{value.month}月"
            if format_spec == "year":
                return f"{value.year}年"
            return cn_date(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)


def expand_programs(programs: Iterable[str], engine: Optional[EligibilityEngine] = None) -> list[str]:
    """Contract ids in order, `disability_both` → both disability allowances; unknown ids raise ValueError."""
    engine = engine or get_engine()
    known = set(engine.program_ids())
    out: list[str] = []
    for pid in programs:
        for member in form_members(pid):
            if member not in known:
                raise ValueError(f"unknown program {pid!r}")
            if member not in out:
                out.append(member)
    if not out:
        raise ValueError("no program given")
    return out


def render(program: Program, item: dict[str, Any], audience: str = "resident",
           as_of: Optional[dt.date] = None) -> str:
    """One info item's text with the parameters in force filled in (staff wording where the file has one)."""
    text = item.get("staff") if audience == "staff" and item.get("staff") else item["text"]
    return _Params(program, as_of or today_shanghai()).format(text)


def statements(program: Program, aspect: str, audience: str = "resident",
               as_of: Optional[dt.date] = None) -> list[Statement]:
    """The aspect's general statements (items marked `only_if_asked` answer only the question they name)."""
    return [Statement(program, aspect, render(program, item, audience, as_of), item)
            for item in program.data["info"][aspect] if not item.get("only_if_asked")]


MAX_POINTS = 3


def _said(word: str, question: str) -> bool:
    """The word occurs in the question, and not negated right before it ("不满3岁" does not say 满3岁)."""
    start = question.find(word)
    while start != -1:
        if start == 0 or question[start - 1] not in "不未没":
            return True
        start = question.find(word, start + 1)
    return False


def asked_points(progs: list[Program], question: str, aspects: list[str], audience: str = "resident",
                 as_of: Optional[dt.date] = None) -> list[Statement]:
    """The statements whose `ask` words the question uses: the direct answer to a specific question
    ("长期照护多长时间算", "四级证补多少"). Every group of an item's `ask` must have a word in the question;
    more groups is more specific and ranks first, then the asked aspects, then the file's order."""
    scored: list[tuple[int, int, int, Statement]] = []
    order = 0
    for prog in progs:
        for aspect in ASPECTS:
            for item in prog.data["info"][aspect]:
                order += 1
                groups = item.get("ask") or []
                if any(w in question for w in item.get("ask_not") or []):
                    continue          # "个税那个每月2000的扣除…": the monthly words are about something else
                if groups and all(any(_said(w, question) for w in g) for g in groups):
                    st = Statement(prog, aspect, render(prog, item, audience, as_of), item)
                    scored.append((-len(groups), 0 if aspect in aspects else 1, order, st))
    scored.sort(key=lambda t: t[:3])
    out: list[Statement] = []
    for _, _, _, st in scored:
        if st.text not in {o.text for o in out}:
            out.append(st)
    silent = [st for st in out if st.silent]
    if silent and len(silent[0].item.get("ask") or []) >= len(out[0].item.get("ask") or []):
        # "The sources do not say" comes first and is not followed by nearby figures, only by what was asked
        # as directly ("扣除一个月扣多少，跟育儿补贴能一起享受不": the unknown combination, then, labelled
        # as related, the deduction's amount).
        top = len(silent[0].item.get("ask") or [])
        out = silent + [st for st in out if not st.silent and len(st.item.get("ask") or []) >= max(top, 2)]
    return out[:MAX_POINTS]


def _issued(value: Any) -> str:
    """A source's date as said: "2025-07" → "2025年7月", "2015" → "2015年"; nothing when unknown."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-\d{1,2})?", str(value or ""))
    if not m:
        return ""
    return f"{m.group(1)}年{int(m.group(2))}月" if m.group(2) else f"{m.group(1)}年"


def source_title(program: Program, key: str) -> str:
    return program.source_title(key)


def _citation(st: Statement) -> dict[str, str]:
    ref = st.item["reference"]
    title = source_title(st.program, ref["source"])
    return {"doc_id": title, "section": ref["section"], "quote": st.item.get("quote") or st.text,
            "source": title, "program": st.program.id}


def _compact(line: str) -> str:
    return line.strip().rstrip("；;")


def _prefix(label: str, text: str) -> str:
    return text if text.startswith(label) else f"{label}：{text}"


def _pair_statement(progs: list[Program], aspect: str, audience: str, as_of: dt.date) -> list[Statement]:
    """For `combine`: an item of one program that names the other (`with:`), e.g. 两项补贴可同时申领."""
    ids = {p.id for p in progs}
    for prog in progs:
        for st in statements(prog, aspect, audience, as_of):
            if set(st.item.get("with") or []) >= ids - {prog.id} and st.item.get("with"):
                return [st]
    return []


def _hotline_text(progs: list[Program]) -> str:
    numbers: list[str] = []
    for prog in progs:
        for h in prog.data["hotlines"]:
            text = f"{h['number']}{h['name']}"
            if text not in numbers:
                numbers.append(text)
    return "、".join(numbers)


_PROCEDURAL = {"where", "how_to_apply", "documents"}


def _point_lines(progs: list[Program], points: list[Statement], aspects: list[str], asked: list[str],
                 audience: str, as_of: dt.date, place: Optional[dict[str, Any]]) -> list[tuple[str, Optional[Statement]]]:
    """The direct answers first; then, for an aspect the resident named, its general statement if the points
    did not already give it; then the place line."""
    several = len(progs) > 1
    out: list[tuple[str, Optional[Statement]]] = []
    for st in points:
        text = st.text
        if several and st.program.label not in text:
            text = f"【{st.program.label}】{text}"
        if points[0].silent and not st.silent:
            text = _prefix("相关内容", text)        # after "the sources do not say": labelled, never the answer
        out.append((text, st))
    said = {st.text for st in points}
    # A point that is the specific form of an aspect ("四级证" of the amount table) stands for that aspect;
    # a point saying the sources are silent stands alone (no nearby figure next to it).
    covered = {st.aspect for st in points if st.item.get("only_if_asked") and st.aspect != "who"}
    covered |= {a for st in points for a in st.item.get("covers") or []}   # ("过了三岁" answers the amount too: none)
    local_rule = None
    if points[0].aspect == "who" and _LOCAL_DECIDES.search(points[0].text):
        # "晋城给不给三级智力残疾发": the place decides; the general rule is no answer to that (for that
        # program: the other of two asked still gets its rule, "一级残疾没吃低保，能领啥补贴")
        local_rule = points[0].program
        if not several:
            covered.add("who")
    if any(st.silent for st in points):
        # Only a procedural unknown ("能在村里办不") leaves the other aspects asked answered beside it
        # ("…到底是个甚补贴，发给多大的娃，该去哪问"); an unknown figure or date stands alone.
        procedural = {st.aspect for st in points if st.silent} <= _PROCEDURAL
        rest = [a for a in asked if a not in _PROCEDURAL and a not in covered]
        asked = rest if procedural and len(rest) >= 2 else []   # (several things asked, not one "还能领不")
        extra = []
    else:
        extra = [st.aspect for st in points if st.aspect != "amount"]
    for aspect in list(dict.fromkeys(asked + extra)):
        if aspect in covered or (aspect not in asked and len(out) >= 3):
            continue
        for prog in progs:
            if aspect == "who" and prog is local_rule:
                continue
            sts = [st for st in statements(prog, aspect, audience, as_of) if st.text not in said]
            # A specific "who" point gets the general rule as context (two lines when there is room).
            take = sts[:2] if (aspect == "who" and len(out) < 2) else sts[:1]
            for st in take:
                text = _prefix(LINE_LABELS.get(aspect, ASPECT_LABELS[aspect]), st.text) if aspect != "what" else st.text
                if several and prog.label not in text:
                    text = f"【{prog.label}】{text}"
                out.append((text, st))
                said.add(st.text)
    place_line = _place_line(progs, aspects, place, audience)
    if place_line:
        out.append((place_line, None))
    return out


def _lines(progs: list[Program], aspects: list[str], audience: str, as_of: dt.date,
           place: Optional[dict[str, Any]]) -> list[tuple[str, Optional[Statement]]]:
    """(line, the statement it states) pairs, the asked aspect first."""
    out: list[tuple[str, Optional[Statement]]] = []
    several = len(progs) > 1
    if several and len(aspects) == 1 and aspects[0] in COMPARE:
        if aspects[0] == "combine":
            pair = _pair_statement(progs, "combine", audience, as_of)
            if pair:
                out.append((pair[0].text, pair[0]))
            else:
                labels = "、".join(p.label for p in progs[:-1]) + "和" + progs[-1].label
                out.append((f"{labels}能否同时申领，我们依据的政策资料没有说明，请拨打{_hotline_text(progs)}咨询。", None))
        if aspects[0] == "combine" and (not pair or pair[0].silent):
            return out       # no source says: the honest line alone, no nearby figures under it
        for prog in progs:   # what sets each one apart
            st = statements(prog, "difference", audience, as_of)[0]
            out.append((_prefix(prog.label, st.text), st))
        return out
    labelled: set[str] = set()
    for aspect in aspects:            # the asked aspect first; several programs side by side within it
        groups: dict[str, list[tuple[Program, Statement]]] = {}
        for prog in progs:
            sts = statements(prog, aspect, audience, as_of)
            if aspect == "combine" and several:
                sts = _pair_statement(progs, aspect, audience, as_of) or sts
            # One aspect of one program: its statements line by line; otherwise the first one per line.
            take = sts if (not several and len(aspects) == 1) else sts[:1]
            for st in take:
                groups.setdefault(st.text, []).append((prog, st))   # the same words for two programs: once
        for i, (text, members) in enumerate(groups.items()):
            if aspect == "related":
                text = _prefix("相关政策", text)
            elif len(aspects) > 1 and aspect in LINE_LABELS:
                text = _prefix(LINE_LABELS[aspect], text)
            names = [p.label for p, _ in members]
            who = _group_label([p.id for p, _ in members]) if len(members) > 1 else names[0]
            if not any(n in text for n in names) and (several or who not in labelled):
                if several or not (aspect == "what" or i > 0):
                    text = f"【{who}】{text}"
            labelled.update(names)
            out.append((text, members[0][1]))
    if len(aspects) > 1 and any(st is not None and st.silent for _, st in out[1:]):
        # "补领最晚能补到哪年哪月" (duration and deadline): the aspect no source settles leads, and what the
        # sources do say of the other follows as related content, never as its answer
        silent = [(t, st) for t, st in out if st is not None and st.silent]
        out = silent + [(t if st is None or t.startswith("相关内容") else _prefix("相关内容", t), st)
                        for t, st in out if not (st is not None and st.silent)]
    place_line = _place_line(progs, aspects, place, audience)
    if place_line:
        out.append((place_line, None))
    return out


def _group_label(ids: list[str]) -> str:
    for name, members in COMBINED.items():
        if set(ids) == set(members):
            return "残疾人两项补贴" if name == "disability_both" else name
    return "、".join(get_engine().program(pid).label for pid in ids)


def _place_line(progs: list[Program], aspects: list[str], place: Optional[dict[str, Any]],
                audience: str = "resident") -> Optional[str]:
    if not place or not ({"where", "how_to_apply"} & set(aspects)):
        return None
    where = place.get("town") or place.get("county") or place.get("city")
    if not where:
        return None
    if audience == "staff":
        return f"来电人在{where}，可在坐席台查当地办理地点和电话。"
    return f"您在{where}，点“{FIND_TITLE}”可以查看当地的办理地点和电话。"


def _documents(used: list[Statement]) -> list[str]:
    """Cited documents, national before the provincial plan; silent statements cite nothing."""
    docs: list[str] = []
    for st in used:
        if st.silent:
            continue
        title = source_title(st.program, st.item["reference"]["source"])
        if title not in docs:
            docs.append(title)
    plan = [d for d in docs if "规划" in d]
    return [d for d in docs if d not in plan] + plan


def _buttons(program_ids: list[str], requested: list[str], aspects: list[str]) -> list[dict[str, str]]:
    targets = [p for p in requested if p in COMBINED] + [p for p in program_ids
                                                          if not any(p in COMBINED[c] for c in requested if c in COMBINED)]
    if set(program_ids) == set(COMBINED["disability_both"]) and "disability_both" not in targets:
        targets = ["disability_both"]
    buttons = []
    if {"where", "how_to_apply"} & set(aspects):
        buttons.append({"title": FIND_TITLE, "payload": FIND_PAYLOAD})
    for pid in targets[:2]:
        title = CHECK_TITLE if len(targets) == 1 else f"{CHECK_TITLE}（{_label(pid)}）"
        buttons.append({"title": title, "payload": "/ask_eligibility" + json.dumps({"program": pid}, ensure_ascii=False)})
    return buttons


def _label(pid: str) -> str:
    if pid == "disability_both":
        return "残疾人两项补贴"
    return get_engine().program(pid).label


def asks_basis(question: str) -> bool:
    """The question asks for the document a program rests on ("政策依据文件", "哪个文件定的")."""
    return bool(_BASIS.search(question or ""))


def program_answer(programs: list[str], aspects: list[str], place: Optional[dict[str, Any]] = None,
                   audience: str = "resident", as_of: Optional[dt.date] = None,
                   engine: Optional[EligibilityEngine] = None, question: Optional[str] = None) -> dict[str, Any]:
    """A general answer: {text, citations, buttons, programs, aspects, office_types, points}.

    `programs` are contract ids (or `disability_both`), `aspects` from ASPECTS (empty → what, amount and how
    to apply). `question` (the resident's normalised line) picks the statements that answer it directly
    (their `ask` words); those come first and replace the general overview. `audience="staff"` words the
    same facts for a hotline agent to read out.
    """
    if audience not in {"resident", "staff"}:
        raise ValueError(f"unknown audience {audience!r}")
    engine = engine or get_engine()
    as_of = as_of or today_shanghai()
    ids = expand_programs(programs, engine)
    progs = [engine.program(pid) for pid in ids]
    wanted = [a for a in dict.fromkeys(aspects or []) if a in ASPECTS]
    unknown = [a for a in aspects or [] if a not in ASPECTS]
    if unknown:
        raise ValueError(f"unknown aspect(s) {unknown}")
    points = asked_points(progs, question, wanted, audience, as_of) if question else []
    pair = _pair_statement(progs, "combine", audience, as_of) if "combine" in wanted and len(progs) > 1 else []
    unstated_pair = "combine" in wanted and len(progs) > 1 and (not pair or pair[0].silent)
    if unstated_pair:
        # "育儿补贴跟残疾人补贴能一块领不": no source says whether these combine; the honest line alone, not
        # one program's twins rule or another pair's combination beside it
        points, wanted = [], ["combine"]
    asked = list(wanted)
    wanted = wanted or ([] if points else list(OVERVIEW))
    if points:
        pairs = _point_lines(progs, points, wanted, asked, audience, as_of, place)
        wanted = wanted or list(dict.fromkeys(st.aspect for st in points))
    else:
        pairs = _lines(progs, wanted, audience, as_of, place)
    if question and _BASIS.search(question):
        # "育儿补贴是哪个部门发的文件": the document the program rests on, from its own "what" statement
        # ("失业保险放宽到一年是哪个文件定的": the document of the rule the question names, when it names one)
        named = [st for st in points if not st.silent and (st.item.get("reference") or {}).get("source")][:1]
        for prog in reversed(progs):
            st = next((n for n in named if n.program is prog), None) or \
                next(iter(statements(prog, "what", audience, as_of)), None)
            if st is not None and not st.silent:
                key = st.item["reference"]["source"]
                title = source_title(prog, key)
                issued = _issued(prog.data["sources"][key].get("date"))
                pairs.insert(0, (f"【{prog.label}】政策依据：{title}" + (f"，发布于{issued}" if issued else ""), st))
    if audience == "staff":
        pairs.insert(0, (f"（{'、'.join(p.label for p in progs)}·{'、'.join(ASPECT_LABELS[a] for a in wanted)}）", None))
    # Fit a phone screen: drop trailing lines, but keep the place line when there is one.
    budget = MAX_LINES - 1
    if len(pairs) > budget:
        place_pair = pairs[-1] if pairs[-1][1] is None and place else None
        pairs = pairs[:budget - (1 if place_pair else 0)] + ([place_pair] if place_pair else [])
    used = [st for _, st in pairs if st is not None]
    docs = _documents(used)
    tail = "依据：" + "、".join(docs[:2]) if docs else ""
    if audience == "staff":
        hot = f"咨询热线：{_hotline_text(progs)}"
        tail = f"{tail}；{hot}" if tail else hot
    body = [_compact(line) for line, _ in pairs] + ([tail] if tail else [])
    citations, seen = [], set()
    for st in used:
        if st.silent:
            continue
        c = _citation(st)
        key = (c["doc_id"], c["section"], c["quote"])
        if key not in seen:
            seen.add(key)
            citations.append(c)
    office_types: list[str] = []
    for prog in progs:
        office_types += [t for t in prog.data["office_types"] if t not in office_types]
    return {"text": "\n".join(body), "citations": citations,
            "buttons": _buttons(ids, list(programs), wanted), "programs": ids, "aspects": wanted,
            "office_types": office_types, "points": len(points),
            "unanswered": unstated_pair or (bool(points) and all(st.silent for st in points))}
