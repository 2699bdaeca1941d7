"""helpers.lstm: finite differences, torch.nn.LSTM + Linear fixtures (tests/golden/make_lstm_fixtures.py), clipping."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from helpers import lstm, optimizers, schedules
from helpers.schedules import CosineAnnealingLR
from helpers.stochastic import MinibatchGradient

FIXTURE = json.loads((Path(__file__).parent / "golden" / "torch_lstm.json").read_text())
RTOL = 1e-12  # relative to the largest entry of the tensor compared: rounding error, not a loose match


def as_arrays(d: dict) -> dict:
    return {k: np.array(v, dtype=float) for k, v in d.items()}


def deviation(ours, theirs) -> float:
    """max |ours − theirs| / max(max |theirs|, 1e-300): the error relative to the tensor's scale."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape
    return float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-300))


def random_problem(B=3, T=5, I=2, H=4, O=1, seed=0, scale=None):  # noqa: E741
    params = lstm.init_params(I, H, O, seed=seed)
    if scale is not None:
        params = {k: v * scale * math.sqrt(H) for k, v in params.items()}
    rng = np.random.default_rng(seed + 100)
    return params, rng.normal(size=(B, T, I)), rng.normal(size=(B, O))


#: The largest deviation from torch seen in this run, reported in the terminal summary (see conftest.py).
LARGEST = {}


def _record(what: str, value: float) -> None:
    if value >= LARGEST.get("deviation", -1.0):
        LARGEST.update(deviation=value, case=what)


# --- against torch.nn.LSTM + torch.nn.Linear -------------------------------------------------


def test_fixture_is_what_the_issue_asks_for():
    assert FIXTURE["torch_version"].startswith("2.13") and FIXTURE["dtype"] == "float64"
    cases = FIXTURE["cases"]
    assert any(c["batch"] == 1 for c in cases) and any(c["T"] == 1 for c in cases)
    assert any(c["O"] > 1 for c in cases) and len({(c["batch"], c["T"], c["I"], c["H"]) for c in cases}) == len(cases)


@pytest.mark.parametrize("case", FIXTURE["cases"], ids=lambda c: c["name"])
def test_loss_prediction_and_every_gradient_match_torch(case):
    params, x, y = as_arrays(case["params"]), np.array(case["x"]), np.array(case["y"])
    loss, grads = lstm.loss_and_grad(params, x, y)
    assert list(grads) == list(lstm.PARAM_NAMES)
    worst = {"loss": deviation(loss, case["loss"]), "prediction": deviation(lstm.predict(params, x), case["y_hat"]),
             "loss()": deviation(lstm.loss(params, x, y), case["loss"])}
    worst.update({f"grad {k}": deviation(grads[k], case["grads"][k]) for k in lstm.PARAM_NAMES})
    for what, value in worst.items():
        _record(f"{case['name']}: {what}", value)
    assert max(worst.values()) <= RTOL, worst


@pytest.mark.parametrize("case", [c for c in FIXTURE["cases"] if c["clip"]], ids=lambda c: c["name"])
def test_clipping_matches_torch_clip_grad_norm(case):
    grads = as_arrays(case["grads"])
    for clip in case["clip"]:
        clipped, norm = lstm.clip_by_global_norm(grads, clip["max_norm"])
        assert deviation(norm, clip["total_norm"]) <= RTOL
        for k in lstm.PARAM_NAMES:
            dev = deviation(clipped[k], clip["clipped"][k])
            _record(f"{case['name']}: clip to {clip['max_norm']:.3g}, {k}", dev)
            assert dev <= RTOL, (clip["max_norm"], k)


def test_clipping_a_hair_above_the_norm_still_scales_as_torch_does():
    """max_norm / (‖g‖ + 1e-6) < 1 when max_norm is within 1e-6 above ‖g‖: torch scales by a hair, and so do we."""
    case = next(c for c in FIXTURE["cases"] if c["clip"])
    grads = as_arrays(case["grads"])
    hair_above = next(c for c in case["clip"] if 1 < c["max_norm"] / c["total_norm"] < 1 + 1e-6)
    clipped, norm = lstm.clip_by_global_norm(grads, hair_above["max_norm"])
    scale = clipped["weight_ih"] / grads["weight_ih"]
    assert np.all(scale < 1) and np.allclose(scale, hair_above["max_norm"] / (norm + 1e-6), rtol=1e-14)


