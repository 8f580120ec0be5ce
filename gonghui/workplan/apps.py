from django.apps import AppConfig


class WorkplanConfig(AppConfig):
    name = "gonghui.workplan"
    label = "workplan"
    verbose_name = "工作要点与督查"

    def ready(self) -> None:
        # ready(): the demo module imports models, which exist only once the registry is loaded
        from gonghui.core import hooks
        from gonghui.workplan.demo import seed_demo

        hooks.register("demo.seed", seed_demo)
