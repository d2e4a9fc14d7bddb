"""Every third-party module our code imports is in a lock file.

Why: `pip install -r` into an existing venv never removes what was installed by hand, so a developer's venv
can import a package that a clean clone (CI) does not get. This reads the imports of every .py file and checks
that the distribution providing each one is pinned in the lock file of the venv that runs that file.
"""
from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWN = {"bot", "actions", "tests", "benchmarks", "scripts", "conftest"}
CODE_DIRS = ("bot", "actions", "tests", "benchmarks", "scripts")
APP_LOCKS = ("runtime.txt", "build.txt", "dev.txt")
# Files run by Rasa's venv (Python 3.10): they are checked against rasa.txt instead.
RASA_MARKERS = ("rasa", "spacy")


def _pinned(lock_names: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for lock in lock_names:
        for line in (ROOT / "requirements" / lock).read_text(encoding="utf-8").splitlines():
            m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", line)
            if m:
                names.add(_norm(m.group(1)))
    return names


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    tops: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            tops.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            tops.add(node.module.split(".")[0])
    return tops


def _files() -> list[Path]:
    out: list[Path] = []
    for d in CODE_DIRS:
        out.extend(p for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)
    return sorted(out)


def test_every_app_import_is_locked():
    app_pins = _pinned(APP_LOCKS)
    rasa_pins = _pinned(("rasa.txt",))
    dists = packages_distributions()
    # Helper modules our tests and benchmarks import by bare name (their folder is on sys.path).
    local = {p.stem for p in _files()} | {p.parent.name for p in _files() if p.name == "__init__.py"}
    missing: list[str] = []
    for path in _files():
        tops = _imports(path) - OWN - local - set(sys.stdlib_module_names)
        runs_in_rasa = bool(tops & set(RASA_MARKERS))
        pins = rasa_pins if runs_in_rasa else app_pins
        for top in sorted(tops):
            providers = [_norm(d) for d in dists.get(top, [])]
            if not providers:
                if runs_in_rasa:
                    continue  # a Rasa-venv module this venv does not have; rasa.txt is checked by its own install
                missing.append(f"{path.relative_to(ROOT)}: {top} (not installed in this venv)")
                continue
            if not any(p in pins for p in providers):
                lock = "rasa.txt" if runs_in_rasa else "runtime/build/dev.txt"
                missing.append(f"{path.relative_to(ROOT)}: {top} ← {providers} not in {lock}")
    assert not missing, (
        "These imports are not pinned in a lock file; add them to requirements/*.in and run `make lock`:\n"
        + "\n".join(missing)
    )
