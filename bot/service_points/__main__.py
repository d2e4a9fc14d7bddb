"""Service-point admin CLI.

    python -m bot.service_points ensure                 # seed/refresh generated records (idempotent)
    python -m bot.service_points import FILE.csv [--dry-run]
    python -m bot.service_points export [FILE.csv] [--type TYPE]
    python -m bot.service_points jieba-dict             # regenerate policy_kb/jieba/places.txt
    python -m bot.service_points build-gazetteer        # regenerate the gazetteer snapshot (needs jionlp, cpca)
DATABASE_URL selects the database (default var/service_points.db).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot import buildstamp
from bot.service_points.gazetteer import GAZETTEER_PATH, ROOT, load_gazetteer, surface_forms

JIEBA_DICT = ROOT / "policy_kb" / "jieba" / "places.txt"
SEED_INPUTS = [GAZETTEER_PATH, ROOT / "bot" / "service_points" / "store.py",
               ROOT / "bot" / "service_points" / "offices.py"]


def write_jieba_dict(path: Path = JIEBA_DICT) -> int:
    """jieba user-dict lines `name 100 ns` for every place name, alias and former name."""
    names = sorted({text for text, _, _ in surface_forms(load_gazetteer())})
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{n} 100 ns\n" for n in names)
    if not path.exists() or path.read_text(encoding="utf-8") != body:
        path.write_text(body, encoding="utf-8")
    return len(names)


def _ensure(store) -> int:
    from bot.settings import Settings

    settings = Settings.from_env()
    stamp_name = "service_points_seed"
    db_file = settings.var_dir / "service_points.db"
    outputs = [] if settings.database_url else [db_file]
    inputs = SEED_INPUTS + [f"url:{settings.sqlite_url('service_points')}"]
    if buildstamp.is_fresh(stamp_name, inputs, outputs) and store().is_seeded():
        print("service points: up to date")
        return 0
    s = store()  # get_store() seeds on first use
    buildstamp.mark(stamp_name, inputs)
    print(f"service points: {s.count(origin='seed')} generated records current, {s.count()} in total")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.service_points", description="service-point admin")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("ensure", help="seed or refresh the generated records")
    imp = sub.add_parser("import", help="import a CSV (UTF-8 or GB18030), all or nothing")
    imp.add_argument("file", type=Path)
    imp.add_argument("--dry-run", action="store_true", help="validate and show what would change")
    exp = sub.add_parser("export", help="write stored records as CSV")
    exp.add_argument("file", nargs="?", default="-")
    exp.add_argument("--type", default=None)
    sub.add_parser("jieba-dict", help="regenerate policy_kb/jieba/places.txt")
    sub.add_parser("build-gazetteer", help="regenerate the gazetteer snapshot from jionlp + cpca")
    args = ap.parse_args(argv)

    if args.cmd == "build-gazetteer":
        from bot.build.gazetteer import main as build_main
        return build_main([])
    if args.cmd == "jieba-dict":
        print(f"{write_jieba_dict()} names → {JIEBA_DICT.relative_to(ROOT)}")
        return 0

    from bot.service_points import get_store
    if args.cmd == "ensure":
        return _ensure(get_store)
    store = get_store()
    if args.cmd == "import":
        from bot.service_points.csv_io import import_csv
        if not args.file.exists():
            print(f"找不到文件：{args.file}", file=sys.stderr)
            return 2
        report = import_csv(args.file, store, dry_run=args.dry_run)
        print("\n".join(report.lines()), file=sys.stdout if report.ok else sys.stderr)
        return 0 if report.ok else 1
    if args.cmd == "export":
        from bot.service_points.csv_io import export_csv
        from bot.service_points.offices import OFFICE_TYPES
        if args.type and args.type not in OFFICE_TYPES:
            print(f"未知的类型：{args.type}", file=sys.stderr)
            return 2
        if args.file == "-":
            n = export_csv(store, sys.stdout, type=args.type)
        else:
            with open(args.file, "w", encoding="utf-8-sig", newline="") as fh:
                n = export_csv(store, fh, type=args.type)
        print(f"exported {n} records", file=sys.stderr)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
