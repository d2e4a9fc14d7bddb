"""Service-point storage (SQLAlchemy Core): SQLite by default, PostgreSQL via DATABASE_URL.

Seeded records are generated from the gazetteer (names by official pattern, county-seat coordinates,
no invented address/phone/hours); admin imports add or correct records and are never overwritten
by re-seeding.
"""
from __future__ import annotations

import hashlib
import math
import threading
from datetime import datetime, timezone
from typing import Any, Iterable, Optional

from sqlalchemy import (Column, Float, Index, MetaData, String, Table, Text, UniqueConstraint, and_,
                        delete, func, insert, select, update)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from bot.db import engine_for
from bot.service_points.gazetteer import GAZETTEER_PATH, Gazetteer, load_gazetteer
from bot.service_points.offices import COUNTY_OFFICE_TYPES, OFFICE_TYPES

PROVINCE = "山西省"
SEED_FORMAT = "1"  # bump when the generated records change shape
SEED_SOURCE = ("自动生成：机构名称按官方命名规则，行政区划来自jionlp 1.5.31，位置为县（区）政府驻地坐标"
               "（cpca 0.5.5，GCJ-02）；地址、电话、办公时间未经核实，暂缺")
FIELDS = ("id", "name", "type", "province", "city", "county", "town", "address", "phone", "hours",
          "lat", "lng", "location_precision", "source")
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def point_id(county_adcode: str, name: str) -> str:
    return "sp_" + hashlib.sha1(f"{county_adcode}|{name}".encode()).hexdigest()[:16]


def name_prefix(city: str, county: str) -> str:
    """太原市小店区 for districts (their offices carry the city), 清徐县 / 古交市 for counties."""
    return f"{city}{county}" if county.endswith("区") else county


def seed_records(gaz: Gazetteer) -> list[dict[str, Any]]:
    """Every county's five offices and every 乡镇/街道's 便民服务中心, honest by construction."""
    rows = []
    for c in gaz.counties:
        prefix = name_prefix(c.city, c.name)
        offices = [(t, None, f"{prefix}{OFFICE_TYPES[t].suffix}") for t in COUNTY_OFFICE_TYPES]
        offices += [("town_service_center", town.name, f"{prefix}{town.name}便民服务中心")
                    for town in gaz.towns_of(c.adcode)]
        for type_id, town, name in offices:
            rows.append({
                "id": point_id(c.adcode, name), "name": name, "type": type_id, "province": PROVINCE,
                "city": c.city, "city_adcode": c.city_adcode, "county": c.name, "county_adcode": c.adcode,
                "town": town, "address": None, "phone": None, "hours": None, "lat": c.lat, "lng": c.lng,
                "location_precision": c.location_precision, "source": SEED_SOURCE, "origin": "seed",
            })
    return rows


