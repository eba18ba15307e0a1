"""What happened, kept so that it can be proven: log, archive, durable files."""
