"""Generate tests/golden/torch_dampening.json: torch.optim.SGD with momentum and dampening (PyTorch 2.13, float64).

Lesson 03 says that PyTorch's `dampening` is where its start-up differs: the first
step sets the momentum buffer to the gradient, undamped (b_1 = g_1), and only later
steps use b_t = β b_{t−1} + (1 − τ) g_t.  `lessons.momentum.DampenedMomentum` writes
that rule in numpy; `tests/test_lesson_momentum.py` compares it with these paths.

Needs PyTorch, which the project itself never does:

    /path/to/venv-with-torch/bin/python tests/golden/make_dampening_fixture.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch

STEPS = 60
OUT = Path(__file__).with_name("torch_dampening.json")


def quadratic(p):  # lesson 03's surface: 0.1 w² + 2 b²
    return 0.1 * p[0] ** 2 + 2.0 * p[1] ** 2


def linear(p):  # a constant gradient, 3 in every step: the cold start in its plainest form
    return 3.0 * p[0]


PROBLEMS = {"quadratic": (quadratic, [-5.0, -2.0]), "linear": (linear, [0.0])}
CASES = [  # (problem, lr, momentum β, dampening τ)
    ("quadratic", 0.3, 0.9, 0.9),
    ("quadratic", 0.1, 0.9, 0.5),
    ("quadratic", 0.45, 0.5, 0.0),
    ("linear", 0.1, 0.9, 0.9),
    ("linear", 0.1, 0.9, 0.0),
]


def torch_path(problem: str, lr: float, beta: float, dampening: float) -> list[list[float]]:
    f, x0 = PROBLEMS[problem]
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([x], lr=lr, momentum=beta, dampening=dampening)
    path = [x.detach().clone().tolist()]
    for _ in range(STEPS):
        opt.zero_grad()
        f(x).backward()
        opt.step()
        path.append(x.detach().clone().tolist())
    return path


def main() -> None:
    torch.set_default_dtype(torch.float64)
    cases = [{"problem": problem, "x0": PROBLEMS[problem][1], "lr": lr, "beta": beta, "dampening": dampening,
              "torch": f"torch.optim.SGD(lr={lr}, momentum={beta}, dampening={dampening})",
              "path": torch_path(problem, lr, beta, dampening)}
             for problem, lr, beta, dampening in CASES]
    fixture = {"generated_by": "tests/golden/make_dampening_fixture.py", "torch_version": torch.__version__,
               "dtype": "float64", "steps": STEPS, "cases": cases}
    text = json.dumps(fixture, indent=1)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text)
    OUT.write_text(text + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
