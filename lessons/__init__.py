"""One module per notebook: its widgets, figures and exercise checks (built on ``helpers``).

``CATALOG`` maps each notebook (its file name without ``.ipynb``) to its module
here (None for a notebook without one).  Tests use it to check that every
notebook has its module and its tests; the benchmark uses it to find each
notebook's interactive figures (the module's ``WIDGETS``).

``SUMMARIES`` gives each notebook one line for the classroom view's landing page
(``make present``); a test checks that every notebook in ``CATALOG`` has one.
"""

CATALOG: dict[str, str | None] = {
    "00_setup_check": None,
    "01_exponentially_weighted_averages": "averages",
    "02_bias_correction": "bias_correction",
    "03_momentum": "momentum",
    "04_adagrad": "adagrad",
    "05_rmsprop": "rmsprop",
    "06_adam": "adam",
    "07_noisy_gradients": "noisy_gradients",
    "08_when_adam_fails": "adam_failures",
    "09_lstm_capstone": "lstm_capstone",
}

# One line per notebook, shown under its title on the classroom view's landing page (`make present`).
SUMMARIES: dict[str, str] = {
    "00_setup_check": "Check the installation: packages, imports, one optimizer run. Run it first.",
    "01_exponentially_weighted_averages": "Smooth Seattle's temperatures with v_t = β·v_{t−1} + (1−β)·θ_t: "
                                          "β sets the memory, and the lag.",
    "02_bias_correction": "Why an average started at 0 begins too low, and how dividing by 1 − β^t fixes it.",
    "03_momentum": "Gradient descent zig-zags in a narrow valley; averaging the gradients cancels the zig-zag.",
    "04_adagrad": "A learning rate per parameter from its summed squared gradients: good for rare features, "
                  "then it stalls.",
    "05_rmsprop": "AdaGrad's sum replaced by an EWMA: the effective rate stops decaying, and rattles near the minimum.",
    "06_adam": "Momentum + RMSProp + bias correction: steps of about α whatever the gradient's scale.",
    "07_noisy_gradients": "Mini-batch gradients are noisy: the noise ball, schedules that shrink it, "
                          "momentum and Adam.",
    "08_when_adam_fails": "Reddi et al.'s counterexample: Adam ends at the worst point; AMSGrad, AdamW, "
                          "warm-up, RAdam.",
    "09_lstm_capstone": "Capstone: an LSTM forecasts Seattle's temperature; baselines first, a fair optimizer race.",
}
