"""Structure-aware parser for Chinese policy documents (规划/通知 style plain text).

It recovers what a resident's question maps to: 章 (一、…), 节 （一）…, lead-sentence items
("健全残疾人权益保障制度。…"), 专栏 boxes with their 工程 items, the indicator table and the front matter
(文号, issuer, dates). It also repairs the extraction noise of the source: sentences split across blank
lines, stray <p> tags and stray English tokens (duplicated 专栏 numbers are kept as printed) ("and").

Offsets (`start`, `end`) always point into the raw source text, so a citation can be traced back.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Iterator

CN_NUM = "一二三四五六七八九十"
RE_CHAPTER = re.compile(rf"^([{CN_NUM}]+)、\s*(\S.{{0,48}})$")
RE_CHAPTER_ALT = re.compile(rf"^(第[{CN_NUM}0-9]+[章部分]+)\s*(\S.{{0,48}})$")
RE_SECTION = re.compile(rf"^[（(]\s*([{CN_NUM}]+)\s*[）)]\s*(\S.{{0,48}})$")
RE_SECTION_ALT = re.compile(rf"^(第[{CN_NUM}0-9]+节)\s*(\S.{{0,48}})$")
RE_MD_HEADING = re.compile(r"^(#{1,3})\s+(\S.{0,60})$")
RE_BOX = re.compile(r"^专栏\s*(\d+)\s*(\S.{0,40})$")
RE_TOC_LINE = re.compile(r"^.{1,60}\t\s*\d+\s*$")
RE_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号")
RE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日(印发)?$")
RE_P_TAG = re.compile(r"</?p\s*>", re.I)
RE_STRAY_AND = re.compile(r"(?<=[\u4e00-\u9fff”」）])\s+and\s+(?=[\u4e00-\u9fff“「（])")
_CJKP = "\u4e00-\u9fff，。；：、（）“”"
RE_CJK_SPACE = re.compile(rf"(?<=[{_CJKP}])[ \u3000\u00a0]+(?=[{_CJKP}0-9])|(?<=[0-9%])[ \u3000\u00a0]+(?=[{_CJKP}])")
RE_PROJECT_LEAD = re.compile(r"^[^。，；]{2,30}(工程|建设)。")
SENT_END = "。！？；…"
CLOSERS = "”’」』）)"
MAX_LEAD = 30
CHUNK_CHARS = 400


@dataclass
class Paragraph:
    text: str
    start: int
    end: int
    from_tag: bool = False  # came out of a <p>…</p> group (a 专栏 body)
    raw: str = ""  # the source line as is (tables need their tab separators)


@dataclass
class Block:
    """One unit of body text after repair: an item (lead sentence + body) or a plain paragraph."""
    kind: str  # "text" | "box_item" | "indicator"
    chapter: str
    section: str
    box: str
    lead: str
    text: str
    start: int
    end: int
    indicator: dict | None = None


@dataclass
class Chunk:
    chunk_id: str
    doc_id: str
    section: str
    title: str
    text: str
    start: int
    end: int
    kind: str = "text"
    box: str = ""
    lead: str = ""
    indicator: dict | None = None

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in ("chunk_id", "doc_id", "section", "title", "text", "start", "end",
                                             "kind", "box", "lead")}
        if self.indicator is not None:
            d["indicator"] = self.indicator
        return d


@dataclass
class ParsedDocument:
    doc_id: str
    title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    printed_date: str = ""
    chapters: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # "章 > 节" paths in order
    boxes: list[str] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)

    def meta(self) -> dict:
        return {"doc_id": self.doc_id, "title": self.title, "issuer": self.issuer,
                "doc_number": self.doc_number, "date": self.date}


def clean_inline(text: str) -> str:
    """Tidy one paragraph: stray <p> tags, the stray English 'and', spaces inside Chinese text."""
    text = RE_P_TAG.sub("", text)
    text = RE_STRAY_AND.sub("和", text)
    text = RE_CJK_SPACE.sub("", text)
    return text.strip()


def ends_sentence(text: str) -> bool:
    t = text.rstrip()
    while t and t[-1] in CLOSERS:
        t = t[:-1]
    return bool(t) and t[-1] in SENT_END + "：:"


def _paragraphs(raw: str) -> Iterator[Paragraph]:
    """Non-empty lines with offsets; a line of <p>…</p> groups yields one paragraph per group."""
    pos = 0
    for line in raw.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if RE_P_TAG.search(body):
            for m in re.finditer(r"<p>(.*?)(?:</p>|$)", body, re.I | re.S):
                text = clean_inline(m.group(1))
                if text:
                    yield Paragraph(text, pos + m.start(1), pos + m.end(1), from_tag=True, raw=m.group(1))
        elif body.strip():
            lead_ws = len(body) - len(body.lstrip())
            text = clean_inline(body) if "\t" not in body else body.strip()
            yield Paragraph(text, pos + lead_ws, pos + len(body.rstrip()), raw=body)
        pos += len(line)


def split_lead(text: str) -> tuple[str, str]:
    """The bold-style lead sentence of an item ("健全残疾人权益保障制度。…"), or '' when there is none."""
    body = text.lstrip("—- ")
    idx = body.find("。")
    if 0 < idx <= MAX_LEAD and "，" not in body[:idx] and "," not in body[:idx]:
        return body[:idx], body
    return "", text


def chapter_title(m: re.Match) -> str:
    return f"{m.group(1)}、{m.group(2).strip()}"


def section_title(m: re.Match) -> str:
    return f"（{m.group(1)}）{m.group(2).strip()}"


def _is_heading_text(text: str) -> bool:
    return "。" not in text and "，" not in text[:8] and len(text) <= 50


def _parse_number(cell: str) -> tuple[float | None, str]:
    """'77.3*' → (77.3, '*'); '>50' → (50, '>'); '—' → (None, '')."""
    m = re.fullmatch(r"([<>≥≤]?)\s*(\d+(?:\.\d+)?)\s*(\*?)", cell)
    if not m:
        return None, ""
    return float(m.group(2)), (m.group(1) or m.group(3))


def _split_name_unit(name: str) -> tuple[str, str, str]:
    """'每千人口拥有3岁以下婴幼儿托位数(个)' → (name, '个', ''); a parenthetical with '=' is a note."""
    m = re.fullmatch(r"(.+?)[(（]([^()（）]+)[)）]", name)
    if not m:
        return name, "", ""
    inner = m.group(2)
    if "=" in inner:
        return m.group(1), "", inner
    return m.group(1), inner, ""


def parse_indicator_table(lines: list[tuple[str, int, int]], notes: str) -> list[dict]:
    """Rows of the 主要发展指标 table (tab separated, with merged cells left empty by the extraction)."""
    rows: list[dict] = []
    domain = ""
    star_note = "2018年数据" if re.search(r"\*\s*为\s*2018\s*年数据", notes) else ""
    for line, start, end in lines:
        cells = [clean_inline(c) for c in line.split("\t")]
        if "指标" in cells or not any(cells):
            continue
        number, name, rest = None, "", []
        for i, c in enumerate(cells):
            m = re.fullmatch(r"(\d{1,2})(?:\s*([\u4e00-\u9fff].*))?", c)
            if m and number is None and (i + 1 < len(cells) or m.group(2)):
                number = int(m.group(1))
                if m.group(2):
                    name, rest = m.group(2), cells[i + 1:]
                else:
                    name, rest = cells[i + 1], cells[i + 2:]
                if i > 0 and cells[0] and not cells[0].isdigit():
                    domain = cells[0]
                break
        rest = [c for c in rest if c]
        level = ""
        if number is None:  # continuation row: ['', '', '县级', '50.5', '72.5', '']
            vals = [c for c in cells if c]
            if not rows or not vals or not vals[0].endswith("级"):
                continue
            prev = rows[-1]
            number, name, domain_row = prev["number"], prev["raw_name"], prev["domain"]
            level, rest = vals[0], vals[1:]
            attribute = prev["attribute"]
            if len(rest) >= 3:
                attribute = rest[2]
            row = _indicator_row(domain_row, number, name, level, rest[0], rest[1], attribute,
                                 star_note, start, end)
            row["quote"] = prev["quote"] + "\n" + " ".join(c.strip() for c in line.split("\t") if c.strip())
            rows.append(row)
            continue
        if rest and rest[0].endswith("级") and len(rest[0]) <= 3:
            level, rest = rest[0], rest[1:]
        while len(rest) < 3:
            rest.append("")
        row = _indicator_row(domain, number, name, level, rest[0], rest[1], rest[2], star_note, start, end)
        row["quote"] = " ".join(c.strip() for c in line.split("\t") if c.strip())  # verbatim cells
        rows.append(row)
    return rows


def _indicator_row(domain, number, raw_name, level, v2020, v2025, attribute, star_note, start, end) -> dict:
    name, unit, note = _split_name_unit(raw_name)
    notes = []
    if note:
        notes.append(note)
    if v2020.endswith("*") and star_note:
        notes.append(f"2020年值为{star_note}")
    return {"domain": domain, "number": number, "name": name, "raw_name": raw_name, "unit": unit,
            "level": level, "value_2020": v2020, "target_2025": v2025, "attribute": attribute,
            "notes": notes, "start": start, "end": end}


def indicator_text(row: dict) -> str:
    """The row as it reads in the source table (cells joined by spaces): the citation quote."""
    parts = [str(row["number"]), row["raw_name"]]
    if row["level"]:
        parts.append(row["level"])
    parts += [f"2020年：{row['value_2020']}", f"2025年：{row['target_2025']}", row["attribute"]]
    return " ".join(p for p in parts if p)


class PlanParser:
    """Turns one policy document's raw text into structure, blocks and chunks."""

    def __init__(self, doc_id: str, chunk_chars: int = CHUNK_CHARS) -> None:
        self.doc_id = doc_id
        self.chunk_chars = chunk_chars

    def parse(self, raw: str, meta: dict | None = None) -> ParsedDocument:
        doc = ParsedDocument(doc_id=self.doc_id)
        paras = _drop_signature(list(_paragraphs(raw)), doc)
        body_from = self._front_matter(paras, doc)
        self._body(paras[body_from:], doc)
        if meta:
            for key in ("title", "issuer", "doc_number", "date"):
                if meta.get(key):
                    setattr(doc, key, meta[key])
        doc.chunks = list(chunk_blocks(doc, self.chunk_chars, SourceMap(raw)))
        return doc

    # -- front matter -------------------------------------------------------------------------
    def _front_matter(self, paras: list[Paragraph], doc: ParsedDocument) -> int:
        """Read 通知 title, 文号, issuer, date and plan title; skip the 目录. Returns the body's first index."""
        toc_at = next((i for i, p in enumerate(paras[:80]) if p.text == "目录"), None)
        head = paras[:toc_at] if toc_at is not None else paras[:12]
        notice_lines: list[Paragraph] = []
        for i, p in enumerate(head):
            m = RE_DOC_NUMBER.search(p.text)
            if m and not doc.doc_number and len(p.text) < 30:
                doc.doc_number = m.group(0)
            dm = RE_DATE.match(p.text)
            if dm and not doc.date:
                doc.date = f"{int(dm.group(1)):04d}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}"
                if i > 0 and len(head[i - 1].text) <= 20 and "。" not in head[i - 1].text:
                    doc.issuer = head[i - 1].text
        if toc_at is None:
            if head and _is_heading_text(head[0].text) and not RE_CHAPTER.match(head[0].text):
                doc.title = head[0].text
            return self._notice_head(paras, doc)
        # The plan's own title is the last heading-like line before 目录; the notice is the rest.
        titles = [p for p in head if _is_heading_text(p.text) and not RE_DATE.match(p.text)
                  and not RE_DOC_NUMBER.search(p.text) and p.text != doc.issuer and not p.text.startswith("（")]
        if titles:
            doc.title = titles[-1].text
        notice_lines = [p for p in head if titles and p is not titles[-1]]
        if notice_lines:
            text = "\n".join(p.text for p in notice_lines)
            # its heading is the notice's own title line ("…关于印发…的通知"), under the section 发文通知
            doc.blocks.append(Block("notice", "发文通知", "", "", notice_lines[0].text, text,
                                    notice_lines[0].start, notice_lines[-1].end))
        i = toc_at + 1
        while i < len(paras) and (RE_TOC_LINE.match(raw_line(paras[i])) or "\t" in paras[i].text):
            i += 1
        return i

    def _notice_head(self, paras: list[Paragraph], doc: ParsedDocument) -> int:
        """A 通知 without 目录: its title, 文号 and 主送 lines form the 发文通知 block, not body text."""
        if not doc.title or not paras or paras[0].text != doc.title or RE_MD_HEADING.match(doc.title):
            return 0
        k = 1
        while k < min(len(paras), 5):
            t = paras[k].text
            if (RE_DOC_NUMBER.search(t) and len(t) < 30) or (t.endswith(("：", ":")) and len(t) <= 80
                                                              and "。" not in t):
                k += 1
            else:
                break
        if k > 1:
            text = "\n".join(p.text for p in paras[:k])
            doc.blocks.append(Block("notice", "发文通知", "", "", paras[0].text, text, paras[0].start, paras[k - 1].end))
        return k

    # -- body ---------------------------------------------------------------------------------
    def _body(self, paras: list[Paragraph], doc: ParsedDocument) -> None:
        chapter = section = box = ""
        last_box_no = 0
        in_box = False
        box_first = False
        pending: list[Paragraph] = []  # body paragraphs waiting for split-sentence repair
        i = 0

        def flush() -> None:
            merged = merge_split_paragraphs(pending, doc.repairs)
            for p in merged:
                lead, _ = split_lead(p.text)
                doc.blocks.append(Block("box_item" if p.from_tag or (box and in_box) else "text",
                                        chapter, section, box if in_box else "", lead, p.text, p.start, p.end))
            pending.clear()

        while i < len(paras):
            p = paras[i]
            t = p.text
            if t == "前言":
                flush()
                chapter, section, box, in_box = "前言", "", "", False
                i += 1
                continue
            m = RE_CHAPTER.match(t) or RE_CHAPTER_ALT.match(t) if _is_heading_text(t) else None
            if m and not p.from_tag:
                flush()
                chapter = chapter_title(m) if RE_CHAPTER.match(t) else f"{m.group(1)} {m.group(2).strip()}"
                section, box, in_box = "", "", False
                self._add_heading(doc, chapter, "")
                i += 1
                continue
            m = (RE_SECTION.match(t) or RE_SECTION_ALT.match(t)) if _is_heading_text(t) else None
            if m and not p.from_tag:
                flush()
                section = section_title(m) if RE_SECTION.match(t) else f"{m.group(1)} {m.group(2).strip()}"
                box, in_box = "", False
                self._add_heading(doc, chapter, section)
                i += 1
                continue
            m = RE_MD_HEADING.match(t)
            if m:
                flush()
                if len(m.group(1)) == 1:
                    chapter, section = m.group(2).strip(), ""
                else:
                    section = m.group(2).strip()
                box, in_box = "", False
                self._add_heading(doc, chapter, section)
                i += 1
                continue
            m = RE_BOX.match(t)
            if m:
                flush()
                number = int(m.group(1))
                if number <= last_box_no:  # the printed number is kept (citations match the print);
                    doc.repairs.append(f"专栏编号重复：“{t}”保留原编号，以名称区分")  # its name tells it apart
                last_box_no = max(last_box_no, number)
                box = f"专栏{number} {m.group(2).strip()}"
                doc.boxes.append(box)
                in_box, box_first = True, True
                i += 1
                continue
            if "\t" in raw_line(p) or t.endswith("主要发展指标"):
                j = i
                caption = t if t.endswith("指标") and "\t" not in raw_line(p) else ""
                if caption:
                    j += 1
                table: list[tuple[str, int, int]] = []
                while j < len(paras) and "\t" in raw_line(paras[j]):
                    table.append((raw_line(paras[j]), paras[j].start, paras[j].end))
                    j += 1
                notes = ""
                if j < len(paras) and paras[j].text.startswith("注"):
                    notes = paras[j].text
                    j += 1
                if table:
                    flush()
                    rows = parse_indicator_table(table, notes)
                    caption = caption or "主要发展指标"
                    header = next((" ".join(c.strip() for c in line.split("\t") if c.strip())
                                   for line, _, _ in table if "指标" in line.split("\t")), "")
                    for row in rows:
                        row["table"] = caption
                        row["header"] = header
                        row["note_line"] = notes if row["notes"] else ""
                        doc.indicators.append(row)
                        doc.blocks.append(Block("indicator", chapter, section, caption, "", indicator_text(row),
                                                row["start"], row["end"], indicator=row))
                    if notes:
                        doc.blocks.append(Block("text", chapter, section, caption, "", notes,
                                                paras[j - 1].start, paras[j - 1].end))
                    i = j
                    continue
            if t.startswith("抄送：") or t.startswith("抄送:"):
                flush()
                self._tail(paras[i:], doc)
                break
            # body paragraph
            if in_box:
                is_item = p.from_tag or bool(RE_PROJECT_LEAD.match(t)) or box_first
                if not is_item:
                    flush()
                    in_box = False
                box_first = False
            pending.append(p)
            if in_box:
                flush()
            i += 1
        flush()

    def _add_heading(self, doc: ParsedDocument, chapter: str, section: str) -> None:
        if chapter and chapter not in doc.chapters:
            doc.chapters.append(chapter)
        if section:
            path = f"{chapter} > {section}" if chapter else section
            if path not in doc.sections:
                doc.sections.append(path)

    def _tail(self, paras: list[Paragraph], doc: ParsedDocument) -> None:
        """抄送 … 印发 lines: the printing office and date, kept as metadata and as a second 发文通知 passage
        (residents ask who it was copied to and which office printed it)."""
        lines = [p for p in paras if p.text.strip()]
        lead = next((b.lead for b in doc.blocks if b.kind == "notice"), "")
        if lead and lines:
            doc.blocks.append(Block("notice", "发文通知", "", "", lead, "\n".join(p.text for p in lines),
                                    lines[0].start, lines[-1].end))
        for p in paras:
            dm = RE_DATE.match(p.text)
            if dm and dm.group(4):
                doc.printed_date = f"{int(dm.group(1)):04d}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}"


