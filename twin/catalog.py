"""The store's assortment and where each SKU sits, generated from the scenario.

The catalogue depends on the scenario's ``catalog.seed`` only, so every run seed
sees the same store. Prices and costs generated here are the master data the
twin loads into the product service once; agents never read them from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import yaml

from scenarios.schema import Scenario
from services.schemas import ProductIn
from twin.rng import Streams

_PREFIX_LEN = 3


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

    @property
    def skus(self) -> list[str]:
        """SKU codes in index order."""
        return [p.sku for p in self.products]

    def __len__(self) -> int:
        return len(self.products)


def build_catalog(scenario: Scenario) -> Catalog:
    """Generate the assortment: names, prices, costs, shelf positions and shelf capacity."""
    rng = Streams(scenario.catalog.seed).generator("catalog")
    zone_of = {c: i for i, z in enumerate(scenario.layout.zones) for c in z.categories}
    total_pop = sum(c.popularity for c in scenario.catalog.categories)
    products: list[ProductIn] = []
    zone, weight = [], []
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
                    sku=f"{cat.name[:_PREFIX_LEN].upper()}{i + 1:04d}",
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
    capacity = _capacity(scenario, demand_weight, rng)
    return Catalog(tuple(products), zone_arr, shelf_y, capacity, demand_weight)


def _capacity(scenario: Scenario, weight: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    buy = sum(
        s.share * max(s.list_mean, 1.0) * s.buy_probability * (1 + s.multi_buy)
        for s in scenario.shoppers.segments
    )
    daily_units = scenario.arrivals.daily_visitors * buy * weight
    spread = np.exp(rng.normal(0.0, 0.5, len(weight)))
    cap = np.round(daily_units * scenario.catalog.shelf_days * spread)
    return np.maximum(cap, scenario.catalog.capacity_min).astype(np.int64)


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
