"""One module per notebook: its widgets, figures and exercise checks (built on ``helpers``).

``CATALOG`` maps each notebook (its file name without ``.ipynb``) to its module
here (None for a notebook without one).  Tests use it to check that every
notebook has its module and its tests; the benchmark uses it to find each
notebook's interactive figures (the module's ``WIDGETS``).
"""

CATALOG: dict[str, str | None] = {
    "00_setup_check": None,
    "01_exponentially_weighted_averages": "averages",
    "02_bias_correction": "bias_correction",
    "03_momentum": "momentum",
    "04_adagrad": "adagrad",
    "05_rmsprop": "rmsprop",
    "06_adam": "adam",
    "09_lstm_capstone": "lstm_capstone",
}
