"""Route-table entries and world builders of the wave-2 apps, one module per app.

Each module `tests/matrix/apps/<app>.py` defines `PAGES` and `API` (dicts in the form of
`tests/matrix/routes.py`) and registers its world objects with `@builder("kind")` from
`tests/matrix/world.py`. `routes.py` merges every module here into its tables, so an app's
entries live beside nobody else's.
"""
