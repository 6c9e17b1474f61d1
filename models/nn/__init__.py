"""The network core: activations and losses, the MLP, its fused compiled kernel, the batched trainer, numpy views."""
