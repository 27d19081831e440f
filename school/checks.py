"""System checks of the installation (``manage.py check``, run by ``make lint`` and at start)."""

from typing import Any

from django.core.checks import Error, register


@register()
def uploads_parsed_without_entities(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """openpyxl reads uploaded sheets through defusedxml only when it is installed and not
    switched off (``OPENPYXL_DEFUSEDXML=False``). Uploads are scanned for entities before
    openpyxl sees them as well (``school.spreadsheets``); this keeps the second guard in place."""
    from openpyxl.xml import DEFUSEDXML

    if DEFUSEDXML:
        return []
    return [
        Error(
            "openpyxl does not parse workbooks through defusedxml.",
            hint="Install the project's dependencies and leave OPENPYXL_DEFUSEDXML unset.",
            id="school.E001",
        )
    ]
