"""Settings as data: every knob Tripwire has, with its default and help text.

Each :class:`Setting` has a name, a type, a default and a one-line help. Values
come, in increasing precedence, from the defaults here, a TOML/YAML file given
by the user, and environment variables ``TRIPWIRE_<NAME>`` (upper case, dots
and dashes as underscores). ``docs/settings.md`` lists them all and a test
checks that the document and this table agree.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SettingError


@dataclass(frozen=True)
class Setting:
    """One configurable value: ``name``, Python ``type``, ``default`` and ``help``."""

    name: str
    type: type
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        """The environment variable that overrides this setting."""
        return "TRIPWIRE_" + self.name.upper().replace(".", "_").replace("-", "_")

    def coerce(self, value: Any) -> Any:
        """Turn ``value`` (possibly a string from the environment) into this setting's type."""
        if self.type is bool:
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off"}:
                return False
            raise SettingError(f"setting {self.name!r} expects true/false, got {value!r}")
        if self.type in (int, float):
            if isinstance(value, bool):
                raise SettingError(f"setting {self.name!r} expects a number, got {value!r}")
            try:
                return self.type(value)
            except (TypeError, ValueError):
                raise SettingError(f"setting {self.name!r} expects {self.type.__name__}, got {value!r}") from None
        if self.type is str:
            if not isinstance(value, (str, Path)):
                raise SettingError(f"setting {self.name!r} expects a string, got {value!r}")
            return str(value)
        raise SettingError(f"setting {self.name!r} has an unsupported type")  # pragma: no cover


SETTINGS: tuple[Setting, ...] = (
    Setting("database_url", str, "sqlite:///tripwire.db", "SQLAlchemy URL of the store: sqlite:///PATH (default) or postgresql+psycopg://USER@HOST/DB."),
    Setting("knowledge_dir", str, "", "Extra knowledge-base folder whose YAML/CSV files extend or override the bundled ones (empty: bundled only)."),
    Setting("rules_file", str, "", "Red-line rule file every command, the dashboard and the API use when given no --rules (empty: the bundled examples)."),
    Setting("max_document_bytes", int, 5_000_000, "Largest article/feed file ingest accepts; larger ones are refused with a clear error."),
    Setting("max_request_bytes", int, 1_000_000, "Largest request body the web API accepts."),
    Setting("http_timeout", float, 20.0, "Seconds to wait when fetching a URL during ingest."),
    Setting("http_deadline", float, 60.0, "Most seconds one download may take in all (connecting, redirects, reading the body)."),
    Setting("allow_private_addresses", bool, False, "Let ingest fetch URLs whose host resolves to a loopback, private, link-local, multicast or reserved address."),
    Setting("webhook_retries", int, 3, "Extra attempts `check --webhook` makes after a network error, timeout, 5xx or 429 answer."),
    Setting("webhook_backoff", float, 0.5, "Seconds before the first webhook retry; each further retry waits twice as long (at most 30 s)."),
    Setting("default_timezone", str, "UTC", "Time zone assumed for publication dates that carry none."),
    Setting("watch_fraction", float, 0.5, "A red line is on 'watch' when P(condition) reaches this fraction of its evidentiary threshold."),
    Setting("dependence_transmission_error", float, 0.1, "Probability that a report relayed from a shared origin changed the claim in transmission."),
    Setting("interval_draws", int, 400, "Monte Carlo draws used to put a credible interval on each posterior."),
    Setting("interval_level", float, 0.9, "Credible level of reported intervals (0.9 = 5th to 95th percentile)."),
    Setting("seed", int, 20200105, "Seed for every random draw made on the user's behalf (intervals, simulations)."),
    Setting("report_dir", str, "tripwire-report", "Folder where `tripwire brief` writes its HTML report."),
    Setting("allowed_hosts", str, "localhost,127.0.0.1,::1", "Host names the dashboard and API answer to, comma-separated (* for any); other Host headers get 400 (DNS rebinding)."),
    Setting("api_token", str, "", "Bearer token required by write endpoints of the REST API (empty: writes disabled)."),
    Setting("progress", bool, True, "Show progress bars on long-running commands."),
    Setting("stix_tlp", str, "amber", "TLP 2.0 marking of every exported STIX object: clear, green, amber, amber+strict or red."),
    Setting("stix_attribution_floor", float, 0.5, "Exported STIX links an incident to an actor as attributed to it only when the actor's probability reaches this floor."),
    Setting("stix_typed_incident_links", bool, False, "Exported STIX links an incident to its actors and place with attributed-to / located-at "
            "(what OpenCTI reads as such; strict validation flags them) instead of related-to, the only link STIX 2.1 suggests for incidents."),
    Setting("store_batch_size", int, 200, "Documents or extractions written per store transaction by ingest and brief; a crash loses at most the batch in flight."),
    Setting("pattern_top_k", int, 50, "Pattern evidence uses at most this many of the most similar earlier incidents (0: all); one note counts the rest."),
    Setting("dask_scheduler", str, "", "Dask scheduler on which `brief` and `check` run extraction and attribution: empty (here, serial), "
            "local (an in-process LocalCluster) or an address such as tcp://host:8786; the store stays in this process."),
    Setting("cache_dir", str, "", "Folder of the on-disk cache of prepared knowledge tables (empty: $XDG_CACHE_HOME/tripwire or ~/.cache/tripwire; off: no cache). Read from the environment only."),
)

