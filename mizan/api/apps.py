from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mizan.api"
    label = "api"
