r"""Lesson 09 · Capstone: an LSTM trained with Adam on Seattle's temperatures.

The task: forecast tomorrow's maximum temperature from the previous 30 days of
four daily series (maximum, minimum, precipitation, wind), inputs standardized
with the training years' statistics only.  Train on 2012–2014, test on 2015; the
learning rates are chosen on 2014 (a validation year carved from the training
years) by models trained on 2012–2013.

What the notebook ``09_lstm_capstone.ipynb`` shows and prints comes from here:

- the task and its honest baselines: ``task``, ``baselines``, ``ewma_tuning``, ``persistence_rmse``;
- the model (``helpers.lstm``) and the race of SGD, momentum, RMSProp and Adam:
  ``run``, ``race``, ``chosen_rates``, ``sensitivity``, ``test_results``, ``seed_spread``;
- gradient clipping by global norm: ``clipping_runs``, ``clipped_steps``;
- lessons 01–08 in the curves: ``back_to_start``;
- the figures (``*_figure``) and the live figure ``LiveTraining`` (in ``WIDGETS``);
- the exercise checks ``check_lstm_cell`` and ``check_clip``, which name the slip.

Every training run is cached (``run`` is memoized on its arguments): the race is
computed once per kernel, and the live figure starts from a run the race made.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from helpers import lstm
from helpers.averages import ewma
from helpers.datasets import seattle_weather
from helpers.optimizers import SGD, Adam, Momentum, RMSProp
from helpers.plotting import DATA_STYLE, OKABE_ITO, new_figure, style
from helpers.schedules import CosineAnnealingLR, LinearLR
from lessons.checks import Feedback, _setup_line, attempt, describe_value
from lessons.widgets import LiveFigure, beta_slider, dropdown, from_browser, lr_slider

__all__ = [
    "FEATURES", "WINDOW", "HIDDEN", "BATCH", "STEPS", "MAX_NORM", "EVAL_EVERY", "GRID", "OPTIMIZERS", "DEFAULTS",
    "Task", "task", "rmse", "ewma_tuning", "baselines", "n_params", "make_optimizer", "run", "final_rmse",
    "race", "chosen_rates", "sensitivity", "sensitivity_verdict", "chaos", "test_results", "FEATURE_LABELS",
    "seed_spread", "lstm_verdict", "back_to_start_check", "seed_check", "least_sensitive", "CHECK_SEEDS",
    "settled", "SETTLED", "EWMA_BETAS", "sgd_cliff",
    "clipping_runs", "clipped_steps", "persistence_rmse", "leak_check",
    "back_to_start", "smoothed_rmse", "jitter", "try_this", "torch_check",
    "finite_difference_check", "TORCH_FIXTURE", "MONTHS", "WARMUP", "COSINE", "CLIP_DEMO", "TORCH_NAMES",
    "monthly_table", "july_means", "month_means",
    "data_figure", "sensitivity_figure", "curves_figure", "clipping_figure", "back_to_start_figure",
    "LiveTraining", "WIDGETS", "check_lstm_cell", "check_clip", "GATE_ORDERS",
]

# --- the task --------------------------------------------------------------------------------

#: The four daily series the model reads, in this order (the first is the one forecast).
FEATURES = ("temp_max", "temp_min", "precipitation", "wind")
FEATURE_LABELS = ("maximum temperature (°C)", "minimum temperature (°C)", "precipitation (mm)", "wind (m/s)")
WINDOW = 30  # days of history per forecast
TRAIN_YEARS = (2012, 2013, 2014)
TEST_YEAR = 2015
VALIDATION_YEAR = 2014  # carved from the training years: models trained on 2012–2013 are scored on it

# --- the model and its training: one small configuration, shared by every run -----------------

HIDDEN = 8  # H: the LSTM's hidden units
BATCH = 32  # examples per mini-batch
STEPS = 300  # optimizer steps per run (the same for every optimizer)
MAX_NORM = 1.0  # gradient clipping: global norm at most this
EVAL_EVERY = 25  # steps between two measurements of the validation loss
INIT_SEED = 0  # the initial parameters: the same for every optimizer
BATCH_SEED = 0  # the order of the mini-batches: the same for every optimizer

#: The shared learning-rate grid: 10^-3 to 10^0.5 in half decades.
GRID = tuple(float(10**e) for e in np.arange(-3.0, 0.51, 0.5))

#: Each optimizer's hyperparameters besides α: PyTorch's defaults (momentum in the lecture's EWMA form).
DEFAULTS = {"SGD": {}, "Momentum": {"beta1": 0.9}, "RMSProp": {"beta2": 0.99}, "Adam": {"beta1": 0.9, "beta2": 0.999}}
OPTIMIZERS = tuple(DEFAULTS)


def make_optimizer(name: str, lr: float, beta1: float = 0.9, beta2: float = 0.999, bias_correction: bool = True):
    """The optimizer ``name`` from ``helpers.optimizers``: momentum reads β₁ as its β, RMSProp reads β₂ as its β.

    Momentum is the lecture's EWMA form, v = β v + (1 − β) g (lesson 03); it equals
    ``torch.optim.SGD(lr=α(1 − β), momentum=β)``.
    """
    if name == "SGD":
        return SGD(lr)
    if name == "Momentum":
        return Momentum(lr, beta1)
    if name == "RMSProp":
        return RMSProp(lr, beta2)
    if name == "Adam":
        return Adam(lr, beta1, beta2, bias_correction=bias_correction)
    raise ValueError(f"name must be one of {', '.join(map(repr, OPTIMIZERS))}; got name={name!r}.")


@dataclass(frozen=True, eq=False)
class Task:
    """The forecasting task: one example per target day, from the 31st day of 2012 on.

    ``x[k]`` holds the 30 days before ``dates[k]`` (all four series, standardized with
    the training years' mean and standard deviation), ``y[k]`` that day's maximum
    (standardized the same way), ``today[k]`` and ``target[k]`` the maxima of the day
    before and of the day itself in °C.  ``split`` maps "train" (2012–2014), "test"
    (2015), "race train" (2012–2013) and "validation" (2014) to boolean masks.
    """

    dates: np.ndarray
    x: np.ndarray
    y: np.ndarray
    today: np.ndarray
    target: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    split: dict

    def celsius(self, y_std) -> np.ndarray:
        """Standardized maxima back to °C."""
        return np.asarray(y_std, dtype=float) * self.std[0] + self.mean[0]

    def part(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """``(x, y)`` of one split."""
        mask = self.split[name]
        return self.x[mask], self.y[mask]


def _years(dates: np.ndarray) -> np.ndarray:
    return dates.astype("datetime64[Y]").astype(int) + 1970


#: The years whose days give the standardization's mean and standard deviation, per choice of ``task``.
STANDARDIZE_ON = {"train": TRAIN_YEARS,
                  "race train": tuple(year for year in TRAIN_YEARS if year != VALIDATION_YEAR)}


@functools.lru_cache(maxsize=2)
def task(standardize_on: str = "train") -> Task:
    """Build the windows, the targets and the splits (computed once per ``standardize_on``).

    ``standardize_on`` names the years whose statistics centre and scale every series:
    "train" (2012–2014, the years the final models see) or "race train" (2012–2013, the
    race's own training years, so that its validation year 2014 shapes nothing the
    race's models see; ``leak_check`` uses it).
    """
    if standardize_on not in STANDARDIZE_ON:
        raise ValueError(f"standardize_on must be one of {', '.join(map(repr, STANDARDIZE_ON))}; "
                         f"got standardize_on={standardize_on!r}.")
    w = seattle_weather()
    raw = np.column_stack([getattr(w, name) for name in FEATURES])  # (days, 4)
    in_training = np.isin(_years(w.date), STANDARDIZE_ON[standardize_on])
    mean, std = raw[in_training].mean(axis=0), raw[in_training].std(axis=0)  # training statistics only
    z = (raw - mean) / std
    days = np.arange(WINDOW, len(raw))  # the target days
    x = np.stack([z[d - WINDOW:d] for d in days])
    years = _years(w.date[days])
    split = {
        "train": np.isin(years, TRAIN_YEARS),
        "test": years == TEST_YEAR,
        "race train": np.isin(years, TRAIN_YEARS) & (years != VALIDATION_YEAR),
        "validation": years == VALIDATION_YEAR,
    }
    return Task(dates=w.date[days], x=x, y=z[days, :1], today=raw[days - 1, 0], target=raw[days, 0], mean=mean,
                std=std, split=split)


def rmse(forecast, target) -> float:
    """Root-mean-square error, in the units of its arguments (°C here)."""
    return float(np.sqrt(np.mean((np.asarray(forecast) - np.asarray(target)) ** 2)))


def persistence_rmse(split: str) -> float:
    """Persistence's RMSE (°C) on one split: how hard that split's days are to forecast, with nothing fitted."""
    t = task()
    mask = t.split[split]
    return rmse(t.today[mask], t.target[mask])


# --- the baselines ----------------------------------------------------------------------------

#: The β grid the EWMA baseline is tuned on: 0 to 0.95 in steps of 0.01 (the RMSE is flat near its best, so
#: a coarser grid would pick a β a few hundredths off; the error it reaches would hardly change).
EWMA_BETAS = tuple(round(float(b), 2) for b in np.arange(0.0, 0.951, 0.01))


@functools.cache
def _ewma_forecast(beta: float) -> np.ndarray:
    """Tomorrow's maximum forecast as today's bias-corrected EWMA v̂_t of the maxima (lessons 01–02), per example."""
    theta = seattle_weather().temp_max
    v_hat = ewma(theta, beta, bias_correction=True) if beta > 0 else theta  # β = 0: v̂_t = θ_t
    forecast = v_hat[np.arange(WINDOW, len(theta)) - 1]
    forecast.setflags(write=False)  # cached: shared by every caller
    return forecast


def ewma_tuning(fit_on: str = "train") -> dict:
    """The EWMA forecast's RMSE on the ``fit_on`` split for each β of ``EWMA_BETAS``, and the best β."""
    t = task()
    mask = t.split[fit_on]
    errors = {beta: rmse(_ewma_forecast(beta)[mask], t.target[mask]) for beta in EWMA_BETAS}
    return {"rmse": errors, "beta": min(errors, key=errors.get)}


def _linear_fit(features: np.ndarray, fit: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Least squares on the rows ``fit``: weights and a constant; returns the forecast for every row."""
    A = np.column_stack([features, np.ones(len(features))])
    weights = np.linalg.lstsq(A[fit], y[fit], rcond=None)[0]
    return A @ weights


@functools.lru_cache(maxsize=1)
def baselines() -> dict[str, dict]:
    """Every baseline's forecast RMSE (°C) on the validation year and on the test year.

    Each is fitted (or tuned) on the years before the year it is scored on: on
    2012–2013 for "validation" (2014), on 2012–2014 for "test" (2015).  Entries:
    ``{"validation": …, "test": …, "label": …}``; the EWMA's also ``beta`` (tuned for the test).
    """
    t = task()
    table = {"persistence": {"label": "persistence (tomorrow = today)"}}
    for score in ("validation", "test"):
        table["persistence"][score] = rmse(t.today[t.split[score]], t.target[t.split[score]])
    fit_for = {"validation": "race train", "test": "train"}
    beta = {score: ewma_tuning(fit_for[score])["beta"] for score in fit_for}
    table["EWMA"] = {score: rmse(_ewma_forecast(beta[score])[t.split[score]], t.target[t.split[score]])
                     for score in fit_for}
    table["EWMA"].update(beta=beta["test"], label=f"EWMA v̂_t, β = {beta['test']:.2f} (tuned on 2012–2014)")
    inputs = {"linear AR": t.x[:, :, 0], "linear, 4 inputs": t.x.reshape(len(t.x), -1)}
    labels = {"linear AR": f"linear autoregression on the last {WINDOW} maxima",
              "linear, 4 inputs": f"linear on all 4 series × {WINDOW} days (the LSTM's inputs)"}
    for name, features in inputs.items():
        table[name] = {score: rmse(t.celsius(_linear_fit(features, t.split[fit_for[score]], t.y[:, 0]))[
            t.split[score]], t.target[t.split[score]]) for score in fit_for}
        table[name]["label"] = labels[name]
    return table


# --- training runs -----------------------------------------------------------------------------


#: helpers.lstm's parameter names and where PyTorch keeps the same numbers.
TORCH_NAMES = {"weight_ih": "lstm.weight_ih_l0", "weight_hh": "lstm.weight_hh_l0", "bias_ih": "lstm.bias_ih_l0",
               "bias_hh": "lstm.bias_hh_l0", "head_weight": "linear.weight", "head_bias": "linear.bias"}


def n_params(hidden: int = HIDDEN) -> int:
    """The number of parameters of the LSTM and its head: 4H(I + H) + 8H + H + 1."""
    return sum(int(np.prod(s)) for s in lstm.param_shapes(len(FEATURES), hidden, 1).values())


TORCH_FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "golden" / "torch_lstm.json"


def torch_check() -> dict:
    """Replay the fixtures made from ``torch.nn.LSTM`` + ``torch.nn.Linear`` (tests/golden/make_lstm_fixtures.py).

    Returns the largest deviation over every case's loss and every gradient, each
    relative to the largest entry of what it is compared with, the number of cases,
    their shapes and the torch version.  No PyTorch needed: the fixture is a JSON file.
    """
    if not TORCH_FIXTURE.exists():
        raise FileNotFoundError("tests/golden/torch_lstm.json is missing: this lesson reads the torch.nn.LSTM "
                                "fixtures from the project's tests folder (run it from a clone).")
    fixture = json.loads(TORCH_FIXTURE.read_text())
    worst = 0.0
    for case in fixture["cases"]:
        params = {k: np.array(v) for k, v in case["params"].items()}
        loss, grads = lstm.loss_and_grad(params, np.array(case["x"]), np.array(case["y"]))
        pairs = [(loss, case["loss"])] + [(grads[k], case["grads"][k]) for k in lstm.PARAM_NAMES]
        for ours, theirs in pairs:
            theirs = np.asarray(theirs, dtype=float)
            worst = max(worst, float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-300)))
    shapes = [(c["batch"], c["T"], c["I"], c["H"], c["O"]) for c in fixture["cases"]]
    return {"deviation": worst, "cases": len(shapes), "shapes": shapes, "torch_version": fixture["torch_version"]}


def finite_difference_check(entries: int = 20, h: float = 1e-6, seed: int = 0) -> float:
    """BPTT against central differences (L(θ + h) − L(θ − h)) / 2h on ``entries`` random entries of every tensor.

    Returns the largest relative difference, on eight training windows at the initial parameters.
    """
    t = task()
    params = lstm.init_params(len(FEATURES), HIDDEN, 1, seed=INIT_SEED)
    x, y = t.x[:8], t.y[:8]
    _, grads = lstm.loss_and_grad(params, x, y)
    rng = np.random.default_rng(seed)
    worst = 0.0
    for name in lstm.PARAM_NAMES:
        for flat in rng.choice(params[name].size, size=min(entries, params[name].size), replace=False):
            index = np.unravel_index(flat, params[name].shape)
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][index] += h
            minus[name][index] -= h
            numeric = (lstm.loss(plus, x, y) - lstm.loss(minus, x, y)) / (2 * h)
            worst = max(worst, abs(numeric - grads[name][index]) / max(abs(grads[name][index]), 1e-8))
    return worst


def run(name: str, lr: float, beta1: float | None = None, beta2: float | None = None, *, fit_on: str = "race train",
        score_on: str = "validation", seed: int = INIT_SEED, schedule=None, bias_correction: bool = True,
        max_norm: float | None = MAX_NORM, steps: int | None = None, standardize_on: str = "train") -> lstm.TrainResult:
    """Train the LSTM with optimizer ``name`` at learning rate ``lr`` (cached: the same run is computed once).

    β₁ and β₂ default to the optimizer's own (``DEFAULTS``); an optimizer that does not
    read one ignores it (SGD reads neither, momentum β₁, RMSProp β₂).  The initial
    parameters come from ``seed``, and so does the order of the mini-batches; ``fit_on``
    and ``score_on`` name the splits trained on and measured every ``EVAL_EVERY`` steps;
    ``steps`` defaults to ``STEPS``; ``standardize_on`` picks the inputs' statistics (``task``).
    """
    return _run(_run_key(name, lr, beta1, beta2, fit_on, score_on, seed, schedule, bias_correction, max_norm, steps,
                         standardize_on))


def run_as_it_goes(name: str, lr: float, beta1: float | None = None, beta2: float | None = None,
                   report=(5, 100)):
    """``run(name, lr, beta1, beta2)``, yielding the run as it goes (``helpers.lstm.training``; by default after
    step 5, then every 100 steps); the last result is ``run``'s.  A run computed before is yielded at once."""
    yield from _training(_run_key(name, lr, beta1, beta2, "race train", "validation", INIT_SEED, None, True,
                                  MAX_NORM, None, "train"), report)


def _run_key(name, lr, beta1, beta2, fit_on, score_on, seed, schedule, bias_correction, max_norm, steps,
             standardize_on) -> tuple:
    """``run``'s arguments as the run they define: the β's an optimizer does not read dropped, defaults filled in."""
    if name not in DEFAULTS:
        raise ValueError(f"name must be one of {', '.join(map(repr, OPTIMIZERS))}; got name={name!r}.")
    reads = DEFAULTS[name]
    beta1 = (reads["beta1"] if beta1 is None else float(beta1)) if "beta1" in reads else None
    beta2 = (reads["beta2"] if beta2 is None else float(beta2)) if "beta2" in reads else None
    bias_correction = bool(bias_correction) if name == "Adam" else True
    steps = STEPS if steps is None else int(steps)
    return (name, float(lr), beta1, beta2, fit_on, score_on, seed, schedule, bias_correction, max_norm, steps,
            task(standardize_on))


#: Runs computed so far, by ``_run_key`` (the oldest are dropped beyond ``_KEPT_RUNS``).
_RUNS: dict = {}
_KEPT_RUNS = 256


def _run(key: tuple) -> lstm.TrainResult:
    if key not in _RUNS:
        for _ in _training(key, report=()):
            pass
    return _RUNS[key]


def _training(key: tuple, report):
    """The run ``key`` as it goes; its last result is remembered in ``_RUNS``."""
    if key in _RUNS:
        yield _RUNS[key]
        return
    name, lr, beta1, beta2, fit_on, score_on, seed, schedule, bias_correction, max_norm, steps, t = key
    opt = make_optimizer(name, lr, 0.9 if beta1 is None else beta1, 0.999 if beta2 is None else beta2,
                         bias_correction)
    x, y = t.part(fit_on)
    x_val, y_val = t.part(score_on)
    for result in lstm.training(opt, lstm.init_params(len(FEATURES), HIDDEN, 1, seed=seed), x, y, steps=steps,
                                batch_size=BATCH, seed=seed + BATCH_SEED, max_norm=max_norm, x_val=x_val,
                                y_val=y_val, eval_every=EVAL_EVERY, schedule=schedule, report=report):
        yield result
    if len(_RUNS) >= _KEPT_RUNS:
        del _RUNS[next(iter(_RUNS))]
    _RUNS[key] = result


def final_rmse(result: lstm.TrainResult, at: int | None = None) -> float:
    """The validation (or test) RMSE in °C after the last step (or after ``at`` steps); inf if the run diverged.

    ``at`` must be one of the run's ``eval_steps`` (a multiple of ``EVAL_EVERY``).  A run
    with a constant α is the same, step for step, whatever its length (same batches,
    same updates), so the RMSE after 200 of 300 steps is that of a 200-step run.
    """
    if at is None:
        loss = result.val_loss[-1]
    else:
        where = np.flatnonzero(result.eval_steps == at)
        if not where.size:
            raise ValueError(f"at must be a step at which the run measured the validation loss, one of "
                             f"{list(map(int, result.eval_steps))}; got at={at!r}.")
        loss = result.val_loss[where[0]]
    return float(np.sqrt(loss) * task().std[0]) if np.isfinite(loss) else math.inf


def smoothed_rmse(result: lstm.TrainResult, beta: float = 0.95) -> np.ndarray:
    """The mini-batch loss, smoothed by lesson 01's EWMA with lesson 02's bias correction, as an RMSE in °C."""
    loss = result.train_loss
    finite = np.isfinite(loss)
    smooth = np.full_like(loss, np.nan)
    smooth[finite] = ewma(loss[finite], beta, bias_correction=True) if finite.any() else smooth[finite]
    return np.sqrt(smooth) * task().std[0]


def race(steps: int | None = None) -> dict[str, dict[float, lstm.TrainResult]]:
    """Every optimizer at every learning rate of ``GRID``: same start, same batches, same steps, clipped.

    ``steps`` (default ``STEPS``) is the budget of every run: try another one to see
    how much the verdicts below depend on it.
    """
    return {name: {lr: run(name, lr, steps=steps) for lr in GRID} for name in OPTIMIZERS}


def chosen_rates(steps: int | None = None, at: int | None = None) -> dict[str, float]:
    """Each optimizer's learning rate: the grid point with the lowest final validation RMSE.

    ``at`` judges the race's runs after ``at`` of their steps instead (a smaller budget,
    without training again); ``steps`` trains every run for that many steps.
    """
    return {name: min(runs, key=lambda lr: final_rmse(runs[lr], at)) for name, runs in race(steps).items()}


def sensitivity(steps: int | None = None, at: int | None = None) -> dict[str, dict]:
    """Per optimizer: its best validation RMSE (°C), and what missing its best α by one grid step costs.

    ``below`` and ``above`` are the final validation RMSEs at the grid points next to the
    chosen rate (a factor √10 ≈ 3.2 smaller and larger; None at the end of the grid), and
    ``penalty`` is the larger of the two minus the best.  One step either side is where
    the race's runs are settled; further up, Adam's and RMSProp's runs turn chaotic
    (see ``chaos``), and a single run's final RMSE there is not a reliable number.
    ``steps`` and ``at`` as in ``chosen_rates``.
    """
    table = {}
    rates = chosen_rates(steps, at)
    for name, runs in race(steps).items():
        lr = rates[name]
        k = GRID.index(lr)
        below = final_rmse(runs[GRID[k - 1]], at) if k > 0 else None
        above = final_rmse(runs[GRID[k + 1]], at) if k + 1 < len(GRID) else None
        best = final_rmse(runs[lr], at)
        neighbours = [e for e in (below, above) if e is not None]
        table[name] = {"lr": lr, "best": best, "below": below, "above": above,
                       "penalty": max(neighbours) - best}
    return table


def sensitivity_verdict(steps: int | None = None, at: int | None = None) -> str:
    """What the sensitivity figure shows, in one sentence computed from ``sensitivity`` (not typed in)."""
    table = sensitivity(steps, at)
    order = sorted(OPTIMIZERS, key=lambda n: table[n]["penalty"])
    costs = ", ".join(f"{n} {table[n]['penalty']:.2f} °C" for n in order)
    least, most = order[0], order[-1]
    return (f"Missing the best α by a factor of √10 either way costs at most: {costs}. "
            f"By this measure {least} is the least sensitive to α here and {most} the most.")


#: The other starts (initial weights and batch order) the race's verdicts are checked on.
CHECK_SEEDS = (1, 2)


def seed_check(seeds=CHECK_SEEDS) -> dict[str, dict]:
    """The race's verdict, retried from other starts: each optimizer at its chosen α and the grid points either side.

    Per optimizer: ``lrs`` (the three rates), ``rmse`` {seed: [three final validation
    RMSEs, °C]} for seed 0 (the race) and each of ``seeds``, and ``penalty`` {seed: the
    larger neighbour minus the RMSE at the chosen α}.  ``settled`` checks the runs at the
    chosen α from the race's start; the neighbours and the other starts are not checked for chaos.
    """
    table = {}
    for name, lr in chosen_rates().items():
        k = GRID.index(lr)
        lrs = GRID[k - 1:k + 2]
        rmses = {seed: [final_rmse(run(name, r, seed=seed)) for r in lrs] for seed in (INIT_SEED, *seeds)}
        table[name] = {"lrs": lrs, "rmse": rmses,
                       "penalty": {seed: max(e[0], e[2]) - e[1] for seed, e in rmses.items()}}
    return table


def leak_check() -> dict:
    """The race again with its inputs standardized on 2012–2013 only (``task("race train")``).

    The race trains on 2012–2013 and picks each α by the RMSE on 2014, but its inputs
    are standardized with 2012–2014 statistics, which include the validation year.
    Returns ``shift`` (°C: how far 2014 moves the maximum's mean, 2012–2014 minus
    2012–2013), ``rates`` {optimizer: α chosen without 2014's statistics}, ``same``
    (whether every optimizer picks the α of ``chosen_rates``) and ``rmse`` {optimizer:
    (the race's validation RMSE at its α, the leak-free one at its α), °C}.
    """
    leaky, clean = task(), task("race train")
    chosen = chosen_rates()

    def val_rmse(name, lr, t, standardize_on):
        loss = run(name, lr, standardize_on=standardize_on).val_loss[-1]
        return float(np.sqrt(loss) * t.std[0]) if np.isfinite(loss) else math.inf

    rates = {name: min(GRID, key=lambda lr, n=name: val_rmse(n, lr, clean, "race train")) for name in OPTIMIZERS}
    return {"shift": float(leaky.mean[0] - clean.mean[0]), "rates": rates,
            "same": rates == chosen,
            "rmse": {name: (val_rmse(name, chosen[name], leaky, "train"),
                            val_rmse(name, rates[name], clean, "race train")) for name in OPTIMIZERS}}


def least_sensitive(seeds=CHECK_SEEDS) -> dict[int, str]:
    """Per start (seed), the optimizer with the smallest ``seed_check`` penalty."""
    table = seed_check(seeds)
    return {seed: min(OPTIMIZERS, key=lambda n: table[n]["penalty"][seed]) for seed in (INIT_SEED, *seeds)}


def sgd_cliff(lr: float = 1.0, seeds=CHECK_SEEDS) -> dict[int, float]:
    """SGD's final validation RMSE (°C) at ``lr`` (the α of section 4's clipping demo) from the race's start and
    ``seeds``: the cliff just above SGD's good rates, start by start."""
    return {seed: final_rmse(run("SGD", lr, seed=seed)) for seed in (INIT_SEED, *seeds)}


@functools.lru_cache(maxsize=16)
def _nudged_final_rmse(name: str, lr: float, nudge: float) -> float:
    """The final validation RMSE of ``run(name, lr)`` from initial weights multiplied by 1 + ``nudge``."""
    t = task()
    x, y = t.part("race train")
    x_val, y_val = t.part("validation")
    params = lstm.init_params(len(FEATURES), HIDDEN, 1, seed=INIT_SEED)
    nudged = {k: v * (1 + nudge) for k, v in params.items()}
    result = lstm.train(make_optimizer(name, lr, **DEFAULTS[name]), nudged, x, y, steps=STEPS, batch_size=BATCH,
                        seed=INIT_SEED + BATCH_SEED, max_norm=MAX_NORM, x_val=x_val, y_val=y_val,
                        eval_every=EVAL_EVERY)
    return final_rmse(result)


def chaos(name: str = "Adam", lrs=None, nudge: float = 1e-13) -> dict[float, float]:
    """How far the final validation RMSE (°C) moves when every initial weight is multiplied by 1 + ``nudge``.

    A settled run moves by about ``nudge`` times its size; a chaotic one (a large α for
    Adam or RMSProp) by tenths of a degree: its final RMSE depends on the last bits of
    the arithmetic, so it differs between machines and numpy versions.
    """
    lrs = (chosen_rates()[name], GRID[-3]) if lrs is None else lrs
    return {lr: abs(_nudged_final_rmse(name, float(lr), nudge) - final_rmse(run(name, lr))) for lr in lrs}


#: A run is settled when a 1e-13 nudge of its initial weights moves its final RMSE by less than this (°C).
SETTLED = 1e-9


def settled() -> dict[str, bool]:
    """Per optimizer: is its run at its chosen α settled (not chaotic)?  Then every number read from it (the
    curves, the test score) is the same on any machine, up to rounding."""
    return {name: chaos(name, (lr,))[lr] < SETTLED for name, lr in chosen_rates().items()}


@functools.lru_cache(maxsize=1)
def test_results() -> dict[str, dict]:
    """Each optimizer retrained on all three training years at its chosen rate; its test RMSE (°C) on 2015."""
    rates = chosen_rates()
    table = {}
    for name, lr in rates.items():
        result = run(name, lr, fit_on="train", score_on="test")
        table[name] = {"lr": lr, "test": final_rmse(result), "result": result}
    return table


def seed_spread(name: str = "Adam", seeds=(0, 1, 2, 3, 4), score_on: str = "test") -> np.ndarray:
    """RMSEs (°C) of ``name`` at its chosen rate, retrained from other initial parameters and batch orders.

    ``score_on="test"``: trained on 2012–2014, scored on 2015; ``"validation"``: trained on
    2012–2013 (as in the race), scored on 2014.
    """
    lr = chosen_rates()[name]
    fit_on = {"test": "train", "validation": "race train"}[score_on]
    return np.array([final_rmse(run(name, lr, fit_on=fit_on, score_on=score_on, seed=s)) for s in seeds])


def lstm_verdict(seeds=(0, 1, 2, 3, 4)) -> str:
    """Does the LSTM (Adam, over seeds) beat the linear autoregression?  On 2015, and on 2014: said from the numbers.

    Each year is scored by models fitted on the years before it (2012–2014 for 2015,
    2012–2013 for 2014), the LSTMs and the autoregression alike.
    """
    sentences = []
    for score_on, year in (("test", TEST_YEAR), ("validation", VALIDATION_YEAR)):
        spread = seed_spread("Adam", seeds, score_on)
        linear = baselines()["linear AR"][score_on]
        better = int(np.sum(spread < linear))
        n = len(spread)
        if better == n:
            verdict = f"all {n} beat it, by {linear - spread.mean():.2f} °C on average"
        elif better == 0:
            verdict = f"none of the {n} beats it, by {spread.mean() - linear:.2f} °C on average"
        else:
            gap = spread.mean() - linear
            average = ("on average they tie, to within 0.01 °C" if abs(gap) < 0.005 else
                       f"on average the LSTM is {abs(gap):.2f} °C {'better' if gap < 0 else 'worse'}")
            verdict = f"{better} of the {n} beat it and {n - better} do not; {average}"
        sentences.append(f"{year}: LSTMs {spread.min():.2f} to {spread.max():.2f} °C against the autoregression's "
                         f"{linear:.2f} °C: {verdict}.")
    return "\n".join(sentences)


# --- clipping ----------------------------------------------------------------------------------

CLIP_DEMO = {"name": "SGD", "lr": 1.0}  # a rate too large for plain SGD: the run without clipping blows up


@functools.lru_cache(maxsize=1)
def clipping_runs() -> dict[str, lstm.TrainResult]:
    """SGD at a rate too large for it, with and without clipping the gradient's global norm to ``MAX_NORM``."""
    return {"clipped": run(CLIP_DEMO["name"], CLIP_DEMO["lr"]),
            "not clipped": run(CLIP_DEMO["name"], CLIP_DEMO["lr"], max_norm=None)}


def clipped_steps(result: lstm.TrainResult, max_norm: float = MAX_NORM) -> tuple[int, int]:
    """``(clipped, steps)``: how many of the run's steps had a gradient above ``max_norm``, out of how many.

    A count, not a percentage: 299 of 300 steps would print as "100%", which a learner reads as "every step".
    """
    norms = result.grad_norm[np.isfinite(result.grad_norm)]
    return int(np.sum(norms > max_norm)), int(norms.size)


# --- back to the start: lessons 01–08 in the curves ---------------------------------------------

WARMUP = LinearLR(start_factor=0.1, total_iters=30)  # lesson 08's warm-up: α from α/10 to α over 30 steps
COSINE = CosineAnnealingLR(t_max=STEPS)  # lesson 07's decay: α down to 0 along half a cosine, over the run


@functools.lru_cache(maxsize=1)
def back_to_start() -> dict[str, lstm.TrainResult]:
    """Adam at its chosen rate: as raced, without bias correction, with a warm-up, and with a cosine decay."""
    lr = chosen_rates()["Adam"]
    return {
        "Adam (as raced)": run("Adam", lr),
        "Adam without bias correction": run("Adam", lr, bias_correction=False),
        "Adam with a linear warm-up": run("Adam", lr, schedule=WARMUP),
        "Adam with a cosine decay": run("Adam", lr, schedule=COSINE),
    }


def back_to_start_check(seeds=CHECK_SEEDS) -> dict[str, dict[int, dict]]:
    """The variants of ``back_to_start`` from the race's start and ``seeds``: per variant and start, ``change``
    (its final validation RMSE minus Adam's as raced from that start, °C) and ``jitter``.

    One of these runs is not settled: Adam without bias correction from the race's start
    turns chaotic late in the run (a 1e-13 nudge of its initial weights moves its final
    RMSE by thousandths of a degree), so the lesson leaves its end out.
    """
    lr = chosen_rates()["Adam"]
    variants = {"Adam (as raced)": {}, "Adam without bias correction": {"bias_correction": False},
                "Adam with a linear warm-up": {"schedule": WARMUP}, "Adam with a cosine decay": {"schedule": COSINE}}
    table = {}
    for name, options in variants.items():
        table[name] = {}
        for seed in (INIT_SEED, *seeds):
            result, raced = run("Adam", lr, seed=seed, **options), run("Adam", lr, seed=seed)
            table[name][seed] = {"change": final_rmse(result) - final_rmse(raced), "jitter": jitter(result)}
    return table


def jitter(result: lstm.TrainResult, last: int = 5) -> float:
    """How much the validation RMSE (°C) still moves at the end: its standard deviation over the last evaluations."""
    values = np.sqrt(result.val_loss[-last:]) * task().std[0]
    return float(np.std(values))


# --- the numbers behind the "try this" answers ---------------------------------------------------


def try_this() -> dict[str, float]:
    """Final validation RMSEs (°C) of the live figure's settings that the notebook's "try this" answers quote."""
    rates = chosen_rates()
    adam, sgd = rates["Adam"], rates["SGD"]
    return {
        "Adam, chosen α": final_rmse(run("Adam", adam)),
        "Adam, β₁ = 0": final_rmse(run("Adam", adam, beta1=0.0)),
        "Adam, β₂ = 0.9": final_rmse(run("Adam", adam, beta2=0.9)),
        "SGD at Adam's α": final_rmse(run("SGD", adam)),
        "SGD, chosen α": final_rmse(run("SGD", sgd)),
        "Momentum, β = 0, SGD's α": final_rmse(run("Momentum", sgd, beta1=0.0)),
    }


def monthly_table(name: str = "Adam") -> dict[str, dict]:
    """Per month of 2015: the RMSE (°C) of the live figure's default model (``name`` at its chosen α, trained on
    2012–2013) and of persistence, and the model's mean error (forecast − actual)."""
    t = task()
    result = run(name, chosen_rates()[name])
    forecast = t.celsius(lstm.predict(result.params, t.x)[:, 0])
    months = t.dates.astype("datetime64[M]")
    table = {}
    for month in MONTHS:
        k = months == np.datetime64(month)
        table[month] = {"lstm": rmse(forecast[k], t.target[k]), "persistence": rmse(t.today[k], t.target[k]),
                        "bias": float(np.mean(forecast[k] - t.target[k]))}
    return table


def month_means(month: int) -> dict[int, float]:
    """The mean daily maximum (°C) of ``month`` (1 = January), per year of the record."""
    w = seattle_weather()
    in_month = w.date.astype("datetime64[M]").astype(int) % 12 == month - 1
    years = _years(w.date)
    return {int(y): float(w.temp_max[in_month & (years == y)].mean()) for y in np.unique(years)}


def july_means() -> dict[int, float]:
    """The mean daily maximum (°C) of July, per year of the record."""
    return month_means(7)


# --- figures -----------------------------------------------------------------------------------

SPLIT_COLOURS = {"race train": OKABE_ITO["sky blue"], "validation": OKABE_ITO["orange"],
                 "test": OKABE_ITO["reddish purple"]}
SPLIT_LABELS = {"race train": "2012–2013: the race trains here", "validation": "2014: validation (α is chosen here)",
                "test": "2015: test (scored once)"}
RMSE_TOP = 6.0  # °C: the top of the RMSE axes; worse runs are drawn at the edge


def data_figure():
    """The daily maxima 2012–2015 with the three periods shaded."""
    t = task()
    w = seattle_weather()
    fig = new_figure(11, 3.6)
    ax = fig.subplots()
    ax.plot(w.date, w.temp_max, label="daily maximum θ_t", **DATA_STYLE["data"])
    for name, colour in SPLIT_COLOURS.items():
        dates = t.dates[t.split[name]]
        ax.axvspan(dates[0], dates[-1], color=colour, alpha=0.18, label=SPLIT_LABELS[name])
    ax.set_xlabel("date")
    ax.set_ylabel("maximum temperature (°C)")
    ax.set_title("Seattle's daily maximum: the training years (2012–2014) and the test year (2015)")
    ax.legend(loc="lower center", fontsize=10, ncols=2, framealpha=0.9)
    ax.set_ylim(-24, 38)  # room at the bottom for the legend
    return fig


def _style(name: str, markevery: int | None = None) -> dict:
    """The project's look for an optimizer (``helpers.plotting.STYLES``); SGD is drawn as gradient descent, "GD"."""
    return style("GD" if name == "SGD" else name, markevery)


def _lr_axis(ax) -> None:
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator(GRID))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.3g}"))
    ax.set_xlabel("learning rate α (log scale)")


def sensitivity_figure():
    """Final validation RMSE against the learning rate, one line per optimizer, with the baselines for scale.

    Hollow circles: each optimizer's chosen α and its neighbours from the other starts of ``seed_check``.
    """
    fig = new_figure(11, 4.6)
    ax = fig.subplots()
    labelled = False
    for name, runs in race().items():
        errors = np.array([final_rmse(runs[lr]) for lr in GRID])
        shown = np.minimum(errors, RMSE_TOP)
        ax.plot(GRID, shown, label=f"{name} (best α = {chosen_rates()[name]:.3g})", **_style(name))
        off = errors > RMSE_TOP
        if off.any():
            ax.plot(np.array(GRID)[off], shown[off], linestyle="none", marker="^", markersize=9,
                    color=_style(name)["color"], label="_")
            labelled = True
    for name, row in seed_check().items():  # the same runs from other starts (checked in section 5)
        for seed in CHECK_SEEDS:
            ax.plot(row["lrs"], np.minimum(row["rmse"][seed], RMSE_TOP), linestyle="none", marker="o", markersize=7,
                    markerfacecolor="none", markeredgewidth=1.3, color=_style(name)["color"], label="_")
    # Legend entries for the marker kinds, in grey: they stand for every optimizer's colour, not the first one's.
    if labelled:
        ax.plot([], [], linestyle="none", marker="^", markersize=9, color="grey",
                label=f"above {RMSE_TOP:g} °C (or diverged)")
    ax.plot([], [], linestyle="none", marker="o", markersize=7, markerfacecolor="none", markeredgewidth=1.3,
            color="grey", label=f"the same, from starts {' and '.join(map(str, CHECK_SEEDS))}")
    table = baselines()
    ax.axhline(table["persistence"]["validation"], color=OKABE_ITO["black"], linestyle=":", linewidth=1.2,
               label="persistence (tomorrow = today)")
    ax.axhline(table["linear AR"]["validation"], color=OKABE_ITO["bluish green"], linestyle="--", linewidth=1.2,
               label="linear autoregression")
    _lr_axis(ax)
    ax.set_ylim(2.5, RMSE_TOP + 0.2)
    ax.set_ylabel("validation RMSE after the last step (°C)")
    ax.set_title(f"How sensitive is each optimizer to α? ({STEPS} steps, validation year {VALIDATION_YEAR})")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=10, framealpha=0.9)
    return fig


