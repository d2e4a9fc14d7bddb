"""Request (and main response) models of the public JSON API.

The handlers validate with these models and GET /openapi.json is generated from them, so the description
and the checks cannot drift apart. Validation errors become the contract's Chinese 400 (bot.http).
"""
from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Optional

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictInt
from pydantic_core import PydanticCustomError

from bot.text_normalize import has_control_chars

LOCATION_DECIMALS = 3          # about 100 m: enough to find the nearest office, no more than that is kept


def _text_checks(allow_newlines: bool):
    def check(value: str) -> str:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:      # a lone surrogate such as "\ud800": valid JSON, not text
            raise PydanticCustomError("text_encoding", "含有无效字符。") from None
        probe = value.replace("\n", "").replace("\r", "").replace("\t", "") if allow_newlines else value
        if has_control_chars(probe):
            raise PydanticCustomError("text_control", "含有不允许的控制字符。")
        if not value.strip():
            raise PydanticCustomError("text_blank", "不能为空。")
        return value
    return check


def Text(max_length: int, allow_newlines: bool = True, **kw: Any) -> Any:
    """A non-blank string of printable text, 1..max_length characters."""
    return Annotated[str, Field(min_length=1, max_length=max_length, strict=True, **kw),
                     AfterValidator(_text_checks(allow_newlines))]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- chat ---------------------------------------------------------------------------------------------
def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise PydanticCustomError("text_not_finite", "应为有限的数字。")
    return value


class Location(BaseModel):
    """A shared position; kept only rounded to ~100 m."""
    model_config = ConfigDict(extra="ignore")
    lat: Annotated[float, Field(ge=-90, le=90, description="纬度"), AfterValidator(_finite)]
    lng: Annotated[float, Field(ge=-180, le=180, description="经度"), AfterValidator(_finite)]
    datum: Literal["gcj02", "wgs84"] = Field("gcj02", description="gcj02（微信/高德，默认）或 wgs84（GPS/浏览器）")

    def rounded(self) -> dict[str, Any]:
        return {"lat": round(self.lat, LOCATION_DECIMALS), "lng": round(self.lng, LOCATION_DECIMALS),
                "datum": self.datum}


class ChatMetadata(BaseModel):
    """Only `channel` and `location` are kept and passed on; anything else a client sends is dropped."""
    model_config = ConfigDict(extra="ignore")
    channel: Optional[Annotated[str, Field(max_length=32, strict=True)]] = Field(
        None, description="web 或 api（其他取值按 api 处理）")
    location: Optional[Location] = None

    def kept(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.channel is not None:
            out["channel"] = self.channel if self.channel in ("web", "api") else "api"
        if self.location is not None:
            out["location"] = self.location.rounded()
        return out


class ChatRequest(_Body):
    sender_id: Text(128, allow_newlines=False, description="会话标识（服务内按渠道加前缀）")
    text: Text(2000, description="居民输入的文字")
    metadata: Optional[ChatMetadata] = None


class Button(BaseModel):
    title: str
    payload: str


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: str
    buttons: Optional[list[Button]] = None
    citations: Optional[list[dict[str, Any]]] = None
    service_points: Optional[list[dict[str, Any]]] = None


class ChatResponse(BaseModel):
    messages: list[Message]


# --- knowledge base ------------------------------------------------------------------------------------
class KbSearchRequest(_Body):
    query: Text(500, description="查询内容")
    top_k: Annotated[StrictInt, Field(ge=1, le=50)] = 5


class KbAnswerRequest(_Body):
    question: Text(500, description="问题")


class KbSearchResult(BaseModel):
    chunk_id: str
    doc_id: str
    section: str
    title: str
    text: str
    score: float


class KbSearchResponse(BaseModel):
    kb_version: str
    results: list[KbSearchResult]


class Citation(BaseModel):
    model_config = ConfigDict(extra="allow")
    doc_id: str
    section: str
    quote: str


class KbAnswerResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    answer: Optional[str]
    citations: list[Citation]
    confidence: float
    kb_version: str


# --- eligibility ---------------------------------------------------------------------------------------
class EligibilityRequest(_Body):
    program: Annotated[str, Field(max_length=64, strict=True, description="补贴项目编号")]
    facts: Optional[dict[str, Any]] = Field(None, description="已知情况；缺少的不报错，列入 missing_facts")
    as_of: Optional[Annotated[str, Field(max_length=32, strict=True)]] = Field(
        None, description="YYYY-MM-DD，默认今天（北京时间）")


class EligibilityResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    program: str
    outcome: Literal["eligible", "not_eligible", "needs_more_info", "refer_locally"]
    amount: Optional[dict[str, Any]]
    reasons: list[str]
    missing_facts: list[str]
    citations: list[dict[str, Any]]
    next_steps: list[str]


# --- service points ------------------------------------------------------------------------------------
def _blank_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _office_types() -> tuple[str, ...]:
    from bot.service_points.offices import OFFICE_TYPES

    return tuple(OFFICE_TYPES)


OfficeType = Literal[_office_types()]  # type: ignore[valid-type]
Blank = BeforeValidator(_blank_none)


class ServicePointsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Annotated[Optional[OfficeType], Blank] = None  # type: ignore[valid-type]
    city: Annotated[Optional[str], Blank] = None
    county: Annotated[Optional[str], Blank] = None
    town: Annotated[Optional[str], Blank] = None
    lat: Annotated[Optional[Annotated[float, Field(ge=-90, le=90), AfterValidator(_finite)]], Blank] = None
    lng: Annotated[Optional[Annotated[float, Field(ge=-180, le=180), AfterValidator(_finite)]], Blank] = None
    limit: Annotated[Optional[Annotated[int, Field(ge=1, le=50)]], Blank] = 5
    datum: Annotated[Optional[Literal["gcj02", "wgs84", "GCJ02", "WGS84"]], Blank] = None


class ServicePointsResponse(BaseModel):
    results: list[dict[str, Any]]


# --- agent assist --------------------------------------------------------------------------------------
class AssistLine(_Body):
    call_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:-]{1,128}$", strict=True,
                                  description="通话编号：1-128 个字母、数字或 _ . : -")]
    utterance: Text(2000, description="通话内容（一句）")
    role: Literal["caller", "staff"] = "caller"


# --- WeChat -------------------------------------------------------------------------------------------
class WeChatQuery(BaseModel):
    """What WeChat puts in the URL of every request (message-push protocol)."""
    model_config = ConfigDict(extra="ignore")
    signature: str = Field(description="sha1(sort(token, timestamp, nonce))")
    timestamp: str = Field(description="Unix 秒；与当前时间相差超过 300 秒的请求被拒绝")
    nonce: str = Field(description="随机数；窗口内同一 nonce 携带另一条消息会被拒绝")
    echostr: Optional[str] = Field(None, description="仅服务器地址验证（GET）")
    encrypt_type: Optional[Literal["aes", "raw"]] = Field(None, description="设置了 WECHAT_AES_KEY 时只接受 aes")
    msg_signature: Optional[str] = Field(None, description="安全模式：sha1(sort(token, timestamp, nonce, Encrypt))")
    openid: Optional[str] = None


class UndeliveredQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    limit: Annotated[Optional[Annotated[int, Field(ge=1, le=500)]], Blank] = 50
    openid: Annotated[Optional[Annotated[str, Field(max_length=128)]], Blank] = None


# --- shared -------------------------------------------------------------------------------------------
class ErrorDetail(BaseModel):
    code: str
    message: str
    field: Optional[str] = None


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: str
    rasa: Literal["ok", "down"]
    kb_version: Optional[str]
