"""Load, fault and soak runs with locust (as a library) against the real stack on loopback. Not a test: each
run is bounded, stops by itself, prints a table and saves benchmarks/results/load_<scenario>.json.

    .venv/bin/python benchmarks/load.py closed [--rounds 3] [--workers 1] [--postgres] [--history 40] [--prefill 10000]
    .venv/bin/python benchmarks/load.py open   [--users 150] [--think 10] [--minutes 5]          (PostgreSQL + Redis)
    .venv/bin/python benchmarks/load.py fault  --fault kill_worker|stop_actions|stop_postgres|restart_redis|publish_kb
    .venv/bin/python benchmarks/load.py soak   [--minutes 30] [--users 40] [--think 3]           (plot next to the JSON)

closed: 20 users × 5 turns, no pause, /api/chat and Rasa's bare REST webhook (the floor: same workers, same
sender → worker mapping) in alternating rounds on one stack; median and spread over the rounds, and the
ratio of /api/chat's throughput to the floor's within each pair of rounds.
"""
from __future__ import annotations

import loadlib  # noqa: F401  (first: gevent's monkey patching)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

from common import RESULTS, free_port, load_average, save, services_env, start, table  # noqa: E402
from loadlib import (TURNS, Log, audit_answers, post_json, recovery_s, reference_answers, rss_mb,  # noqa: E402
                     run_users, spread, stack_cpu, summarize, think, user_class)

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ["bash", str(ROOT / "scripts" / "services.sh")]


# --- stacks -------------------------------------------------------------------------------------------
class Bench:
    """A stack for one run: SQLite under a temp dir, or a throwaway PostgreSQL database + the project's Redis."""

    def __init__(self, workers: int, postgres: bool, action_proxy: bool = False, kb_copy: bool = False) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
        self.workers, self.postgres = workers, postgres
        self.db_url, self.redis_url, self.db_name = "", "", ""
        if postgres:
            env = services_env()
            self.admin_url, self.redis_url = env["DATABASE_URL"], env["REDIS_URL"]
            self.db_name = f"bench_{uuid.uuid4().hex[:8]}"
            self._psql(f"CREATE DATABASE {self.db_name}")
            self.db_url = self.admin_url.rsplit("/", 1)[0] + "/" + self.db_name
        self.proxy = None
        extra = {}
        if kb_copy:  # the publish fault writes a new KB version: into a copy, never the checkout's var/kb
            import shutil
            self.kb_root = self.tmp / "kb"
            shutil.copytree(ROOT / "var" / "kb", self.kb_root, symlinks=True)
            extra["KB_ROOT"] = str(self.kb_root)
        if action_proxy:  # Rasa → proxy → the action webhook, so the webhook can be "stopped" alone
            self.action_port, self.proxy_port = free_port(), free_port()
            self.start_proxy()
            extra = {"ACTION_PORT": str(self.action_port)}
        try:
            self.stack, self.base, first = start(self.tmp, database_url=self.db_url, redis_url=self.redis_url,
                                                 workers=workers, extra_env=extra,
                                                 action_port_for_rasa=self.proxy_port if action_proxy else None)
        except BaseException:
            self.stack = None
            self.close()
            raise
        port = int(first.rsplit(":", 1)[1])
        self.rasa_urls = [f"http://127.0.0.1:{port + i}" for i in range(workers)]

    def _psql(self, sql: str) -> None:
        from sqlalchemy import create_engine, text
        eng = create_engine(self.admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
        with eng.connect() as c:
            c.execute(text(sql))
        eng.dispose()

    def start_proxy(self) -> None:
        self.proxy = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "tcp_proxy.py"), str(self.proxy_port),
                                       str(self.action_port)], start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop_proxy(self) -> None:
        if self.proxy and self.proxy.poll() is None:
            os.killpg(self.proxy.pid, signal.SIGKILL)
            self.proxy.wait()

    def close(self) -> None:
        if self.stack is not None:
            self.stack.stop()
        self.stop_proxy()
        if self.db_name:
            try:
                self._psql(f"DROP DATABASE IF EXISTS {self.db_name} WITH (FORCE)")
            except Exception as exc:  # noqa: BLE001
                print(f"could not drop {self.db_name}: {exc}", file=sys.stderr)

    def prefill(self, turns: int) -> dict:
        """`turns` earlier turns of other senders in the tracker store: real events of real conversations,
        copied under new sender ids (as if 10,000 turns had been served before)."""
        t0 = time.time()
        senders = [f"seed-{uuid.uuid4().hex[:8]}" for _ in range(3)]
        for s in senders:
            for text in TURNS:
                post_json(f"{self.base}/api/chat", {"sender_id": s, "text": text})
        copies = turns // (len(TURNS) * len(senders)) + 1
        if self.postgres:
            from sqlalchemy import create_engine, text
            eng = create_engine(self.db_url.replace("postgresql://", "postgresql+psycopg://"))
            with eng.begin() as c:
                for i in range(copies):
                    c.execute(text("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                                   "SELECT sender_id || :suffix, type_name, timestamp, intent_name, action_name, data "
                                   "FROM events WHERE sender_id = ANY(:senders)"),
                              {"suffix": f"-copy{i}", "senders": [f"api:{s}" for s in senders]})
                n = c.execute(text("SELECT count(*) FROM events")).scalar()
            eng.dispose()
        else:
            con = sqlite3.connect(self.tmp / "tracker.db")
            marks = ",".join("?" * len(senders))
            for i in range(copies):
                con.execute(f"INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                            f"SELECT sender_id || ?, type_name, timestamp, intent_name, action_name, data FROM events "
                            f"WHERE sender_id IN ({marks})", [f"-copy{i}", *[f"api:{s}" for s in senders]])
            con.commit()
            n = con.execute("SELECT count(*) FROM events").fetchone()[0]
            con.close()
        return {"turns": copies * len(TURNS) * len(senders), "events_in_store": n, "seconds": round(time.time() - t0, 1)}


