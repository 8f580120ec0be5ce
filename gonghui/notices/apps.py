from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gonghui.core import hooks
from gonghui.core.codes import register_codes


class NoticesConfig(AppConfig):
    name = "gonghui.notices"
    label = "notices"
    verbose_name = "公示"

    def ready(self) -> None:
        # The hook module imports the models, which load only once the apps are ready.
        from gonghui.notices.hooks import org_path_changed

        hooks.register("org.path_changed", org_path_changed)
        register_codes({"notices.general": _("一般公示")})
