"""The web side: FastAPI app, websocket protocol, sessions and the training engine."""
