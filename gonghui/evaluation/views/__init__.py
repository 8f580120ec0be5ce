"""Pages of evaluation: ratings and titles, surveys and the members' portal, scores."""
