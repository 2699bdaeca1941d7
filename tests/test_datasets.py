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


def test_readings_standardize_and_next_day_maximum():
    import pytest

    from helpers.datasets import READINGS, next_day_maximum, readings, standardize

    R = readings()
    w = seattle_weather()
    assert R.shape == (1461, 4) and R[:, 0].tolist() == w.temp_max.tolist() and R[:, 3].tolist() == w.wind.tolist()
    assert readings(("wind",)).shape == (1461, 1)
    Z, mean, std = standardize(R)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-12)
    train = w.date < np.datetime64("2015-01-01")  # statistics from the training rows only
    Zt, mean_t, std_t = standardize(R, fit=train)
    np.testing.assert_allclose(mean_t, R[train].mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(Zt, (R - mean_t) / std_t, rtol=1e-12)
    assert abs(Zt[~train].mean(axis=0)).max() > 1e-3  # the held-out rows are not centred by their own mean
    X, y = next_day_maximum()
    assert X.shape == (1460, 1 + len(READINGS)) and y.shape == (1460,)
    assert np.all(X[:, 0] == 1) and y[0] == w.temp_max[1] and y[-1] == w.temp_max[-1]
    np.testing.assert_allclose(X[:, 1:], Z[:-1], rtol=1e-12)
    with pytest.raises(ValueError, match="columns must be one of"):
        readings(("rain",))
    with pytest.raises(ValueError, match=r"X must be a 2-D array"):
        standardize(np.ones(3))
    with pytest.raises(ValueError, match="column 1 is constant"):
        standardize(np.column_stack([np.arange(3.0), np.ones(3)]))
    with pytest.raises(ValueError, match="fit must select at least 2 rows"):
        standardize(R, fit=slice(0, 1))
