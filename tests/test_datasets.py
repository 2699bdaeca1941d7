"""helpers.datasets: the Seattle series loads from the package, whole and in order."""

import numpy as np

from helpers.datasets import seattle_weather


def test_seattle_weather():
    w = seattle_weather()
    assert len(w) == 1461
    assert str(w.date[0]) == "2012-01-01" and str(w.date[-1]) == "2015-12-31"
    assert np.all(np.diff(w.date).astype(int) == 1)  # one row per day, no gaps
    assert w.temp_max[:2].tolist() == [12.8, 10.6]
    assert np.all(np.isfinite(w.temp_max)) and np.all(w.temp_min <= w.temp_max)
    assert set(w.weather) <= {"drizzle", "rain", "sun", "snow", "fog"}
