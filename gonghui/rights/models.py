"""Models of rights."""
