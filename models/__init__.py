"""Pure torch: the network core (nn/), data (data/), one package per demo (demos/). Knows nothing of the web."""
