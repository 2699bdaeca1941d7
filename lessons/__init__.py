"""One module per notebook: its widgets, figures and exercise checks (built on ``helpers``)."""
