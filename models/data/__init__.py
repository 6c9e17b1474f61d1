"""Data the demos train on: shadows, 2-D datasets and their features, the plane's grid, points users add."""
