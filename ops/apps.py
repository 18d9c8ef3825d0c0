from __future__ import annotations

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "運用"

    def ready(self) -> None:
        from django.db.models import ForeignKey, IntegerField, UUIDField

        from ops.lookups import TolerantIn, TolerantRelatedExact

        IntegerField.register_lookup(TolerantIn)
        UUIDField.register_lookup(TolerantIn)
        ForeignKey.register_lookup(TolerantRelatedExact)
