"""The event hub (socket.io over a websocket) and its fan-out across worker processes."""
