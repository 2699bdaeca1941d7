r"""One LSTM layer and a linear head, with backpropagation through time written out: numpy only.

The model reads a sequence :math:`x_1, \dots, x_T` (each a vector of I features)
and predicts O numbers from its last hidden state.  With :math:`h_0 = c_0 = 0`,
for t = 1, …, T:

.. math::
    z_t = W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}
    \qquad\text{(4H pre-activations, gate order i, f, g, o)}

    i_t = \sigma(z^i_t) \quad f_t = \sigma(z^f_t) \quad g_t = \tanh(z^g_t) \quad o_t = \sigma(z^o_t)

    c_t = f_t \odot c_{t-1} + i_t \odot g_t

    h_t = o_t \odot \tanh(c_t)

then :math:`\hat y = W_{head} h_T + b_{head}` and the loss is the mean of
:math:`(\hat y - y)^2` over the batch and the O outputs (``torch.nn.MSELoss()``).

Parameters live in a dict with PyTorch's names, shapes and gate order, so that
``torch.nn.LSTM(I, H, batch_first=True)`` + ``torch.nn.Linear(H, O)`` hold the same
numbers (``tests/golden/make_lstm_fixtures.py`` checks that they compute the same
loss and gradients):

=================  ==========  ===========================================
name               shape       PyTorch
=================  ==========  ===========================================
``weight_ih``      (4H, I)     ``lstm.weight_ih_l0``  (rows: W_ii, W_if, W_ig, W_io)
``weight_hh``      (4H, H)     ``lstm.weight_hh_l0``
``bias_ih``        (4H,)       ``lstm.bias_ih_l0``
``bias_hh``        (4H,)       ``lstm.bias_hh_l0``
``head_weight``    (O, H)      ``linear.weight``
``head_bias``      (O,)        ``linear.bias``
=================  ==========  ===========================================

Training needs, besides ``loss_and_grad``: ``flatten``/``unflatten`` (the optimizers
of ``helpers.optimizers`` work elementwise on one array, so stepping the flat vector
is exactly stepping every tensor), ``clip_by_global_norm`` (``torch.nn.utils.clip_grad_norm_``)
and ``train``, which runs an optimizer over seeded mini-batches.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np

from helpers import _checks
from helpers.optimizers import _scheduled  # opt with the learning rate of step t under a schedule, as run() does

__all__ = [
    "PARAM_NAMES",
    "param_shapes",
    "init_params",
    "sigmoid",
    "cell_step",
    "predict",
    "loss",
    "loss_and_grad",
    "flatten",
    "unflatten",
    "global_norm",
    "clip_by_global_norm",
    "TORCH_CLIP_EPS",
    "minibatch_order",
    "TrainResult",
    "train",
    "training",
]

#: The parameters, in the order ``flatten`` lays them out.
PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "head_weight", "head_bias")

#: ``torch.nn.utils.clip_grad_norm_`` scales by max_norm / (‖g‖ + 1e-6), never by more than 1.
TORCH_CLIP_EPS = 1e-6


def param_shapes(n_in: int, n_hidden: int, n_out: int = 1) -> dict[str, tuple[int, ...]]:
    """The shape of every parameter, by name: I = ``n_in`` features, H = ``n_hidden`` units, O = ``n_out`` outputs."""
    I = _checks.whole_number("n_in", n_in, minimum=1)  # noqa: E741 - the lesson's symbol
    H = _checks.whole_number("n_hidden", n_hidden, minimum=1)
    O = _checks.whole_number("n_out", n_out, minimum=1)  # noqa: E741
    return {
        "weight_ih": (4 * H, I),
        "weight_hh": (4 * H, H),
        "bias_ih": (4 * H,),
        "bias_hh": (4 * H,),
        "head_weight": (O, H),
        "head_bias": (O,),
    }


def init_params(n_in: int, n_hidden: int, n_out: int = 1, seed: int = 0) -> dict[str, np.ndarray]:
    r"""Random parameters drawn as PyTorch draws them: every entry uniform on :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`.

    For the LSTM's four tensors that is ``torch.nn.LSTM.reset_parameters``
    (bound 1/√hidden_size).  For the head it is also ``torch.nn.Linear``'s
    default: its weight is ``kaiming_uniform_(a=√5)``, whose bound
    gain·√(3/fan_in) with gain = √(2/(1 + 5)) is 1/√fan_in, and its bias is uniform
    with the same bound; fan_in is H.  The distributions are PyTorch's; the numbers
    are not (they come from ``numpy.random.default_rng(seed)``, not torch's generator).
    """
    shapes = param_shapes(n_in, n_hidden, n_out)
    rng = np.random.default_rng(seed)
    bound = 1 / np.sqrt(n_hidden)
    return {name: rng.uniform(-bound, bound, size=shape) for name, shape in shapes.items()}


# --- checks ----------------------------------------------------------------------------------


def _check_params(params) -> dict[str, np.ndarray]:
    """``params`` as float arrays, every name present, the shapes consistent with one another."""
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict with keys {', '.join(PARAM_NAMES)}; got {type(params).__name__}.")
    missing = [n for n in PARAM_NAMES if n not in params]
    if missing:
        raise ValueError(f"params is missing {', '.join(missing)}; it needs {', '.join(PARAM_NAMES)}.")
    p = {name: np.asarray(params[name], dtype=float) for name in PARAM_NAMES}
    W_ih, head = p["weight_ih"], p["head_weight"]
    if W_ih.ndim != 2 or W_ih.shape[0] % 4:
        raise ValueError(f"params['weight_ih'] must have shape (4H, I); got shape {W_ih.shape}.")
    if head.ndim != 2:
        raise ValueError(f"params['head_weight'] must have shape (O, H); got shape {head.shape}.")
    expected = param_shapes(W_ih.shape[1], W_ih.shape[0] // 4, head.shape[0])
    for name, shape in expected.items():
        if p[name].shape != shape:
            raise ValueError(f"params['{name}'] must have shape {shape} to match params['weight_ih'] "
                             f"{W_ih.shape} and params['head_weight'] {head.shape}; got shape {p[name].shape}.")
    return p


def _check_data(p: dict, x, y=None) -> tuple[np.ndarray, np.ndarray | None]:
    """``x`` of shape (batch, T, I) and ``y`` of shape (batch, O), matching the parameters."""
    n_in, n_out = p["weight_ih"].shape[1], p["head_weight"].shape[0]
    x = _checks._as_float_array("x", x)
    if x.ndim != 3 or x.shape[2] != n_in or x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x must have shape (batch, T, I) with batch, T ≥ 1 and I = {n_in} (weight_ih is "
                         f"{p['weight_ih'].shape}); got x with shape {x.shape}.")
    if y is None:
        return x, None
    y = _checks._as_float_array("y", y)
    if y.shape != (x.shape[0], n_out):
        raise ValueError(f"y must have shape (batch, O) = {(x.shape[0], n_out)} for x of shape {x.shape} and "
                         f"head_weight {p['head_weight'].shape}; got y with shape {y.shape}.")
    return x, y


# --- the forward pass ------------------------------------------------------------------------


def sigmoid(z):
    r""":math:`\sigma(z) = 1 / (1 + e^{-z})`; where :math:`e^{-z}` overflows (z < −709) it is 0, without a warning."""
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-z))


def cell_step(params: Mapping, x_t, h, c) -> tuple[np.ndarray, np.ndarray]:
    r"""One step of the LSTM cell: :math:`(h_t, c_t)` from :math:`x_t` (batch, I), :math:`h_{t-1}, c_{t-1}` (batch, H).

    The equations of the module docstring, one line each (``torch.nn.LSTMCell``).
    """
    p = _check_params(params)
    H, I = p["weight_hh"].shape[1], p["weight_ih"].shape[1]  # noqa: E741
    x_t = _checks._as_float_array("x_t", x_t)
    if x_t.ndim != 2 or x_t.shape[1] != I:
        raise ValueError(f"x_t must have shape (batch, I) with I = {I} (weight_ih is {p['weight_ih'].shape}); "
                         f"got x_t with shape {x_t.shape}.")
    for name, value in (("h", h), ("c", c)):
        if np.shape(value) != (len(x_t), H):
            raise ValueError(f"{name} must have shape (batch, H) = {(len(x_t), H)} for x_t of shape {x_t.shape} "
                             f"and weight_hh {p['weight_hh'].shape}; got {name} with shape {np.shape(value)}.")
    z = x_t @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]  # z_t, (batch, 4H)
    i = sigmoid(z[:, 0 * H:1 * H])  # input gate      i_t = σ(z^i_t)
    f = sigmoid(z[:, 1 * H:2 * H])  # forget gate     f_t = σ(z^f_t)
    g = np.tanh(z[:, 2 * H:3 * H])  # candidate       g_t = tanh(z^g_t)
    o = sigmoid(z[:, 3 * H:4 * H])  # output gate     o_t = σ(z^o_t)
    c = f * c + i * g  # c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
    h = o * np.tanh(c)  # h_t = o_t ⊙ tanh(c_t)
    return h, c


@dataclass(frozen=True, eq=False)
class _Tape:
    """What the forward pass keeps for the backward pass.

    Time first (``h[t]`` is h_t, t = 0..T), then one column per example, as in the
    equations (z_t = W_ih x_t + …, x_t a column): each gate is then a block of
    contiguous rows of ``gates[t]``, i = rows 0..H−1, f = H..2H−1, g = 2H..3H−1, o = 3H..4H−1.
    """

    x: np.ndarray  # (T, I, B)
    h: np.ndarray  # (T + 1, H, B), h[0] = 0
    c: np.ndarray  # (T + 1, H, B), c[0] = 0
    gates: np.ndarray  # (T, 4H, B): i, f, g, o after their nonlinearities
    tanh_c: np.ndarray  # (T, H, B): tanh(c_t)
    y_hat: np.ndarray  # (B, O)


def _sigmoid_in_place(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{−z}), written over ``z`` (no temporary arrays: this runs 2T times per pass)."""
    np.negative(z, out=z)
    np.exp(z, out=z)  # e^{−z}; inf where z < −709, and then σ = 1/inf = 0, as it should be
    z += 1
    return np.reciprocal(z, out=z)


def _forward(p: dict, x: np.ndarray) -> _Tape:
    B, T, _ = x.shape
    H = p["weight_hh"].shape[1]
    W_hh = p["weight_hh"]
    xs = np.ascontiguousarray(x.transpose(1, 2, 0))  # (T, I, B): x_t as columns
    gates = np.matmul(p["weight_ih"], xs)  # W_ih x_t for every t at once: (T, 4H, B), overwritten step by step
    gates += (p["bias_ih"] + p["bias_hh"])[:, None]  # + b_ih + b_hh
    h = np.zeros((T + 1, H, B))
    c = np.zeros((T + 1, H, B))
    tanh_c = np.empty((T, H, B))
    with np.errstate(over="ignore"):
        for t in range(T):  # gates[t], c[t + 1], h[t + 1] hold step t + 1 of the equations
            z = gates[t]
            z += W_hh @ h[t]  # z_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh
            i, f, g, o = z[:H], z[H:2 * H], z[2 * H:3 * H], z[3 * H:]  # the four gates' rows, turned into:
            _sigmoid_in_place(z[:2 * H])  # i_t = σ(z^i_t) and f_t = σ(z^f_t) (adjacent rows, one call)
            np.tanh(g, out=g)  # g_t = tanh(z^g_t)
            _sigmoid_in_place(o)  # o_t = σ(z^o_t)
            c[t + 1] = f * c[t] + i * g  # c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t
            np.tanh(c[t + 1], out=tanh_c[t])
            np.multiply(o, tanh_c[t], out=h[t + 1])  # h_t = o_t ⊙ tanh(c_t)
    y_hat = (p["head_weight"] @ h[T]).T + p["head_bias"]  # ŷ = W_head h_T + b_head, (B, O)
    return _Tape(x=xs, h=h, c=c, gates=gates, tanh_c=tanh_c, y_hat=y_hat)


def predict(params: Mapping, x) -> np.ndarray:
    """The model's prediction ŷ = W_head h_T + b_head for every sequence in ``x`` (batch, T, I): shape (batch, O)."""
    p = _check_params(params)
    x, _ = _check_data(p, x)
    return _forward(p, x).y_hat


def loss(params: Mapping, x, y) -> float:
    """The mean squared error of ``predict(params, x)`` against ``y`` (batch, O), without gradients."""
    p = _check_params(params)
    x, y = _check_data(p, x, y)
    return float(np.mean((_forward(p, x).y_hat - y) ** 2))


# --- the backward pass -----------------------------------------------------------------------


def loss_and_grad(params: Mapping, x, y) -> tuple[float, dict[str, np.ndarray]]:
    r"""The loss :math:`L = \mathrm{mean}\,(\hat y - y)^2` and its gradient with respect to every parameter.

    ``x`` has shape (batch, T, I) and ``y`` (batch, O).  Returns ``(loss, grads)``,
    ``grads`` keyed like ``params``.  Backpropagation through time, with
    :math:`\delta u` for :math:`\partial L/\partial u` and, as in the equations, one
    column per example (the sums over the batch are the matrix products):

    .. math::
        \delta\hat y = 2(\hat y - y)/(B\,O), \quad
        \delta W_{head} = \delta\hat y\, h_T^\top, \quad \delta b_{head} = \textstyle\sum_b \delta\hat y, \quad
        \delta h_T = W_{head}^\top \delta\hat y, \quad \delta c_T = 0

    then for t = T, …, 1 (δh_t arrives from step t + 1 or the head, δc_t from step t + 1):

    .. math::
        \delta o_t = \delta h_t \odot \tanh c_t, \qquad
        \delta c_t \mathrel{+}= \delta h_t \odot o_t \odot (1 - \tanh^2 c_t)

        \delta i_t = \delta c_t \odot g_t, \quad \delta f_t = \delta c_t \odot c_{t-1}, \quad
        \delta g_t = \delta c_t \odot i_t

        \delta z^i_t = \delta i_t \odot i_t(1 - i_t), \quad \delta z^f_t = \delta f_t \odot f_t(1 - f_t), \quad
        \delta z^g_t = \delta g_t \odot (1 - g_t^2), \quad \delta z^o_t = \delta o_t \odot o_t(1 - o_t)

        \delta c_{t-1} = \delta c_t \odot f_t, \qquad \delta h_{t-1} = W_{hh}^\top \delta z_t

    and the weights collect every step's share:
    :math:`\delta W_{ih} = \sum_t \delta z_t\, x_t^\top`, :math:`\delta W_{hh} = \sum_t \delta z_t\, h_{t-1}^\top`,
    :math:`\delta b_{ih} = \delta b_{hh} = \sum_t \sum_b \delta z_t`.
    """
    p = _check_params(params)
    x, y = _check_data(p, x, y)
    tape = _forward(p, x)
    T, _, B = tape.x.shape
    H = p["weight_hh"].shape[1]
    W_hh_T = p["weight_hh"].T

    diff = tape.y_hat - y  # (B, O)
    L = float(np.mean(diff**2))  # L = mean (ŷ − y)²
    d_y_hat = (2 / diff.size) * diff.T  # δŷ = 2 (ŷ − y) / (B·O), one column per example
    grads = {
        "head_weight": d_y_hat @ tape.h[T].T,  # δW_head = Σ_b δŷ h_Tᵀ
        "head_bias": d_y_hat.sum(axis=1),  # δb_head = Σ_b δŷ
    }
    d_h = p["head_weight"].T @ d_y_hat  # δh_T = W_headᵀ δŷ
    d_c = np.zeros((H, B))  # δc_T = 0: the loss reads c_T only through h_T
    d_W_ih = np.zeros_like(p["weight_ih"])
    d_W_hh = np.zeros_like(p["weight_hh"])
    d_b = np.zeros(4 * H)
    dz = np.empty((4 * H, B))  # δz_t, rows i, f, g, o; reused every step (no (T, 4H, B) array: see below)
    d_i, d_f, d_g, d_o = dz[:H], dz[H:2 * H], dz[2 * H:3 * H], dz[3 * H:]  # its four gates, filled in place
    for t in range(T - 1, -1, -1):  # step t + 1 of the equations: gates[t], c[t + 1]; c[t], h[t] are the previous
        a = tape.gates[t]
        i, f, g, o = a[:H], a[H:2 * H], a[2 * H:3 * H], a[3 * H:]
        tanh_c = tape.tanh_c[t]
        np.multiply(d_h, tanh_c, out=d_o)  # δo_t = δh_t ⊙ tanh c_t
        d_c += d_h * o * (1 - tanh_c * tanh_c)  # δc_t += δh_t ⊙ o_t ⊙ (1 − tanh² c_t)
        np.multiply(d_c, g, out=d_i)  # δi_t = δc_t ⊙ g_t
        np.multiply(d_c, tape.c[t], out=d_f)  # δf_t = δc_t ⊙ c_{t−1}
        np.multiply(d_c, i, out=d_g)  # δg_t = δc_t ⊙ i_t
        d_i *= i * (1 - i)  # δz^i_t = δi_t ⊙ i_t (1 − i_t)
        d_f *= f * (1 - f)  # δz^f_t = δf_t ⊙ f_t (1 − f_t)
        d_g *= 1 - g * g  # δz^g_t = δg_t ⊙ (1 − g_t²)
        d_o *= o * (1 - o)  # δz^o_t = δo_t ⊙ o_t (1 − o_t)
        d_c *= f  # δc_{t−1} = δc_t ⊙ f_t
        d_h = W_hh_T @ dz  # δh_{t−1} = W_hhᵀ δz_t
        d_W_ih += dz @ tape.x[t].T  # δW_ih += δz_t x_tᵀ
        d_W_hh += dz @ tape.h[t].T  # δW_hh += δz_t h_{t−1}ᵀ
        d_b += dz.sum(axis=1)  # δb += Σ_b δz_t
    # Summing inside the loop does the same arithmetic as one product after it, but keeps no (T, 4H, B) array of
    # every δz_t: a few MB allocated and freed on every call can make the C allocator hand the memory back to the
    # system and fault it in again next time, which cost more than all of the arithmetic (tools/benchmark_lstm.py).
    grads.update(weight_ih=d_W_ih, weight_hh=d_W_hh, bias_ih=d_b, bias_hh=d_b.copy())  # the biases are added
    return L, {name: grads[name] for name in PARAM_NAMES}


# --- one vector for the optimizers -----------------------------------------------------------


def flatten(params: Mapping) -> np.ndarray:
    """Every parameter, raveled and concatenated in the order of ``PARAM_NAMES``: one float64 vector."""
    p = _check_params(params)
    return np.concatenate([p[name].ravel() for name in PARAM_NAMES])


def unflatten(vector, shapes: Mapping[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """The inverse of ``flatten``: a dict of arrays with the given ``shapes`` (views into ``vector``, not copies).

    ``shapes`` is ``param_shapes(I, H, O)`` or ``{name: a.shape for name, a in params.items()}``.
    """
    vector = _checks._as_float_array("vector", vector)
    sizes = [int(np.prod(shapes[name])) for name in PARAM_NAMES]
    if vector.shape != (sum(sizes),):
        raise ValueError(f"vector must have shape ({sum(sizes)},), the number of parameters in shapes; "
                         f"got vector with shape {vector.shape}.")
    ends = np.cumsum(sizes)
    return {name: vector[end - size:end].reshape(shapes[name])
            for name, size, end in zip(PARAM_NAMES, sizes, ends, strict=True)}


# --- clipping --------------------------------------------------------------------------------


def global_norm(grads: Mapping) -> float:
    r"""The norm of all gradients together, :math:`\|g\| = \sqrt{\sum_k \|g_k\|^2}`, as if they were one vector.

    Computed as PyTorch does: the norm of the per-tensor norms.
    """
    return float(np.linalg.norm([np.linalg.norm(np.asarray(g, dtype=float)) for g in grads.values()]))


def clip_by_global_norm(grads: Mapping, max_norm: float) -> tuple[dict[str, np.ndarray], float]:
    r"""Scale every gradient by the same factor so that their global norm is at most ``max_norm``.

    ``torch.nn.utils.clip_grad_norm_``'s formula:

    .. math::
        g_k \leftarrow g_k \cdot \min\!\Big(1,\; \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Big)

    so the direction of the whole gradient is kept, and a gradient whose norm is at
    most ``max_norm − 1e-6`` comes back unchanged (multiplied by exactly 1).  Returns
    ``(clipped, norm)`` with the norm before clipping (PyTorch returns it too).  A NaN
    norm gives NaN gradients and an infinite one zeros (and NaN where a gradient was
    infinite), as in PyTorch: a diverging run stays visible.
    """
    max_norm = _checks.positive("max_norm", max_norm)
    norm = global_norm(grads)
    with np.errstate(all="ignore"):
        scale = np.minimum(max_norm / (norm + TORCH_CLIP_EPS), 1.0)  # NaN stays NaN, as torch.clamp keeps it
        return {name: np.asarray(g, dtype=float) * scale for name, g in grads.items()}, norm


# --- training --------------------------------------------------------------------------------


def minibatch_order(n: int, batch_size: int, steps: int, seed: int = 0) -> np.ndarray:
    """The examples each step trains on: an array (steps, batch_size) of indices into the n training examples.

    Epoch after epoch, a fresh random permutation of the n examples (from
    ``numpy.random.default_rng(seed)``) cut into consecutive batches; the last
    ``n mod batch_size`` examples of each permutation are left out, so every batch
    has the same size (PyTorch's ``DataLoader(shuffle=True, drop_last=True)``, and the
    batches ``helpers.stochastic.MinibatchGradient(..., sampling="epochs", rng=seed)``
    draws).  The same seed gives the same order, so several optimizers can see the
    same batches.
    """
    n = _checks.whole_number("n", n, minimum=1)
    batch_size = _checks.whole_number("batch_size", batch_size, minimum=1)
    steps = _checks.whole_number("steps", steps)
    if batch_size > n:
        raise ValueError(f"batch_size must be at most the number of examples, {n}; got batch_size={batch_size}.")
    rng = np.random.default_rng(seed)
    per_epoch = n // batch_size
    epochs = -(-steps // per_epoch)  # ceiling
    batches = [rng.permutation(n)[: per_epoch * batch_size].reshape(per_epoch, batch_size) for _ in range(epochs)]
    return np.concatenate(batches)[:steps] if batches else np.empty((0, batch_size), dtype=int)


@dataclass(frozen=True, eq=False)
class TrainResult:
    r"""What ``train`` returns.

    ``train_loss[k]`` is the loss on the mini-batch of step k + 1, measured before that
    step; ``grad_norm[k]`` its gradient's global norm before clipping; ``step_size[k]``
    the largest change of any parameter in that step, :math:`\|x_{k+1} - x_k\|_\infty`
    (the yardstick of lesson 06: Adam's steps are about α); ``val_loss[j]``
    the loss on the validation data after ``eval_steps[j]`` steps (0 = at the start).
    After a divergence (a non-finite loss or parameter) the rest is NaN and
    ``diverged_at`` is the first step that went wrong.  ``params`` are the last finite ones.
    """

    params: dict
    train_loss: np.ndarray
    grad_norm: np.ndarray
    step_size: np.ndarray
    val_loss: np.ndarray
    eval_steps: np.ndarray
    diverged_at: int | None


def train(opt, params: Mapping, x, y, steps: int, batch_size: int = 32, seed: int = 0, max_norm: float | None = 1.0,
          x_val=None, y_val=None, eval_every: int = 50, schedule=None) -> TrainResult:
    """Train from ``params`` with the optimizer ``opt`` (any of ``helpers.optimizers``) for ``steps`` steps.

    Step t = 1, …, steps takes the t-th mini-batch of ``minibatch_order(len(x), batch_size,
    steps, seed)``, computes ``loss_and_grad``, clips the gradient to global norm
    ``max_norm`` (``None``: no clipping), and hands the flat gradient to ``opt.step``,
    with the learning rate ``schedule.lr(opt.lr, t)`` if a schedule
    (``helpers.schedules``) is given, as ``helpers.optimizers.run`` does.  That is
    PyTorch's loop: ``zero_grad``, ``backward``, ``clip_grad_norm_``, ``optimizer.step()``,
    ``scheduler.step()``.  If ``x_val, y_val`` are given, the validation loss is
    measured every ``eval_every`` steps (and at the start and the end).  ``params`` is
    not modified.  (``training`` is the same run, showing how far it has got on the way.)
    """
    *_, result = training(opt, params, x, y, steps, batch_size, seed, max_norm, x_val, y_val, eval_every, schedule,
                          report=())
    return result


def training(opt, params: Mapping, x, y, steps: int, batch_size: int = 32, seed: int = 0,
             max_norm: float | None = 1.0, x_val=None, y_val=None, eval_every: int = 50, schedule=None,
             report=(10, 60)) -> Iterator[TrainResult]:
    """``train``'s run, as it goes: a ``TrainResult`` after each step number in ``report`` and at the end.

    ``report=(10, 60)`` reports after step 10 and then after every 60 steps (70, 130, …);
    the last result is ``train``'s, number for number.  A result on the way holds the
    steps done so far (NaN after them), the validation losses measured so far, and the
    parameters reached; its ``diverged_at`` is None unless the run already diverged.
    """
    p = _check_params(params)
    x, y = _check_data(p, x, y)
    steps = _checks.whole_number("steps", steps)
    eval_every = _checks.whole_number("eval_every", eval_every, minimum=1)
    if max_norm is not None:
        max_norm = _checks.positive("max_norm", max_norm)
    if schedule is not None and not callable(getattr(schedule, "lr", None)):
        raise ValueError(f"schedule must be a helpers.schedules record with an lr(base_lr, t) method (or None); "
                         f"got schedule={schedule!r}.")
    validate = x_val is not None
    if validate:
        x_val, y_val = _check_data(p, x_val, y_val)
    order = minibatch_order(len(x), batch_size, steps, seed)
    eval_steps = np.unique(np.r_[np.arange(0, steps, eval_every), steps]) if validate else np.empty(0, dtype=int)
    first, then = (tuple(report) + (0, 0))[:2]  # () reports nothing on the way, (10,) step 10 only
    reported = {k for k in range(1, steps) if k == first or (then and k > first and (k - first) % then == 0)}

    shapes = {name: a.shape for name, a in p.items()}
    theta = flatten(p)
    state = opt.init(theta)
    train_loss = np.full(steps, np.nan)
    grad_norm = np.full(steps, np.nan)
    step_size = np.full(steps, np.nan)
    val_loss = np.full(len(eval_steps), np.nan)
    diverged_at = None

    def result(theta) -> TrainResult:
        return TrainResult(params=unflatten(theta.copy(), shapes), train_loss=train_loss.copy(),
                           grad_norm=grad_norm.copy(), step_size=step_size.copy(), val_loss=val_loss.copy(),
                           eval_steps=eval_steps, diverged_at=diverged_at)

    j = 0
    for k in range(steps + 1):
        with np.errstate(all="ignore"):
            current = unflatten(theta, shapes)
            if j < len(eval_steps) and eval_steps[j] == k:
                val_loss[j] = np.mean((_forward(current, x_val).y_hat - y_val) ** 2)
                j += 1
            if k == steps:
                break
            batch = order[k]
            L, grads = loss_and_grad(current, x[batch], y[batch])
            norm = global_norm(grads)
            if max_norm is not None:
                grads, _ = clip_by_global_norm(grads, max_norm)
            new_theta, state = _scheduled(opt, schedule, k + 1).step(theta, flatten(grads), state)
            train_loss[k], grad_norm[k] = L, norm
            if not (np.isfinite(L) and np.all(np.isfinite(new_theta))):
                diverged_at = k + 1
                break
            step_size[k] = np.abs(new_theta - theta).max()
            theta = new_theta
        if k + 1 in reported:
            yield result(theta)
    yield result(theta)
