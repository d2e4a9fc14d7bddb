"""Content-hash stamps so build steps skip work whose inputs have not changed.

    python -m bot.buildstamp check NAME PATH...   # exit 0 when fresh, 1 when stale
    python -m bot.buildstamp mark NAME PATH...
Stamps live in var/stamps/NAME.sha256. Pure standard library: both venvs import it.
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parent.parent
STAMPS = ROOT / "var" / "stamps"
_SKIP_DIRS = {"__pycache__", ".pytest_cache"}


def _iter_files(paths: Iterable[str | os.PathLike]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        path = Path(p)
        if not path.is_absolute():
            path = ROOT / path
        if path.is_dir():
            for sub in sorted(path.rglob("*")):
                if sub.is_file() and not (set(sub.parts) & _SKIP_DIRS):
                    files.append(sub)
        elif path.exists():
            files.append(path)
        else:
            files.append(path)  # a missing input still changes the hash
    return files


def digest(paths: Iterable[str | os.PathLike]) -> str:
    h = hashlib.sha256()
    for f in _iter_files(paths):
        try:
            rel = f.relative_to(ROOT)
        except ValueError:
            rel = f
        h.update(str(rel).encode())
        h.update(b"\0")
        if f.exists():
            h.update(hashlib.sha256(f.read_bytes()).digest())
        else:
            h.update(b"<missing>")
    return h.hexdigest()


def is_fresh(name: str, paths: Iterable[str | os.PathLike], outputs: Iterable[str | os.PathLike] = ()) -> bool:
    stamp = STAMPS / f"{name}.sha256"
    if not stamp.exists():
        return False
    for out in outputs:
        o = Path(out)
        if not (o if o.is_absolute() else ROOT / o).exists():
            return False
    return stamp.read_text().strip() == digest(paths)


def mark(name: str, paths: Iterable[str | os.PathLike]) -> None:
    STAMPS.mkdir(parents=True, exist_ok=True)
    tmp = STAMPS / f".{name}.tmp"
    tmp.write_text(digest(paths) + "\n")
    os.replace(tmp, STAMPS / f"{name}.sha256")


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[0] not in {"check", "mark", "digest"}:
        print("usage: python -m bot.buildstamp check|mark|digest NAME PATH...", file=sys.stderr)
        return 2
    cmd, name, paths = argv[0], argv[1], argv[2:]
    if cmd == "digest":
        print(digest(paths))
        return 0
    if cmd == "check":
        return 0 if is_fresh(name, paths) else 1
    mark(name, paths)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
