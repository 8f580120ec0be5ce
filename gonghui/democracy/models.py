"""Models of democracy."""