def test_cell_step_matches_torch_lstm_cell():
    cell = FIXTURE["cell"]
    params = as_arrays(cell["params"])
    H = params["weight_hh"].shape[1]
    params.update(head_weight=np.zeros((1, H)), head_bias=np.zeros(1))  # the cell does not use the head
    h, c = lstm.cell_step(params, np.array(cell["x_t"]), np.array(cell["h"]), np.array(cell["c"]))
    assert deviation(h, cell["h_new"]) <= RTOL and deviation(c, cell["c_new"]) <= RTOL


@pytest.mark.parametrize("run", FIXTURE["training"], ids=lambda r: r["torch"])
def test_training_matches_torch_optimizer_with_clipping(run):
    setup = FIXTURE["training_setup"]
    assert lstm.minibatch_order(setup["n"], setup["batch_size"], setup["steps"], setup["seed"]).tolist() == run["order"]
    opt = getattr(optimizers, run["optimizer"])(**run["kwargs"])
    schedule = getattr(schedules, run["schedule"]["name"])(**run["schedule"]["kwargs"]) if run["schedule"] else None
    result = lstm.train(opt, as_arrays(setup["params"]), np.array(setup["x"]), np.array(setup["y"]),
                        steps=setup["steps"], batch_size=setup["batch_size"], seed=setup["seed"],
                        max_norm=setup["max_norm"], schedule=schedule)
    assert result.diverged_at is None
    assert deviation(result.train_loss, run["losses"]) <= 1e-11
    for k in lstm.PARAM_NAMES:
        dev = deviation(result.params[k], run["final"][k])
        _record(f"training {run['torch']}: final {k}", dev)
        assert dev <= 1e-11, k
    assert np.any(result.grad_norm > setup["max_norm"])  # the clipping was engaged, so it is pinned too


def test_largest_deviation_from_torch(record_property):
    """Every comparison above, once more, for the record (conftest prints it)."""
    for case in FIXTURE["cases"]:
        params, x, y = as_arrays(case["params"]), np.array(case["x"]), np.array(case["y"])
        loss, grads = lstm.loss_and_grad(params, x, y)
        _record(f"{case['name']}: loss", deviation(loss, case["loss"]))
        for k in lstm.PARAM_NAMES:
            _record(f"{case['name']}: grad {k}", deviation(grads[k], case["grads"][k]))
    record_property("torch.nn.LSTM", dict(LARGEST))  # for the terminal summary (conftest.py), also from a worker
    assert LARGEST["deviation"] <= RTOL


# --- finite differences ---------------------------------------------------------------------


@pytest.mark.parametrize("shape", [dict(B=3, T=5, I=2, H=4, O=1), dict(B=1, T=4, I=3, H=3, O=2),
                                   dict(B=2, T=1, I=1, H=2, O=1), dict(B=4, T=6, I=2, H=3, O=1, scale=1.5)],
                         ids=["small", "batch 1, O = 2", "T = 1", "large weights"])
def test_gradient_matches_central_differences_on_every_parameter(shape):
    params, x, y = random_problem(**shape)
    _, grads = lstm.loss_and_grad(params, x, y)
    h = 1e-6
    for name in lstm.PARAM_NAMES:
        numeric = np.zeros_like(params[name])
        for idx in np.ndindex(params[name].shape):
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += h
            minus[name][idx] -= h
            numeric[idx] = (lstm.loss(plus, x, y) - lstm.loss(minus, x, y)) / (2 * h)
        assert np.allclose(grads[name], numeric, rtol=1e-6, atol=1e-9), name


def test_loss_is_the_mean_squared_error_of_the_prediction():
    params, x, y = random_problem(B=5, O=2)
    loss, _ = lstm.loss_and_grad(params, x, y)
    assert loss == pytest.approx(np.mean((lstm.predict(params, x) - y) ** 2), rel=1e-14)
    assert lstm.loss(params, x, y) == pytest.approx(loss, rel=1e-14)


