"""The parent portal inbox: the Message row itself is what the portal shows."""
