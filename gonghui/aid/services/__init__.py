"""Every write of the aid module. Pages, API, CLI, tasks and the demo loader come through here."""
