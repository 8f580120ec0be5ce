"""Models of workbench."""
