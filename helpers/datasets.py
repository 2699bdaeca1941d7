"""The data the lessons use, loaded from files inside the package (see ``helpers/data/README.md``)."""

from __future__ import annotations

import csv
import dataclasses
import functools
from dataclasses import dataclass
from importlib import resources

import numpy as np

from helpers import _checks

__all__ = ["Weather", "seattle_weather", "seattle_temperatures", "READINGS", "readings", "standardize",
           "next_day_maximum"]

#: The daily readings, in °C, °C, mm and m/s.
READINGS = ("temp_max", "temp_min", "precipitation", "wind")


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



def readings(columns=READINGS) -> np.ndarray:
    """The daily readings as an array of shape (days, len(columns)), one row per day from 2012-01-01."""
    columns = tuple(columns)
    for name in columns:
        _checks.one_of("columns", name, READINGS)
    w = seattle_weather()
    return np.column_stack([getattr(w, name) for name in columns])


def standardize(X, fit=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""``(Z, mean, std)`` with :math:`Z = (X - \mu)/s` column by column.

    μ and s (the population standard deviation) come from the rows ``fit`` (an index, a slice
    or a boolean mask; all rows if None): pass the training rows, so that nothing about the
    held-out rows leaks into the inputs.
    """
    X = _checks.finite_array("X", X)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-D array (rows × columns); got X with shape {X.shape}.")
    rows = X if fit is None else X[fit]
    if len(rows) < 2:
        raise ValueError(f"fit must select at least 2 rows of X to estimate a spread; got {len(rows)}.")
    mean, std = rows.mean(axis=0), rows.std(axis=0)
    if np.any(std == 0):
        raise ValueError(f"every column must vary over the rows fit; column {int(np.argmin(std))} is constant.")
    return (X - mean) / std, mean, std


def next_day_maximum(columns=READINGS, fit=None) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` for predicting tomorrow's maximum temperature from today's readings (1,460 pairs).

    Row i of X is a 1 (the intercept) followed by day i's readings, standardized (statistics
    from the rows ``fit`` of the readings, all days if None; see ``standardize``); y[i] is
    day i + 1's maximum in °C.
    """
    Z, _, _ = standardize(readings(columns), fit)
    X = np.column_stack([np.ones(len(Z) - 1), Z[:-1]])
    return X, seattle_weather().temp_max[1:]
