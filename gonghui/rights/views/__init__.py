"""Pages of rights work: cadres' pages by subdomain, and the workers' portal."""
