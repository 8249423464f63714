"""Client for the Sigil-DNA API: ``SigilClient(base_url, token)``; see the package README."""

from ._generated import models
from ._retry import RETRYABLE_STATUSES, RetryPolicy
from ._version import __version__
from .client import MatchRequest, SigilClient, TokenProvider
from .errors import FieldError, SigilApiError

__all__ = [
    "RETRYABLE_STATUSES",
    "FieldError",
    "MatchRequest",
    "RetryPolicy",
    "SigilApiError",
    "SigilClient",
    "TokenProvider",
    "__version__",
    "models",
]
