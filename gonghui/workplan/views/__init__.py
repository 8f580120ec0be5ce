"""Workplan pages. A form is bound on every POST, even an empty one (`core.views.posted`): an
empty POST is an invalid form (400), never the blank form again (200)."""