_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


class Settings(Mapping[str, Any]):
    """Resolved settings: defaults, then a file's values, then the environment.

    Read-only mapping; ``settings.database_url`` works as well as
    ``settings["database_url"]``.
    """

    def __init__(self, values: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None) -> None:
        resolved = {s.name: s.default for s in SETTINGS}
        for name, value in (values or {}).items():
            if name not in _BY_NAME:
                raise SettingError(f"unknown setting {name!r}; known settings: {', '.join(sorted(_BY_NAME))}")
            resolved[name] = _BY_NAME[name].coerce(value)
        env = os.environ if environ is None else environ
        for setting in SETTINGS:
            if setting.env_var in env:
                resolved[setting.name] = setting.coerce(env[setting.env_var])
        self._values = resolved

    @classmethod
    def from_file(cls, path: str | Path, *, environ: Mapping[str, str] | None = None) -> "Settings":
        """Load settings from a ``.toml`` or ``.yaml`` file (flat ``name = value`` pairs)."""
        path = Path(path)
        try:
            raw = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SettingError(f"cannot read settings file {path}: {exc.strerror or exc}") from exc
        try:
            if path.suffix == ".toml":
                import tomllib

                data = tomllib.loads(raw)
            else:
                from .yamlfiles import load_yaml

                data = load_yaml(raw) or {}
        except Exception as exc:  # noqa: BLE001 - any parser failure is a settings error
            raise SettingError(f"settings file {path} does not parse: {exc}") from exc
        if not isinstance(data, dict):
            raise SettingError(f"settings file {path} must hold name/value pairs")
        return cls(data, environ=environ)

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some values changed (validated like any other)."""
        merged = dict(self._values)
        merged.update(changes)
        return Settings(merged, environ={})

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not a setting; and unpickling (a Dask worker) looks up _values before it is set
            raise AttributeError(name)
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Settings({self._values!r})"


#: Settings whose value is a secret: shown as ``'***'`` when set.
SECRET_SETTINGS = frozenset({"api_token"})
_URL_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/@:]*:)[^/@]*@")


def masked(name: str, value: Any) -> Any:
    """``value`` of setting ``name`` as safe to print: secrets starred, a password in a database URL hidden.

    ``tripwire settings`` shows values this way; ``password=`` query parameters
    of a URL (libpq style) are hidden too.
    """
    if name in SECRET_SETTINGS:
        return "***" if value else value
    if isinstance(value, str) and "://" in value:
        value = _URL_PASSWORD.sub(r"\1***@", value)
        value = re.sub(r"([?&]password=)[^&]*", r"\1***", value, flags=re.IGNORECASE)
    return value


def settings_markdown() -> str:
    """The settings table as Markdown, as kept in ``docs/settings.md``."""
    lines = ["| name | type | default | environment | help |", "| --- | --- | --- | --- | --- |"]
    for s in SETTINGS:
        lines.append(f"| `{s.name}` | {s.type.__name__} | `{s.default!r}` | `{s.env_var}` | {s.help} |")
    return "\n".join(lines) + "\n"
