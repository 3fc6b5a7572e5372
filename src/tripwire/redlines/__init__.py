"""Red lines: rule files, evidentiary standards, checking incidents, recording and alerts.

See ``docs/redlines.md``. The usual path::

    rules = load_rules()                      # bundled examples/redlines.yaml
    evaluations = check(rules, incidents, results, now=now)
    check_and_record(store, rules, incidents, results, now=now, alerts=[ConsoleSink()])

Each name is imported from its submodule on first use (:func:`tripwire.lazy_exports`).
"""

from tripwire import lazy_exports

__all__ = lazy_exports(__name__, {
    "Alert": ".alerts",
    "AlertSink": ".alerts",
    "ConsoleSink": ".alerts",
    "DeliveryFailure": ".alerts",
    "JsonlSink": ".alerts",
    "WebhookSink": ".alerts",
    "alerts_for": ".alerts",
    "dispatch": ".alerts",
    "should_alert": ".alerts",
    "check": ".check",
    "evaluate": ".check",
    "AllOf": ".conditions",
    "AnyOf": ".conditions",
    "AttributionCondition": ".conditions",
    "CasualtyCondition": ".conditions",
    "DateCondition": ".conditions",
    "NotOf": ".conditions",
    "PlaceCondition": ".conditions",
    "WeaponCondition": ".conditions",
    "check_and_record": ".recording",
    "deliver_pending": ".recording",
    "Declaration": ".rules",
    "RedLineRule": ".rules",
    "bundled_rules_path": ".rules",
    "load_rules": ".rules",
    "parse_rules": ".rules",
    "DEFAULT_STANDARDS": ".standards",
    "STANDARDS": ".standards",
    "Standard": ".standards",
    "standard_table": ".standards",
})