def test_cell_step_repeated_is_the_forward_pass():
    params, x, _ = random_problem(B=3, T=6)
    H = params["weight_hh"].shape[1]
    h = c = np.zeros((3, H))
    for t in range(6):
        h, c = lstm.cell_step(params, x[:, t], h, c)
    expected = h @ params["head_weight"].T + params["head_bias"]
    assert np.allclose(lstm.predict(params, x), expected, rtol=1e-13, atol=1e-15)


def test_saturated_gates_give_no_warning_and_finite_values():
    params, x, y = random_problem(B=2, T=4, scale=400.0)  # |z| in the hundreds: e^{−z} overflows
    loss, grads = lstm.loss_and_grad(params, x, y)  # pytest turns any warning into an error
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in grads.values())
    assert lstm.sigmoid(np.array([-1000.0]))[0] == 0.0 and lstm.sigmoid(np.array([1000.0]))[0] == 1.0


def test_inputs_are_not_modified():
    params, x, y = random_problem()
    copies = ({k: v.copy() for k, v in params.items()}, x.copy(), y.copy())
    lstm.loss_and_grad(params, x, y)
    assert all(np.array_equal(params[k], copies[0][k]) for k in params)
    assert np.array_equal(x, copies[1]) and np.array_equal(y, copies[2])


# --- initialization ---------------------------------------------------------------------------


def test_init_params_shapes_names_and_bounds():
    params = lstm.init_params(4, 32, 1, seed=0)
    assert list(params) == list(lstm.PARAM_NAMES)
    assert {k: v.shape for k, v in params.items()} == {
        "weight_ih": (128, 4), "weight_hh": (128, 32), "bias_ih": (128,), "bias_hh": (128,),
        "head_weight": (1, 32), "head_bias": (1,)}
    bound = 1 / math.sqrt(32)
    everything = lstm.flatten(params)
    assert np.all(np.abs(everything) <= bound) and np.abs(everything).max() > 0.99 * bound
    assert abs(everything.mean()) < 0.05 * bound  # centred (uniform on ±bound: std bound/√3)
    assert everything.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)


def test_init_params_is_seeded():
    a, b, c = lstm.init_params(3, 5, seed=1), lstm.init_params(3, 5, seed=1), lstm.init_params(3, 5, seed=2)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(lstm.flatten(a), lstm.flatten(c))


def test_head_bound_is_torch_linear_default():
    """torch.nn.Linear: kaiming_uniform_(a=√5) gives bound gain·√(3/fan_in), gain = √(2/(1 + a²)): 1/√fan_in."""
    fan_in = 16
    gain = math.sqrt(2 / (1 + 5))
    assert gain * math.sqrt(3 / fan_in) == pytest.approx(1 / math.sqrt(fan_in), rel=1e-15)
    head = lstm.init_params(2, fan_in, 3, seed=0)["head_weight"]
    assert np.abs(head).max() <= 1 / math.sqrt(fan_in)


# --- bad arguments ------------------------------------------------------------------------------


@pytest.mark.parametrize("x_shape, match", [
    ((3, 5, 3), r"x must have shape \(batch, T, I\).*I = 2.*\(16, 2\).*got x with shape \(3, 5, 3\)"),
    ((3, 5), r"x must have shape .*got x with shape \(3, 5\)"),
    ((0, 5, 2), r"batch, T ≥ 1.*got x with shape \(0, 5, 2\)"),
    ((3, 0, 2), r"got x with shape \(3, 0, 2\)"),
])
def test_bad_x_names_x_and_the_shapes(x_shape, match):
    params, _, y = random_problem()
    with pytest.raises(ValueError, match=match):
        lstm.loss_and_grad(params, np.zeros(x_shape), y)


@pytest.mark.parametrize("y_shape", [(3,), (3, 2), (4, 1)])
def test_bad_y_names_y_and_the_shapes(y_shape):
    params, x, _ = random_problem()
    with pytest.raises(ValueError, match=r"y must have shape \(batch, O\) = \(3, 1\).*got y with shape"):
        lstm.loss_and_grad(params, x, np.zeros(y_shape))


