"""Text messages through an HTTP provider."""
