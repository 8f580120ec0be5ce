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
        # A written or deleted working-day override makes the cached calendar be read afresh
        # (core.workdays), at once and again when its transaction commits.
        from django.db import transaction  # ready(): the ORM is loaded only now
        from django.db.models.signals import post_delete, post_save  # as above

        from gonghui.core import workdays  # imports the models: only once the registry is ready
        from gonghui.core.models import WorkdayOverride  # as above

        def changed(**kwargs: object) -> None:
            workdays.overrides_changed()
            transaction.on_commit(workdays.overrides_changed)

        post_save.connect(changed, sender=WorkdayOverride, weak=False,
                          dispatch_uid="core.workdays.save")
        post_delete.connect(changed, sender=WorkdayOverride, weak=False,
                            dispatch_uid="core.workdays.delete")
