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


def test_seattle_temperatures_are_copies_and_check_days():
    import pytest

    from helpers.datasets import seattle_temperatures

    dates, theta = seattle_temperatures(2)
    assert theta.tolist() == [12.8, 10.6] and str(dates[1]) == "2012-01-02"
    theta[0] = 99.0  # a learner's edit must not leak into the next call
    assert seattle_temperatures()[1][0] == 12.8 and len(seattle_temperatures()[1]) == 1461
    for days, words in [(0, "days must be a whole number >= 1; got days=0"),
                        (2000, "days must be at most 1461, the length of the series; got days=2000")]:
        with pytest.raises(ValueError, match=words):
            seattle_temperatures(days)
