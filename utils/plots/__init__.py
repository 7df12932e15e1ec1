"""Every figure of the course, one module per kind of figure.

- ``utils.plots.training``: data with a fitted line, training curves, loss landscapes;
- ``utils.plots.evaluation``: confusion matrix, parity plot, residuals, error against contrast;
- ``utils.plots.images``: grids of digits, misclassified digits, ellipses with outlines;
- ``utils.plots.common``: the small helpers they share.

Every helper draws on the ``Axes`` it is given (or a new figure), returns it and never
calls ``plt.show()``: the notebook decides when to show. Palettes are colour-blind safe,
and nothing is told by colour alone.
"""
