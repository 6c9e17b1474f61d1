"""The boundary demo."""