def test_bad_params_name_the_parameter():
    params, x, y = random_problem()
    with pytest.raises(ValueError, match="params is missing bias_hh"):
        lstm.loss_and_grad({k: v for k, v in params.items() if k != "bias_hh"}, x, y)
    wrong = dict(params, weight_hh=np.zeros((16, 5)))
    with pytest.raises(ValueError, match=r"params\['weight_hh'\] must have shape \(16, 4\).*got shape \(16, 5\)"):
        lstm.loss_and_grad(wrong, x, y)
    with pytest.raises(ValueError, match=r"params\['weight_ih'\] must have shape \(4H, I\); got shape \(15, 2\)"):
        lstm.loss_and_grad(dict(params, weight_ih=np.zeros((15, 2))), x, y)
    with pytest.raises(ValueError, match="params must be a dict"):
        lstm.predict([1, 2], x)


def test_bad_cell_step_arguments_name_the_argument():
    params = lstm.init_params(2, 3)
    with pytest.raises(ValueError, match=r"x_t must have shape \(batch, I\) with I = 2.*got x_t with shape \(4, 3\)"):
        lstm.cell_step(params, np.zeros((4, 3)), np.zeros((4, 3)), np.zeros((4, 3)))
    with pytest.raises(ValueError, match=r"c must have shape \(batch, H\) = \(4, 3\).*got c with shape \(4, 2\)"):
        lstm.cell_step(params, np.zeros((4, 2)), np.zeros((4, 3)), np.zeros((4, 2)))


@pytest.mark.parametrize("kwargs, match", [({"n_in": 0}, "n_in"), ({"n_hidden": 2.5}, "n_hidden"),
                                            ({"n_out": -1}, "n_out")])
