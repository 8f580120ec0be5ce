from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "gonghui.core"
    label = "core"

    def ready(self) -> None:
        # Every app's to-do providers register themselves on import: the work of its roles
        # (`gonghui/<app>/todo.py`) and a member's own to-dos for the portal inbox
        # (`gonghui/<app>/todo_portal.py`: a survey to answer, an activity tomorrow).
        autodiscover_modules("todo", "todo_portal")
