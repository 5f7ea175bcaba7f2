"""The HTTP layer: the retry transport, deadlines per exchange, connection pools and URL paths."""
