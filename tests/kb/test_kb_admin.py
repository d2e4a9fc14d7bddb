"""The admin API (bot/kb/admin.py) end to end: a notice with a figure takes effect, and goes away again."""
from __future__ import annotations

import pytest

from bot.kb import admin, store
from bot.kb.service import KnowledgeBase

NOTICE_NUMBER = "晋民发〔2026〕8号"
# A made-up notice for the test (not a real policy): a new amount that the plan itself does not state.
NOTICE = """山西省民政厅 山西省残疾人联合会关于调整困难残疾人生活补贴和重度残疾人护理补贴标准的通知

晋民发〔2026〕8号

各市民政局、残联：

为进一步保障残疾人基本生活，现就调整两项补贴标准通知如下。

一、补贴标准

自2026年1月1日起，困难残疾人生活补贴标准调整为每人每月137元。重度残疾人护理补贴标准调整为每人每月119元。

二、资金保障

所需资金由省、市、县财政按现行比例分担。

山西省民政厅  山西省残疾人联合会

2026年1月10日
"""
META = {"title": "关于调整困难残疾人生活补贴和重度残疾人护理补贴标准的通知", "doc_number": NOTICE_NUMBER,
        "issuer": "山西省民政厅、山西省残疾人联合会", "date": "2026-01-10", "effective_date": "2026-01-01"}
LIVING = "困难残疾人生活补贴现在每月发多少钱"
CARE = "重度残疾人护理补贴一个月多少元"


def state(root) -> tuple:
    return store.read_pointer(root), store.read_pointer(root, "CANDIDATE"), tuple(store.list_versions(root))


@pytest.mark.parametrize("meta,field", [
    ({}, "title"),
    ({**META, "doc_number": ""}, "doc_number"),
    ({**META, "effective_date": None}, "effective_date"),
    ({**META, "date": "去年"}, "date"),
    ({**META, "doc_number": "8号文"}, "doc_number"),
])
def test_metadata_is_required_and_checked(kb_root, embedder, meta, field):
    before = state(kb_root)
    with pytest.raises(admin.MetadataError) as err:
        admin.add_document(NOTICE.encode("utf-8"), meta, filename="notice.txt", root=kb_root, embedder=embedder)
    assert err.value.field == field and str(err.value)
    assert state(kb_root) == before


def test_a_bad_file_is_refused_before_the_metadata(kb_root, embedder):
    with pytest.raises(admin.DocumentError, match="二进制"):
        admin.add_document(b"PK\x03\x04" + b"\x00" * 64, {}, filename="a.txt", root=kb_root, embedder=embedder)


def test_notice_with_a_figure_answers_then_goes_away(kb_root, embedder):
    serving = KnowledgeBase(kb_root, embedder=embedder).warm_up()
    plan_version = serving.version
    assert "137" not in (serving.answer(LIVING)["answer"] or "")

    res = admin.add_document(NOTICE.encode("gb18030"), META, filename="notice.txt", root=kb_root, embedder=embedder,
                             questions=[LIVING])
    assert serving.version == plan_version  # nothing serves before publish
    change = next(c for c in res["impact"]["changed"] if c["question"] == LIVING)
    assert "137元" in change["after"]["answer"] and "137" not in (change["before"]["answer"] or "")
    assert res["impact"]["added_documents"] == [res["doc_id"]]

    admin.publish(res["version"], root=kb_root)
    for q, figure in ((LIVING, "137元"), (CARE, "119元")):
        ans = serving.answer(q)
        assert figure in ans["answer"], (q, ans)
        assert ans["citations"][0]["doc_id"] == res["doc_id"]
        assert ans["citations"][0]["doc_number"] == NOTICE_NUMBER and NOTICE_NUMBER in ans["source"]
        assert figure in ans["citations"][0]["quote"]
    docs = {d["doc_id"]: d for d in admin.documents(root=kb_root)}
    assert docs[res["doc_id"]]["doc_number"] == NOTICE_NUMBER and docs[res["doc_id"]]["effective_date"] == "2026-01-01"

    removed = admin.remove_document(res["doc_id"], root=kb_root, embedder=embedder, questions=[LIVING])
    assert any(c["question"] == LIVING and "137" in c["before"]["answer"] for c in removed["impact"]["changed"])
    admin.publish(root=kb_root)
    for q in (LIVING, CARE):
        ans = serving.answer(q)
        assert "137" not in (ans["answer"] or "") and "119" not in (ans["answer"] or "")
        assert all(c["doc_id"] != res["doc_id"] for c in ans["citations"])

    admin.rollback(res["version"], root=kb_root)  # an earlier version serves again, notice included
    assert "137元" in serving.answer(LIVING)["answer"]
    versions = admin.list_versions(kb_root)
    assert [v["version"] for v in versions if v["current"]] == [res["version"]]


def test_duplicate_doc_number_and_unknown_versions_are_refused(kb_root, embedder):
    plan = admin.documents(root=kb_root)[0]
    with pytest.raises(admin.MetadataError) as err:
        admin.add_document(NOTICE, {**META, "doc_number": plan["doc_number"]}, root=kb_root, embedder=embedder)
    assert err.value.field == "doc_number"
    with pytest.raises(admin.DocumentError):
        admin.rollback("v-nonexistent", root=kb_root)
    with pytest.raises(admin.DocumentError):
        admin.publish(root=kb_root)  # no candidate
    with pytest.raises(admin.DocumentError):
        admin.remove_document(plan["doc_id"], root=kb_root, embedder=embedder)  # built-in


TARGET_NOTICE = """山西省卫生健康委员会关于调整婴幼儿托位建设目标的通知

晋卫发〔2026〕3号

各市卫生健康委：

一、目标调整

到2025年，全省每千人口拥有3岁以下婴幼儿托位数达到5.5个。

山西省卫生健康委员会

2026年2月1日
"""
TARGET_META = {"title": "关于调整婴幼儿托位建设目标的通知", "doc_number": "晋卫发〔2026〕3号",
               "issuer": "山西省卫生健康委员会", "date": "2026-02-01", "effective_date": "2026-02-01"}


def test_newer_document_in_effect_answers_and_the_older_is_cited_as_superseded(kb_root, embedder):
    res = admin.add_document(TARGET_NOTICE, TARGET_META, root=kb_root, embedder=embedder)
    admin.publish(res["version"], root=kb_root)
    kb = KnowledgeBase(kb_root, embedder=embedder).warm_up()
    kb._today = "2026-03-01"
    ans = kb.answer("托位数到2025年要达到多少")
    assert "5.5个" in ans["answer"] and "4.5" not in ans["answer"]
    assert ans["citations"][0]["doc_number"] == "晋卫发〔2026〕3号"
    old = [c for c in ans["citations"] if c.get("superseded")]
    assert old and old[0]["doc_id"] == "shanxi-14th-fyp-high-quality-life" and "4.5" in old[0]["quote"]
    assert "晋卫发〔2026〕3号" in ans["source"] and "晋政发" not in ans["source"]

    kb._today = "2026-01-15"  # before the notice takes effect, the plan still answers
    ans = kb.answer("托位数到2025年要达到多少")
    assert "4.5个" in ans["answer"] and all(c["doc_id"] != res["doc_id"] for c in ans["citations"])
