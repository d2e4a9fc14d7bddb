"""Request limits: per-IP and per-resident rate limits (429), concurrency caps per endpoint group (503),
and a throttle on failed token logins. Counters live in this process (one service process per machine
today; with several, each enforces its own share).
"""
from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from typing import Awaitable, Callable, Optional

from aiohttp import web

from bot.errors import ApiError

MAX_KEYS = 100_000
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def rate_limited(retry_after: float) -> ApiError:
    seconds = max(1, math.ceil(retry_after))
    return ApiError(429, "rate_limited", f"您的请求过于频繁，请约 {seconds} 秒后再试。如有急事，请拨打12345政务服务便民热线。",
                    headers={"Retry-After": str(seconds)})


class RateLimiter:
    """Token bucket per key: `per_min` requests a minute, bursts up to `per_min`; 0 turns it off."""

    def __init__(self, per_min: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_min = per_min
        self.rate = per_min / 60.0
        self.clock = clock
        self._buckets: "OrderedDict[str, tuple[float, float]]" = OrderedDict()

    def hit(self, key: str, cost: float = 1.0) -> float:
        """0 when allowed, else the seconds until it would be."""
        if self.per_min <= 0:
            return 0.0
        now = self.clock()
        tokens, last = self._buckets.pop(key, (float(self.per_min), now))
        tokens = min(float(self.per_min), tokens + (now - last) * self.rate)
        if tokens >= cost:
            self._buckets[key] = (tokens - cost, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (cost - tokens) / self.rate
        while len(self._buckets) > MAX_KEYS:
            self._buckets.popitem(last=False)
        return wait

    def check(self, key: str) -> None:
        wait = self.hit(key)
        if wait > 0:
            raise rate_limited(wait)


class LoginGuard:
    """Failed token logins per IP: after `per_min` failures a minute, answer 429 until the bucket refills."""

    def __init__(self, per_min: int) -> None:
        self.failures = RateLimiter(per_min)

    def check(self, ip: str) -> None:
        bucket = self.failures._buckets.get(ip)
        if bucket is not None and bucket[0] < 1.0:
            now = self.failures.clock()
            tokens = min(float(self.failures.per_min), bucket[0] + (now - bucket[1]) * self.failures.rate)
            if tokens < 1.0:
                raise rate_limited((1.0 - tokens) / self.failures.rate)

    def failed(self, ip: str) -> None:
        self.failures.hit(ip)


# Endpoint groups for the concurrency caps (first matching prefix wins).
GROUPS = (("/api/chat", "chat"), ("/api/kb/", "kb"), ("/wechat", "wechat"), ("/api/", "other"))


class Limits:
    def __init__(self, ip_per_min: int, sender_per_min: int, caps: dict[str, int], wait_s: float,
                 login_failures_per_min: int, trusted_proxies: frozenset[str] = frozenset()) -> None:
        self.trusted_proxies = trusted_proxies
        self.ip = RateLimiter(ip_per_min)
        self.sender = RateLimiter(sender_per_min)
        self.caps = caps
        self.wait_s = wait_s
        self._sems: dict[str, asyncio.Semaphore] = {}
        self.logins = LoginGuard(login_failures_per_min)

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        caps = {"chat": settings.max_concurrent_chat, "wechat": settings.max_concurrent_chat,
                "kb": settings.max_concurrent_kb, "other": settings.max_concurrent_other}
        proxies = frozenset(p.strip() for p in settings.trusted_proxies.split(",") if p.strip())
        return cls(settings.rate_limit_ip_per_min, settings.rate_limit_sender_per_min, caps,
                   settings.concurrency_wait_s, settings.login_failures_per_min, proxies)

    def semaphore(self, group: str) -> asyncio.Semaphore:
        sem = self._sems.get(group)
        if sem is None:
            sem = self._sems[group] = asyncio.Semaphore(self.caps[group])
        return sem


LIMITS_KEY = web.AppKey("limits", Limits)


def client_ip(request: web.Request) -> str:
    """The client's address: the peer, or, when the peer is a trusted reverse proxy (TRUSTED_PROXIES, default
    loopback: deploy/nginx), the nearest X-Forwarded-For entry that is not itself a trusted proxy."""
    peer = request.remote or "-"
    limits = request.app.get(LIMITS_KEY)
    trusted = limits.trusted_proxies if limits is not None else frozenset()
    if peer not in trusted:
        return peer
    chain = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    for addr in reversed(chain):
        if addr not in trusted:
            return addr[:64]
    return peer


def group_of(path: str) -> Optional[str]:
    return next((g for prefix, g in GROUPS if path.startswith(prefix)), None)


def check_sender(request: web.Request, key: str) -> None:
    """Per-resident limit (sender id, WeChat openid): raises the 429 ApiError."""
    request.app[LIMITS_KEY].sender.check(key)


@web.middleware
async def limits_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    limits: Limits = request.app[LIMITS_KEY]
    group = group_of(request.path)
    if group is None:
        return await handler(request)
    if group != "wechat":  # WeChat's servers share a few addresses: limited per openid in the channel
        limits.ip.check(client_ip(request))
    sem = limits.semaphore(group)
    try:
        await asyncio.wait_for(sem.acquire(), limits.wait_s)
    except asyncio.TimeoutError:
        raise ApiError(503, "busy", "服务繁忙，请稍后再试；如有急事，请拨打12345政务服务便民热线。",
                       headers={"Retry-After": "2"}) from None
    try:
        return await handler(request)
    finally:
        sem.release()
