"""The numerical core every lesson shares: averages, optimizers, test surfaces, data, plotting basics.

``helpers`` depends on numpy only (matplotlib in ``helpers.plotting``); it never
imports ipywidgets or ``lessons``.
"""
