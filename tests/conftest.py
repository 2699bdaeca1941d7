"""Shared test settings: a headless matplotlib backend, and every warning is an error (pyproject)."""

import matplotlib

matplotlib.use("Agg")


def _recorded(terminalreporter) -> dict:
    """What the tests put in ``record_property``: the reports carry it, also from pytest-xdist's workers."""
    found = {}
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        found.update(getattr(report, "user_properties", ()))
    return found


def pytest_terminal_summary(terminalreporter):
    """Report the largest deviations from torch: torch.optim and its schedulers (test_golden.py,
    test_schedules.py) and torch.nn.LSTM (test_lstm.py)."""
    recorded = _recorded(terminalreporter)
    if largest := recorded.get("torch.optim"):
        terminalreporter.write_line(
            f"largest relative deviation from torch.optim over {largest['cases']} fixtures: "
            f"{largest['deviation']:.2e} ({largest['case']})"
        )
    if largest := recorded.get("torch.optim.lr_scheduler"):
        terminalreporter.write_line(
            f"largest relative deviation from torch.optim.lr_scheduler over {largest['cases']} schedules: "
            f"rates {largest['rates']:.2e}, optimizer + scheduler paths {largest['paths']:.2e}"
        )
    if largest := recorded.get("torch.nn.LSTM"):
        terminalreporter.write_line(
            f"largest relative deviation from torch.nn.LSTM + Linear: {largest['deviation']:.2e} "
            f"({largest['case']})"
        )
