"""`python -m bot`: the assistant service on $HOST:$PORT plus the action webhook on 127.0.0.1:5055."""
from __future__ import annotations

import asyncio
import logging
import os
import signal

from aiohttp import web

from bot import logging_setup
from bot.action_webhook import create_action_app
from bot.app import create_app
from bot.settings import Settings

log = logging.getLogger("bot")


async def serve(settings: Settings) -> None:
    app = create_app(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    action_runner = web.AppRunner(create_action_app(), access_log=None)
    await action_runner.setup()
    await web.TCPSite(action_runner, settings.action_host, settings.action_port).start()
    await web.TCPSite(runner, settings.host, settings.port).start()
    shown = "localhost" if settings.host in ("0.0.0.0", "") else settings.host
    log.info("assistant service ready", extra={"url": f"http://{shown}:{settings.port}/",
                                              "actions": f"http://{settings.action_host}:{settings.action_port}/webhook"})
    print(f"山西民生政策助手已启动：http://{shown}:{settings.port}/", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("shutting down")
    await runner.cleanup()
    await action_runner.cleanup()


def main() -> None:
    os.umask(0o077)                  # every file the service creates under var/ is this user's only
    settings = Settings.from_env()   # a bad value stops here: SettingsError names the variable and the fix
    logging_setup.configure(settings.log_level)
    try:  # uvloop (already installed with rasa-sdk's server stack) trims the event loop's per-request cost
        import uvloop
        loop_factory = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(serve(settings))


if __name__ == "__main__":
    main()