def _tables(prefix: str) -> tuple[MetaData, Table, Table]:
    md = MetaData()
    points = Table(
        prefix, md,
        Column("id", String(40), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("type", String(40), nullable=False),
        Column("province", String(20), nullable=False),
        Column("city", String(20), nullable=False),
        Column("city_adcode", String(6), nullable=False),
        Column("county", String(40), nullable=False),
        Column("county_adcode", String(6), nullable=False),
        Column("town", String(60)),
        Column("address", Text),
        Column("phone", String(40)),
        Column("hours", String(200)),
        Column("lat", Float),
        Column("lng", Float),
        Column("location_precision", String(30)),
        Column("source", Text, nullable=False),
        Column("origin", String(10), nullable=False),  # seed | admin
        Column("updated_at", String(32)),
        UniqueConstraint("county_adcode", "name", name=f"uq_{prefix}_county_name"),
        Index(f"ix_{prefix}_type", "type"),
        Index(f"ix_{prefix}_city", "city_adcode"),
        Index(f"ix_{prefix}_county", "county_adcode"),
        Index(f"ix_{prefix}_coords", "lat", "lng"),
    )
    meta = Table(f"{prefix}_meta", md, Column("key", String(40), primary_key=True),
                 Column("value", Text, nullable=False))
    return md, points, meta


class ServicePointStore:
    def __init__(self, url: str, table: str = "service_points", gazetteer: Optional[Gazetteer] = None) -> None:
        self.url = url
        self.engine: Engine = engine_for(url)
        self.gaz = gazetteer or load_gazetteer()
        self.metadata, self.points, self.meta = _tables(table)
        try:
            self.metadata.create_all(self.engine)
        except DBAPIError:  # another process created the tables between the check and the CREATE
            self.metadata.create_all(self.engine)
        self._lock = threading.Lock()
        self._seeded: Optional[str] = None

    # ---- seeding -------------------------------------------------------------------------
    def seed_version(self) -> str:
        h = hashlib.sha256(GAZETTEER_PATH.read_bytes())
        h.update(SEED_FORMAT.encode() + SEED_SOURCE.encode())
        return h.hexdigest()[:16]

    def _get_meta(self, conn: Connection, key: str) -> Optional[str]:
        return conn.execute(select(self.meta.c.value).where(self.meta.c.key == key)).scalar()

    def _set_meta(self, conn: Connection, key: str, value: str) -> None:
        if self._get_meta(conn, key) is None:
            conn.execute(insert(self.meta).values(key=key, value=value))
        else:
            conn.execute(update(self.meta).where(self.meta.c.key == key).values(value=value))

    def is_seeded(self) -> bool:
        with self.engine.connect() as conn:
            return self._get_meta(conn, "seed_version") == self.seed_version()

    def ensure_seeded(self) -> int:
        """Regenerate seed records when the gazetteer or seed format changed; 0 when already current.

        Two processes starting together (service and action server) may both seed: the loser's
        transaction fails on the unique key and is retried once, by then finding the seed current.
        """
        try:
            return self._seed_once()
        except (IntegrityError, OperationalError):
            return self._seed_once()

    def _seed_once(self) -> int:
        with self._lock:
            version = self.seed_version()
            if self._seeded == version:
                return 0
            with self.engine.begin() as conn:
                if self._get_meta(conn, "seed_version") == version:
                    self._seeded = version
                    return 0
                conn.execute(delete(self.points).where(self.points.c.origin == "seed"))
                taken = {(r.county_adcode, r.name) for r in conn.execute(
                    select(self.points.c.county_adcode, self.points.c.name))}
                now = _now()
                rows = [{**r, "updated_at": now} for r in seed_records(self.gaz)
                        if (r["county_adcode"], r["name"]) not in taken]
                for i in range(0, len(rows), 500):
                    conn.execute(insert(self.points), rows[i:i + 500])
                self._set_meta(conn, "seed_version", version)
            self._seeded = version
            return len(rows)

    # ---- queries -------------------------------------------------------------------------
    def count(self, **filters: Any) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(self.points)
                                .where(*self._conditions(**filters))).scalar_one()

    def _conditions(self, type: Optional[str] = None, city_adcode: Optional[str] = None,
                    county_adcodes: Optional[Iterable[str]] = None, town: Optional[str] = None,
                    origin: Optional[str] = None) -> list:
        c = self.points.c
        conds = []
        if type:
            conds.append(c.type == type)
        if city_adcode:
            conds.append(c.city_adcode == city_adcode)
        if county_adcodes is not None:
            conds.append(c.county_adcode.in_(list(county_adcodes)))
        if town:
            conds.append(c.town == town)
        if origin:
            conds.append(c.origin == origin)
        return conds

    def search(self, limit: int = 5, **filters: Any) -> list[dict[str, Any]]:
        """Filtered lookup: county offices in type order, then towns, stable by adcode and name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(self.points).where(*self._conditions(**filters))).mappings().all()
        order = {t: i for i, t in enumerate(OFFICE_TYPES)}
        rows = sorted(rows, key=lambda r: (r["town"] is not None, order.get(r["type"], 99),
                                           r["county_adcode"], r["name"]))
        return [self._public(r) for r in rows[:limit]]

    def nearest(self, lat: float, lng: float, limit: int = 5, **filters: Any) -> list[dict[str, Any]]:
        """Nearest first: a bounding box that widens until it holds enough points, then haversine."""
        c = self.points.c
        conds = self._conditions(**filters)
        radius = 15.0
        with self.engine.connect() as conn:
            while True:
                dlat = radius / 111.0
                dlng = radius / (111.0 * max(0.05, math.cos(math.radians(lat))))
                box = and_(c.lat.is_not(None), c.lat.between(lat - dlat, lat + dlat),
                           c.lng.between(lng - dlng, lng + dlng))
                rows = conn.execute(select(self.points).where(box, *conds)).mappings().all()
                scored = [(haversine_km(lat, lng, r["lat"], r["lng"]), r) for r in rows]
                within = [s for s in scored if s[0] <= radius]
                if len(within) >= limit or radius > 4000:
                    break
                radius *= 2
        order = {t: i for i, t in enumerate(OFFICE_TYPES)}
        within.sort(key=lambda s: (round(s[0], 3), s[1]["town"] is not None, order.get(s[1]["type"], 99),
                                   s[1]["name"]))
        return [self._public(r, distance=d) for d, r in within[:limit]]

    def get_by_key(self, county_adcode: str, name: str) -> Optional[dict[str, Any]]:
        with self.engine.connect() as conn:
            row = conn.execute(select(self.points).where(self.points.c.county_adcode == county_adcode,
                                                         self.points.c.name == name)).mappings().first()
        return dict(row) if row else None

    def all_rows(self, **filters: Any) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(self.points).where(*self._conditions(**filters))
                                .order_by(self.points.c.county_adcode, self.points.c.type,
                                          self.points.c.name)).mappings().all()
        return [dict(r) for r in rows]

    def fingerprint(self) -> str:
        """A hash of all stored rows, to show that a rejected import changed nothing."""
        h = hashlib.sha256()
        for r in self.all_rows():
            h.update(repr(sorted(r.items())).encode())
        return h.hexdigest()

    # ---- writes (admin import) -----------------------------------------------------------
    def upsert_many(self, rows: list[dict[str, Any]], dry_run: bool = False) -> dict[str, list[str]]:
        """Insert or update by (county, name) in ONE transaction; dry_run rolls it back."""
        result: dict[str, list[str]] = {"added": [], "updated": []}
        now = _now()
        with self._lock:
            conn = self.engine.connect()
            trans = conn.begin()
            try:
                for row in rows:
                    key = (self.points.c.county_adcode == row["county_adcode"], self.points.c.name == row["name"])
                    existing = conn.execute(select(self.points.c.id).where(*key)).scalar()
                    values = {**row, "origin": "admin", "updated_at": now}
                    if existing:
                        values.pop("id", None)
                        conn.execute(update(self.points).where(self.points.c.id == existing).values(**values))
                        result["updated"].append(row["name"])
                    else:
                        values["id"] = point_id(row["county_adcode"], row["name"])
                        conn.execute(insert(self.points).values(**values))
                        result["added"].append(row["name"])
                if dry_run:
                    trans.rollback()
                else:
                    trans.commit()
            except Exception:
                trans.rollback()
                raise
            finally:
                conn.close()
        return result

    def drop(self) -> None:
        """Remove this store's tables (tests on a shared PostgreSQL use throwaway table names)."""
        self.metadata.drop_all(self.engine)
        self.engine.dispose()

    # ---- output --------------------------------------------------------------------------
    @staticmethod
    def _public(row: Any, distance: Optional[float] = None) -> dict[str, Any]:
        out = {k: row[k] for k in FIELDS}
        out["distance_km"] = round(distance, 2) if distance is not None else None
        t = OFFICE_TYPES.get(row["type"])
        out["type_name"] = t.label if t else None
        out["hotline"] = t.hotline if t else None
        out["hotline_name"] = t.hotline_name if t else None
        out["county_adcode"] = row["county_adcode"]
        return out


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