def curves_figure():
    """Learning curves at each optimizer's chosen rate: validation RMSE (left), smoothed mini-batch RMSE (right)."""
    fig = new_figure(12, 4.2)
    left, right = fig.subplots(1, 2, sharey=True)
    rates = chosen_rates()
    for name in OPTIMIZERS:
        result = race()[name][rates[name]]
        label = f"{name}, α = {rates[name]:.3g}"
        left.plot(result.eval_steps, np.sqrt(result.val_loss) * task().std[0], label=label,
                  **_style(name, markevery=2))
        right.plot(np.arange(1, STEPS + 1), smoothed_rmse(result), label=label, **dict(_style(name), marker=None))
    linear = baselines()["linear AR"]["validation"]
    for ax in (left, right):
        ax.axhline(linear, color=OKABE_ITO["bluish green"], linestyle="--", linewidth=1.2,
                   label="linear autoregression (validation)")
        ax.set_xlabel("optimizer step")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=10)
    left.set_ylim(2.0, RMSE_TOP + 0.2)
    left.set_ylabel("RMSE (°C)")
    left.set_title(f"validation RMSE ({VALIDATION_YEAR}), every {EVAL_EVERY} steps")
    right.set_title("mini-batch RMSE, smoothed: bias-corrected EWMA, β = 0.95")
    return fig


