from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from gonghui.core import hooks
from gonghui.core.codes import register_codes


class EvaluationConfig(AppConfig):
    name = "gonghui.evaluation"
    label = "evaluation"
    verbose_name = "建家评家与调查"

    def ready(self) -> None:
        # demo and services import the models: only once the app registry is ready (Django)
        from gonghui.evaluation import demo  # after the registry is ready (models)
        from gonghui.evaluation.services.ratings import on_notice_close  # after the registry
        from gonghui.notices.services import register_handler  # after the registry is ready

        register_handler("evaluation.rating", on_notice_close)
        hooks.register("demo.seed", demo.seed)
        register_codes({"evaluation.rating": _("建家评家结果公示")})
