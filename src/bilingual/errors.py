"""Errors raised by bilingual.

Every error the package raises on purpose derives from :class:`BilingualError`,
so callers can catch one class. Where an error resembles a built-in, it also
derives from that built-in (``except ValueError`` keeps working)::

    BilingualError
    ├── ConfigError                (also ValueError: a setting in the environment or given that cannot be used)
    ├── UnsupportedLanguageError   (also ValueError)
    ├── InputTooLargeError         (also ValueError)
    ├── InvalidInputError          (also ValueError: an empty or malformed value, e.g. a memory entry)
    ├── ModelNotAvailableError
    │   └── EngineUnavailableError (the LLM server is down, too slow, or refuses the request)
    ├── BackendNotAvailableError
    ├── ServerBusyError            (the process-wide work limit and its queue are full)
    ├── UnsupportedFormatError     (also ValueError: a file that cannot be read as its type)
    ├── UploadError                (a file named by a page event that was not uploaded here)
    ├── OutputExistsError          (also FileExistsError: an output file that would be overwritten)
    └── QuotaExceededError         (a per-client or total storage quota is full; try later)

Each message says what the user can do next.
"""

from __future__ import annotations

import re


class BilingualError(Exception):
    """Root of every error raised by bilingual."""


class ConfigError(BilingualError, ValueError):
    """A setting (from the environment, or given to ``Settings``) that cannot be used; the message names it."""


class UnsupportedLanguageError(BilingualError, ValueError):
    """The text, or a requested language, is neither Chinese nor English."""


class InputTooLargeError(BilingualError, ValueError):
    """The input exceeds the configured size limit; nothing was translated."""


class InvalidInputError(BilingualError, ValueError):
    """A value given is empty or malformed (a memory entry without a translation, a broken TMX file)."""


class ModelNotAvailableError(BilingualError):
    """A model is neither present locally nor downloadable right now."""


class EngineUnavailableError(ModelNotAvailableError):
    """The translation server (the ``llm`` engine) is down, too slow, or refused the request."""


class BackendNotAvailableError(BilingualError):
    """The requested inference backend cannot be used (not installed or unknown)."""


class ServerBusyError(BilingualError):
    """Every worker is busy and the waiting line is full; nothing was started. Try again shortly."""


class UnsupportedFormatError(BilingualError, ValueError):
    """A file that is not of a supported type, or not what its name says."""


class OutputExistsError(BilingualError, FileExistsError):
    """The output file exists and overwriting was not asked for; nothing was written."""


class UploadError(BilingualError, PermissionError):
    """A request named a file on the server that it did not upload; nothing was read."""


class QuotaExceededError(BilingualError):
    """Storing this would exceed a storage quota (uploads, files, glossaries); nothing was stored."""


# Absolute paths (``/home/ann/models``, ``/srv``, ``~/x``, ``C:\\Users\\ann``), also inside quotes with spaces.
_QUOTED_PATH = re.compile(r"""(['"])(?:~|[A-Za-z]:)?[/\\][^'"\n]*\1""")
_PATH = re.compile(r"(?<![\w:/.])(?:~|[A-Za-z]:)?(?:[/\\][\w@+-](?:[\w.@+-]*[\w@+-])?)+[/\\]?")


def redact(message: str) -> str:
    """``message`` with local file paths replaced by ``<local path>``: users never see server paths.

    URLs (``https://host/path``) are left alone.
    """
    message = _QUOTED_PATH.sub(lambda m: f"{m.group(1)}<local path>{m.group(1)}", message)
    return _PATH.sub("<local path>", message)
