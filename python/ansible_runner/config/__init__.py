"""Job configuration objects."""
