"""What the running service does with a file, from its event to its folder."""