def _drop_signature(paras: list[Paragraph], doc: ParsedDocument) -> list[Paragraph]:
    """A notice's closing issuer + date lines are metadata, not body text: read them and leave them out."""
    if len(paras) < 3 or any(p.text.startswith("抄送") for p in paras[-6:]):
        return paras
    end = len(paras)
    while end > 2 and paras[end - 1].text in ("（此件公开发布）", "(此件公开发布)"):
        end -= 1
    dm = RE_DATE.match(paras[end - 1].text)
    if not dm:
        return paras
    if not doc.date:
        doc.date = f"{int(dm.group(1)):04d}-{int(dm.group(2)):02d}-{int(dm.group(3)):02d}"
    end -= 1
    prev = paras[end - 1].text
    if len(prev) <= 40 and not any(c in prev for c in "。，；："):
        doc.issuer = doc.issuer or re.sub(r"\s+", " ", prev)
        end -= 1
    return paras[:end]


def raw_line(p: Paragraph) -> str:
    """The paragraph's original text (tabs kept): tables need their cell separators."""
    return p.raw or p.text


def merge_split_paragraphs(paras: list[Paragraph], repairs: list[str]) -> list[Paragraph]:
    """Join a paragraph that stops mid-sentence with the next one ("…社会" / "治理的途径…").

    A following 工程 item ("优质医疗资源扩容下沉工程。") is a new unit even so: the source lost text
    there, and the dangling fragment is dropped rather than glued onto an unrelated item.
    """
    out: list[Paragraph] = []
    for p in paras:
        if out and not ends_sentence(out[-1].text) and not p.from_tag and not out[-1].from_tag:
            prev = out[-1]
            if RE_PROJECT_LEAD.match(p.text):
                cut = max(prev.text.rfind(c) for c in SENT_END)
                if cut >= 0:
                    repairs.append(f"删除残句：“{prev.text[cut + 1:]}”")
                    out[-1] = Paragraph(prev.text[:cut + 1], prev.start, prev.start + cut + 1, prev.from_tag)
                out.append(p)
                continue
            repairs.append(f"合并断句：“{prev.text[-6:]}”+“{p.text[:6]}”")
            out[-1] = Paragraph(prev.text + p.text, prev.start, p.end, prev.from_tag)
        else:
            out.append(p)
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences ending in 。！？； (closing quotes stay with their sentence)."""
    parts = re.findall(rf"[^{SENT_END}]*[{SENT_END}]+[{CLOSERS}]*|[^{SENT_END}]+$", text)
    return [s for s in parts if s.strip()]


class SourceMap:
    """Finds a cleaned piece of text in the raw source, ignoring whitespace and <p> tags."""

    def __init__(self, raw: str) -> None:
        skip = [False] * len(raw)
        for m in RE_P_TAG.finditer(raw):
            for i in range(m.start(), m.end()):
                skip[i] = True
        self.index = [i for i, ch in enumerate(raw) if not skip[i] and not ch.isspace()]
        self.condensed = "".join(raw[i] for i in self.index)

    def locate(self, text: str, lo: int, hi: int) -> tuple[int, int]:
        """(start, end) of `text` in the raw source within [lo, hi]; the block's span when not found."""
        c = re.sub(r"\s+", "", text)
        j0 = bisect.bisect_left(self.index, lo)
        k = self.condensed.find(c, j0)
        if k < 0:  # repaired text ("和" for "and"): anchor on the first and last few characters
            head, tail = c[:8], c[-8:]
            k = self.condensed.find(head, j0)
            k2 = self.condensed.find(tail, max(k, j0)) if k >= 0 else -1
            if k < 0 or k2 < 0:
                return lo, hi
            return self.index[k], min(hi, self.index[k2 + len(tail) - 1] + 1)
        return self.index[k], min(hi, self.index[k + len(c) - 1] + 1)


