"""Outreach writes, one module per subdomain: stations, activities, announcements, training,
projects. Every service checks its own permission, runs in a transaction and is audited."""