def clipping_figure():
    """The gradient's global norm at every step of SGD at α = 1, with and without clipping."""
    runs = clipping_runs()
    fig = new_figure(11, 3.8)
    left, right = fig.subplots(1, 2)
    looks = {"clipped": {"color": OKABE_ITO["blue"], "linestyle": "-"},
             "not clipped": {"color": OKABE_ITO["vermillion"], "linestyle": "-"}}
    for key, result in runs.items():
        label = f"{key}" + (f" (diverged at step {result.diverged_at})" if result.diverged_at else "")
        left.plot(np.arange(1, STEPS + 1), result.grad_norm, label=label, linewidth=1.0, **looks[key])
        right.plot(result.eval_steps, np.minimum(np.sqrt(result.val_loss) * task().std[0], 1e3), label=label,
                   marker="o", markersize=3, **looks[key])
    left.axhline(MAX_NORM, color=OKABE_ITO["black"], linestyle=":", label=f"threshold {MAX_NORM:g}")
    left.set_yscale("log")
    left.set_xlabel("optimizer step")
    left.set_ylabel("‖g‖ before clipping (log scale)")
    left.set_title(f"SGD, α = {CLIP_DEMO['lr']:g}: the gradient's global norm")
    left.legend(loc="upper left", fontsize=10)
    right.set_yscale("log")
    right.set_xlabel("optimizer step")
    right.set_ylabel("validation RMSE (°C, log scale)")
    right.set_title("and what it does to the forecasts")
    right.legend(loc="upper left", fontsize=10)
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
    return fig


