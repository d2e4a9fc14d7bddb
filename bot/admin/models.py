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
    confirm_changes: bool = Field(False, description="save although some cases change outcome")


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
        if kind == "missing":
            msg = f"缺少必填字段：{label}。"
        elif kind == "extra_forbidden":
            msg = f"不认识的字段：{label}。"
        elif kind in ("string_too_short",):
            msg = f"{label}太短或为空。"
        elif kind in ("string_too_long", "too_long"):
            msg = f"{label}过长。"
        elif kind == "string_pattern_mismatch":
            msg = f"{label}格式不正确。"
        elif kind == "literal_error":
            msg = f"{label}的取值不在允许范围内。"
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            msg = f"{label}的类型不对。"
        else:
            reason = re.sub(r"^Value error, ", "", str(err.get("msg", "")))
            msg = f"{label}无效：{reason}。"
        raise InvalidInput(msg, field=field)
