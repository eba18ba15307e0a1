"""Checks on submitted workbooks: file safety before parsing, then the content rules."""
