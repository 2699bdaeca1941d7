"""Generate tests/golden/torch_counterexample.json: Reddi et al.'s counterexample run by torch.optim (float64).

Needs PyTorch (`make fixtures` runs it in `.venv-torch`); the tests only read the JSON.

The problem (lesson 08): online linear losses f_t(x) = c_t·x on F = [−1, 1], c_t = C when
t mod 3 = 1 and −1 otherwise, learning rate α/√t (``LambdaLR``), and after every step the
projection x ← clamp(x, −1, 1).  Written here in torch and differentiated by autograd, so the
fixture is independent of ``helpers``: it pins ``run(..., schedule=InverseSqrtLR(),
project=..., online=True)`` and the optimizers to torch on a problem where the order of
gradient, step, schedule and projection matters.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import torch

OUT = Path(__file__).with_name("torch_counterexample.json")
STEPS = 1800
LR = 0.5
X0 = 0.0
SETTINGS = [(3.0, 0.1), (3.0, 0.8)]  # (C, β₂): the paper's β₂ = 1/(1 + C²), and a long memory
OPTIMIZERS = {
    "SGD": lambda params, beta2: torch.optim.SGD(params, lr=LR),
    "Adam": lambda params, beta2: torch.optim.Adam(params, lr=LR, betas=(0.0, beta2)),
    "AMSGrad": lambda params, beta2: torch.optim.Adam(params, lr=LR, betas=(0.0, beta2), amsgrad=True),
}


def path(name: str, C: float, beta2: float) -> list[float]:
    x = torch.tensor([X0], dtype=torch.float64, requires_grad=True)
    optimizer = OPTIMIZERS[name]([x], beta2)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda e: 1 / math.sqrt(e + 1))  # step t: α/√t
    points = [x.item()]
    for t in range(1, STEPS + 1):
        optimizer.zero_grad()
        loss = (C if t % 3 == 1 else -1.0) * x.sum()  # f_t(x) = c_t·x
        loss.backward()
        optimizer.step()
        scheduler.step()
        with torch.no_grad():
            x.clamp_(-1.0, 1.0)  # Π_F
        points.append(x.item())
    return points


def main() -> None:
    torch.set_default_dtype(torch.float64)
    cases = [{"optimizer": name, "C": C, "beta2": beta2, "path": path(name, C, beta2)}
             for C, beta2 in SETTINGS for name in OPTIMIZERS
             if name != "SGD" or (C, beta2) == SETTINGS[0]]  # SGD reads no β₂: once is enough
    fixture = {"torch_version": torch.__version__, "dtype": "float64", "steps": STEPS, "lr": LR, "x0": X0,
               "schedule": "LambdaLR(lambda e: 1 / math.sqrt(e + 1))", "projection": "clamp_(-1, 1)",
               "cases": cases}
    OUT.write_text(json.dumps(fixture) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases, torch {torch.__version__})")


if __name__ == "__main__":
    main()
