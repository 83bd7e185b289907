"""Alerting: standing rules, matched against every enriched article, decided into alerts.

``rules`` (one rule format, validated field by field at load), ``matching`` (all rules at
once, with a cost that barely grows with them), ``decisions`` (throttles, aggregates, digests
and alert ids, as pure functions), ``silences`` (a rule kept quiet for a while).
"""

from processors.alerting.decisions import Decision, alert_document, alert_id, decide, due_digests
from processors.alerting.matching import ArticleView, CompiledRule, RuleMatch, RuleSet
from processors.alerting.model import Alert
from processors.alerting.rules import Rule, load_rules, parse_duration, validate_rule
from processors.alerting.silences import Silence, silence_for, validate_silence

__all__ = [
    "Alert",
    "ArticleView",
    "CompiledRule",
    "Decision",
    "Rule",
    "RuleMatch",
    "RuleSet",
    "Silence",
    "alert_document",
    "alert_id",
    "decide",
    "due_digests",
    "load_rules",
    "parse_duration",
    "silence_for",
    "validate_rule",
    "validate_silence",
]
