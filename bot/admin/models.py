"""Request bodies of the admin API as pydantic models: they validate requests and describe them in OpenAPI."""
from __future__ import annotations

import re
from typing import Any, Literal, Optional, Type, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.errors import InvalidInput
from bot.text_normalize import has_control_chars



def _clean(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("含有无效字符")
        if has_control_chars(value.replace("\n", "").replace("\r", "").replace("\t", "")):
            raise ValueError("含有不允许的控制字符")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_chars(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [_clean(v) for v in value]
        return _clean(value)


class CuratedSource(_Model):
    """Where the answer comes from: a KB passage, a rules file, or a document with its 文号."""
    type: Literal["kb_passage", "rules", "document"]
    chunk_id: Optional[str] = Field(None, max_length=200, description="kb_passage: the passage id")
    program: Optional[str] = Field(None, max_length=64, description="rules: the program id")
    source_key: Optional[str] = Field(None, max_length=64, description="rules: a key under the file's `sources`")
    title: Optional[str] = Field(None, max_length=200, description="document: its title")
    doc_number: Optional[str] = Field(None, max_length=80, description="document: its 文号")
    section: Optional[str] = Field(None, max_length=200)
    quote: Optional[str] = Field(None, max_length=2000, description="verbatim source text the answer rests on")


class CuratedIn(_Model):
    question: str = Field(..., min_length=2, max_length=200)
    paraphrases: list[str] = Field(default_factory=list, max_length=30)
    answer: str = Field(..., min_length=2, max_length=1000)
    source: CuratedSource

    @field_validator("paraphrases")
    @classmethod
    def _paraphrases(cls, value: list[str]) -> list[str]:
        out = []
        for p in value:
            if not isinstance(p, str) or not 2 <= len(p.strip()) <= 200:
                raise ValueError("每个说法应为 2 到 200 个字")
            out.append(p.strip())
        return out


class VersionIn(_Model):
    version: str = Field(..., min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_.-]+$")


class RulesIn(_Model):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)  # the file as written
    text: str = Field(..., min_length=1, max_length=256 * 1024)
    confirm_changes: bool = Field(False, strict=True, description="save although some cases change outcome")


class TopicCheckIn(_Model):
    topic_id: str = Field(..., min_length=1, max_length=40, pattern=r"^t-[0-9a-f]+$")


class DocumentMeta(_Model):
    """The form fields of POST /api/admin/documents (multipart, with the file in `file`)."""
    title: str = Field(..., min_length=2, max_length=200)
    doc_number: str = Field("", max_length=80, description="文号, e.g. 晋民发〔2026〕12号")
    issuer: str = Field("", max_length=100)
    date: str = Field("", max_length=20, description="成文日期, e.g. 2026-01-10 or 2026年1月10日")
    effective_date: str = Field("", max_length=20, description="施行日期")


FIELD_LABELS = {"question": "问题", "paraphrases": "其他说法", "answer": "答案", "source": "出处", "type": "出处类型",
                "chunk_id": "知识库片段", "program": "项目", "source_key": "依据文件", "title": "标题",
                "doc_number": "文号", "quote": "原文摘录", "version": "版本", "text": "规则内容", "topic_id": "主题",
                "issuer": "发文机关", "date": "发文日期", "effective_date": "施行日期", "section": "章节",
                "confirm_changes": "确认变化"}

M = TypeVar("M", bound=BaseModel)
_TYPES = {"string_type": "文字（字符串）", "bool_type": "true 或 false", "list_type": "数组，如 [\"说法一\", \"说法二\"]",
          "dict_type": "JSON 对象", "model_type": "JSON 对象", "model_attributes_type": "JSON 对象",
          "int_type": "整数", "int_parsing": "整数"}


def parse(model: Type[M], data: Any) -> M:
    """Validate or raise InvalidInput with a Chinese message naming the field."""
    if not isinstance(data, dict):
        raise InvalidInput("请求体应为 JSON 对象。", code="invalid_json")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
        field = ".".join(loc) or None
        label = FIELD_LABELS.get(loc[-1], loc[-1]) if loc else "请求"
        kind = err.get("type", "")
        ctx = err.get("ctx") or {}
        if kind == "missing":
            msg = f"缺少必填字段：{label}。"
        elif kind == "extra_forbidden":
            msg = f"不认识的字段：{label}。"
        elif kind in ("string_too_short",):
            msg = f"{label}太短或为空（至少 {ctx.get('min_length', 1)} 个字）。"
        elif kind == "string_too_long":
            msg = f"{label}过长（最多 {ctx.get('max_length')} 个字）。"
        elif kind == "too_long":
            msg = f"{label}太多（最多 {ctx.get('max_length')} 项）。"
        elif kind == "string_pattern_mismatch":
            msg = f"{label}格式不正确。"
        elif kind == "literal_error":
            msg = f"{label}的取值不在允许范围内。"
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            msg = f"{label}的类型不对" + (f"，应为{_TYPES[kind]}。" if kind in _TYPES else "。")
        else:
            reason = re.sub(r"^Value error, ", "", str(err.get("msg", "")))
            msg = f"{label}无效：{reason}。"
        raise InvalidInput(msg, field=field)


# ---------------------------------------------------------------------------------------------- query strings
class _Query(BaseModel):
    """Query parameters of an admin endpoint: unknown ones are refused, so a typo is never silently ignored.
    Each field's description is also the hint in the error message (one source for OpenAPI and the 400)."""
    model_config = ConfigDict(extra="forbid")


class NoQuery(_Query):
    """Endpoints that take no query parameters."""


class AuditQuery(_Query):
    limit: int = Field(200, ge=1, le=1000, description="1 到 1000 之间的整数，默认 200")


class SearchQuery(_Query):
    q: str = Field(..., min_length=1, max_length=200, description="1 到 200 个字的检索内容")


class UnansweredQuery(_Query):
    days: int = Field(30, ge=1, le=365, description="1 到 365 之间的整数（天数），默认 30")


class ImportQuery(_Query):
    dry_run: Literal["1", "0", "true", "false"] = Field(
        "1", description="1 或 true 只预览差异（默认，编辑即可）；0 或 false 应用导入（需要发布人）")

    @property
    def apply(self) -> bool:
        return self.dry_run in ("0", "false")


MAX_QUERY_NAME = 40
MAX_QUERY_VALUE = 1000
_ASCII_INT = re.compile(r"-?[0-9]{1,9}")


def _safe(name: str) -> str:
    """A parameter name fit to echo back (no control characters, bounded)."""
    return "".join(ch for ch in name if ch.isprintable())[:MAX_QUERY_NAME] or "?"


def parse_query(model: Type[M], query: Any) -> M:
    """`request.query` → the endpoint's query model, or InvalidInput naming the parameter and how to fix it."""
    fields = model.model_fields
    allowed = "、".join(fields) if fields else ""
    values: dict[str, Any] = {}
    for name in query.keys():
        if name in values:
            continue
        shown = _safe(name)
        if name not in fields:
            hint = f"本接口可用的参数：{allowed}。" if allowed else "本接口不接受查询参数。"
            raise InvalidInput(f"不认识的查询参数“{shown}”。{hint}", field=shown if shown == name else None)
        found = query.getall(name)
        if len(found) > 1:
            raise InvalidInput(f"查询参数 {name} 只能给一次。", field=name)
        value = found[0]
        hint = fields[name].description or ""
        if len(value) > MAX_QUERY_VALUE or has_control_chars(value) or "\ufffd" in value:
            raise InvalidInput(f"查询参数 {name} 含有控制字符、无效编码或过长，应为{hint}。", field=name)
        if value == "" and not fields[name].is_required():
            continue  # `?days=` is the default, as a form with an empty box sends it
        if fields[name].annotation is int and not _ASCII_INT.fullmatch(value):
            raise InvalidInput(f"查询参数 {name} 应为{hint}（只写数字，如 {name}={fields[name].default}）。", field=name)
        values[name] = value.strip() if fields[name].annotation is str else value
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]) if err.get("loc") else ""
        hint = fields[name].description if name in fields else ""
        if err.get("type") == "missing":
            raise InvalidInput(f"缺少查询参数 {name}，应为{hint}。", field=name or None)
        raise InvalidInput(f"查询参数 {name} 的取值无效，应为{hint}。", field=name or None)
