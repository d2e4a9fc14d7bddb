"""Rasa's action webhook served inside the assistant service, on 127.0.0.1 only.

Running the rasa-sdk executor in this process shares the warmed KB, rules and stores with the API, instead
of loading the embedding model twice.
"""
from __future__ import annotations

import logging

from aiohttp import web
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionMissingDomainException, ActionNotFoundException

from bot.http import json_response

log = logging.getLogger("bot.action_webhook")
ACTION_FAILED = "抱歉，这一步暂时没能处理好。请稍后再试，或拨打12345政务服务便民热线咨询。"


def create_action_app(package: str = "actions") -> web.Application:
    executor = ActionExecutor()
    executor.register_package(package)

    async def health(_: web.Request) -> web.Response:
        return json_response({"status": "ok"})

    async def webhook(request: web.Request) -> web.Response:
        try:
            action_call = await request.json()
        except ValueError:
            return json_response({"error": "Invalid body request"}, status=400)
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as exc:
            return json_response({"error": exc.message, "action_name": exc.action_name}, status=400)
        except ActionNotFoundException as exc:
            log.error("unknown action %s", exc.action_name)
            return json_response({"error": exc.message, "action_name": exc.action_name}, status=404)
        except ActionMissingDomainException as exc:
            return json_response({"error": exc.message, "action_name": exc.action_name}, status=449)
        except Exception:
            # A failing action must not end the conversation in silence: say so politely, change nothing.
            log.exception("action %s failed", action_call.get("next_action"))
            return json_response({"events": [], "responses": [{"text": ACTION_FAILED}]})
        return json_response(result.model_dump() if result else None)

    async def actions(_: web.Request) -> web.Response:
        return json_response([{"name": name} for name in executor.actions.keys()])

    app = web.Application(client_max_size=8 * 1024 * 1024)
    app.router.add_get("/health", health)
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/actions", actions)
    return app
