"""Bulk order imports: sources and validation, chunking, the sans-I/O steps, state, checkpoint and results."""
