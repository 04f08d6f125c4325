"""The store's assortment and where each SKU sits, generated from the scenario.

The catalogue depends on the scenario's ``catalog.seed`` only, so every run seed
sees the same store. Prices and costs generated here are the master data the
twin loads into the product service once; agents never read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files

import numpy as np
import yaml

from scenarios.demand import items_per_visit
from scenarios.schema import Scenario
from services.schemas import ProductIn
from twin.rng import Streams


def sku_prefixes(categories: list[str]) -> dict[str, str]:
    """A distinct three-letter SKU prefix per category: DAI for dairy, APW for apparel_women."""
    out: dict[str, str] = {}
    for name in categories:
        words = name.split("_")
        base = (words[0][:2] + words[1][0]) if len(words) > 1 else name[:3]
        code, n = base.upper(), 1
        while code in out.values():
            n += 1
            code = f"{base[:2].upper()}{n}"
        out[name] = code
    return out


@cache
def _name_parts() -> dict[str, dict[str, list[str]]]:
    text = files("scenarios").joinpath("data/products.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True, eq=False)
class Catalog:
    """SKUs (arrays indexed by SKU number) and their master data."""

    products: tuple[ProductIn, ...]
    zone: np.ndarray
    shelf_y: np.ndarray
    capacity: np.ndarray
    demand_weight: np.ndarray
    daily_demand: np.ndarray
    produce: np.ndarray
    fridge: np.ndarray

    @property
    def skus(self) -> list[str]:
        """SKU codes in index order."""
        return [p.sku for p in self.products]

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """SKU codes in index order, made once (``skus`` makes a new list)."""
        return tuple(p.sku for p in self.products)

    @cached_property
    def index(self) -> dict[str, int]:
        """SKU code -> index."""
        return {p.sku: i for i, p in enumerate(self.products)}

    @cached_property
    def reference_cents(self) -> np.ndarray:
        """The list price shoppers are used to (the opening price)."""
        return np.asarray([p.price_cents for p in self.products], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.products)


def build_catalog(scenario: Scenario) -> Catalog:
    """Generate the assortment: names, prices, costs, shelf positions and shelf capacity."""
    rng = Streams(scenario.catalog.seed).generator("catalog")
    zone_of = {c: i for i, z in enumerate(scenario.layout.zones) for c in z.categories}
    total_pop = sum(c.popularity for c in scenario.catalog.categories)
    products: list[ProductIn] = []
    zone, weight = [], []
    prefix = sku_prefixes([c.name for c in scenario.catalog.categories])
    for cat in scenario.catalog.categories:
        parts = _name_parts().get(cat.name)
        prices = cat.median_price * np.exp(rng.normal(0.0, cat.price_spread, cat.skus))
        margins = np.clip(rng.normal(cat.margin, 0.05, cat.skus), 0.02, 0.9)
        ranks = rng.permutation(cat.skus) + 1
        within = 1.0 / ranks**0.8
        within /= within.sum()
        for i in range(cat.skus):
            price = max(round(prices[i]) * 100 - 10, 90)  # ends in .90, like a shelf tag
            products.append(
                ProductIn(
                    sku=f"{prefix[cat.name]}{i + 1:04d}",
                    name=_name(parts, cat.name, i, rng),
                    category=cat.name,
                    brand=_brand(parts, rng),
                    price_cents=price,
                    cost_cents=round(float(price * (1 - margins[i]))),
                )
            )
        zone += [zone_of[cat.name]] * cat.skus
        weight.append(within * cat.popularity / total_pop)
    demand_weight = np.concatenate(weight)
    zone_arr = np.asarray(zone, dtype=np.int32)
    shelf_y = _shelf_positions(scenario, zone_arr, rng)
    daily = _daily_demand(scenario, demand_weight)
    spread = np.exp(rng.normal(0.0, 0.5, len(daily)))
    capacity = np.maximum(
        np.round(daily * scenario.catalog.shelf_days * spread), scenario.catalog.capacity_min
    ).astype(np.int64)
    categories = np.asarray([p.category for p in products])
    fridge = scenario.devices.energy.fridge_categories if scenario.devices.energy else []
    return Catalog(
        products=tuple(products),
        zone=zone_arr,
        shelf_y=shelf_y,
        capacity=capacity,
        demand_weight=demand_weight,
        daily_demand=daily,
        produce=np.isin(categories, scenario.checkout.weighed_categories),
        fridge=np.isin(categories, fridge),
    )


def _daily_demand(scenario: Scenario, weight: np.ndarray) -> np.ndarray:
    """Expected units per SKU on an average day."""
    a = scenario.arrivals
    visitors = a.daily_visitors * a.traffic_factor * float(np.mean(a.weekday_factors))
    return visitors * items_per_visit(scenario) * weight


def _shelf_positions(scenario: Scenario, zone: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Y of each SKU along its zone's aisle, SKUs of a zone in shuffled order."""
    shelf_y = np.empty(len(zone))
    for z, spec in enumerate(scenario.layout.zones):
        members = np.flatnonzero(zone == z)
        if len(members) == 0:
            continue
        slots = np.linspace(spec.y + 0.5, spec.y + spec.depth - 0.5, len(members))
        shelf_y[rng.permutation(members)] = slots
    return shelf_y


def _name(
    parts: dict[str, list[str]] | None, category: str, i: int, rng: np.random.Generator
) -> str:
    if not parts:
        return f"{category.replace('_', ' ').title()} {i + 1}"
    item = parts["items"][i % len(parts["items"])]
    size = parts["sizes"][int(rng.integers(len(parts["sizes"])))]
    return f"{item} {size}"


def _brand(parts: dict[str, list[str]] | None, rng: np.random.Generator) -> str:
    if not parts:
        return "House"
    return parts["brands"][int(rng.integers(len(parts["brands"])))]
