"""Errors raised by bilingual.

Every error the package raises on purpose derives from :class:`BilingualError`,
so callers can catch one class. Where an error resembles a built-in, it also
derives from that built-in (``except ValueError`` keeps working)::

    BilingualError
    ├── UnsupportedLanguageError   (also ValueError)
    ├── InputTooLargeError         (also ValueError)
    ├── ModelNotAvailableError
    └── BackendNotAvailableError

Each message says what the user can do next.
"""

from __future__ import annotations


class BilingualError(Exception):
    """Root of every error raised by bilingual."""


class UnsupportedLanguageError(BilingualError, ValueError):
    """The text, or a requested language, is neither Chinese nor English."""


class InputTooLargeError(BilingualError, ValueError):
    """The input exceeds the configured size limit; nothing was translated."""


class ModelNotAvailableError(BilingualError):
    """A model is neither present locally nor downloadable right now."""


class BackendNotAvailableError(BilingualError):
    """The requested inference backend cannot be used (not installed or unknown)."""
