from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gonghui.core import hooks
from gonghui.core.codes import register_codes


class AwardsConfig(AppConfig):
    name = "gonghui.awards"
    label = "awards"
    verbose_name = "建功立业"

    def ready(self) -> None:
        # services and demo import the models: only once the app registry is ready (Django)
        from gonghui.awards import demo  # after the registry is ready (models)
        from gonghui.awards.services import honours  # after the registry is ready (models)
        from gonghui.notices.services import register_handler  # after the registry (models)

        register_handler(honours.NOTICE_KIND, honours.on_notice_close)
        hooks.register("org.path_changed", honours.path_changed)
        hooks.register("demo.seed", demo.seed)
        register_codes({honours.NOTICE_KIND: _("评先评优公示")})
