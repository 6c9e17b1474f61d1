"""The autoencoder demo."""
