"""Curated data files are validated when loaded, with messages that name the problem."""

import pytest

from config import DATA_DIR
from processors.errors import ConfigurationError
from processors.events import Taxonomy
from processors.nlp.aliases import AliasTable, load_entities


def test_shipped_entities_file_loads_and_maps_aliases():
    table = AliasTable(load_entities(DATA_DIR / "entities.yaml"))
    assert table.lookup("ISIL").canonical == table.lookup("Daesh").canonical == "Islamic State"
    assert table.lookup("qasd").canonical == "Syrian Democratic Forces"
    assert table.lookup("is") is None  # short acronyms match in capitals only
    assert table.lookup("IS").canonical == "Islamic State"


def test_a_bad_entity_entry_names_its_position_and_fields(tmp_path):
    path = tmp_path / "entities.yaml"
    path.write_text("entities:\n  - canonical: X\n    aliases: 5\n")
    with pytest.raises(ConfigurationError) as info:
        load_entities(path)
    message = str(info.value)
    assert "entity #1" in message and "'label' is missing" in message and "aliases" in message


def test_shipped_taxonomy_maps_every_type_to_acled_or_the_disaster_family():
    taxonomy = Taxonomy.load(DATA_DIR / "events.yaml")
    assert taxonomy.types["flood"].acled_type == "Disaster"
    assert taxonomy.types["armed_clash"].acled_type == "Battles"
    assert taxonomy.types["air_strike"].acled_sub_type == "Air/drone strike"
    assert {t.acled_type for t in taxonomy.types.values()} == {
        "Battles",
        "Explosions/Remote violence",
        "Violence against civilians",
        "Protests",
        "Riots",
        "Strategic developments",
        "Disaster",  # newsmon's own: ACLED codes no disasters
    }


def test_a_type_without_its_acled_mapping_is_refused(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text("types:\n  siege:\n    priority: 5\n    triggers: [siege]\n")
    with pytest.raises(ConfigurationError, match="siege.*acled"):
        Taxonomy.load(path)


def test_names_in_capitals_take_the_article_s_own_spelling() -> None:
    import spacy
    from spacy.tokens import Span

    from processors.nlp.aliases import AliasTable
    from processors.nlp.components import Canonicalizer

    nlp = spacy.blank("en")
    doc = nlp("QAMISHLI , Syria - NATO said that Qamishli was calm .")
    doc.ents = [Span(doc, 0, 1, "GPE"), Span(doc, 4, 5, "ORG"), Span(doc, 7, 8, "GPE")]
    Canonicalizer(AliasTable([]))(doc)
    assert [e._.canonical for e in doc.ents] == ["Qamishli", None, None]  # NATO stays as is


def test_a_governed_trigger_must_be_verb_preposition_object(tmp_path):
    path = tmp_path / "events.yaml"
    path.write_text(
        "types:\n  armed_clash:\n    acled: [Battles, Armed clash]\n    priority: 60\n"
        "    governed: [fire on]\n"
    )
    with pytest.raises(ConfigurationError, match="'verb preposition object'"):
        Taxonomy.load(path)


def _events_file_with(tmp_path, key, value):
    import yaml

    data = yaml.safe_load((DATA_DIR / "events.yaml").read_text())
    data[key] = value
    path = tmp_path / "events.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("wound_nouns", None, "`wound_nouns` (a list of words) is missing"),
        ("charge_verbs", "charge, accuse", "`charge_verbs` must be a non-empty list"),
        ("people_nouns", ["people", 7], "`people_nouns` holds entries that are not words"),
        ("casualty_nouns", [], "`casualty_nouns` must be a non-empty list"),
    ],
)
def test_every_word_list_of_the_taxonomy_is_checked_at_load(tmp_path, key, value, says):
    path = _events_file_with(tmp_path, key, value)
    with pytest.raises(ConfigurationError) as info:
        Taxonomy.load(path)
    assert says in str(info.value) and str(path) in str(info.value)


def test_the_place_finder_vocabulary_is_data_and_checked(tmp_path):
    from processors.vocabulary import load_word_lists

    words = load_word_lists(DATA_DIR / "place_words.yaml", ["local_services", "not_names"])
    assert "police" in words["local_services"] and "metro" in words["not_names"]
    bad = tmp_path / "place_words.yaml"
    bad.write_text("local_services: [police, no]\nnot_names: north\n")
    with pytest.raises(ConfigurationError, match="`not_names` must be a non-empty list"):
        load_word_lists(bad, ["not_names"])
    with pytest.raises(ConfigurationError, match="`local_services` holds entries that are not"):
        load_word_lists(bad, ["local_services"])  # YAML reads a bare "no" as false