BACK_LOOKS = {
    "Adam (as raced)": {"color": OKABE_ITO["vermillion"], "linestyle": "-"},
    "Adam without bias correction": {"color": OKABE_ITO["black"], "linestyle": "--"},
    "Adam with a linear warm-up": {"color": OKABE_ITO["blue"], "linestyle": "-."},
    "Adam with a cosine decay": {"color": OKABE_ITO["bluish green"], "linestyle": ":"},
}


def back_to_start_figure(first: int = 60):
    """Left: the size of Adam's first steps, in units of α.  Right: the validation RMSE of the four variants."""
    runs = back_to_start()
    lr = chosen_rates()["Adam"]
    fig = new_figure(12, 4.2)
    left, right = fig.subplots(1, 2)
    for name, result in runs.items():
        left.plot(np.arange(1, first + 1), result.step_size[:first] / lr, label=name, linewidth=1.6,
                  **BACK_LOOKS[name])
        right.plot(result.eval_steps, np.sqrt(result.val_loss) * task().std[0], label=name, linewidth=1.6,
                   marker="o", markersize=3, **BACK_LOOKS[name])
    left.axhline(1.0, color=OKABE_ITO["reddish purple"], linestyle=":", linewidth=1.2, label="a step of α")
    left.set_xlabel("optimizer step")
    left.set_ylabel("largest parameter change ÷ α")
    left.set_title(f"the first {first} steps (α = {lr:.3g})")
    left.legend(loc="upper right", fontsize=10)
    right.set_ylim(2.0, RMSE_TOP + 0.2)
    right.set_xlabel("optimizer step")
    right.set_ylabel("validation RMSE (°C)")
    right.set_title(f"validation RMSE ({VALIDATION_YEAR})")
    right.legend(loc="upper right", fontsize=10)
    for ax in (left, right):
        ax.grid(True, alpha=0.3)
    return fig


