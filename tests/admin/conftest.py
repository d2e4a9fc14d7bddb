"""Admin fixtures: the real embedding model (once per session), a KB built from the plan, and per test a
copy of it under a scratch var/ with its own admin database and rules folder, behind real tokens."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.kb import build, store
from bot.settings import POLICY_KB

PUBLISHER = "pub-token-1"
EDITOR = "ed-token-1"
TOKENS = f"editor:wang:{EDITOR},publisher:li:pub-token-2"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def embedder():
    from bot.kb.embedding import Embedder, EmbeddingModelError

    emb = Embedder()
    try:
        emb.warm_up()
    except EmbeddingModelError as exc:
        pytest.fail(str(exc))
    return emb


@pytest.fixture(scope="session")
def base_kb(tmp_path_factory, embedder) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("kb-base")
    version = build.build_version(build.builtin_documents(), embedder, root)
    return root, version


@pytest.fixture
def var_dir(tmp_path, base_kb) -> Path:
    root, version = base_kb
    kb = tmp_path / "var" / "kb"
    kb.mkdir(parents=True)
    shutil.copytree(root / version, kb / version)
    store.set_pointer(kb, version)
    shutil.copytree(POLICY_KB / "rules", tmp_path / "rules")
    return tmp_path / "var"


@pytest.fixture
async def admin_app(var_dir, embedder):
    from bot.app import create_app
    from bot.kb.service import KnowledgeBase
    from bot.settings import Settings

    settings = Settings(var_dir=var_dir, admin_token=PUBLISHER, admin_tokens=TOKENS)
    app = create_app(settings, features=["bot.chat_routes", "bot.kb.routes", "bot.admin.routes"])
    app["kb"]["kb"] = KnowledgeBase(var_dir / "kb", embedder=embedder).warm_up()
    app["admin"].rules_dir = var_dir.parent / "rules"
    return app


@pytest.fixture
async def client(aiohttp_client, admin_app):
    c = await aiohttp_client(admin_app)
    c.admin_app = admin_app
    return c


# ---------------------------------------------------------------------------------------------- live stack
STACK_EDITOR = "stack-editor-token"
STACK_PUBLISHER = "stack-publisher-token"


@pytest.fixture(scope="session")
def admin_stack(live_stack_factory, tmp_path_factory):
    """The real stack (Rasa + service) on a scratch var/ holding a copy of the built KB, with admin tokens."""
    from bot.settings import VAR

    built = VAR / "kb"
    version = store.read_pointer(built)
    if not version:
        pytest.fail("没有已发布的知识库：先运行 make build（python -m bot.kb ensure）")
    var = tmp_path_factory.mktemp("admin-var")
    shutil.copytree(built / version, var / "kb" / version)
    store.set_pointer(var / "kb", version)
    return live_stack_factory({"VAR_DIR": str(var), "ADMIN_TOKEN": "",
                               "ADMIN_TOKENS": f"editor:wang:{STACK_EDITOR},publisher:li:{STACK_PUBLISHER}"})


@pytest.fixture
def artifacts() -> Path:
    from bot.settings import ROOT

    folder = ROOT / "test-artifacts" / "admin"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
