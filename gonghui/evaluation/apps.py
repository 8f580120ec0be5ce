from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "gonghui.evaluation"
    label = "evaluation"
    verbose_name = "建家评家与调查"
