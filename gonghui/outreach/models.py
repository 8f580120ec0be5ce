"""Models of outreach."""
