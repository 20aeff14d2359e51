"""Call tasks for the attendance desk: the Message row is the entry on the call list."""
