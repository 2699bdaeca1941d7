"""Shared test settings: a headless matplotlib backend, and every warning is an error (pyproject)."""

import sys

import matplotlib

matplotlib.use("Agg")


def pytest_terminal_summary(terminalreporter):
    """Report the largest deviations from torch: torch.optim and its schedulers (test_golden.py,
    test_schedules.py) and torch.nn.LSTM (test_lstm.py)."""
    golden = sys.modules.get("test_golden")
    if golden is not None and golden.LARGEST:
        largest = golden.LARGEST
        terminalreporter.write_line(
            f"largest relative deviation from torch.optim over {largest['cases']} fixtures: "
            f"{largest['deviation']:.2e} ({largest['case']})"
        )
    schedules = sys.modules.get("test_schedules")
    if schedules is not None and schedules.LARGEST:
        largest = schedules.LARGEST
        terminalreporter.write_line(
            f"largest relative deviation from torch.optim.lr_scheduler over {largest['cases']} schedules: "
            f"rates {largest['rates']:.2e}, optimizer + scheduler paths {largest['paths']:.2e}"
        )
    lstm = sys.modules.get("test_lstm")
    if lstm is not None and lstm.LARGEST:
        terminalreporter.write_line(
            f"largest relative deviation from torch.nn.LSTM + Linear: {lstm.LARGEST['deviation']:.2e} "
            f"({lstm.LARGEST['case']})"
        )
