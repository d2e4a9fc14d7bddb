"""Parse WeChat push XML into a flat, validated Inbound; render passive text replies.

xmltodict (expat) with entities disabled: DTD/entity tricks are rejected as malformed XML.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

import xmltodict

MAX_FIELD_CHARS = 4096
# Characters XML 1.0 cannot carry even inside CDATA.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class MalformedXml(ValueError):
    """Body is not well-formed WeChat push XML."""


@dataclass
class Inbound:
    """One pushed message or event, reduced to what the channel needs."""
    openid: str            # FromUserName
    account: str           # ToUserName (our gh_ id)
    create_time: str
    msg_type: str          # text, voice, location, event, image, ...
    msg_id: str | None = None
    event: str | None = None
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages; FromUserName + CreateTime for events (WeChat's own advice)."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.openid}:{self.create_time}:{(self.event or self.msg_type).lower()}"


def parse_xml_fields(body: bytes | str) -> dict[str, str]:
    """The children of the root <xml> element as strings; raises MalformedXml."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedXml("not UTF-8") from exc
    if not body.strip():
        raise MalformedXml("empty body")
    try:
        doc: Any = xmltodict.parse(body, disable_entities=True)
    except (ExpatError, ValueError) as exc:
        raise MalformedXml(str(exc)) from exc
    root = doc.get("xml") if isinstance(doc, dict) else None
    if not isinstance(root, dict):
        raise MalformedXml("root element must be <xml> with children")
    fields: dict[str, str] = {}
    for name, value in root.items():
        if name.startswith("@") or name.startswith("#"):
            continue
        if value is None:
            value = ""
        if isinstance(value, list):  # repeated tag: keep the first scalar
            value = value[0] if value and isinstance(value[0], str) else ""
        if isinstance(value, dict):  # nested structure (e.g. ScanCodeInfo): not needed
            continue
        fields[name] = value[:MAX_FIELD_CHARS]
    return fields


def parse_inbound(body: bytes | str) -> Inbound:
    fields = parse_xml_fields(body)
    missing = [n for n in ("ToUserName", "FromUserName", "CreateTime", "MsgType") if not fields.get(n, "").strip()]
    if missing:
        raise MalformedXml("missing " + ", ".join(missing))
    if not fields["CreateTime"].strip().isdigit():
        raise MalformedXml("CreateTime is not a number")
    msg_type = fields["MsgType"].strip().lower()
    event = fields.get("Event", "").strip().lower() or None
    if msg_type == "event" and not event:
        raise MalformedXml("event without Event")
    return Inbound(openid=fields["FromUserName"].strip(), account=fields["ToUserName"].strip(),
                   create_time=fields["CreateTime"].strip(), msg_type=msg_type,
                   msg_id=(fields.get("MsgId") or "").strip() or None, event=event, fields=fields)


def _cdata(text: str) -> str:
    text = _XML_INVALID.sub("", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_text_reply(to_user: str, from_account: str, content: str, now: int | None = None) -> str:
    """A passive text reply (ToUserName = the resident, FromUserName = our account)."""
    created = int(time.time()) if now is None else now
    return ("<xml>"
            f"<ToUserName>{_cdata(to_user)}</ToUserName>"
            f"<FromUserName>{_cdata(from_account)}</FromUserName>"
            f"<CreateTime>{created}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(content)}</Content>"
            "</xml>")
