"""Every optimizer against torch.optim (PyTorch 2.13, float64), from fixtures made by tests/golden/make_fixtures.py."""

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import optimizers
from helpers.surfaces import beale, elongated_quadratic, rosenbrock

FIXTURE = json.loads((Path(__file__).parent / "golden" / "torch_trajectories.json").read_text())
RTOL = 1e-12  # the issue's bound: relative to the size of the iterate


def _least_squares():
    A = np.array(FIXTURE["least_squares"]["A"])
    b = np.array(FIXTURE["least_squares"]["b"])
    return lambda x: A.T @ (A @ x - b)  # ∇ ½‖Ax − b‖²


GRADIENTS = {
    "quadratic": elongated_quadratic().grad,  # 0.1 w² + 2 b²
    "rosenbrock": rosenbrock().grad,
    "beale": beale().grad,
    "least_squares": _least_squares(),
}


def relative_deviation(ours: np.ndarray, theirs: np.ndarray) -> float:
    """max over steps of ‖ours_k − theirs_k‖∞ / max(‖theirs_k‖∞, 1)."""
    scale = np.maximum(np.abs(theirs).max(axis=1), 1.0)
    return float((np.abs(ours - theirs).max(axis=1) / scale).max())


def _case_id(case):
    kwargs = ",".join(f"{k}={v}" for k, v in case["kwargs"].items())
    return f"{case['optimizer']}({kwargs})-{case['problem']}"


def test_fixture_is_what_the_issue_asks_for():
    assert FIXTURE["torch_version"].startswith("2.13")
    assert FIXTURE["dtype"] == "float64" and FIXTURE["steps"] == 200
    names = {c["optimizer"] for c in FIXTURE["cases"]}
    assert names == {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam", "AMSGrad", "AdamW", "RAdam"}
    assert {c["problem"] for c in FIXTURE["cases"]} >= {"quadratic", "rosenbrock"}


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=_case_id)
def test_matches_torch(case):
    opt = getattr(optimizers, case["optimizer"])(**case["kwargs"])
    theirs = np.array(case["path"])
    ours = optimizers.run(opt, GRADIENTS[case["problem"]], case["x0"], FIXTURE["steps"])
    assert ours.shape == theirs.shape
    assert relative_deviation(ours, theirs) <= RTOL, case["torch"]


def test_largest_deviation_over_all_fixtures(record_property):
    deviations = {
        _case_id(c): relative_deviation(
            optimizers.run(getattr(optimizers, c["optimizer"])(**c["kwargs"]), GRADIENTS[c["problem"]], c["x0"],
                           FIXTURE["steps"]),
            np.array(c["path"]),
        )
        for c in FIXTURE["cases"]
    }
    worst = max(deviations, key=deviations.get)
    largest = {"case": worst, "deviation": deviations[worst], "cases": len(deviations)}
    record_property("torch.optim", largest)  # for the terminal summary (conftest.py), also from a worker
    assert deviations[worst] <= RTOL


def test_fixture_cases_are_well_conditioned():
    """A last-bit change of the start moves no fixture's path more than 100-fold, so 1e-12 is a fair bound."""
    assert max(c["amplification"] for c in FIXTURE["cases"]) <= 100
