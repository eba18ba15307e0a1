"""What the office's SOP says, and how its working time is counted."""
