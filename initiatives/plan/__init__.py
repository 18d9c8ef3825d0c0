"""The plan: its structure (models), the interchange format (validation, load, export) and
the reads every other package makes of the structure."""
