"""The knockout demo."""
