"""The data the lessons use, loaded from files inside the package (see ``helpers/data/README.md``)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["Weather", "seattle_weather"]


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


def seattle_weather() -> Weather:
    """Load ``helpers/data/seattle-weather.csv`` (1,461 days)."""
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
