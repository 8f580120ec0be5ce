"""Models of awards."""
