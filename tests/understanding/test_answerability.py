"""The learned second opinion on what no source answers (bot/understanding/answerability.py)."""
import datetime as dt
import json

import pytest

from bot.understanding import NOT_IN_SOURCES, PROGRAM_INFO, not_in_sources_answer, read_line
from bot.understanding import answerability

TODAY = dt.date(2026, 12, 1)


@pytest.fixture(scope="module")
def small_fit():
    lines = answerability.training_lines([answerability.BLIND / "round29", answerability.BLIND / "round30"])
    return lines, answerability.fit(lines)


def test_plain_scoring_equals_scikit_learn(small_fit):
    """The JSON model read without scikit-learn gives the probabilities scikit-learn gives."""
    lines, (vectorizer, classifier) = small_fit
    model = answerability.Answerability(answerability.train(lines))
    for line, _, _ in lines[::37]:
        expected = classifier.predict_proba(vectorizer.transform([answerability.masked(line)]))[0, 1]
        assert model.probability(line) == pytest.approx(expected, abs=1e-4), line


def test_program_names_are_masked_and_marked_after_the_line():
    childcare, care = answerability.masked("育兒補貼是打到哪張卡"), answerability.masked("护理补贴是打到哪张卡")
    assert childcare.split(" ")[0] == care.split(" ")[0] == answerability.PROGRAM_MARK + "是打到哪张卡"
    assert childcare != care        # which program was named is kept, as a mark of its own
    assert answerability.masked("育耳补贴要交个税不") == answerability.masked("育儿补贴要交个税不")
    assert answerability.PROGRAM_MARK in answerability.masked("技能提升补贴几天到账")


def test_training_lines_take_each_authors_label():
    lines = answerability.training_lines([answerability.BLIND / "round30"])
    labels = {label for _, label, _ in lines}
    assert labels == {0, 1}
    assert ("育儿补贴的钱是打到娃爸账户还是娃妈账户", 1, "round30") in lines


def test_a_detail_no_source_gives_is_an_honest_no_with_the_program_below():
    reading = read_line("育儿补贴的钱是打到娃爸账户还是娃妈账户", today=TODAY)
    assert reading.kind == NOT_IN_SOURCES
    assert reading.not_in_sources[0] == "unstated_detail"
    text = not_in_sources_answer(reading)["text"]
    honest, related = text.split("相关内容")
    assert "没有写明" in honest and "12345" in honest and "娃爸账户" in honest
    assert not any(ch.isdigit() for ch in honest.replace("12345", ""))   # no figure before the related part
    assert "3600" in related


@pytest.mark.parametrize("line", ["育儿补贴是啥", "护理补贴一个月多少钱", "残疾人两项补贴能一起领吗",
                                  "技能提升补贴去哪申请", "职业培训补贴哪些人能领", "育儿补贴领到娃几岁"])
def test_general_questions_the_sources_answer_stay_answered(line):
    reading = read_line(line, today=TODAY)
    assert reading.kind == PROGRAM_INFO and not reading.not_in_sources, line


def test_a_form_answer_is_never_second_guessed():
    reading = read_line("钱是打到娃爸账户还是娃妈账户", today=TODAY, asking="child_birth_date",
                        context_programs=["childcare_subsidy"])
    assert not reading.not_in_sources


def test_without_a_built_model_the_rules_alone_read_the_line(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(answerability, "MODEL_PATH", tmp_path / "missing.json")
    answerability.get_model.cache_clear()
    try:
        assert answerability.get_model() is None
        assert "make build" in caplog.text
        assert read_line("育儿补贴的钱是打到娃爸账户还是娃妈账户", today=TODAY).kind == PROGRAM_INFO
    finally:
        answerability.get_model.cache_clear()


def test_ensure_skips_when_inputs_are_unchanged():
    path = answerability.ensure(quiet=True)
    before = path.stat().st_mtime_ns
    answerability.ensure(quiet=True)
    assert path.stat().st_mtime_ns == before
    assert json.loads(path.read_text())["threshold"] == answerability.THRESHOLD
