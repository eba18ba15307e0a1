"""What the office is: its divisions, indicators and targets (data induk)."""