def chunk_blocks(doc: ParsedDocument, limit: int, source: SourceMap) -> Iterator[Chunk]:
    """Blocks → chunks of at most ~`limit` characters, cut only at sentence boundaries."""
    n = 0
    for b in doc.blocks:
        section = " > ".join(x for x in (b.chapter, b.section) if x)
        title = b.lead or b.box or (b.section or b.chapter)
        if b.kind == "indicator":
            row = b.indicator
            title = f"{row['table']}：{row['number']} {row['name']}" + (f"（{row['level']}）" if row["level"] else "")
        elif b.box:
            title = f"{b.box}：{b.lead}" if b.lead else b.box
        pieces = [b.text] if b.kind in ("indicator", "notice") or len(b.text) <= limit else \
            _pack(split_sentences(b.text), limit)
        lo = b.start
        for piece in pieces:
            n += 1
            start, end = (b.start, b.end) if b.kind == "indicator" else source.locate(piece, lo, b.end)
            lo = end
            yield Chunk(f"{doc.doc_id}#{n:04d}", doc.doc_id, section or b.chapter, title, piece,
                        start, end, kind=b.kind if b.kind in ("indicator", "notice") else "text",
                        box=b.box, lead=b.lead, indicator=b.indicator)


def _pack(sentences: list[str], limit: int) -> list[str]:
    out: list[str] = []
    cur = ""
    for s in sentences:
        if cur and len(cur) + len(s) > limit:
            out.append(cur)
            cur = ""
        cur += s
    if cur:
        out.append(cur)
    return out


def parse_text(raw: str, doc_id: str, meta: dict | None = None) -> ParsedDocument:
    """Parse one document's raw text (BOM and CRLF tolerated)."""
    raw = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return PlanParser(doc_id).parse(raw, meta)
