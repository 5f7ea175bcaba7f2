"""Bulk order imports: reading and chunking the input (readers, csv_reader, chunker, plan), the
sans-I/O core (steps, state, reconcile), its two thin drivers (drivers), the checkpoint
(checkpoint, checkpoint_records, file_lock) and the results."""
