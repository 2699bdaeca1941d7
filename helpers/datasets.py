"""The data the lessons use, loaded from files inside the package (see ``helpers/data/README.md``)."""

from __future__ import annotations

import csv
import dataclasses
import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np

from helpers import _checks

__all__ = ["Weather", "seattle_weather", "seattle_temperatures"]


@dataclass(frozen=True, eq=False)
class Weather:
    """Daily weather at Seattle, 2012-01-01 to 2015-12-31 (NOAA GHCN-Daily, public domain)."""

    date: np.ndarray  # datetime64[D]
    temp_max: np.ndarray  # °C
    temp_min: np.ndarray  # °C
    precipitation: np.ndarray  # mm
    wind: np.ndarray  # m/s
    weather: np.ndarray  # a label: "rain", "sun", …

    def __len__(self) -> int:
        return len(self.date)


@functools.lru_cache(maxsize=1)
def _load() -> Weather:
    with resources.files("helpers").joinpath("data/seattle-weather.csv").open(newline="") as file:
        rows = list(csv.DictReader(file))
    column = lambda name: np.array([float(r[name]) for r in rows])  # noqa: E731
    return Weather(
        date=np.array([r["date"].replace("/", "-") for r in rows], dtype="datetime64[D]"),
        temp_max=column("temp_max"),
        temp_min=column("temp_min"),
        precipitation=column("precipitation"),
        wind=column("wind"),
        weather=np.array([r["weather"] for r in rows]),
    )


def seattle_weather() -> Weather:
    """Load ``helpers/data/seattle-weather.csv`` (1,461 days); the file is read once, every call gets copies."""
    w = _load()
    return Weather(*(np.copy(getattr(w, f.name)) for f in dataclasses.fields(Weather)))


def seattle_temperatures(days: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(dates, theta)``: Seattle's daily maximum temperature θ_t in °C from 2012-01-01, the first ``days``."""
    w = seattle_weather()
    end = len(w) if days is None else _checks.whole_number("days", days, minimum=1)
    if end > len(w):
        raise ValueError(f"days must be at most {len(w)}, the length of the series; got days={days!r}.")
    return w.date[:end], w.temp_max[:end]

