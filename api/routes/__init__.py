"""One router per resource: search, articles, alerts, rules, stream, health."""
