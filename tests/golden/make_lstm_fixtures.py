"""Generate tests/golden/torch_lstm.json from torch.nn.LSTM + torch.nn.Linear (PyTorch 2.13 CPU, float64).

Needs PyTorch, which the project itself never does: `make fixtures` runs this
script in the separate `.venv-torch`.  The tests (`tests/test_lstm.py`) only read
the JSON.

Each case fixes the parameters, the inputs x (batch, T, I) and the targets y
(batch, O) with a seeded numpy generator, loads the parameters into
``torch.nn.LSTM(I, H, batch_first=True)`` and ``torch.nn.Linear(H, O)``, and records
what autograd computes for ``mse_loss(linear(lstm(x)[0][:, -1]), y)``: the
prediction, the loss and the gradient of every parameter.  Then
``torch.nn.utils.clip_grad_norm_`` is applied to those gradients with several
thresholds, and one step of ``torch.nn.LSTMCell`` is recorded from a non-zero state.

Last, whole training runs (``TRAINING``): torch.optim optimizers with
``clip_grad_norm_`` on seeded mini-batches, the loss at every step and the final
parameters, which pin ``helpers.lstm.train`` end to end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import torch

OUT = Path(__file__).with_name("torch_lstm.json")

# (name, batch B, steps T, features I, hidden H, outputs O, scale of the parameters, seed)
CASES = [
    ("small", 5, 7, 3, 4, 1, None, 1),
    ("batch 1", 1, 6, 2, 3, 1, None, 2),
    ("T = 1", 4, 1, 3, 5, 2, None, 3),
    ("batch 1, T = 1", 1, 1, 1, 2, 1, None, 4),
    ("three outputs", 3, 12, 4, 8, 3, None, 5),
    ("the capstone's shape, short batch", 6, 30, 4, 16, 1, None, 6),
    ("large weights (saturated gates)", 4, 9, 3, 6, 1, 2.0, 7),
]
# max_norm for the clipping cases, times the gradient's global norm: far below it, a hair below, a hair above
# (where torch's max_norm / (norm + 1e-6) still scales by a hair less than 1), and far above
CLIP_FACTORS = [0.1, 1 - 1e-9, 1 + 1e-9, 10.0]
CLIPPED = {"small", "three outputs", "large weights (saturated gates)"}

NAMES = {  # ours -> (module, torch attribute)
    "weight_ih": ("lstm", "weight_ih_l0"),
    "weight_hh": ("lstm", "weight_hh_l0"),
    "bias_ih": ("lstm", "bias_ih_l0"),
    "bias_hh": ("lstm", "bias_hh_l0"),
    "head_weight": ("head", "weight"),
    "head_bias": ("head", "bias"),
}


def shapes(I, H, O):  # noqa: E741
    return {"weight_ih": (4 * H, I), "weight_hh": (4 * H, H), "bias_ih": (4 * H,), "bias_hh": (4 * H,),
            "head_weight": (O, H), "head_bias": (O,)}


def case(name, B, T, I, H, O, scale, seed):  # noqa: E741
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(H) if scale is None else scale
    params = {k: rng.uniform(-bound, bound, size=s) for k, s in shapes(I, H, O).items()}
    x = rng.normal(size=(B, T, I))
    y = rng.normal(size=(B, O))

    modules = {"lstm": torch.nn.LSTM(I, H, batch_first=True, dtype=torch.float64),
               "head": torch.nn.Linear(H, O, dtype=torch.float64)}
    with torch.no_grad():
        for ours, (module, attr) in NAMES.items():
            getattr(modules[module], attr).copy_(torch.from_numpy(params[ours]))
    out, _ = modules["lstm"](torch.from_numpy(x))
    y_hat = modules["head"](out[:, -1])
    loss = torch.nn.functional.mse_loss(y_hat, torch.from_numpy(y))
    loss.backward()
    grads = {ours: getattr(modules[module], attr).grad for ours, (module, attr) in NAMES.items()}

    clips = []
    factors = CLIP_FACTORS if name in CLIPPED else []
    norm = float(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads.values()])))
    for factor in factors:
        copies = {k: torch.nn.Parameter(torch.zeros_like(g)) for k, g in grads.items()}
        for k, p in copies.items():
            p.grad = grads[k].clone()
        total = torch.nn.utils.clip_grad_norm_(list(copies.values()), max_norm=factor * norm)
        clips.append({"max_norm": factor * norm, "total_norm": float(total),
                      "clipped": {k: p.grad.tolist() for k, p in copies.items()}})

    return {
        "name": name, "batch": B, "T": T, "I": I, "H": H, "O": O, "seed": seed,
        "params": {k: v.tolist() for k, v in params.items()},
        "x": x.tolist(), "y": y.tolist(),
        "y_hat": y_hat.detach().tolist(), "loss": float(loss.detach()),
        "grads": {k: g.tolist() for k, g in grads.items()},
        "clip": clips,
    }


def cell_case(B=3, I=2, H=4, seed=11):  # noqa: E741
    """One torch.nn.LSTMCell step from a non-zero (h, c): the reference for the lesson's cell exercise."""
    rng = np.random.default_rng(seed)
    params = {k: rng.uniform(-0.8, 0.8, size=s) for k, s in shapes(I, H, 1).items() if not k.startswith("head")}
    x_t, h, c = rng.normal(size=(B, I)), rng.normal(size=(B, H)), rng.normal(size=(B, H))
    cell = torch.nn.LSTMCell(I, H, dtype=torch.float64)
    with torch.no_grad():
        for k, v in params.items():
            getattr(cell, k).copy_(torch.from_numpy(v))
        h_new, c_new = cell(torch.from_numpy(x_t), (torch.from_numpy(h), torch.from_numpy(c)))
    return {"params": {k: v.tolist() for k, v in params.items()}, "x_t": x_t.tolist(), "h": h.tolist(),
            "c": c.tolist(), "h_new": h_new.tolist(), "c_new": c_new.tolist()}


