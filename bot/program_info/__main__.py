"""`python -m bot.program_info render [--check]`: write the KB document of program knowledge from the rules.

`--check` writes nothing and exits 1 when policy_kb/generated/program_info.txt is stale; 2 on usage errors.
"""
from __future__ import annotations

import sys

from bot.eligibility.loader import RulesError


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "render" or any(a not in {"--check"} for a in argv[1:]):
        print("用法：python -m bot.program_info render [--check]", file=sys.stderr)
        return 2
    from bot.program_info import kb_doc

    try:
        if "--check" in argv:
            if kb_doc.is_current():
                print(f"{kb_doc.DOC_PATH} 与补贴规则一致。")
                return 0
            print(f"{kb_doc.DOC_PATH} 已过期：请运行 python -m bot.program_info render", file=sys.stderr)
            return 1
        written = kb_doc.write()
    except RulesError as exc:
        print(f"补贴规则文件有错误，未生成：\n{exc}", file=sys.stderr)
        return 1
    print(f"{'已生成' if written else '无变化'}：{kb_doc.DOC_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