def prepare_history(b: Bench, kind: str, users: int, turns: int) -> list[str]:
    """`users` senders with `turns` earlier turns each, through the endpoint they will be measured on."""
    senders = [f"long-{kind}-{uuid.uuid4().hex[:8]}" for _ in range(users)]
    if turns <= 0:
        return []
    cls = user_class(kind=kind, base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=Log(), conversations=turns // len(TURNS),
                     senders=None)
    # Each history user replays TURNS turns//5 times on its own sender.
    pool = list(senders)

    def fixed(self):  # one sender per user for all its conversations
        if not hasattr(self, "_fixed"):
            self._fixed = pool.pop()
        return self._fixed

    cls._sender = fixed
    run_users(cls, users, max_s=1800)
    return senders


# --- scenarios -----------------------------------------------------------------------------------------
def closed(args) -> None:
    b = Bench(args.workers, args.postgres)
    out: dict = {"workers": args.workers, "store": "postgresql+redis" if args.postgres else "sqlite",
                 "users": args.users, "turns_per_user": len(TURNS), "history_turns": args.history}
    try:
        if args.prefill:
            out["prefill"] = b.prefill(args.prefill)
        # Warm both paths (first requests load lazy parts) and keep the warm-up out of the figures.
        run_users(user_class(kind="api", base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=Log()), 4, 120)
        run_users(user_class(kind="rasa", base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=Log()), 4, 120)
        long = {k: prepare_history(b, k, args.users, args.history) for k in ("api", "rasa")} if args.history else {}
        rounds = {"api": [], "rasa": []}
        for r in range(args.rounds):
            order = ("rasa", "api") if r % 2 == 0 else ("api", "rasa")
            for kind in order:
                log = Log()
                senders = list(long.get(kind, [])) or None
                cls = user_class(kind=kind, base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=log, senders=senders)
                cpu0, la0 = stack_cpu(b.stack), load_average()
                wall = run_users(cls, args.users, max_s=300)
                s = summarize(log.rows, wall)
                s["cpu_ms_per_message"] = round((stack_cpu(b.stack) - cpu0) * 1000 / max(1, s["ok"]), 1)
                s["load_average_before"] = la0
                rounds[kind].append(s)
                print(f"round {r + 1} {kind}: {s['messages_per_s']} msg/s, p95 {s['p95_ms']} ms, errors {s['errors']}",
                      flush=True)
        out["rounds"] = rounds
        out["summary"] = {k: {"messages_per_s": spread([x["messages_per_s"] for x in v]),
                              "p50_ms": spread([x["p50_ms"] for x in v]), "p95_ms": spread([x["p95_ms"] for x in v]),
                              "p99_ms": spread([x["p99_ms"] for x in v]), "errors": sum(x["errors"] for x in v),
                              "cpu_ms_per_message": spread([x["cpu_ms_per_message"] for x in v])}
                          for k, v in rounds.items()}
        out["ratio_api_to_floor_throughput"] = spread(
            [a["messages_per_s"] / f["messages_per_s"] for a, f in zip(rounds["api"], rounds["rasa"])])
        out["rss_mb"] = rss_mb(b.stack)
    finally:
        b.close()
    out["targets"] = {"messages_per_s": 20, "p95_ms": 1500, "errors": 0, "ratio_to_floor": 0.95}
    name = args.name or f"load_closed_w{args.workers}_{'pg' if args.postgres else 'sqlite'}" + \
        (f"_h{args.history}" if args.history else "") + (f"_prefill{args.prefill}" if args.prefill else "")
    path = save(name, out)
    rows = [[k, v["messages_per_s"]["median"], f"{v['messages_per_s']['min']}–{v['messages_per_s']['max']}",
             v["p50_ms"]["median"], v["p95_ms"]["median"], f"{v['p95_ms']['min']}–{v['p95_ms']['max']}",
             v["p99_ms"]["median"], v["errors"], v["cpu_ms_per_message"]["median"]] for k, v in out["summary"].items()]
    print(table(rows, ["endpoint", "msg/s median", "msg/s range", "p50 ms", "p95 ms median", "p95 range", "p99 ms",
                       "errors", "CPU ms/msg"]))
    print(f"/api/chat ÷ floor throughput: {out['ratio_api_to_floor_throughput']}")
    print(f"saved {path}")