# (torch optimizer, its kwargs, helpers.optimizers name, its kwargs, schedule: torch and helpers.schedules name, kwargs)
TRAINING = [
    ("Adam", {"lr": 0.02}, "Adam", {"lr": 0.02}, None),
    ("SGD", {"lr": 0.1, "momentum": 0.9}, "Momentum", {"lr": 0.1, "beta": 0.9, "form": "sum"}, None),
    ("RMSprop", {"lr": 0.003}, "RMSProp", {"lr": 0.003}, None),
    ("Adam", {"lr": 0.03}, "Adam", {"lr": 0.03}, ("LinearLR", {"start_factor": 0.1, "total_iters": 10},
                                                  "LinearLR", {"start_factor": 0.1, "total_iters": 10})),
    ("Adam", {"lr": 0.03}, "Adam", {"lr": 0.03}, ("CosineAnnealingLR", {"T_max": 25},
                                                  "CosineAnnealingLR", {"t_max": 25})),
]
TRAIN = {"n": 40, "T": 10, "I": 2, "H": 6, "O": 1, "batch_size": 8, "steps": 25, "max_norm": 0.3, "seed": 21}


def minibatch_order(n, batch_size, steps, seed):
    """The definition helpers.lstm.minibatch_order implements: a fresh permutation per epoch, cut into batches."""
    rng = np.random.default_rng(seed)
    per_epoch = n // batch_size
    batches = []
    while len(batches) < steps:
        batches.extend(rng.permutation(n)[: per_epoch * batch_size].reshape(per_epoch, batch_size).tolist())
    return batches[:steps]


def training_data():
    """The training runs' start and data: a noisy mean of the last three steps of feature 0 to learn."""
    c = TRAIN
    rng = np.random.default_rng(c["seed"])
    bound = 1 / np.sqrt(c["H"])
    params = {k: rng.uniform(-bound, bound, size=s) for k, s in shapes(c["I"], c["H"], c["O"]).items()}
    x = rng.normal(size=(c["n"], c["T"], c["I"]))
    y = x[:, -3:, 0].mean(axis=1, keepdims=True) + 0.1 * rng.normal(size=(c["n"], 1))
    return params, x, y


def training_case(torch_name, torch_kwargs, name, kwargs, schedule):
    c = TRAIN
    params, x, y = training_data()
    order = minibatch_order(c["n"], c["batch_size"], c["steps"], c["seed"])

    lstm = torch.nn.LSTM(c["I"], c["H"], batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(c["H"], c["O"], dtype=torch.float64)
    modules = {"lstm": lstm, "head": head}
    with torch.no_grad():
        for ours, (module, attr) in NAMES.items():
            getattr(modules[module], attr).copy_(torch.from_numpy(params[ours]))
    tensors = [getattr(modules[m], a) for m, a in NAMES.values()]
    opt = getattr(torch.optim, torch_name)(tensors, **torch_kwargs)
    scheduler = getattr(torch.optim.lr_scheduler, schedule[0])(opt, **schedule[1]) if schedule else None
    X, Y = torch.from_numpy(x), torch.from_numpy(y)
    losses = []
    for batch in order:
        opt.zero_grad()
        out, _ = lstm(X[batch])
        loss = torch.nn.functional.mse_loss(head(out[:, -1]), Y[batch])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(tensors, max_norm=c["max_norm"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
        losses.append(float(loss.detach()))
    return {
        "torch": f"torch.optim.{torch_name}({', '.join(f'{k}={v!r}' for k, v in torch_kwargs.items())})"
                 f" + clip_grad_norm_(max_norm={c['max_norm']})"
                 + (f" + {schedule[0]}({', '.join(f'{k}={v!r}' for k, v in schedule[1].items())})" if schedule else ""),
        "optimizer": name, "kwargs": kwargs, "order": order, "losses": losses,
        "schedule": {"name": schedule[2], "kwargs": schedule[3]} if schedule else None,
        "final": {ours: getattr(modules[m], a).detach().tolist() for ours, (m, a) in NAMES.items()},
    }


def main() -> None:
    torch.set_default_dtype(torch.float64)
    fixture = {
        "generated_by": "tests/golden/make_lstm_fixtures.py",
        "torch_version": torch.__version__,
        "dtype": "float64",
        "cases": [case(*c) for c in CASES],
        "cell": cell_case(),
        "training_setup": dict(TRAIN, params={k: v.tolist() for k, v in training_data()[0].items()},
                               x=training_data()[1].tolist(), y=training_data()[2].tolist()),
        "training": [training_case(*t) for t in TRAINING],
    }
    text = json.dumps(fixture, indent=1)
    text = re.sub(r"\[\s+([^\[\]{}]*?)\s+\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]", text)
    OUT.write_text(text + "\n")
    print(f"wrote {len(fixture['cases'])} cases, one LSTMCell step and {len(TRAINING)} training runs to {OUT}")


if __name__ == "__main__":
    main()
