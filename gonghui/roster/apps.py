from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "gonghui.roster"
    label = "roster"
    verbose_name = "名册导入导出"

    def ready(self) -> None:
        # the app registry is ready only now: modules that import models load here
        from gonghui.core import hooks
        from gonghui.roster.demo import seed_roster
        from gonghui.roster.hooks import org_path_changed

        hooks.register("org.path_changed", org_path_changed)
        hooks.register("demo.seed", seed_roster)