# --- the live figure ----------------------------------------------------------------------------

MONTHS = tuple(f"2015-{m:02d}" for m in range(1, 13))  # the live figure shows the forecasts of one of them


class LiveTraining(LiveFigure):
    """Retrain the LSTM when a control moves: its learning curve (left) and a month of 2015 forecasts (right).

    Controls: the learning rate α (log scale), β₁ (Adam's; momentum's β), β₂ (Adam's;
    RMSProp's β), the optimizer and the month of 2015 shown.  Every run trains on
    2012–2013 as in the race (``STEPS`` steps, the same start and batches); the sliders
    act on release.  Choosing an optimizer sets the β it reads to the value it raced
    with (``DEFAULTS``: RMSProp's β = 0.99, not Adam's β₂ = 0.999), with one redraw.
    Runs are cached: a setting seen before redraws at once.
    """

    def __init__(self, optimizer: str = "Adam", lr: float | None = None, beta1: float | None = None,
                 beta2: float | None = None, month: str = "2015-07"):
        self.result = None
        self._syncing = False
        raced = {"beta1": 0.9, "beta2": 0.999, **DEFAULTS.get(optimizer, {})}  # the β's the race used
        beta1 = raced["beta1"] if beta1 is None else beta1
        beta2 = raced["beta2"] if beta2 is None else beta2
        fig = new_figure(12, 4.4)
        self.ax_curve, self.ax_month = fig.subplots(1, 2, width_ratios=[1, 1.2])

        ax = self.ax_curve
        (self.train_line,) = ax.plot([], [], label="mini-batch RMSE, smoothed (EWMA, β = 0.95)",
                                     color=OKABE_ITO["sky blue"], linewidth=1.2)
        (self.val_line,) = ax.plot([], [], label=f"validation RMSE ({VALIDATION_YEAR})", color=OKABE_ITO["vermillion"],
                                   marker="o", markersize=3, linewidth=1.8)
        ax.axhline(baselines()["linear AR"]["validation"], color=OKABE_ITO["bluish green"], linestyle="--",
                   linewidth=1.2, label="linear autoregression (validation)")
        ax.set_xlim(0, STEPS)
        ax.set_ylim(1.5, RMSE_TOP + 2)
        ax.set_xlabel("optimizer step")
        ax.set_ylabel("RMSE (°C)")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=10)

        ax = self.ax_month
        days = np.arange(1, 32)
        (self.actual_line,) = ax.plot(days, np.full(31, np.nan), label="what happened",
                                      **dict(DATA_STYLE["data"], markersize=6))
        (self.persistence_line,) = ax.plot(days, np.full(31, np.nan), label="persistence (tomorrow = today)",
                                           color=OKABE_ITO["black"], linestyle=":", linewidth=1.2)
        (self.forecast_line,) = ax.plot(days, np.full(31, np.nan), label="LSTM forecast",
                                        color=OKABE_ITO["vermillion"], linewidth=2)
        ax.set_xlim(0.5, 31.5)
        ax.set_ylim(-5, 48)  # room at the top for the legend, above the hottest day of the record (35.6 °C)
        ax.set_ylabel("maximum temperature (°C)")
        ax.grid(True, alpha=0.3)
        ax.legend(loc="upper right", fontsize=10)

        lr = chosen_rates()[optimizer] if lr is None else lr
        controls = {
            "lr": lr_slider(lr, min_exp=-4, max_exp=1),
            "beta1": beta_slider(beta1, min=0.0, max=0.999, description="β₁ (Adam; momentum's β)"),
            "beta2": beta_slider(beta2, min=0.5, max=0.9999, step=0.0001,
                                 description="β₂ (Adam; RMSProp's β)"),
            "optimizer": dropdown(OPTIMIZERS, optimizer, description="optimizer"),
            "month": dropdown(MONTHS, month, description="month of 2015"),
        }
        for key in ("lr", "beta1", "beta2"):
            controls[key].continuous_update = False  # retrain on release, not at every pixel of a drag
        super().__init__(fig, controls)

    def _changed(self, change) -> None:
        """Redraw; a new optimizer first gets the β's it raced with (one redraw for all of it)."""
        if self._syncing:
            return
        if change["owner"] is self.controls["optimizer"]:
            self._syncing = True
            try:
                for key, value in DEFAULTS.get(change["new"], {}).items():
                    self.controls[key].value = value
            finally:
                self._syncing = False
        self.redraw(staged=from_browser(change))

    def draw(self, params: dict) -> None:
        self._show_run(params, run(params["optimizer"], float(params["lr"]), float(params["beta1"]),
                                   float(params["beta2"])))

    def draw_steps(self, params: dict):
        """The run as it trains: pictures after step 5, 105, 205 and 300; a run seen before at once.

        A move in the browser shows its first picture in a few tens of ms instead of
        after the whole run (about half a second), and the curves grow to their end.
        The training goes on in pieces of 20 steps, between which the kernel reads the
        browser's messages: a newer move stops this run within a piece.
        """
        for result in run_as_it_goes(params["optimizer"], float(params["lr"]), float(params["beta1"]),
                                     float(params["beta2"]), report=(5, 20)):
            done = _steps_done(result)
            shown = done % 100 == 5 or done == STEPS or result.diverged_at is not None
            if shown:
                self._show_run(params, result)
            yield shown

    def _show_run(self, params: dict, result: lstm.TrainResult) -> None:
        """Both panels for ``result``: a finished run, or one still training (its steps so far)."""
        t = task()
        self.result = result
        std = t.std[0]
        self.train_line.set_data(np.arange(1, STEPS + 1), np.minimum(smoothed_rmse(result), RMSE_TOP + 2))
        self.val_line.set_data(result.eval_steps, np.minimum(np.sqrt(result.val_loss) * std, RMSE_TOP + 2))

        month = self.month = np.flatnonzero(t.dates.astype("datetime64[M]") == np.datetime64(params["month"]))
        days = np.arange(1, len(month) + 1)
        self.actual_line.set_data(days, t.target[month])
        self.persistence_line.set_data(days, t.today[month])
        forecast = t.celsius(lstm.predict(result.params, t.x[month])[:, 0]) if result.diverged_at is None else None
        self.forecast_line.set_data(days, forecast if forecast is not None else np.full(len(month), np.nan))
        self.ax_month.set_xlabel(f"day of {params['month']}")
        described = _describe(params)
        if result.diverged_at is not None:
            self.ax_curve.set_title(f"{described}: diverged at step {result.diverged_at}", fontsize=10)
            self.ax_month.set_title("no forecast: the run diverged", fontsize=10)
            return
        done = _steps_done(result)
        month_rmse = rmse(forecast, t.target[month])
        persistence = rmse(t.today[month], t.target[month])
        if done < STEPS:
            self.ax_curve.set_title(f"{described}: training… step {done} of {STEPS}", fontsize=10)
            self.ax_month.set_title(f"forecasts for {params['month']} after {done} steps: LSTM RMSE "
                                    f"{month_rmse:.2f} °C, persistence {persistence:.2f} °C", fontsize=10)
            return
        self.ax_curve.set_title(f"{described}: validation RMSE {final_rmse(result):.2f} °C", fontsize=10)
        self.ax_month.set_title(f"forecasts for {params['month']}: LSTM RMSE {month_rmse:.2f} °C, persistence "
                                f"{persistence:.2f} °C", fontsize=10)


