"""Questions about the plan: extractive answers from the knowledge base, with 出处 and the full passage."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.common import entity_values, send, user_text
from bot.kb.service import get_knowledge_base

NOT_COVERED = ("抱歉，规划和政策资料中没有找到能回答这个问题的内容，我不想给您不准确的说法。"
               "建议您拨打12345政务服务便民热线咨询；我也可以帮您测算补贴或查找办事地点。")


def answer_message(result: dict[str, Any]) -> dict[str, Any] | None:
    """The chat form of a KB answer: short text, its 出处, a button to read the full passage."""
    if not result.get("answer"):
        return None
    citations = result.get("citations") or []
    passages = result.get("passages") or []
    sections = list(dict.fromkeys(c.get("section", "") for c in citations
                                  if c.get("section") and not c.get("superseded")))
    title = (passages[0].get("doc_title") if passages else None) or "山西省“十四五”高品质生活建设规划"
    label = result.get("source") or f"《{title.strip('《》')}》"  # 《title》（文号） from the KB
    source = result.get("source_label") or f"出处：{label}" + (f" {sections[0]}" if sections else "")  # curated
    buttons = []
    if passages and passages[0].get("chunk_id"):
        payload = "/show_passage" + json.dumps({"chunk_id": passages[0]["chunk_id"]}, ensure_ascii=False)
        buttons.append({"title": "查看原文", "payload": payload})
    answer = result["answer"]
    if result.get("note"):      # the KB says what its answer is not ("没有现在的实际数字"): said first
        answer = f"{result['note']}\n相关内容：{answer}"
    return {"text": f"{answer}\n{source}", "buttons": buttons, "citations": citations}


async def answer_question(question: str) -> dict[str, Any]:
    kb = get_knowledge_base()
    return await asyncio.to_thread(kb.answer, question)


NOT_UNDERSTOOD = ("抱歉，我没有完全理解您的意思，也没有在政策资料中找到答案。您可以换个说法，或拨打12345政务服务便民热线咨询。"
                  "我能帮您了解高品质生活规划、测算补贴、查找办事地点。")
HANDOFF_BUTTON = {"title": "转人工 / 拨打12345", "payload": "/human_handoff"}
# An answer this close to the KB's threshold is logged for the admins' unanswered list (bot/admin).
LOW_CONFIDENCE = 0.45


RELATED_EXCERPT = 120


def not_found_message(result: dict[str, Any]) -> dict[str, Any] | None:
    """The KB's own honest "not in the sources" (another region, or no text of the asked kind), with the
    nearest passage clearly labelled 相关内容 — never presented as the answer."""
    if not result.get("message") or not (result.get("scope") or result.get("related")):
        return None
    text = result["message"]
    buttons = [HANDOFF_BUTTON]
    related = result.get("related")
    if related:
        excerpt = related.get("text", "")
        excerpt = excerpt[:RELATED_EXCERPT] + ("…" if len(excerpt) > RELATED_EXCERPT else "")
        title = (related.get("doc_title") or "").strip("《》")
        text += f"\n\n相关内容（仅供参考，不是对您问题的回答）：《{title}》{related.get('section', '')}\n{excerpt}"
        if related.get("chunk_id"):
            payload = "/show_passage" + json.dumps({"chunk_id": related["chunk_id"]}, ensure_ascii=False)
            buttons = [{"title": "查看相关原文", "payload": payload}, HANDOFF_BUTTON]
    return {"text": text, "buttons": buttons}


async def reply_from_kb(dispatcher: CollectingDispatcher, question: str, min_len: int, otherwise: str,
                        reason: str | None = None) -> None:
    """The KB's cited answer, or an honest "not found" pointing to 12345 (marked `unanswered` for the admins'
    list: not_in_sources / fallback, or low_confidence on an answer close to the threshold)."""
    reason = reason or ("not_in_sources" if otherwise == NOT_COVERED else "fallback")
    result = await answer_question(question) if len(question) >= min_len else {}
    message = answer_message(result)
    if message is None:
        message = not_found_message(result)
        if message is None:
            send(dispatcher, otherwise, buttons=[HANDOFF_BUTTON], unanswered=reason)
            return
        message["unanswered"] = "not_in_sources"
    elif result.get("kind") != "curated" and result.get("confidence", 1.0) < LOW_CONFIDENCE:
        message["unanswered"] = "low_confidence"
    send(dispatcher, **message)


class ActionShowPassage(Action):
    def name(self) -> str:
        return "action_show_passage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[EventType]:
        ids = entity_values(tracker, "chunk_id")
        chunk = get_knowledge_base().get_chunk(ids[0]) if ids else None
        if not chunk:
            send(dispatcher, "抱歉，没有找到这段原文，知识库可能已经更新。请重新提问。")
            return []
        title = (chunk.get("doc_title") or "山西省“十四五”高品质生活建设规划").strip("《》")
        send(dispatcher, f"《{title}》{chunk.get('section', '')}\n\n{chunk.get('text', '')}",
             citations=[{"doc_id": chunk.get("doc_id", ""), "section": chunk.get("section", ""),
                         "quote": chunk.get("text", "")}])
        return []
