"""The event taxonomy of config/events.yaml: types, their ACLED families, and the word lists
that steer them, validated at load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from processors.errors import ConfigurationError
from processors.events.casualties import CARED
from processors.events.people import CasualtyVocabulary
from processors.vocabulary import read_yaml, word_list

__all__ = ["COUNT_FIELDS", "DISASTER", "EventType", "Taxonomy"]


COUNT_FIELDS = (
    "fatalities",
    "injured",
    "arrested",
    "surrendered",
    "escaped",
    "held",
    "missing",
    "displaced",
    "evacuated",
)


DISASTER = "Disaster"  # newsmon's family of events without violence (config/events.yaml)


SEVERITY = {
    DISASTER: 2.5,
    "Explosions/Remote violence": 3.0,
    "Battles": 3.0,
    "Violence against civilians": 3.0,
    "Riots": 2.0,
    "Protests": 1.5,
    "Strategic developments": 1.0,
}


VIOLENT = {"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"}


COMPATIBLE = {  # which events a count-only sentence may lend its counts to
    "fatalities": {*VIOLENT, DISASTER},
    "shot": {*VIOLENT, DISASTER},
    "missing": {*VIOLENT, DISASTER, "Strategic developments"},
    "displaced": {*VIOLENT, DISASTER},
    "evacuated": {*VIOLENT, DISASTER},
    "injured": {*VIOLENT, DISASTER, "Protests"},
    CARED: {*VIOLENT, DISASTER, "Protests"},
    "surrendered": {"Battles", "Strategic developments"},
    "escaped": {"Strategic developments", "Battles"},
    "arrested": {"Strategic developments", "Protests", "Riots"},
    "held": {"Strategic developments", "Battles", "Violence against civilians"},
}


PROTEST_TYPES = (
    "peaceful_protest",
    "protest_with_intervention",
    "excessive_force_against_protesters",
)


PROTESTS = frozenset(PROTEST_TYPES)


# the word lists of config/events.yaml, by the attribute each fills (all required, checked)
_TAXONOMY_LISTS = {
    **{key: key for key in (
        "armed_actors", "protest_violence", "protest_intervention", "protest_excessive_force",
        "mob_actors", "non_event_heads", "background_frames", "object_verbs",
        "aftermath_places", "wound_nouns", "harm_verbs",
    )},
    "noun_only": "noun_only_triggers",
}  # fmt: skip


_CASUALTY_LISTS = {
    "people": "people_nouns", "perpetrators": "perpetrator_nouns", "not_counted": "not_counted",
    "gunfire": "gunfire_nouns", "care_verbs": "care_verbs", "care_places": "care_places",
    "recordings": "recording_nouns", "nouns": "casualty_nouns", "transitive": "casualty_verbs",
    "charges": "charge_verbs", "not_agents": "not_agent_nouns",
    "displacing": "displacing_verbs", "homes": "home_nouns", "wounds": "wound_nouns",
    "bearing": "bearing_verbs", "inflicting": "inflicting_verbs",
    "conditions": "condition_words", "recovering": "recovery_verbs",
    "recovered_from": "recovered_from",
}  # fmt: skip


@dataclass(frozen=True)
class EventType:
    name: str
    acled_type: str
    acled_sub_type: str
    priority: int
    triggers: tuple[str, ...]
    # "verb preposition object" lemmas, however far apart the verb and its preposition stand:
    # "fired with heavy guns on the hilltop positions of ..." is "fire on position"
    governed: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Taxonomy:
    """The event types of config/events.yaml and the word lists that refine them."""

    types: dict[str, EventType]
    armed_actors: frozenset[str]
    protest_violence: frozenset[str]
    protest_intervention: frozenset[str]
    protest_excessive_force: frozenset[str]
    mob_actors: frozenset[str]
    non_event_heads: frozenset[str]
    background_frames: frozenset[str]
    object_verbs: frozenset[str]
    noun_only: frozenset[str]
    intransitive: frozenset[str]
    aftermath_places: frozenset[str]
    wound_nouns: frozenset[str]  # what the harmed bear: "suffered gunshot wounds"
    harm_verbs: frozenset[str]  # with these, armed victims make a clash
    casualties: CasualtyVocabulary

    @classmethod
    def load(cls, path: Path) -> Taxonomy:
        data = read_yaml(path)
        types = {}
        for name, spec in (data.get("types") or {}).items():
            acled = spec.get("acled") or []
            if len(acled) != 2 or not isinstance(spec.get("priority"), int):
                raise ConfigurationError(
                    f"{path}: type {name!r} needs `acled: [event type, sub-event type]` and an "
                    "integer `priority`"
                )
            triggers = tuple(str(t) for t in spec.get("triggers") or [])
            governed = []
            for phrase in spec.get("governed") or []:
                words = str(phrase).lower().split()
                if len(words) != 3:
                    raise ConfigurationError(
                        f"{path}: type {name!r}: governed trigger {phrase!r} must be three "
                        "lemmas, 'verb preposition object' (such as 'fire on position')"
                    )
                governed.append((words[0], words[1], words[2]))
            types[name] = EventType(
                name, acled[0], acled[1], spec["priority"], triggers, tuple(governed)
            )
        words = {attr: word_list(data, key, path) for attr, key in _TAXONOMY_LISTS.items()}
        words["intransitive"] = word_list(data, "intransitive_triggers", path, required=False)
        fields = data.get("casualty_words") or {}
        if not isinstance(fields, dict):
            raise ConfigurationError(
                f"{path}: casualty_words must map count fields to lists of words "
                f"({', '.join(COUNT_FIELDS)} or shot)"
            )
        unknown = set(fields) - set(COUNT_FIELDS) - {"shot"}
        if unknown:
            raise ConfigurationError(
                f"{path}: casualty_words has unknown count fields {sorted(unknown)}; "
                f"use {', '.join(COUNT_FIELDS)} or shot"
            )
        casualties = CasualtyVocabulary(
            fields={f: word_list(fields, f, path) for f in fields},
            **{attr: word_list(data, key, path) for attr, key in _CASUALTY_LISTS.items()},
        )
        return cls(types=types, **words, casualties=casualties)