def test_bad_sizes_name_the_size(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lstm.init_params(**dict({"n_in": 2, "n_hidden": 3}, **kwargs))


# --- flattening ------------------------------------------------------------------------------


def test_flatten_and_unflatten_round_trip():
    params = lstm.init_params(3, 4, 2, seed=5)
    vector = lstm.flatten(params)
    assert vector.shape == (sum(v.size for v in params.values()),)
    back = lstm.unflatten(vector, lstm.param_shapes(3, 4, 2))
    assert list(back) == list(lstm.PARAM_NAMES)
    assert all(np.array_equal(back[k], params[k]) for k in params)
    assert np.array_equal(vector[:48], params["weight_ih"].ravel())  # PARAM_NAMES order, row-major


def test_unflatten_wrong_length_says_so():
    with pytest.raises(ValueError, match=r"vector must have shape \(59,\).*got vector with shape \(58,\)"):
        lstm.unflatten(np.zeros(58), lstm.param_shapes(3, 2, 1))


def test_an_optimizer_step_on_the_flat_vector_is_a_step_on_every_tensor():
    params, x, y = random_problem()
    _, grads = lstm.loss_and_grad(params, x, y)
    opt = optimizers.Adam(lr=0.01)
    flat, _ = opt.step(lstm.flatten(params), lstm.flatten(grads), opt.init(lstm.flatten(params)))
    stepped = lstm.unflatten(flat, {k: v.shape for k, v in params.items()})
    for k in params:
        alone, _ = opt.step(params[k], grads[k], opt.init(params[k]))
        assert np.array_equal(stepped[k], alone)


# --- clipping ---------------------------------------------------------------------------------


def test_global_norm_is_the_norm_of_everything_together():
    params, x, y = random_problem()
    _, grads = lstm.loss_and_grad(params, x, y)
    assert lstm.global_norm(grads) == pytest.approx(np.linalg.norm(lstm.flatten(grads)), rel=1e-14)


def test_clipping_keeps_the_direction_and_caps_the_norm():
    params, x, y = random_problem()
    _, grads = lstm.loss_and_grad(params, x, y)
    norm = lstm.global_norm(grads)
    clipped, returned = lstm.clip_by_global_norm(grads, norm / 4)
    assert returned == norm
    assert lstm.global_norm(clipped) == pytest.approx(norm / 4, rel=1e-5)
    ratio = lstm.flatten(clipped) / lstm.flatten(grads)
    assert np.allclose(ratio, ratio[0], rtol=1e-14)  # one factor for every tensor: the direction is kept


def test_clipping_leaves_gradients_under_the_threshold_exactly_alone():
    params, x, y = random_problem()
    _, grads = lstm.loss_and_grad(params, x, y)
    clipped, _ = lstm.clip_by_global_norm(grads, 2 * lstm.global_norm(grads))
    assert all(np.array_equal(clipped[k], grads[k]) for k in grads)
    assert all(clipped[k] is not grads[k] for k in grads)  # new arrays: the caller's are not touched


def test_clipping_non_finite_gradients_behaves_as_torch():
    grads = {"a": np.array([1.0, np.inf]), "b": np.array([2.0])}
    clipped, norm = lstm.clip_by_global_norm(grads, 1.0)  # no warning escapes
    assert norm == np.inf and clipped["b"][0] == 0.0 and np.isnan(clipped["a"][1])
    clipped, norm = lstm.clip_by_global_norm({"a": np.array([np.nan, 1.0])}, 1.0)
    assert np.isnan(norm) and np.all(np.isnan(clipped["a"]))


def test_bad_max_norm():
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0; got max_norm=0.0"):
        lstm.clip_by_global_norm({"a": np.ones(2)}, 0.0)


# --- mini-batches and training -----------------------------------------------------------------


def test_minibatch_order_is_epochs_of_permutations():
    order = lstm.minibatch_order(10, 3, 7, seed=4)
    assert order.shape == (7, 3)
    for epoch in (order[0:3], order[3:6]):  # 3 batches per epoch, one example left out each time
        assert len(set(epoch.ravel())) == 9 and set(epoch.ravel()) <= set(range(10))
    assert np.array_equal(order, lstm.minibatch_order(10, 3, 7, seed=4))
    assert not np.array_equal(order, lstm.minibatch_order(10, 3, 7, seed=5))
    assert lstm.minibatch_order(10, 3, 0).shape == (0, 3)
    with pytest.raises(ValueError, match="batch_size must be at most the number of examples, 10"):
        lstm.minibatch_order(10, 11, 5)


def test_minibatch_order_is_the_epochs_sampling_of_helpers_stochastic():
    drawn = MinibatchGradient(lambda x, batch: x, n=23, batch_size=5, rng=7, sampling="epochs")
    for _ in range(13):
        drawn(np.zeros(1))
    assert np.array_equal(np.array(drawn.batches), lstm.minibatch_order(23, 5, 13, seed=7))


def test_train_with_a_schedule_uses_the_scheduled_rate_at_every_step():
    params, x, y = random_problem(B=12, T=3)
    schedule = CosineAnnealingLR(t_max=6)
    result = lstm.train(optimizers.SGD(lr=0.3), params, x, y, steps=6, batch_size=4, seed=1, max_norm=None,
                        schedule=schedule)
    theta, shapes = lstm.flatten(params), lstm.param_shapes(2, 4)
    for t, batch in enumerate(lstm.minibatch_order(12, 4, 6, seed=1), start=1):
        _, grads = lstm.loss_and_grad(lstm.unflatten(theta, shapes), x[batch], y[batch])
        theta = theta - schedule.lr(0.3, t) * lstm.flatten(grads)
    assert np.allclose(lstm.flatten(result.params), theta, rtol=1e-14, atol=0)
    with pytest.raises(ValueError, match="schedule must be a helpers.schedules record"):
        lstm.train(optimizers.SGD(lr=0.3), params, x, y, steps=2, batch_size=4, schedule=0.5)


def test_train_is_the_loop_it_describes():
    params, x, y = random_problem(B=20, T=4)
    opt = optimizers.Momentum(lr=0.05, beta=0.9)
    result = lstm.train(opt, params, x, y, steps=12, batch_size=5, seed=3, max_norm=0.5, x_val=x[:7],
                        y_val=y[:7], eval_every=5)
    theta, state, shapes = lstm.flatten(params), opt.init(lstm.flatten(params)), lstm.param_shapes(2, 4)
    for k, batch in enumerate(lstm.minibatch_order(20, 5, 12, seed=3)):
        current = lstm.unflatten(theta, shapes)
        if k in (0, 5, 10):
            assert result.val_loss[k // 5] == lstm.loss(current, x[:7], y[:7])
        loss, grads = lstm.loss_and_grad(current, x[batch], y[batch])
        assert result.train_loss[k] == loss and result.grad_norm[k] == lstm.global_norm(grads)
        grads, _ = lstm.clip_by_global_norm(grads, 0.5)
        previous = theta
        theta, state = opt.step(theta, lstm.flatten(grads), state)
        assert result.step_size[k] == np.abs(theta - previous).max()
    assert result.eval_steps.tolist() == [0, 5, 10, 12]
    assert result.val_loss[-1] == lstm.loss(lstm.unflatten(theta, shapes), x[:7], y[:7])
    assert np.array_equal(lstm.flatten(result.params), theta) and result.diverged_at is None


def test_train_lowers_the_loss_and_does_not_touch_its_arguments():
    params, x, y = random_problem(B=64, T=5, H=6)
    y = x[:, -1, :1]  # learnable: the last input
    before = {k: v.copy() for k, v in params.items()}
    result = lstm.train(optimizers.Adam(lr=0.02), params, x, y, steps=150, batch_size=16, x_val=x, y_val=y)
    assert result.val_loss[-1] < 0.2 * result.val_loss[0]
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_train_without_clipping_and_a_diverging_run():
    params, x, y = random_problem(B=16, T=5)
    free = lstm.train(optimizers.SGD(lr=0.1), params, x, y, steps=5, batch_size=4, max_norm=None)
    assert free.diverged_at is None and np.all(np.isfinite(free.train_loss))
    wild = lstm.train(optimizers.SGD(lr=1e300), params, x, 1e10 * y, steps=20, batch_size=4, max_norm=None,
                      x_val=x, y_val=y, eval_every=5)  # no warning escapes (pytest makes warnings errors)
    assert wild.diverged_at is not None and wild.diverged_at <= 20
    assert np.all(np.isnan(wild.train_loss[wild.diverged_at:]))
    assert np.all(np.isfinite(lstm.flatten(wild.params)))


def test_train_checks_its_arguments():
    params, x, y = random_problem(B=8)
    with pytest.raises(ValueError, match="max_norm"):
        lstm.train(optimizers.SGD(0.1), params, x, y, steps=2, max_norm=-1.0)
    with pytest.raises(ValueError, match="batch_size must be at most the number of examples, 8"):
        lstm.train(optimizers.SGD(0.1), params, x, y, steps=2, batch_size=9)
    with pytest.raises(ValueError, match=r"x must have shape"):
        lstm.train(optimizers.SGD(0.1), params, x, y, steps=2, x_val=x[:, :, :1], y_val=y)


def test_training_reports_the_run_as_it_goes_and_ends_on_train_s_result():
    params = lstm.init_params(4, 8, 1, seed=0)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 5, 4)), rng.normal(size=(40, 1))
    kwargs = dict(batch_size=8, seed=2, max_norm=1.0, x_val=x[:10], y_val=y[:10], eval_every=20)
    results = list(lstm.training(optimizers.Adam(0.01), params, x, y, 100, report=(10, 30), **kwargs))
    done = [int(np.count_nonzero(np.isfinite(r.train_loss))) for r in results]
    assert done == [10, 40, 70, 100]
    once = lstm.training(optimizers.Adam(0.01), params, x, y, 100, report=(10,), **kwargs)
    assert [int(np.count_nonzero(np.isfinite(r.train_loss))) for r in once] == [10, 100]  # step 10, then the end
    whole = lstm.train(optimizers.Adam(0.01), params, x, y, 100, **kwargs)
    for name in ("train_loss", "grad_norm", "step_size", "val_loss"):
        np.testing.assert_array_equal(getattr(results[-1], name), getattr(whole, name))
    ten = lstm.train(optimizers.Adam(0.01), params, x, y, 10, **kwargs)  # the same batches: a prefix of the run
    for name in lstm.PARAM_NAMES:
        np.testing.assert_array_equal(results[0].params[name], ten.params[name])
    np.testing.assert_array_equal(results[0].train_loss[:10], whole.train_loss[:10])
    assert np.isnan(results[0].train_loss[10:]).all() and results[0].diverged_at is None
    assert np.isfinite(results[0].val_loss[:1]).all() and np.isnan(results[0].val_loss[1:]).all()
