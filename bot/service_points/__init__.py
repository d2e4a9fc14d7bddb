"""Service points: find the right office in any of Shanxi's 117 counties, by place or by location.

Domain API for the Rasa action and agent assist (same process as the assistant service):
    get_store(), find_places(text), resolve_place(name, city_hint), office_types_for_program(program_id),
    office_type_from_text(text), format_card(point, distance=True), lookup(...)
Only the standard library is imported here; SQLAlchemy is loaded on first use of the store.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Optional

from bot.service_points.gazetteer import (Place, Resolution, find_places, load_gazetteer,  # noqa: F401
                                          resolve_place)
from bot.service_points.offices import (OFFICE_TYPES, format_card, hotline_types, hotlines_asked,  # noqa: F401
                                        office_type_from_text, office_types_for_program, office_types_from_text)

if TYPE_CHECKING:
    from bot.service_points.store import ServicePointStore

_stores: dict[str, "ServicePointStore"] = {}
_lock = threading.Lock()


def get_store(url: Optional[str] = None) -> "ServicePointStore":
    """The process-wide store for DATABASE_URL (default var/service_points.db), seeded if needed."""
    from bot.service_points.store import ServicePointStore
    from bot.settings import Settings

    url = url or Settings.from_env().sqlite_url("service_points")
    with _lock:
        store = _stores.get(url)
        if store is None:
            store = _stores[url] = ServicePointStore(url)
        store.ensure_seeded()
        return store


def lookup(type: Optional[str] = None, city: Optional[str] = None, county: Optional[str] = None,
           town: Optional[str] = None, lat: Optional[float] = None, lng: Optional[float] = None,
           limit: int = 5, store: Optional["ServicePointStore"] = None) -> list[dict[str, Any]]:
    """Service points by type and place names (short names accepted) and/or location.

    A place that matches nothing gives []; an ambiguous county (城区 without city) matches all its
    current namesakes. Validation of `type`/coordinates is the caller's (the route does it).
    """
    store = store or get_store()
    gaz = store.gaz
    filters: dict[str, Any] = {"type": type}
    city_place = None
    if city:
        city_place = gaz.resolve_place(city, level="city").place
        if city_place is None:
            return []
        filters["city_adcode"] = city_place.city_adcode
    if county:
        res = gaz.resolve_place(county, city_hint=city_place.name if city_place else None, level="county")
        if not res.candidates:
            return []
        filters["county_adcodes"] = [c.county_adcode for c in res.current()]
    if town:
        res = gaz.resolve_place(town, city_hint=city_place.name if city_place else None, level="town")
        if "county_adcodes" in filters:
            res.candidates = [c for c in res.candidates if c.county_adcode in filters["county_adcodes"]]
        if not res.candidates:
            return []
        filters["county_adcodes"] = sorted({c.county_adcode for c in res.candidates})
        filters["town"] = res.candidates[0].name
    if lat is not None and lng is not None:
        return store.nearest(lat, lng, limit=limit, **filters)
    return store.search(limit=limit, **filters)
