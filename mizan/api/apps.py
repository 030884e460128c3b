from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mizan.api"
    label = "api"

    def ready(self) -> None:
        from mizan.api import schema  # noqa: F401  (registers the OpenAPI extensions)
