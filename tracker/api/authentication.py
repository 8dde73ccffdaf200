"""How API clients prove who they are.

Tokens are django-rest-knox tokens: only a SHA-512 digest is stored, each token can be revoked on
its own (logout) or all at once (logout-all), and they expire. Browser users of the admin are
also recognised by their session (with Django's CSRF protection on every unsafe request).
"""

import re

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header


class TokenAuthentication(KnoxTokenAuthentication):
    """`Authorization: Token <token>`, or `Authorization: Bearer <token>` (what OAuth-minded and
    generated clients send); the same tokens either way.

    An Authorization header with any other scheme is refused (401) rather than read as anonymous,
    so a client that sends its token wrongly learns it at once. Being the first authentication
    class, its `WWW-Authenticate: Token` challenge is what makes DRF answer 401 (not 403) to an
    anonymous client on an unsafe method.
    """

    _printable = re.compile(rb"[\x21-\x7e]{1,300}")
    schemes = (b"token", b"bearer")

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth:
            return None
        if auth[0].lower() not in self.schemes:
            raise exceptions.AuthenticationFailed(
                _("Unsupported authorization scheme: send “Authorization: Token <token>” (or Bearer).")
            )
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: “Token” or “Bearer”, a space, then the token, without spaces.")
            )
        return self.authenticate_credentials(auth[1])

    def authenticate_credentials(self, token):
        # Tokens are printable ASCII. Anything else is a bad token, refused before knox decodes it
        # (as UTF-8) or looks it up (PostgreSQL refuses a NUL character with an error, not a miss).
        if not self._printable.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return super().authenticate_credentials(token)


class TokenScheme(KnoxTokenScheme):
    """Describes TokenAuthentication in the OpenAPI schema."""

    target_class = TokenAuthentication
    name = "tokenAuth"
