from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The top layer: the home page, the site's navigation (a pair's tabs across every stage)
    and the commands that drive the whole process (the demo)."""

    name = "portal"
    verbose_name = "Portal"
