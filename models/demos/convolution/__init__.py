"""The convolution demo."""
