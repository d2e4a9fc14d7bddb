"""When a part behind Rasa fails (here: the action webhook cannot be reached), Rasa answers the turn with no
message. The resident is told the question cannot be handled just now, not "I did not understand you", and
the turn is logged as unanswered with its own reason. Real Rasa, real service; only the webhook's port is
wrong in Rasa's endpoints."""
from __future__ import annotations

import json
import urllib.request

import pytest

from bot.chat import NO_REPLY_MESSAGE
from tests.conftest import free_port, launch

pytestmark = pytest.mark.stack


EDITOR = "no-reply-editor-token"


@pytest.fixture(scope="module")
def stack_without_webhook(tmp_path_factory):
    live = launch(tmp_path_factory.mktemp("no-webhook"), {"ADMIN_TOKEN": "", "ADMIN_TOKENS": f"editor:wang:{EDITOR}"},
                  rasa_action_port=free_port())
    yield live
    live.stack.stop()


def test_an_empty_answer_from_rasa_says_it_could_not_be_handled(stack_without_webhook, live_stack):
    question = "残疾人两项补贴是什么"
    texts = [m.get("text", "") for m in stack_without_webhook.chat(question, sender_id="no-webhook-1")]
    assert texts == [NO_REPLY_MESSAGE]
    assert "没有理解" not in NO_REPLY_MESSAGE and "暂时无法处理" in NO_REPLY_MESSAGE
    # The same question on a stack whose webhook is reachable gets a real answer, so the reply above comes
    # from the missing webhook, not from the question.
    working = [m.get("text", "") for m in live_stack.chat(question, sender_id="no-webhook-2")]
    assert working and NO_REPLY_MESSAGE not in working


def test_the_empty_turn_is_logged_as_unanswered_with_its_own_reason(stack_without_webhook):
    stack_without_webhook.chat("护理补贴怎么申请", sender_id="no-webhook-3")
    req = urllib.request.Request(f"{stack_without_webhook.base_url}/api/admin/unanswered",
                                 headers={"Authorization": f"Bearer {EDITOR}"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        data = json.loads(resp.read())
    examples = [e for t in data["topics"] for e in t["examples"]]
    entry = next(e for e in examples if "护理补贴怎么申请" in e["question"])
    assert entry["reason"] == "no_reply"
