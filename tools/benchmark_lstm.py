"""helpers.lstm.loss_and_grad against torch.nn.LSTM + torch.nn.Linear, same shapes, in one run.

    python tools/benchmark_lstm.py                 # torch from .venv-torch (`make fixtures` makes it)
    TORCH_PYTHON=/path/to/python python tools/benchmark_lstm.py

One forward and backward pass (loss and every gradient) at batch 64, T = 30,
I = 4, H = 32, float64, on the CPU with one thread.  Each side runs in its own
subprocess with one BLAS/OpenMP thread (OMP_NUM_THREADS = MKL_NUM_THREADS =
OPENBLAS_NUM_THREADS = 1, and torch.set_num_threads(1)); the two alternate for
several rounds so that a load from other processes falls on both alike.  Both
build the same parameters and data from the same seeds and print their loss,
which must agree: the same computation is timed.  The time is the process's CPU
time (``time.process_time``: every thread of the process, but not the time it
waits while other processes run, which on a shared machine is most of the noise in
wall-clock time); the figure is the median over rounds of the median per call.
The issue's bar: ours at most torch's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHAPE = {"batch": 64, "T": 30, "I": 4, "H": 32, "O": 1}
ROUNDS, CALLS, WARMUP = 5, 100, 10
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def problem():
    """Parameters as helpers.lstm.init_params(I, H, O, seed=0) draws them, and data from seed 1 (numpy only)."""
    import numpy as np

    B, T, I, H, O = (SHAPE[k] for k in ("batch", "T", "I", "H", "O"))  # noqa: E741
    shapes = {"weight_ih": (4 * H, I), "weight_hh": (4 * H, H), "bias_ih": (4 * H,), "bias_hh": (4 * H,),
              "head_weight": (O, H), "head_bias": (O,)}
    rng = np.random.default_rng(0)
    params = {k: rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), size=s) for k, s in shapes.items()}
    data = np.random.default_rng(1)
    return params, data.normal(size=(B, T, I)), data.normal(size=(B, O))


def median_ms(fn) -> float:
    for _ in range(WARMUP):
        fn()
    times = []
    for _ in range(CALLS):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return 1000 * statistics.median(times)


def worker_numpy() -> dict:
    sys.path.insert(0, str(ROOT))
    from helpers import lstm

    params, x, y = problem()
    loss = lstm.loss_and_grad(params, x, y)[0]
    return {"ms": median_ms(lambda: lstm.loss_and_grad(params, x, y)), "loss": loss}


def worker_torch() -> dict:
    import torch

    torch.set_num_threads(1)
    params, x, y = problem()
    lstm = torch.nn.LSTM(SHAPE["I"], SHAPE["H"], batch_first=True, dtype=torch.float64)
    head = torch.nn.Linear(SHAPE["H"], SHAPE["O"], dtype=torch.float64)
    names = {"weight_ih": lstm.weight_ih_l0, "weight_hh": lstm.weight_hh_l0, "bias_ih": lstm.bias_ih_l0,
             "bias_hh": lstm.bias_hh_l0, "head_weight": head.weight, "head_bias": head.bias}
    with torch.no_grad():
        for name, tensor in names.items():
            tensor.copy_(torch.from_numpy(params[name]))
    X, Y = torch.from_numpy(x), torch.from_numpy(y)

    def loss_and_grad():
        for tensor in names.values():
            tensor.grad = None
        out, _ = lstm(X)
        loss = torch.nn.functional.mse_loss(head(out[:, -1]), Y)
        loss.backward()
        return float(loss.detach())

    return {"ms": median_ms(loss_and_grad), "loss": loss_and_grad(), "torch": torch.__version__}


def run_worker(python: str, side: str) -> dict:
    env = dict(os.environ, **ONE_THREAD)
    out = subprocess.run([python, __file__, "--worker", side], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def torch_python() -> str | None:
    candidate = os.environ.get("TORCH_PYTHON") or str(ROOT / ".venv-torch" / "bin" / "python")
    return candidate if Path(candidate).exists() else None


def main() -> None:
    torch_py = torch_python()
    print(f"helpers.lstm.loss_and_grad, batch {SHAPE['batch']}, T = {SHAPE['T']}, I = {SHAPE['I']}, "
          f"H = {SHAPE['H']}, float64, one thread: CPU time, median of {ROUNDS} rounds × {CALLS} calls")
    if torch_py is None:
        ours = statistics.median(run_worker(sys.executable, "numpy")["ms"] for _ in range(ROUNDS))
        print(f"  numpy {ours:6.2f} ms per call; no PyTorch to compare with (run `make fixtures`, "
              "or set TORCH_PYTHON)")
        return
    ours, theirs = [], []
    for _ in range(ROUNDS):  # alternate, so that load from other processes falls on both
        a, b = run_worker(sys.executable, "numpy"), run_worker(torch_py, "torch")
        if abs(a["loss"] - b["loss"]) > 1e-12 * abs(b["loss"]):
            raise RuntimeError(f"the two sides compute different losses: {a['loss']!r} and {b['loss']!r}")
        ours.append(a["ms"])
        theirs.append(b["ms"])
    ours_ms, torch_ms = statistics.median(ours), statistics.median(theirs)
    print(f"  numpy (helpers.lstm)      {ours_ms:6.2f} ms per call   rounds: " + ", ".join(f"{t:.2f}" for t in ours))
    print(f"  torch {b['torch']:<18}  {torch_ms:6.2f} ms per call   rounds: " + ", ".join(f"{t:.2f}" for t in theirs))
    verdict = "at most torch's: the bar is met" if ours_ms <= torch_ms else "slower than torch: the bar is NOT met"
    print(f"  ratio numpy / torch: {ours_ms / torch_ms:.2f} ({verdict}); same loss to 1e-12")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps({"numpy": worker_numpy, "torch": worker_torch}[sys.argv[2]]()))
    else:
        main()