def open_loop(args) -> None:
    b = Bench(args.workers, postgres=True)
    out: dict = {"workers": args.workers, "store": "postgresql+redis", "users": args.users, "think_mean_s": args.think,
                 "minutes": args.minutes}
    log = Log()
    try:
        run_users(user_class(kind="api", base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=Log()), 4, 120)
        cls = user_class(kind="api", base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=log, conversations=0,
                         between_turns=think(args.think), wait_time=lambda self: think(args.think)())
        cpu0 = stack_cpu(b.stack)
        wall = run_users(cls, args.users, max_s=args.minutes * 60)
        out["result"] = summarize(log.rows, wall)
        out["result"]["cpu_ms_per_message"] = round((stack_cpu(b.stack) - cpu0) * 1000 / max(1, out["result"]["ok"]), 1)
        out["rss_mb"] = rss_mb(b.stack)
    finally:
        b.close()
    out["targets"] = {"p95_ms": 1500, "errors": 0}
    path = save(args.name or f"load_open_{args.users}u_w{args.workers}", out)
    r = out["result"]
    print(table([[args.users, args.think, r["n"], r["messages_per_s"], r["p50_ms"], r["p95_ms"], r["p99_ms"], r["errors"],
                  r["cpu_ms_per_message"]]],
                ["residents", "think s", "n", "msg/s", "p50 ms", "p95 ms", "p99 ms", "errors", "CPU ms/msg"]))
    print(f"saved {path}")


FAULTS = ("kill_worker", "stop_actions", "stop_postgres", "restart_redis", "publish_kb")


def inject(b: Bench, fault: str) -> dict:
    """Do the fault; return what was done and when the system was put back (the fault's own end)."""
    t = time.time()
    if fault == "kill_worker":
        victim = "rasa-1" if b.workers > 1 else "rasa"
        os.killpg(b.stack.pid(victim), signal.SIGKILL)
        return {"done": f"SIGKILL to {victim}'s process group (not restarted during the run)", "restored_at": t}
    if fault == "stop_actions":
        b.stop_proxy()
        gevent.sleep(10)
        b.start_proxy()
        return {"done": "action webhook unreachable from Rasa for 10 s", "restored_at": time.time()}
    if fault == "stop_postgres":
        subprocess.run(SERVICES + ["pg-stop"], check=True)
        gevent.sleep(10)
        subprocess.run(SERVICES + ["pg-start"], check=True)
        return {"done": "PostgreSQL stopped (fast shutdown) for 10 s", "restored_at": time.time()}
    if fault == "restart_redis":
        subprocess.run(SERVICES + ["redis-restart"], check=True)
        return {"done": "Redis restarted (locks dropped)", "restored_at": time.time()}
    if fault == "publish_kb":
        proc = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "bot.kb", "--kb-root", str(b.kb_root),
                               "rebuild"], cwd=ROOT, capture_output=True, text=True, timeout=900)
        return {"done": "new KB version built and published under load", "returncode": proc.returncode,
                "output_tail": proc.stdout[-400:] + proc.stderr[-400:], "restored_at": time.time()}
    raise SystemExit(f"unknown fault {fault}")


