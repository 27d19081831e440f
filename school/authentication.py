"""API sign-in that speaks the user's language, as the pages do."""

from typing import Any

from django.utils import translation
from rest_framework import authentication
from rest_framework.request import Request


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token sign-in; then messages (errors included) come in the language kept on the
    user's profile. Pages get the same from ``UserLanguageMiddleware``, which runs before DRF
    knows who a token belongs to."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        user: Any = result[0] if result is not None else None
        if user is not None and user.language:
            translation.activate(user.language)
            request._request.LANGUAGE_CODE = translation.get_language()  # type: ignore[attr-defined]
        return result