def _steps_done(result: lstm.TrainResult) -> int:
    """How many steps a run (finished, or still training) has taken: its measured mini-batch losses."""
    return int(np.count_nonzero(np.isfinite(result.train_loss)))


def _describe(params: Mapping) -> str:
    """The title's setting; "(as raced)" when it is one of the race's runs (a grid α, the race's β's)."""
    name, lr = params["optimizer"], params["lr"]
    raced = any(math.isclose(lr, r, rel_tol=1e-6) for r in GRID) and all(
        math.isclose(params[key], value) for key, value in DEFAULTS[name].items())
    mark = " (as raced)" if raced else ""
    if name == "SGD":
        return f"SGD, α = {lr:.2g}{mark}"
    if name == "Momentum":
        return f"Momentum, α = {lr:.2g}, β = {params['beta1']:.3g}{mark}"
    if name == "RMSProp":
        return f"RMSProp, α = {lr:.2g}, β = {params['beta2']:.4g}{mark}"
    return f"Adam, α = {lr:.2g}, β₁ = {params['beta1']:.3g}, β₂ = {params['beta2']:.4g}{mark}"


WIDGETS: dict[str, Callable[[], LiveFigure]] = {"live_training": LiveTraining}


# --- exercise 1: the LSTM cell -------------------------------------------------------------------

#: Every order of the four gates' rows: the check names the one a learner's answer used.
GATE_ORDERS = tuple("".join(p) for p in itertools.permutations("ifgo"))


def _cell(x_t, h, c, W_ih, W_hh, b_ih, b_hh, slip: str | None = None, order: str = "ifgo"):
    """One LSTM cell step, or the step with one known ``slip``, reading the four row blocks in ``order``."""
    H = h.shape[1]
    if slip == "no b_hh":
        z = x_t @ W_ih.T + b_ih + h @ W_hh.T
    elif slip == "no b_ih":
        z = x_t @ W_ih.T + h @ W_hh.T + b_hh
    else:
        z = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh
    blocks = {name: z[:, k * H:(k + 1) * H] for k, name in enumerate(order)}
    gate = np.tanh if slip in ("tanh gates", "sigmoid and tanh swapped") else lstm.sigmoid
    i, f, o = gate(blocks["i"]), gate(blocks["f"]), gate(blocks["o"])
    g = lstm.sigmoid(blocks["g"]) if slip in ("sigmoid g", "sigmoid and tanh swapped") else np.tanh(blocks["g"])
    if slip == "forget on the candidate":
        c_new = i * c + f * g
    elif slip == "forget on the sum":
        c_new = f * (c + i * g)
    elif slip == "no input gate":
        c_new = f * c + g
    else:
        c_new = f * c + i * g
    if slip == "no tanh":
        h_new = o * c_new
    elif slip == "old c in h":
        h_new = o * np.tanh(c)
    else:
        h_new = o * np.tanh(c_new)
    if slip == "tanh on the state":
        c_new = np.tanh(c_new)
    return h_new, c_new


