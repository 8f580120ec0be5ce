"""Pages of outreach: cadres' registry and management pages, the member portal."""
