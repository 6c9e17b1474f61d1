"""Pure torch: networks, datasets, one module per demo. Knows nothing of the web."""
