from django.apps import AppConfig

from gonghui.core import hooks


class DemocracyConfig(AppConfig):
    name = "gonghui.democracy"
    label = "democracy"
    verbose_name = "民主管理"

    def ready(self) -> None:
        # demo imports the models: only once the app registry is ready (Django)
        from gonghui.democracy import demo  # after the registry is ready (models)

        hooks.register("demo.seed", demo.seed)
