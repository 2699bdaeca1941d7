"""Generate tests/golden/torch_trajectories.json from torch.optim (PyTorch 2.13 CPU, float64).

Needs PyTorch, which the project itself never does:  `make fixtures` builds a
separate virtual environment with `torch==2.13.0` and runs this script.  The
tests (`tests/test_golden.py`) only read the JSON.

Each case runs one torch.optim optimizer for STEPS steps on one problem and
records the whole path.  The problems are written here in torch and
differentiated by autograd, so the fixtures are independent of our own
`helpers.surfaces` gradients as well as of our optimizers.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import torch

STEPS = 200
NUDGE = 1e-15  # a last-bit change of the start
MAX_AMPLIFICATION = 1e2  # a rounding error may grow at most this much over the run
OUT = Path(__file__).with_name("torch_trajectories.json")

# The least-squares problem's data, fixed here and stored in the fixture.
LSQ_A = [[1.0, 0.5, -0.3], [0.2, 2.0, 0.1], [-0.4, 0.3, 3.0], [0.7, -1.1, 0.6], [1.5, 0.2, -0.8]]
LSQ_B = [1.0, -2.0, 0.5, 0.25, -1.5]


def quadratic(p):  # the elongated quadratic of the momentum lesson: 0.1 w² + 2 b²
    return 0.1 * p[0] ** 2 + 2.0 * p[1] ** 2


def rosenbrock(p):
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def beale(p):
    x, y = p[0], p[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def least_squares(p):
    A = torch.tensor(LSQ_A, dtype=torch.float64)
    b = torch.tensor(LSQ_B, dtype=torch.float64)
    return 0.5 * torch.sum((A @ p - b) ** 2)


PROBLEMS = {
    "quadratic": (quadratic, [-5.0, -2.0]),
    "rosenbrock": (rosenbrock, [-1.5, 2.0]),
    "beale": (beale, [1.0, 1.5]),
    "least_squares": (least_squares, [0.0, 0.0, 0.0]),
}

# Learning rates for the plain-gradient methods, by problem: as large as stays stable.
GD_LR = {"quadratic": 0.1, "rosenbrock": 5e-4, "beale": 1e-2, "least_squares": 0.05}
MOMENTUM_LR = {"quadratic": 0.05, "rosenbrock": 1e-4, "beale": 2e-3, "least_squares": 0.01}
# RMSProp's steps are about ±lr whatever the gradient; once it reaches a valley floor it
# rattles there chaotically (see `sensitivity`), so on the two problems where 200 steps of
# lr 1e-2 reach the floor, a smaller lr keeps the run on its way down.
RMSPROP_LR = {"quadratic": 1e-2, "rosenbrock": 1e-3, "beale": 1e-2, "least_squares": 1e-3}
RMSPROP_FAST_LR = {"quadratic": 1e-2, "rosenbrock": 3e-4, "beale": 1e-2, "least_squares": 1e-3}  # for β = 0.9

# (name here, kwargs here, torch class, torch kwargs); lr=None means "the problem's GD/momentum rate".
OPTIMIZERS = [
    ("SGD", {}, "SGD", {}, GD_LR),
    ("Momentum", {"beta": 0.9, "form": "sum"}, "SGD", {"momentum": 0.9}, MOMENTUM_LR),
    ("Momentum", {"beta": 0.5, "form": "sum"}, "SGD", {"momentum": 0.5}, GD_LR),
    ("Nesterov", {"beta": 0.9}, "SGD", {"momentum": 0.9, "nesterov": True}, MOMENTUM_LR),
    ("Nesterov", {"beta": 0.6}, "SGD", {"momentum": 0.6, "nesterov": True}, GD_LR),
    ("AdaGrad", {"lr": 1e-2}, "Adagrad", {}, None),
    ("AdaGrad", {"lr": 0.5, "eps": 1e-6}, "Adagrad", {"lr": 0.5, "eps": 1e-6}, None),
    ("RMSProp", {}, "RMSprop", {}, RMSPROP_LR),
    ("RMSProp", {"beta": 0.9, "eps": 1e-6}, "RMSprop", {"alpha": 0.9, "eps": 1e-6}, RMSPROP_FAST_LR),
    ("Adam", {}, "Adam", {}, None),
    ("Adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
     "Adam", {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6}, None),
    ("AMSGrad", {}, "Adam", {"amsgrad": True}, None),
    ("AMSGrad", {"lr": 0.05, "beta1": 0.5, "beta2": 0.9},
     "Adam", {"lr": 0.05, "betas": (0.5, 0.9), "amsgrad": True}, None),
    ("AdamW", {}, "AdamW", {}, None),
    ("AdamW", {"lr": 0.02, "weight_decay": 0.1, "beta2": 0.99},
     "AdamW", {"lr": 0.02, "weight_decay": 0.1, "betas": (0.9, 0.99)}, None),
    # weight_decay on the others is an L2 term added to the gradient
    ("SGD", {"weight_decay": 0.1}, "SGD", {"weight_decay": 0.1}, GD_LR),
    ("Momentum", {"beta": 0.9, "form": "sum", "weight_decay": 0.05}, "SGD",
     {"momentum": 0.9, "weight_decay": 0.05}, MOMENTUM_LR),
    ("Nesterov", {"beta": 0.9, "weight_decay": 0.05}, "SGD",
     {"momentum": 0.9, "nesterov": True, "weight_decay": 0.05}, MOMENTUM_LR),
    ("AdaGrad", {"lr": 0.1, "initial_accumulator": 0.1, "weight_decay": 0.01}, "Adagrad",
     {"lr": 0.1, "initial_accumulator_value": 0.1, "weight_decay": 0.01}, None),
    ("RMSProp", {"centered": True}, "RMSprop", {"centered": True}, RMSPROP_LR),
    ("RMSProp", {"weight_decay": 0.1}, "RMSprop", {"weight_decay": 0.1}, RMSPROP_LR),
    ("Adam", {"lr": 0.02, "weight_decay": 0.1}, "Adam", {"lr": 0.02, "weight_decay": 0.1}, None),
    ("AMSGrad", {"lr": 0.02, "weight_decay": 0.1}, "Adam", {"lr": 0.02, "weight_decay": 0.1, "amsgrad": True},
     None),
    ("RAdam", {}, "RAdam", {}, None),
    ("RAdam", {"beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.05},
     "RAdam", {"betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.05}, RMSPROP_LR),
]

# Learning-rate schedules: (name here, kwargs here, torch scheduler, torch kwargs).  Step t uses the rate
# torch gives after t − 1 calls of scheduler.step() (optimizer.step(), then scheduler.step()).
SCHEDULES = [
    ("StepLR", {"step_size": 30, "gamma": 0.5}, "StepLR", {"step_size": 30, "gamma": 0.5}),
    ("ExponentialLR", {"gamma": 0.98}, "ExponentialLR", {"gamma": 0.98}),
    ("CosineAnnealingLR", {"t_max": 150}, "CosineAnnealingLR", {"T_max": 150}),
    ("CosineAnnealingLR", {"t_max": 60, "eta_min": 0.001}, "CosineAnnealingLR", {"T_max": 60, "eta_min": 0.001}),
    ("LinearLR", {}, "LinearLR", {}),
    ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 50}, "LinearLR",
     {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 50}),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 120}, "LinearLR",
     {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 120}),
    ("InverseSqrtLR", {}, "LambdaLR", {"lr_lambda": "lambda e: 1 / math.sqrt(e + 1)"}),
    ("InverseTimeLR", {"t0": 20}, "LambdaLR", {"lr_lambda": "lambda e: 20 / (20 + e)"}),
]
# The optimizers the schedules drive (here, torch), with their base rates.
SCHEDULED_OPTIMIZERS = [
    ("SGD", {"lr": 0.1}, "SGD", {"lr": 0.1}),
    ("Adam", {"lr": 0.05}, "Adam", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}, "AdamW", {"lr": 0.05, "weight_decay": 0.1}),
]
SCHEDULE_OUT = Path(__file__).with_name("torch_schedules.json")


def make_scheduler(opt, scheduler: str | None, scheduler_kwargs: dict | None):
    if scheduler is None:
        return None
    kwargs = dict(scheduler_kwargs)
    if "lr_lambda" in kwargs:
        kwargs["lr_lambda"] = eval(kwargs["lr_lambda"], {"math": math})  # the lambda, written out in the fixture
    return getattr(torch.optim.lr_scheduler, scheduler)(opt, **kwargs)


def torch_path(problem: str, torch_name: str, torch_kwargs: dict, nudge: float = 0.0, scheduler: str | None = None,
               scheduler_kwargs: dict | None = None) -> list[list[float]]:
    f, x0 = PROBLEMS[problem]
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    with torch.no_grad():
        x.add_(nudge)
    opt = getattr(torch.optim, torch_name)([x], **torch_kwargs)
    sched = make_scheduler(opt, scheduler, scheduler_kwargs)
    path = [x.detach().clone().tolist()]
    for _ in range(STEPS):
        opt.zero_grad()
        f(x).backward()
        opt.step()
        if sched is not None:
            sched.step()
        path.append(x.detach().clone().tolist())
    if not torch.isfinite(torch.tensor(path)).all():
        raise RuntimeError(f"{torch_name}{torch_kwargs} diverged on {problem}: choose a smaller lr")
    return path


def sensitivity(problem: str, torch_name: str, torch_kwargs: dict, **schedule) -> float:
    """How much the path moves when x0 moves by 1e-15: the amplification of a rounding error.

    A fixture compares two float64 implementations whose rounding differs in the
    last bit; that comparison means something only if the dynamics do not blow a
    last-bit difference up.  Cases above MAX_AMPLIFICATION are refused.
    """
    base = torch.tensor(torch_path(problem, torch_name, torch_kwargs, **schedule))
    nudged = torch.tensor(torch_path(problem, torch_name, torch_kwargs, nudge=NUDGE, **schedule))
    return float((base - nudged).abs().max() / NUDGE)


def main() -> None:
    torch.set_default_dtype(torch.float64)
    cases = []
    for name, kwargs, torch_name, torch_kwargs, lr_by_problem in OPTIMIZERS:
        for problem in PROBLEMS:
            kwargs_here, kwargs_torch = dict(kwargs), dict(torch_kwargs)
            if lr_by_problem is not None:
                kwargs_here["lr"] = kwargs_torch["lr"] = lr_by_problem[problem]
            amplification = sensitivity(problem, torch_name, kwargs_torch)
            if amplification > MAX_AMPLIFICATION:
                raise RuntimeError(
                    f"{torch_name}{kwargs_torch} on {problem} amplifies a rounding error {amplification:.1e}-fold:"
                    " its path is chaotic, so no float64 implementation can match it to 1e-12; change the case"
                )
            cases.append(
                {
                    "optimizer": name,
                    "kwargs": kwargs_here,
                    "torch": f"torch.optim.{torch_name}({', '.join(f'{k}={v!r}' for k, v in kwargs_torch.items())})",
                    "problem": problem,
                    "x0": PROBLEMS[problem][1],
                    "amplification": amplification,
                    "path": torch_path(problem, torch_name, kwargs_torch),
                }
            )
    fixture = {
        "generated_by": "tests/golden/make_fixtures.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "steps": STEPS,
        "least_squares": {"A": LSQ_A, "b": LSQ_B},
        "cases": cases,
    }
    write(OUT, fixture)
    print(f"wrote {len(cases)} cases to {OUT}")
    schedules()


def write(path: Path, fixture: dict) -> None:
    text = json.dumps(fixture, indent=1)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text)
    path.write_text(text + "\n")  # one line per iterate: small diffs when a fixture changes


def torch_rates(scheduler: str, scheduler_kwargs: dict, base_lr: float, steps: int) -> list[float]:
    """The learning rate torch uses at optimizer steps 1..steps (read before each optimizer.step())."""
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=base_lr)
    sched = make_scheduler(opt, scheduler, scheduler_kwargs)
    rates = []
    for _ in range(steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


def schedules() -> None:
    """torch_schedules.json: each schedule's rates, and optimizer + scheduler trajectories on the quadratic."""
    torch.set_default_dtype(torch.float64)  # as in main(): this function may be run on its own
    cases = []
    for name, kwargs, scheduler, scheduler_kwargs in SCHEDULES:
        case = {"schedule": name, "kwargs": kwargs,
                "torch": f"torch.optim.lr_scheduler.{scheduler}("
                         + ", ".join(f"{k}={v if k == 'lr_lambda' else repr(v)}" for k, v in scheduler_kwargs.items())
                         + ")",
                "base_lr": 0.1, "rates": torch_rates(scheduler, scheduler_kwargs, 0.1, STEPS), "runs": []}
        for opt_name, opt_kwargs, torch_name, torch_kwargs in SCHEDULED_OPTIMIZERS:
            schedule = {"scheduler": scheduler, "scheduler_kwargs": scheduler_kwargs}
            amplification = sensitivity("quadratic", torch_name, torch_kwargs, **schedule)
            if amplification > MAX_AMPLIFICATION:
                raise RuntimeError(f"{torch_name} with {scheduler} amplifies a rounding error {amplification:.1e}-fold")
            case["runs"].append({"optimizer": opt_name, "kwargs": opt_kwargs, "problem": "quadratic",
                                 "x0": PROBLEMS["quadratic"][1], "amplification": amplification,
                                 "path": torch_path("quadratic", torch_name, torch_kwargs, **schedule)})
        cases.append(case)
    write(SCHEDULE_OUT, {"generated_by": "tests/golden/make_fixtures.py", "torch_version": torch.__version__,
                         "dtype": "float64", "steps": STEPS, "cases": cases})
    print(f"wrote {len(cases)} schedules to {SCHEDULE_OUT}")


if __name__ == "__main__":
    main()
