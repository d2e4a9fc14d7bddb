"""The blind sets, once reported, guard against regressions: each set's share may not fall below its floor.

The floors (tests/blind/floors.yml) are the shares measured when the set was first reported, less a small
margin for DIET's run-to-run noise; the figures themselves are in benchmarks/results/blind_*.json.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from harness import run

pytestmark = pytest.mark.stack
HERE = Path(__file__).parent
FLOORS = yaml.safe_load((HERE / "floors.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("set_name", sorted(FLOORS))
def test_blind_set_stays_above_its_floor(live_stack, set_name):
    result = run(HERE / set_name, live_stack.base_url, workers=2)
    low = {part: (result[part]["share"], floor) for part, floor in FLOORS[set_name].items()
           if part in result and result[part]["share"] < floor}
    failing = {part: [i["id"] for i in result[part]["items"] if not i["ok"]][:15] for part in low}
    assert not low, f"{set_name}: share below floor {low}; failing ids {failing}"
