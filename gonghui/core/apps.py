from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"

    def ready(self) -> None:
        # Every app's to-do provider (`gonghui/<app>/todo.py`) registers itself on import.
        autodiscover_modules("todo")
