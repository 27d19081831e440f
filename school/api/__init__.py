"""The school app's API: who am I, tokens and teachers (``accounts``), and what every endpoint
of the project shares: one error shape (``errors``), pages (``pagination``), id filters that
never tell whether an object exists (``filters``) and the error answers in the schema
(``schema``)."""

from typing import Any

# DRF reads the pagination and filter classes named in the settings while it defines its
# generic views, so this package must not import any view when it is imported: the views are
# handed out on first use instead (the root URLconf imports them from here).
_VIEWS = {"MeView", "TeacherListView", "TokenView"}


def __getattr__(name: str) -> Any:
    if name in _VIEWS:
        from school.api import accounts

        return getattr(accounts, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
