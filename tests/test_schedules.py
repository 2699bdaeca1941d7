"""helpers.schedules: every schedule against torch.optim.lr_scheduler (fixtures), its closed form, and its errors."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from helpers import optimizers, schedules
from helpers.schedules import (
    Constant,
    CosineAnnealingLR,
    ExponentialLR,
    InverseSqrtLR,
    InverseTimeLR,
    LinearLR,
    StepLR,
    rates,
    robbins_monro_sums,
)
from helpers.surfaces import elongated_quadratic

FIXTURE = json.loads((Path(__file__).parent / "golden" / "torch_schedules.json").read_text())
RTOL = 1e-12


def _id(case):
    return f"{case['schedule']}({','.join(f'{k}={v}' for k, v in case['kwargs'].items())})"


def test_fixture_covers_every_schedule():
    assert FIXTURE["torch_version"].startswith("2.13") and FIXTURE["steps"] == 200
    assert {c["schedule"] for c in FIXTURE["cases"]} == {"StepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                                                          "InverseSqrtLR", "InverseTimeLR"}


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=_id)
def test_rates_match_torch(case):
    schedule = getattr(schedules, case["schedule"])(**case["kwargs"])
    ours = rates(schedule, case["base_lr"], FIXTURE["steps"])
    theirs = np.array(case["rates"])
    assert np.max(np.abs(ours - theirs) / case["base_lr"]) <= RTOL


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=_id)
def test_scheduled_trajectories_match_torch(case):
    schedule = getattr(schedules, case["schedule"])(**case["kwargs"])
    grad = elongated_quadratic().grad
    for r in case["runs"]:
        opt = getattr(optimizers, r["optimizer"])(**r["kwargs"])
        ours = optimizers.run(opt, grad, r["x0"], FIXTURE["steps"], schedule=schedule)
        theirs = np.array(r["path"])
        scale = np.maximum(np.abs(theirs).max(axis=1), 1.0)
        assert (np.abs(ours - theirs).max(axis=1) / scale).max() <= RTOL, (r["optimizer"], case["torch"])
        assert r["amplification"] <= 100


def test_largest_deviations_from_torch(record_property):
    rate_dev, path_dev = 0.0, 0.0
    grad = elongated_quadratic().grad
    for case in FIXTURE["cases"]:
        schedule = getattr(schedules, case["schedule"])(**case["kwargs"])
        rate_dev = max(rate_dev, float(np.max(np.abs(rates(schedule, case["base_lr"], FIXTURE["steps"])
                                                      - np.array(case["rates"])) / case["base_lr"])))
        for r in case["runs"]:
            ours = optimizers.run(getattr(optimizers, r["optimizer"])(**r["kwargs"]), grad, r["x0"], FIXTURE["steps"],
                                  schedule=schedule)
            theirs = np.array(r["path"])
            scale = np.maximum(np.abs(theirs).max(axis=1), 1.0)
            path_dev = max(path_dev, float((np.abs(ours - theirs).max(axis=1) / scale).max()))
    largest = {"rates": rate_dev, "paths": path_dev, "cases": len(FIXTURE["cases"])}
    record_property("torch.optim.lr_scheduler", largest)  # for the terminal summary (conftest.py)
    assert rate_dev <= RTOL and path_dev <= RTOL


def test_closed_forms_at_landmark_steps():
    assert StepLR(10, 0.5).lr(1.0, 10) == 1.0 and StepLR(10, 0.5).lr(1.0, 11) == 0.5
    assert ExponentialLR(0.5).lr(2.0, 1) == 2.0 and ExponentialLR(0.5).lr(2.0, 4) == 0.25
    cosine = CosineAnnealingLR(100, eta_min=0.01)
    assert cosine.lr(1.0, 1) == 1.0 and cosine.lr(1.0, 101) == pytest.approx(0.01)
    assert cosine.lr(1.0, 51) == pytest.approx(0.505)  # half way: the mean of α₀ and η_min
    warm = LinearLR(0.1, 1.0, 10)
    assert warm.lr(1.0, 1) == pytest.approx(0.1) and warm.lr(1.0, 11) == 1.0 and warm.lr(1.0, 500) == 1.0
    assert InverseSqrtLR().lr(1.0, 4) == 0.5
    assert InverseTimeLR().lr(1.0, 4) == 0.25 and InverseTimeLR(20).lr(1.0, 21) == 0.5  # α₀ t₀/(t₀ + t − 1)
    assert Constant().lr(0.3, 77) == 0.3


def test_rates_accept_an_array_of_steps_and_an_array_of_base_rates():
    t = np.arange(1, 6)
    assert np.allclose(ExponentialLR(0.5).lr(1.0, t), 0.5 ** (t - 1))
    assert np.allclose(StepLR(2).lr(np.array([1.0, 2.0]), 3), [0.1, 0.2])
    assert isinstance(CosineAnnealingLR(10).lr(1.0, 3), float)


def test_robbins_monro():
    n = 100_000
    inv_sqrt = robbins_monro_sums(InverseSqrtLR(), 1.0, n)
    assert inv_sqrt[0] == pytest.approx(2 * math.sqrt(n), rel=1e-2)  # Σ 1/√t grows like 2√n: infinite
    assert inv_sqrt[1] == pytest.approx(math.log(n) + 0.5772, rel=1e-3)  # Σ 1/t grows like ln n: infinite too
    exp = robbins_monro_sums(ExponentialLR(0.99), 1.0, n)
    assert exp[0] == pytest.approx(100, rel=1e-9)  # Σ α_t converges: the steps cannot carry x arbitrarily far
    inv_time = robbins_monro_sums(InverseTimeLR(), 1.0, n)
    assert inv_time[0] == pytest.approx(math.log(n) + 0.5772, rel=1e-3)  # Σ 1/t: infinite (slowly)
    assert inv_time[1] == pytest.approx(math.pi**2 / 6, rel=1e-4)  # Σ 1/t² = π²/6: finite, as Robbins–Monro ask


BAD = [
    (StepLR, {"step_size": 0}, "step_size must be a whole number >= 1; got step_size=0"),
    (StepLR, {"step_size": 2.5}, "step_size must be a whole number >= 1; got step_size=2.5"),
    (StepLR, {"step_size": 5, "gamma": 0.0}, "gamma must be a finite number > 0; got gamma=0.0"),
    (ExponentialLR, {"gamma": -0.9}, "gamma must be a finite number > 0; got gamma=-0.9"),
    (CosineAnnealingLR, {"t_max": 0}, "t_max must be a whole number >= 1; got t_max=0"),
    (CosineAnnealingLR, {"t_max": 10, "eta_min": -1.0}, "eta_min must be a finite number >= 0; got eta_min=-1.0"),
    (LinearLR, {"start_factor": 0.0}, "start_factor must be a finite number > 0; got start_factor=0.0"),
    (LinearLR, {"start_factor": 1.5}, r"start_factor must be in \(0, 1\]; got start_factor=1.5"),
    (LinearLR, {"end_factor": 2.0}, r"end_factor must be in \[0, 1\]; got end_factor=2.0"),
    (LinearLR, {"total_iters": 0}, "total_iters must be a whole number >= 1; got total_iters=0"),
    (InverseTimeLR, {"t0": 0.0}, "t0 must be a finite number > 0; got t0=0.0"),
]


@pytest.mark.parametrize("cls, kwargs, message", BAD, ids=lambda v: str(v))
def test_bad_arguments_name_the_parameter(cls, kwargs, message):
    with pytest.raises(ValueError, match=message):
        cls(**kwargs)


def test_bad_step_and_base_rate():
    with pytest.raises(ValueError, match=r"t must be a whole number >= 1 \(the optimizer step\); got t=0"):
        StepLR(5).lr(0.1, 0)
    with pytest.raises(ValueError, match=r"t must be a whole number >= 1 .*got t=1.5"):
        ExponentialLR(0.9).lr(0.1, 1.5)
    with pytest.raises(ValueError, match="base_lr must be a finite number > 0; got base_lr=-0.1"):
        ExponentialLR(0.9).lr(-0.1, 3)
