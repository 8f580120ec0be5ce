from django.apps import AppConfig


class AidConfig(AppConfig):
    name = "gonghui.aid"
    label = "aid"
    verbose_name = "困难职工帮扶"

    def ready(self) -> None:
        from gonghui.aid import demo
        from gonghui.aid.services import org_hooks
        from gonghui.core import hooks

        hooks.register("org.occupancy", org_hooks.org_occupancy)
        hooks.register("org.merge", org_hooks.org_merge)
        hooks.register("org.path_changed", org_hooks.org_path_changed)
        hooks.register("demo.seed", demo.seed)
