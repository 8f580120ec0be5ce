from django.apps import AppConfig


class AwardsConfig(AppConfig):
    name = "gonghui.awards"
    label = "awards"
    verbose_name = "建功立业"
