"""The governance app's configuration: its name in the admin (推進委員会)."""

from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    """The plan's governance: the 推進委員会, its opinions and the city's responses."""

    name = "governance"
    verbose_name = _("推進委員会")
