"""Migrating records to a new published field version, in batches."""