def fault(args) -> None:
    pg = args.fault in ("kill_worker", "stop_postgres", "restart_redis") or args.postgres
    workers = args.workers if args.workers else (2 if pg else 1)
    b = Bench(workers, postgres=pg, action_proxy=args.fault == "stop_actions", kb_copy=args.fault == "publish_kb")
    out: dict = {"fault": args.fault, "workers": workers, "store": "postgresql+redis" if pg else "sqlite",
                 "users": args.users, "think_mean_s": args.think, "seconds": args.seconds, "fault_at_s": args.at}
    log = Log()
    try:
        ref = reference_answers(b.base)
        cls = user_class(kind="api", base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=log, conversations=0,
                         between_turns=think(args.think), wait_time=lambda self: think(args.think)())
        state: dict = {}

        def tick(elapsed: float) -> None:
            if elapsed >= args.at and "fault_at" not in state:
                state["fault_at"] = time.time()
                state["info"] = inject(b, args.fault)

        run_users(cls, args.users, max_s=args.seconds, on_tick=tick)
        fault_at = state.get("fault_at", time.time())
        out["injected"] = {k: v for k, v in state.get("info", {}).items() if k != "restored_at"}
        restored = state.get("info", {}).get("restored_at", fault_at)
        out["fault_duration_s"] = round(restored - fault_at, 1)
        out["before_fault"] = summarize([r for r in log.rows if r.t < fault_at], args.at)
        out["during_and_after"] = summarize([r for r in log.rows if r.t >= fault_at], args.seconds - args.at)
        out["audit"] = audit_answers(log.rows, ref, b.rasa_urls[0], token=b.stack.rasa_token)
        # Time to recover: from the fault (or the end of a timed outage) to the last failed request.
        out["recovery_s_after_fault"] = recovery_s(log.rows, fault_at, time.time(), ref)
        out["recovery_s_after_restore"] = max(0.0, round((out["recovery_s_after_fault"] or 0) - (restored - fault_at), 1))
        out["status_5xx"] = sum(1 for r in log.rows if r.status >= 500)
    finally:
        b.close()
    path = save(args.name or f"load_fault_{args.fault}", out)
    a = out["audit"]
    print(table([[args.fault, len(log.rows), a["answers_lost"], a["answers_duplicated"], a["answers_wrong"],
                  out["status_5xx"], a["stack_traces_shown"], out["fault_duration_s"], out["recovery_s_after_fault"],
                  out["recovery_s_after_restore"]]],
                ["fault", "requests", "lost", "duplicated", "wrong", "5xx", "traces shown", "outage s",
                 "recovered s after fault", "… after restore"]))
    print("residents saw:", json.dumps(a["residents_saw_instead_of_an_answer"], ensure_ascii=False))
    print(f"saved {path}")


