from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    """Berita Acara: the minutes of each stage (administrative verification per round, factual
    verification per stage, the decision) as PDF with the recap attached, and the public page
    that tells whether a presented PDF is the one issued."""

    name = "documents"
    verbose_name = "Berita acara"
