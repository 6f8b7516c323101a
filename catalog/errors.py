"""The catalog's errors: one small hierarchy, each message fit to show a user."""

from __future__ import annotations


class CatalogError(Exception):
    """Base of every error the catalog raises on purpose."""


class FetchError(CatalogError):
    """The live catalog could not be fetched; nothing was changed."""


class FetchTimeout(FetchError):
    def __init__(self, seconds: float, what: str = "OpenRouter") -> None:
        super().__init__(f"{what} timed out after {seconds:g} s")
        self.seconds = seconds


class ConnectionFailed(FetchError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"could not connect to {url}: {reason}")
        self.url = url


class HTTPStatusError(FetchError):
    """OpenRouter (or a proxy in front of it) answered with an error status."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        retry_after: float | None = None,
        body_snippet: str = "",
    ) -> None:
        text = f"OpenRouter answered HTTP {status}"
        if message:
            text += f": {message}"
        if retry_after is not None:
            text += f" (retry after {retry_after:g} s)"
        super().__init__(text)
        self.status = status
        self.api_message = message
        self.retry_after = retry_after
        self.body_snippet = body_snippet


class BadResponse(FetchError):
    """The response arrived but is not a usable model list."""


class ResponseTooLarge(BadResponse):
    def __init__(self, limit_bytes: int) -> None:
        limit = f"{limit_bytes / 2**20:g} MB"
        super().__init__(f"the response is over {limit} (OPENROUTER_MAX_RESPONSE_MB); not read further")
        self.limit_bytes = limit_bytes


class NotJSON(BadResponse):
    def __init__(self, content_type: str, snippet: str = "") -> None:
        super().__init__(f"the response is not JSON (got {content_type or 'no content type'})")
        self.content_type = content_type
        self.snippet = snippet


class RefreshRefused(CatalogError):
    """A valid response that would drastically shrink the catalog; needs force."""


class StoreError(CatalogError):
    """The catalog store could not be read or written."""


class StoreUnavailable(StoreError):
    """The object store did not answer, or refused access: the catalog in memory is kept."""