_CELL_SLIPS = {
    "no tanh": "your h_t matches o_t ⊙ c_t: the cell state goes through tanh before the output gate, "
               "h_t = o_t ⊙ tanh(c_t). Without it h_t is unbounded (c_t can grow past ±1).",
    "forget on the candidate": "your c_t matches i_t ⊙ c_{t−1} + f_t ⊙ g_t: the forget gate is applied to the wrong "
                               "term. f_t decides how much of the old state c_{t−1} to keep, i_t how much of the new "
                               "candidate g_t to write: c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t. (The same numbers come out "
                               "of reading the rows in the order f, i, g, o: either way, i and f are swapped.)",
    "forget on the sum": "your c_t matches f_t ⊙ (c_{t−1} + i_t ⊙ g_t): the forget gate is applied to the new "
                         "input too. It multiplies the old state only: c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t.",
    "no input gate": "your c_t matches f_t ⊙ c_{t−1} + g_t: the input gate is missing; the candidate is written "
                     "through i_t: c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t.",
    "sigmoid g": "your values match g_t = σ(z^g_t): the candidate uses tanh, so that it can be negative "
                 "(σ is for the three gates, which are fractions between 0 and 1).",
    "sigmoid and tanh swapped": "your values match tanh for the gates i_t, f_t, o_t and σ for the candidate g_t: "
                                "the two are swapped. The gates are fractions between 0 and 1, so they use σ; "
                                "the candidate uses tanh, so that it can be negative.",
    "tanh gates": "your values match tanh for the gates i_t, f_t, o_t as well as for g_t: the three gates use σ, "
                  "so that each is a fraction between 0 and 1 (a tanh gate can be negative and flip the sign of "
                  "what it lets through).",
    "tanh on the state": "your h_t is right but your c_t matches tanh(f_t ⊙ c_{t−1} + i_t ⊙ g_t): the cell state is "
                         "carried as it is; tanh is applied only on the way out, in h_t = o_t ⊙ tanh(c_t).",
    "old c in h": "your c_t is right, but your h_t matches o_t ⊙ tanh(c_{t−1}): the output reads the new cell "
                  "state, h_t = o_t ⊙ tanh(c_t), computed just before it.",
    "no b_hh": "your values match z_t without b_hh: PyTorch's cell has two biases, and adds both, "
               "z_t = x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh.",
    "no b_ih": "your values match z_t without b_ih: PyTorch's cell has two biases, and adds both, "
               "z_t = x_t W_ihᵀ + b_ih + h_{t−1} W_hhᵀ + b_hh.",
}

#: The cell steps the check runs: (seed, batch, I, H).  Two sizes, so that a hard-coded H or batch shows.
_CELL_CASES = ((9, 3, 2, 4), (11, 2, 3, 5))


def _cell_problem(seed: int = 9, B: int = 3, I: int = 2, H: int = 4):  # noqa: E741 - the lesson's symbols
    """A small cell step to check, with a non-zero state; returns the arguments of the exercise."""
    rng = np.random.default_rng(seed)
    params = {name: rng.uniform(-0.9, 0.9, size=shape) for name, shape in lstm.param_shapes(I, H).items()}
    x_t, h, c = rng.normal(size=(B, I)), rng.normal(size=(B, H)), 2 * rng.normal(size=(B, H))
    return x_t, h, c, params["weight_ih"], params["weight_hh"], params["bias_ih"], params["bias_hh"]


def _close(a, b) -> bool:
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))


def _matches(h_c, expected) -> tuple[bool, bool]:
    return _close(h_c[0], expected[0]), _close(h_c[1], expected[1])


def _cell_setup(seed: int, B: int, I: int, H: int) -> str:  # noqa: E741
    return (f"batch {B}, I = {I}, H = {H}: x_t, a non-zero (h, c) and the weights drawn from "
            f"numpy.random.default_rng({seed}) by lessons.lstm_capstone._cell_problem({seed}, {B}, {I}, {H}), "
            "compared with helpers.lstm.cell_step")


def check_lstm_cell(lstm_cell: Callable) -> Feedback:
    """Check the learner's ``lstm_cell(x_t, h, c, W_ih, W_hh, b_ih, b_hh) -> (h_t, c_t)``.

    Compared with ``helpers.lstm.cell_step`` (itself pinned to ``torch.nn.LSTMCell``) on
    two cell steps of different sizes (``_CELL_CASES``), each with a non-zero state.  A
    wrong answer is matched against every order of the four gates' rows and against the
    usual slips, and the message names the one it matches; an answer that changes its
    arguments in place is caught too.
    """
    name = getattr(lstm_cell, "__name__", "lstm_cell")
    for case in _CELL_CASES:
        feedback = _check_cell_case(lstm_cell, name, *case)
        if feedback is not None:
            return feedback
    return Feedback(True, "✓ Correct: your h_t and c_t match helpers.lstm.cell_step (and so torch.nn.LSTMCell), "
                          "for batches of 3 and 2 with non-zero states and H = 4 and 5.")


