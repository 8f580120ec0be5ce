from django.apps import AppConfig


class RosterConfig(AppConfig):
    name = "gonghui.roster"
    label = "roster"
