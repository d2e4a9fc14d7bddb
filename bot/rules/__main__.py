"""`python -m bot.rules check [PATH...]`: reject a bad rules file with its line and reason.

Without paths it checks every file in policy_kb/rules/ and that shared facts agree across files.
Exit status 0 when all pass, 1 when any file fails, 2 on usage errors.
"""
from __future__ import annotations

import sys
from pathlib import Path

from bot.eligibility.loader import RulesError, check_consistency, load_program, rule_files
from bot.settings import POLICY_KB


def check(paths: list[Path]) -> int:
    failed = 0
    programs = []
    for path in paths:
        try:
            programs.append(load_program(path))
        except RulesError as exc:
            failed += 1
            for problem in exc.problems:
                print(f"错误 {problem}")
            continue
        print(f"通过 {path}")
    ids: dict[str, Path] = {}
    for prog in programs:
        if prog.id in ids:
            failed += 1
            print(f"错误 {prog.path}:1: 项目 id {prog.id!r} 与 {ids[prog.id]} 重复")
        ids[prog.id] = prog.path
    for problem in check_consistency(programs):
        failed += 1
        print(f"错误 {problem}")
    print(f"共检查 {len(paths)} 个文件，{failed} 处失败。" if failed else f"共检查 {len(paths)} 个文件，全部通过。")
    return 1 if failed else 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print("用法：python -m bot.rules check [PATH...]", file=sys.stderr)
        return 2
    targets = [Path(a) for a in argv[1:]]
    paths: list[Path] = []
    for t in targets or [POLICY_KB / "rules"]:
        paths.extend(rule_files(t) if t.is_dir() else [t])
    if not paths:
        print("没有找到规则文件。", file=sys.stderr)
        return 2
    return check(paths)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
