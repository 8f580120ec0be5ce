from django.apps import AppConfig

from gonghui.core import hooks


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
