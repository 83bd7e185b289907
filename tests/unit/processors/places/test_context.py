"""What the words before a place name say, read on plain tokenised text (no model)."""

import pytest
import spacy

from processors.places.context import direction_of


@pytest.fixture(scope="module")
def tokens():
    return spacy.blank("en")


@pytest.mark.parametrize(
    ("text", "direction", "name_at"),
    [
        ("clashes in northern Ruritania", "north", 2),
        ("a village in north-eastern Ruritania", "northeast", 3),
        ("a raid in southwestern Ruritania", "southwest", 3),
        ("the capital of Ruritania", None, 3),
    ],
)
def test_a_direction_before_a_name_says_which_part(tokens, text, direction, name_at):
    doc = tokens(text)
    name = len(doc) - 1
    found, start = direction_of(doc, name)
    assert found == direction
    assert doc[start].idx == doc[name_at].idx if direction else start == name
