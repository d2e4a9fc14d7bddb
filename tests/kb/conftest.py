"""KB fixtures: the real embedding model is loaded once per session, and one KB is built from the plan."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.kb import build, store
from bot.kb.parser import parse_text

GOLDEN_PATH = Path(__file__).with_name("golden.yml")


@pytest.fixture(scope="session")
def golden() -> dict:
    return yaml.safe_load(GOLDEN_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def plan_spec() -> build.DocSpec:
    return build.builtin_documents()[0]


@pytest.fixture(scope="session")
def plan_raw(plan_spec) -> str:
    return plan_spec.read()


@pytest.fixture(scope="session")
def plan(plan_raw, plan_spec):
    return parse_text(plan_raw, plan_spec.doc_id)


@pytest.fixture(scope="session")
def embedder():
    from bot.kb.embedding import Embedder, EmbeddingModelError

    emb = Embedder()
    try:
        emb.warm_up()
    except EmbeddingModelError as exc:  # the model is a build product: say how to make it
        pytest.fail(str(exc))
    return emb


@pytest.fixture(scope="session")
def kb_root_session(tmp_path_factory, embedder) -> Path:
    root = tmp_path_factory.mktemp("kb")
    version = build.build_version(build.builtin_documents(), embedder, root)
    store.set_pointer(root, version)
    return root


@pytest.fixture(scope="session")
def kb(kb_root_session, embedder):
    from bot.kb.service import KnowledgeBase

    return KnowledgeBase(kb_root_session, embedder=embedder).warm_up()


@pytest.fixture
def kb_root(kb_root_session, tmp_path) -> Path:
    """A private copy of the built KB for tests that publish, remove or break versions."""
    root = tmp_path / "kb"
    shutil.copytree(kb_root_session, root, symlinks=True)
    return root


@pytest.fixture(scope="session")
def golden_answers(kb, golden) -> list[tuple[dict, dict]]:
    """(question, kb.answer(...)) for every golden question, computed once."""
    return [(q, kb.answer(q["q"])) for q in golden["questions"]]
