"""The sigmoid demo."""
