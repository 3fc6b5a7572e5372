"""Every exception Tripwire raises on purpose.

One root, :class:`TripwireError`, so callers (the CLI, the web app) can catch
everything the library means to say with a single ``except``. The tree::

    TripwireError                 root; never raised directly
    ├── ConfigError               a setting, knowledge file or rule file is wrong
    │   ├── SettingError          unknown setting name or a value of the wrong type
    │   ├── KnowledgeError        a knowledge-base data file is malformed or inconsistent
    │   └── RuleError             a red-line rule file does not parse or names unknown things
    ├── InputError                input data the user handed us is unusable
    │   ├── DecodeError           bytes that are not text in any encoding we accept
    │   ├── DocumentTooLarge      a file or payload over the configured size limit
    │   ├── UnsupportedFormat     a file type / dataset layout we do not read
    │   ├── ParseError            HTML/feed/CSV/JSON that cannot be parsed
    │   ├── DateError             a date that is nonsense (e.g. 2019-13-45, year 40000)
    │   └── FetchError            a URL that cannot be fetched (network error, HTTP error status)
    ├── StoreError                the database failed or refused an operation
    │   ├── NotFound              an id that is not in the store
    │   └── MigrationError        the schema could not be brought up to date
    ├── AttributionError          the attribution engine cannot answer (e.g. empty hypothesis space)
    ├── EstimationError           a statistical estimator failed (not fitted, diverged, bad data)
    ├── ClusterError              a Dask scheduler cannot be reached or a distributed task failed
    └── AccessError               the web API refuses a write
        ├── Unauthorized          no valid bearer token
        └── WritesDisabled        no api_token is configured, so writes are off

Every error carries a short machine ``code`` (used in the web API's JSON error
envelope and in CLI exit messages) and an optional ``detail`` mapping with
structured context. ``str(err)`` is always a complete, human sentence.
"""

from __future__ import annotations

from typing import Any


class TripwireError(Exception):
    """Root of every error Tripwire raises deliberately."""

    code = "tripwire_error"
    #: HTTP status the web API answers with for this error.
    http_status = 500

    def __init__(self, message: str, *, detail: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = dict(detail or {})

    def to_dict(self) -> dict[str, Any]:
        """The JSON error envelope body: ``{"error": {"code", "message", "detail"}}``."""
        return {"error": {"code": self.code, "message": self.message, "detail": self.detail}}


class ConfigError(TripwireError):
    """A setting, knowledge-base file or rule file is wrong."""

    code = "config_error"
    http_status = 400


class SettingError(ConfigError):
    """An unknown setting name, or a value that does not fit the setting's type."""

    code = "setting_error"


class KnowledgeError(ConfigError):
    """A knowledge-base data file is malformed or refers to something undefined."""

    code = "knowledge_error"


class RuleError(ConfigError):
    """A red-line rule file does not parse, or names actors/levels that do not exist."""

    code = "rule_error"


class InputError(TripwireError):
    """Input handed to Tripwire cannot be used as it is."""

    code = "input_error"
    http_status = 400


class DecodeError(InputError):
    """Bytes that do not decode as text in any accepted encoding."""

    code = "decode_error"


class DocumentTooLarge(InputError):
    """A file or request body larger than the configured limit."""

    code = "too_large"
    http_status = 413


class UnsupportedFormat(InputError):
    """A file type or dataset layout Tripwire does not read."""

    code = "unsupported_format"
    http_status = 415


class ParseError(InputError):
    """Structured input (HTML, feed, CSV, JSON, YAML) that cannot be parsed."""

    code = "parse_error"
    http_status = 422


class DateError(InputError):
    """A date that cannot be real: impossible calendar values or absurd years."""

    code = "date_error"
    http_status = 422


class StoreError(TripwireError):
    """The database failed or refused an operation."""

    code = "store_error"


class NotFound(StoreError):
    """An identifier that is not in the store."""

    code = "not_found"
    http_status = 404


class MigrationError(StoreError):
    """The database schema could not be brought up to date."""

    code = "migration_error"


class AttributionError(TripwireError):
    """The attribution engine cannot produce an answer for this input."""

    code = "attribution_error"
    http_status = 422


class EstimationError(TripwireError):
    """A statistical estimator failed: not fitted yet, diverged, or unusable data."""

    code = "estimation_error"
    http_status = 422


class FetchError(InputError):
    """A URL that cannot be fetched: unreachable host, timeout or an HTTP error status."""

    code = "fetch_error"
    http_status = 502


class ClusterError(TripwireError):
    """A Dask scheduler cannot be reached, or work sent to the cluster failed."""

    code = "cluster_error"
    http_status = 503


class AccessError(TripwireError):
    """The web API refuses a write request."""

    code = "access_error"
    http_status = 403


class Unauthorized(AccessError):
    """A write request without a valid ``Authorization: Bearer <token>`` header."""

    code = "unauthorized"
    http_status = 401


class WritesDisabled(AccessError):
    """A write request while no ``api_token`` is configured: write endpoints are off."""

    code = "writes_disabled"
    http_status = 403
