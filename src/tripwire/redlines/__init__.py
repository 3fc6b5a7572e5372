"""Red lines: rule files, evidentiary standards, checking incidents, recording and alerts.

See ``docs/redlines.md``. The usual path::

    rules = load_rules()                      # bundled examples/redlines.yaml
    evaluations = check(rules, incidents, results, now=now)
    check_and_record(store, rules, incidents, results, now=now, alerts=[ConsoleSink()])
"""

from .alerts import Alert, AlertSink, ConsoleSink, DeliveryFailure, JsonlSink, WebhookSink, alerts_for, dispatch, should_alert
from .check import check, evaluate
from .conditions import AllOf, AnyOf, AttributionCondition, CasualtyCondition, DateCondition, NotOf, PlaceCondition, WeaponCondition
from .recording import CheckRun, check_and_record, run_check
from .rules import Declaration, RedLineRule, bundled_rules_path, load_rules, parse_rules
from .standards import DEFAULT_STANDARDS, STANDARDS, Standard, standard_table

__all__ = [
    "DEFAULT_STANDARDS",
    "STANDARDS",
    "Alert",
    "AlertSink",
    "AllOf",
    "AnyOf",
    "AttributionCondition",
    "CasualtyCondition",
    "CheckRun",
    "ConsoleSink",
    "DateCondition",
    "Declaration",
    "DeliveryFailure",
    "JsonlSink",
    "NotOf",
    "PlaceCondition",
    "RedLineRule",
    "Standard",
    "WeaponCondition",
    "WebhookSink",
    "alerts_for",
    "bundled_rules_path",
    "check",
    "check_and_record",
    "dispatch",
    "evaluate",
    "load_rules",
    "parse_rules",
    "run_check",
    "should_alert",
    "standard_table",
]
