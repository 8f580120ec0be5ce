from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "gonghui.notices"
    label = "notices"
    verbose_name = "公示"

    def ready(self) -> None:
        from gonghui.core import hooks
        from gonghui.notices.hooks import org_path_changed

        hooks.register("org.path_changed", org_path_changed)
