"""Replications of published tables: each module solves the paper's experiment and sets the
computed values beside the published ones (which are cited, never used as results)."""
