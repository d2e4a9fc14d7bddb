"""Program → office types live only in the rules files: service points and answers read them there."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

import bot.service_points.offices as offices
from bot.program_info import program_answer
from bot.service_points import office_types_for_program
from bot.settings import POLICY_KB, ROOT

RULES = POLICY_KB / "rules"
PROGRAMS = sorted(p.stem for p in RULES.glob("*.yaml"))


@pytest.mark.parametrize("program", PROGRAMS)
def test_office_types_equal_the_rules_file(program):
    declared = yaml.safe_load((RULES / f"{program}.yaml").read_text(encoding="utf-8"))["office_types"]
    assert office_types_for_program(program) == declared
    assert program_answer([program], ["where"])["office_types"] == declared


def test_no_second_program_table_in_service_points():
    source = (ROOT / "bot" / "service_points" / "offices.py").read_text(encoding="utf-8")
    assert "PROGRAM_OFFICE_TYPES" not in source
    for program in PROGRAMS:
        assert program not in source


def test_editing_the_rules_file_changes_the_offices(tmp_path, monkeypatch):
    """The mapping follows the file (no copy kept elsewhere); a broken file keeps the last good value."""
    shutil.copy(RULES / "skills_upgrade_subsidy.yaml", tmp_path / "skills_upgrade_subsidy.yaml")
    monkeypatch.setattr(offices, "RULES_DIR", tmp_path)
    monkeypatch.setattr(offices, "_rules_cache", {})
    path = tmp_path / "skills_upgrade_subsidy.yaml"
    assert offices.office_types_for_program("skills_upgrade_subsidy") == ["hrss"]
    path.write_text(path.read_text(encoding="utf-8").replace("office_types: [hrss]",
                                                             "office_types: [hrss, training]"), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert offices.office_types_for_program("skills_upgrade_subsidy") == ["hrss", "training"]
    path.write_text("office_types: [hrss\n", encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
    assert offices.office_types_for_program("skills_upgrade_subsidy") == ["hrss", "training"]
    assert offices.office_types_for_program("../../etc/passwd") == []
