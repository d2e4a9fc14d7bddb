"""Separate worker-thread pools: model work (embeddings, retrieval) and database work.

A flood of KB queries fills only the model pool's queue; WeChat's store calls, the assist call store and the
office lookups run on the database pool and keep their latency (WeChat must answer within 4.5 s). The
dialogue's actions keep the default executor. Sizes: MODEL_THREADS (2), DB_THREADS (8).
"""
from __future__ import annotations

import asyncio
import contextvars
import functools
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

T = TypeVar("T")

MODEL, DB = "model", "db"
_sizes = {MODEL: 2, DB: 8}
_pools: dict[str, ThreadPoolExecutor] = {}
_lock = threading.Lock()


def configure(model_threads: int, db_threads: int) -> None:
    """Sizes for pools not started yet (called once from create_app with the settings)."""
    _sizes[MODEL], _sizes[DB] = model_threads, db_threads


def pool(kind: str) -> ThreadPoolExecutor:
    with _lock:
        executor = _pools.get(kind)
        if executor is None:
            executor = _pools[kind] = ThreadPoolExecutor(_sizes[kind], thread_name_prefix=f"{kind}-pool")
        return executor


async def _run(kind: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    ctx = contextvars.copy_context()
    call = functools.partial(ctx.run, fn, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(pool(kind), call)


async def run_model(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await _run(MODEL, fn, *args, **kwargs)


async def run_db(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await _run(DB, fn, *args, **kwargs)
