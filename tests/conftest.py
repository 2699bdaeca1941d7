"""Shared test settings: a headless matplotlib backend, and every warning is an error (pyproject)."""

import sys

import matplotlib

matplotlib.use("Agg")


def pytest_terminal_summary(terminalreporter):
    """Report the largest deviation from torch.optim (test_golden.py), for the record."""
    golden = sys.modules.get("test_golden")
    if golden is not None and golden.LARGEST:
        largest = golden.LARGEST
        terminalreporter.write_line(
            f"largest relative deviation from torch.optim over {largest['cases']} fixtures: "
            f"{largest['deviation']:.2e} ({largest['case']})"
        )