def soak(args) -> None:
    b = Bench(args.workers, args.postgres)
    log = Log()
    samples: list[dict] = []
    try:
        run_users(user_class(kind="api", base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=Log()), 4, 120)
        cls = user_class(kind="api", base=b.base, rasa_urls=b.rasa_urls, rasa_token=b.stack.rasa_token, log=log, conversations=0,
                         between_turns=think(args.think), wait_time=lambda self: think(args.think)())
        state = {"next": 0.0}

        def tick(elapsed: float) -> None:
            if elapsed >= state["next"]:
                state["next"] = elapsed + args.sample_s
                window = [r.ms for r in log.rows if r.t >= time.time() - 60 and r.status == 200 and not r.error]
                from common import percentile
                rss = rss_mb(b.stack)
                samples.append({"t_s": round(elapsed, 1), "rss_mb": rss, "rss_total_mb": round(sum(rss.values()), 1),
                                "p95_ms_last_60s": round(percentile(window, 0.95), 1) if window else None,
                                "requests": len(log.rows), "errors": sum(1 for r in log.rows if r.error)})

        wall = run_users(cls, args.users, max_s=args.minutes * 60, on_tick=tick)
        result = summarize(log.rows, wall)
    finally:
        b.close()
    warm = [s for s in samples if s["t_s"] >= args.warmup_min * 60] or samples
    growth = (warm[-1]["rss_total_mb"] - warm[0]["rss_total_mb"]) / warm[0]["rss_total_mb"] if warm else None
    p95s = [s["p95_ms_last_60s"] for s in warm if s["p95_ms_last_60s"]]
    half = len(p95s) // 2
    out = {"workers": args.workers, "store": "postgresql+redis" if args.postgres else "sqlite", "users": args.users,
           "think_mean_s": args.think, "minutes": args.minutes, "warmup_minutes": args.warmup_min, "result": result,
           "rss_growth_after_warmup": round(growth, 4) if growth is not None else None,
           "p95_first_half_median_ms": round(sorted(p95s[:half])[len(p95s[:half]) // 2], 1) if half else None,
           "p95_second_half_median_ms": round(sorted(p95s[half:])[len(p95s[half:]) // 2], 1) if half else None,
           "samples": samples, "targets": {"rss_growth_after_warmup": 0.05, "p95": "flat"}}
    name = args.name or f"load_soak_{args.minutes}min"
    path = save(name, out)
    plot(samples, RESULTS / f"{name}.png", args)
    print(table([[args.minutes, result["n"], result["messages_per_s"], result["p95_ms"], result["errors"],
                  out["rss_growth_after_warmup"], out["p95_first_half_median_ms"], out["p95_second_half_median_ms"]]],
                ["minutes", "n", "msg/s", "p95 ms", "errors", "RSS growth", "p95 1st half", "p95 2nd half"]))
    print(f"saved {path} and {RESULTS / (name + '.png')}")


def plot(samples: list[dict], path: Path, args) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = [s["t_s"] / 60 for s in samples]
    fig, ax1 = plt.subplots(figsize=(9, 4.5))
    ax1.plot(t, [s["rss_total_mb"] for s in samples], color="tab:blue", label="RSS, all processes (MB)")
    ax1.set_xlabel("minutes")
    ax1.set_ylabel("RSS MB", color="tab:blue")
    ax2 = ax1.twinx()
    ax2.plot(t, [s["p95_ms_last_60s"] for s in samples], color="tab:red", label="p95 of the last 60 s (ms)")
    ax2.set_ylabel("p95 ms", color="tab:red")
    ax1.axvline(args.warmup_min, color="grey", linestyle=":")
    ax1.set_title(f"Soak: {args.users} residents, think {args.think} s, {args.workers} Rasa worker(s)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def _interrupt(signum, frame):  # noqa: ARG001
    raise KeyboardInterrupt  # `timeout` and Ctrl-C alike: the finally blocks stop the stack and drop the database


def main() -> None:
    signal.signal(signal.SIGTERM, _interrupt)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("scenario", choices=["closed", "open", "fault", "soak"])
    p.add_argument("--workers", type=int, default=0, help="Rasa workers (default: 1; 2 for PostgreSQL runs)")
    p.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis (scripts/services.sh)")
    p.add_argument("--users", type=int, default=None)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--history", type=int, default=0, help="earlier turns per sender before measuring")
    p.add_argument("--prefill", type=int, default=0, help="other senders' turns put in the tracker store first")
    p.add_argument("--think", type=float, default=None)
    p.add_argument("--minutes", type=float, default=None)
    p.add_argument("--fault", choices=FAULTS)
    p.add_argument("--seconds", type=float, default=90, help="fault run length")
    p.add_argument("--at", type=float, default=30, help="fault injected at this second")
    p.add_argument("--sample-s", type=float, default=10)
    p.add_argument("--warmup-min", type=float, default=5)
    p.add_argument("--name", default="")
    args = p.parse_args()
    if args.scenario == "closed":
        args.workers = args.workers or 1
        args.users = args.users or 20
        closed(args)
    elif args.scenario == "open":
        args.workers = args.workers or 2
        args.users, args.think, args.minutes = args.users or 150, args.think or 10, args.minutes or 5
        open_loop(args)
    elif args.scenario == "fault":
        if not args.fault:
            p.error("--fault is required")
        args.users, args.think = args.users or 20, args.think if args.think is not None else 1.0
        fault(args)
    else:
        args.workers = args.workers or (2 if args.postgres else 1)
        args.users, args.think, args.minutes = args.users or 40, args.think or 3, args.minutes or 30
        soak(args)


if __name__ == "__main__":
    main()