def _check_cell_case(lstm_cell: Callable, name: str, seed: int, B: int, I: int, H: int) -> Feedback | None:  # noqa: E741
    """The feedback on one cell step, or None if the learner's step is right there."""
    args = _cell_problem(seed, B, I, H)
    setup = _cell_setup(seed, B, I, H)
    given = tuple(np.copy(a) for a in args)
    result, problem = attempt(lstm_cell, *given, name=name, setup=setup)
    if problem is not None:
        if any(word in problem.message for word in ("mismatch", "shapes", "broadcast")):
            x_t, h, c, W_ih = args[:4]
            return Feedback(False, f"{problem.message}\n  Hint: the shapes are x_t {x_t.shape} = (batch, I), h and c "
                                   f"{h.shape} = (batch, H), W_ih {W_ih.shape} = (4H, I). So H = h.shape[1] (not "
                                   "x_t's), and z_t = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh has 4H columns "
                                   "(PyTorch stores W x as x Wᵀ).")
        return problem
    if isinstance(result, np.ndarray):
        return Feedback(False, f"✗ {name} returned one array, of shape {result.shape}; return both, (h_t, c_t): "
                               "the next step needs the cell state too." + _setup_line(setup))
    if not (isinstance(result, (tuple, list)) and len(result) == 2):
        count = f"{len(result)} things" if isinstance(result, (tuple, list)) else describe_value(result)
        return Feedback(False, f"✗ {name} should return two arrays, (h_t, c_t); it returned {count}."
                        + _setup_line(setup))
    try:
        yours = tuple(np.asarray(r, dtype=float) for r in result)
    except (TypeError, ValueError):
        return Feedback(False, f"✗ {name} should return two arrays of numbers, (h_t, c_t); got "
                               f"{describe_value(result, 80)}." + _setup_line(setup))
    x_t, h, c, W_ih, W_hh, b_ih, b_hh = args
    params = {"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh,
              "head_weight": np.zeros((1, H)), "head_bias": np.zeros(1)}
    expected = lstm.cell_step(params, x_t, h, c)
    shape = expected[0].shape
    if yours[0].shape != shape or yours[1].shape != shape:
        return Feedback(False, f"✗ h_t and c_t should both have shape (batch, H) = {shape}; yours have "
                               f"{yours[0].shape} and {yours[1].shape}. z = x_t @ W_ih.T + b_ih + h @ W_hh.T + b_hh "
                               "has 4H columns: split it into four blocks of H." + _setup_line(setup))
    h_ok, c_ok = _matches(yours, expected)
    if h_ok and c_ok:
        changed = [label for label, a, b in zip(("x_t", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh"), given, args,
                                                strict=True) if not np.array_equal(a, b)]
        if changed:
            return Feedback(False, f"✗ Almost: your h_t and c_t are right, but your function changed the "
                                   f"{' and '.join(changed)} it was given (an in-place operation such as c *= f). "
                                   "Backpropagation through time needs c_{t−1} and h_{t−1} as they were: compute new "
                                   "arrays, c_t = f * c + i * g." + _setup_line(setup))
        return None
    if _matches(yours[::-1], expected) == (True, True):
        return Feedback(False, "✗ Not yet: you returned (c_t, h_t). Return (h_t, c_t), in that order."
                        + _setup_line(setup))
    where = "h_t and c_t are" if not (h_ok or c_ok) else ("h_t is" if not h_ok else "c_t is")
    first = f"✗ Not yet: your {where} not the cell's."
    for slip, hint in _CELL_SLIPS.items():
        if _matches(yours, _cell(*args, slip=slip)) == (True, True):
            return Feedback(False, f"{first}\n  Hint: {hint}" + _setup_line(setup))
    for order in GATE_ORDERS:
        if order != "ifgo" and _matches(yours, _cell(*args, order=order)) == (True, True):
            named = ", ".join(order)
            return Feedback(False, f"{first}\n  Hint: your values match the gate order ({named}): the rows of W_ih, "
                                   "W_hh and the biases are PyTorch's, blocks of H rows in the order i, f, g, o "
                                   "(input gate, forget gate, candidate, output gate)." + _setup_line(setup))
    if c_ok:
        return Feedback(False, f"{first}\n  Your c_t is right, so the gates and the state are: look at the output, "
                               "h_t = o_t ⊙ tanh(c_t)." + _setup_line(setup))
    return Feedback(False, f"{first}\n  Go line by line against the equations: z_t = x_t W_ihᵀ + b_ih + h_{{t−1}} "
                           "W_hhᵀ + b_hh; split z_t into i, f, g, o (blocks of H columns); σ for i, f, o and tanh for "
                           "g; c_t = f ⊙ c_{t−1} + i ⊙ g; h_t = o ⊙ tanh(c_t)." + _setup_line(setup))


# --- exercise 2: clipping by global norm -------------------------------------------------------------


def _clip_cases() -> list[tuple[dict, float]]:
    """Gradients to clip: one far above the threshold (norms 3 and 4 per tensor, 5 together; max_norm 2) and one
    below it (max_norm 1).  Two thresholds, so that a hard-coded 1 shows."""
    above = {"weight": np.array([[2.0, -2.0], [1.0, 0.0]]), "bias": np.array([2.4, 3.2]), "head": np.zeros(2)}
    below = {"weight": np.array([[0.3, -0.1], [0.2, 0.0]]), "bias": np.array([0.1, -0.2]), "head": np.array([0.05, 0])}
    return [(above, 2.0), (below, 1.0)]


def _clip_slips(grads: dict, max_norm: float) -> dict[str, dict]:
    norms = {k: float(np.linalg.norm(g)) for k, g in grads.items()}
    total = math.sqrt(sum(n**2 for n in norms.values()))
    slips = {
        "per tensor": {k: g * min(1.0, max_norm / (norms[k] + 1e-6)) for k, g in grads.items()},
        "always": {k: g * (max_norm / (total + 1e-6)) for k, g in grads.items()},
        "sum of norms": {k: g * min(1.0, max_norm / (sum(norms.values()) + 1e-6)) for k, g in grads.items()},
        "mean over tensors": {k: g * min(1.0, max_norm / (total / math.sqrt(len(grads)))) for k, g in grads.items()},
        "largest tensor": {k: g * min(1.0, max_norm / max(norms.values())) for k, g in grads.items()},
        "no square root": {k: g * min(1.0, max_norm / total**2) for k, g in grads.items()},
        "by value": {k: np.clip(g, -max_norm, max_norm) for k, g in grads.items()},
        "unchanged": {k: g.copy() for k, g in grads.items()},
    }
    if max_norm != 1:
        slips["max_norm 1"] = {k: g * min(1.0, 1 / total) for k, g in grads.items()}
    return slips


_CLIP_HINTS = {
    "per tensor": "each of your tensors was clipped on its own (by its own norm): that changes the direction of the "
                  "whole gradient. Clipping by global norm scales every tensor by the same factor, "
                  "min(1, max_norm / ‖g‖), where ‖g‖ = √(Σ_k ‖g_k‖²) is the norm of all of them together.",
    "always": "you scaled a gradient whose norm was already under the threshold: it came back with norm max_norm. "
              "Clipping only shrinks: the factor is min(1, max_norm / ‖g‖), so gradients under the threshold are "
              "left alone.",
    "sum of norms": "your ‖g‖ is the sum of the tensors' norms, Σ_k ‖g_k‖: the global norm is the norm of all "
                    "entries together, √(Σ_k ‖g_k‖²).",
    "mean over tensors": "your ‖g‖ is √(mean_k ‖g_k‖²), an average over the tensors: the global norm adds them up, "
                         "‖g‖ = √(Σ_k ‖g_k‖²), so it does not depend on how the parameters are split into tensors.",
    "largest tensor": "your ‖g‖ is the largest of the tensors' norms, max_k ‖g_k‖: the global norm takes all "
                      "of them together, ‖g‖ = √(Σ_k ‖g_k‖²).",
    "no square root": "your factor is max_norm / ‖g‖²: the global norm is the square root of the sum of squares, "
                      "‖g‖ = √(Σ_k ‖g_k‖²).",
    "by value": "you clipped every entry to [−max_norm, max_norm] (clipping by value, torch's clip_grad_value_): "
                "that changes the gradient's direction. Clip by global norm: scale all entries by one factor.",
    "unchanged": "your gradients came back unchanged, though their global norm is above max_norm. The factor "
                 "min(1, max_norm / ‖g‖) is below 1 then: check min against max, which way the ratio goes, "
                 "and that ‖g‖ adds up the squares of all entries (their mean can come out under max_norm).",
    "max_norm 1": "your result is clipped to global norm 1, not to max_norm: use the max_norm you were given.",
}


def _same_grads(yours, expected) -> bool:
    return isinstance(yours, Mapping) and set(yours) == set(expected) and all(
        _close(np.asarray(yours[k], dtype=float), expected[k]) for k in expected)


def check_clip(clip_global_norm: Callable) -> Feedback:
    """Check the learner's ``clip_global_norm(grads, max_norm) -> dict`` against ``helpers.lstm.clip_by_global_norm``.

    Two cases: gradients whose global norm (5) is far above ``max_norm = 2`` and ones
    below ``max_norm = 1``.  The message names per-tensor clipping, scaling gradients
    already under the threshold, a sum of norms, a missing square root, clipping by
    value, no clipping at all, a hard-coded threshold of 1, a mean of the squares or the largest tensor's norm
    instead of the global norm, and a changed argument (its arrays, or its dict).
    Torch's +10⁻⁶ in the denominator may be left out (it changes the result by about 10⁻⁶).
    """
    name = getattr(clip_global_norm, "__name__", "clip_global_norm")
    for grads, max_norm in _clip_cases():
        norm = lstm.global_norm(grads)
        shapes = ", ".join(f"'{k}' {g.shape}" for k, g in grads.items())
        setup = (f"grads = lessons.lstm_capstone._clip_cases() ({shapes}, global norm {norm:.3g}), "
                 f"max_norm = {max_norm:g}")
        case = f"gradients with global norm {norm:.3g}, max_norm = {max_norm:g}"
        given = {k: g.copy() for k, g in grads.items()}
        handed = dict(given)  # the array objects handed over, to tell a changed array from a replaced dict entry
        result, problem = attempt(clip_global_norm, given, max_norm, name=name, setup=setup)
        if problem is not None:
            if "inhomogeneous" in problem.message:
                return Feedback(False, f"{problem.message}\n  Hint: the tensors have different shapes, so they do "
                                       "not stack into one array: sum their squared norms, "
                                       "√(Σ_k ‖g_k‖²), e.g. np.sqrt(sum(np.sum(g**2) for g in grads.values())).")
            if "'str'" in problem.message:
                return Feedback(False, f"{problem.message}\n  Hint: a loop over a dict gives its keys (strings): "
                                       "loop over grads.values() for the arrays, or grads.items() for both.")
            return problem
        if isinstance(result, tuple) and result and isinstance(result[0], Mapping):
            return Feedback(False, f"✗ {name} returned a tuple of {len(result)}, the first a dict: return only the "
                                   "dict of clipped gradients (helpers.lstm.clip_by_global_norm also returns the "
                                   "norm; this exercise does not)." + _setup_line(setup))
        if not isinstance(result, Mapping):
            return Feedback(False, f"✗ {name} should return a dict of gradients keyed like its input; it returned "
                                   f"{describe_value(result)}." + _setup_line(setup))
        if set(result) != set(grads):
            return Feedback(False, f"✗ Your dict has the keys {sorted(result)}; expected the input's, {sorted(grads)}."
                            + _setup_line(setup))
        expected, _ = lstm.clip_by_global_norm(grads, max_norm)
        loose = {k: g * min(1.0, max_norm / norm) for k, g in grads.items()}  # without torch's 1e-6
        try:
            values = {k: np.asarray(v, dtype=float) for k, v in result.items()}
        except (TypeError, ValueError):
            return Feedback(False, f"✗ {name} should return arrays of numbers in its dict; got "
                                   f"{describe_value(result, 80)}." + _setup_line(setup))
        if any(values[k].shape != grads[k].shape for k in grads):
            wrong = next(k for k in grads if values[k].shape != grads[k].shape)
            return Feedback(False, f"✗ Your '{wrong}' has shape {values[wrong].shape}; each gradient keeps its shape "
                                   f"{grads[wrong].shape}, only scaled." + _setup_line(setup))
        if not (_same_grads(values, expected) or _same_grads(values, loose) or all(
                np.allclose(values[k], expected[k], rtol=1e-5, atol=1e-9) for k in grads)):
            for slip, wrong in _clip_slips(grads, max_norm).items():
                if all(np.allclose(values[k], wrong[k], rtol=1e-5, atol=1e-9) for k in grads):
                    return Feedback(False, f"✗ Not yet ({case}).\n  Hint: {_CLIP_HINTS[slip]}" + _setup_line(setup))
            yours_norm = lstm.global_norm(values)
            return Feedback(False, f"✗ Not yet ({case}): your result has global norm {yours_norm:.4g}, expected "
                                   f"{min(norm, max_norm):.4g}, every tensor scaled by "
                                   f"min(1, max_norm / ‖g‖) = {min(1.0, max_norm / norm):.4g}." + _setup_line(setup))
        if not all(np.array_equal(handed[k], grads[k]) for k in grads):
            return Feedback(False, f"✗ Almost ({case}): the result is right, but your function changed the gradients "
                                   "it was given. Return new arrays (g * factor), not g *= factor on the inputs.")
        if set(given) != set(grads) or any(given[k] is not handed[k] for k in grads):
            return Feedback(False, f"✗ Almost ({case}): the result is right, but your function changed the dict it was "
                                   "given (grads[k] = …): the caller's grads now hold the clipped arrays. Build a new "
                                   "dict instead, {k: g * factor for k, g in grads.items()}.")
    return Feedback(True, "✓ Correct: one factor for all tensors, min(1, max_norm / ‖g‖), and gradients under the "
                          "threshold left alone. This is torch.nn.utils.clip_grad_norm_ (which adds 10⁻⁶ to ‖g‖).")
