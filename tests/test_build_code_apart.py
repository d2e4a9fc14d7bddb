"""Build-time code (bot/build/: model conversion, gazetteer, spaCy pipeline, domain generator, NLU evaluation)
stays out of the running service: importing the service, the launcher and every action loads none of it."""
from __future__ import annotations

import subprocess
import sys

from bot.settings import ROOT

PROBE = """
import sys
import bot.app, bot.launcher, bot.action_webhook
import actions.common, actions.eligibility, actions.policy, actions.program_info, actions.service_points, actions.understanding
bot.app.create_app
print(sorted(m for m in sys.modules if m == "bot.build" or m.startswith("bot.build.")))
"""


def test_the_service_and_the_actions_never_import_build_code():
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
