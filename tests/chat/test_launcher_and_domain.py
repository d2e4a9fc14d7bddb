import yaml

from bot import dialogue_domain
from bot.build import domain as domain_generator
from bot.launcher import lock_store_yaml, tracker_store_yaml


def test_domain_and_form_rules_match_the_rules_files():
    assert domain_generator.main(["--check"]) == 0


def test_every_program_has_a_form_with_its_facts():
    programs = dialogue_domain.program_facts()
    domain = yaml.safe_load(domain_generator.DOMAIN.read_text(encoding="utf-8"))
    for program, facts in programs.items():
        assert domain["forms"][f"{program}_form"]["required_slots"] == facts
        assert f"validate_{program}_form" in domain["actions"]
        for fact in facts:
            assert fact in domain["slots"] and f"action_ask_{fact}" in domain["actions"]
    assert set(programs["disability_both"]) == set(programs["disability_living_allowance"]) | set(
        programs["disability_care_allowance"])


def test_tracker_store_defaults_to_sqlite_under_var(tmp_path):
    cfg = yaml.safe_load(tracker_store_yaml("", tmp_path))["tracker_store"]
    assert cfg == {"type": "SQL", "dialect": "sqlite", "db": str(tmp_path / "tracker.db")}


def test_tracker_store_follows_a_postgres_database_url(tmp_path):
    cfg = yaml.safe_load(tracker_store_yaml("postgresql://bot:p%40ss@db.local:5433/assistant", tmp_path))["tracker_store"]
    assert cfg["dialect"] == "postgresql" and cfg["url"] == "db.local" and cfg["port"] == 5433
    assert cfg["db"] == "assistant" and cfg["username"] == "bot" and cfg["password"] == "p@ss"


def test_redis_lock_store_only_when_configured():
    assert lock_store_yaml("") == ""
    cfg = yaml.safe_load(lock_store_yaml("redis://:secret@127.0.0.1:6380/2"))["lock_store"]
    assert cfg == {"type": "redis", "url": "127.0.0.1", "port": 6380, "db": 2, "password": "secret"}
