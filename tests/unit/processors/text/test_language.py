import pytest

from processors.text.language import detect_language

ENGLISH = "The minister said on Tuesday that the talks with the unions would resume next week."
RESULTS_TABLE = (
    "FOOTBALL - WEEKEND SCORES . LONDON 2001-03-04 Scores of English league matches "
    "Aston Villa 2 Derby 0 Leeds 1 Wimbledon 0 Chelsea 2 Coventry 2 Arsenal 3 Everton 1 "
    "Newcastle 2 Sheffield Wednesday 1"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ENGLISH * 2, "en"),
        (RESULTS_TABLE, "en"),  # little prose, no other language: English
        (
            "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui sera "
            "présentée au Parlement dans les prochaines semaines par la ministre du Travail.",
            "fr",
        ),
        (
            "Die Regierung hat am Dienstag eine neue Reform angekündigt, die in den nächsten "
            "Wochen im Parlament vorgestellt wird und auch für die Länder gilt.",
            "de",
        ),
        ("Правительство объявило во вторник о новой пенсионной реформе в стране.", "und"),
        ("short", "en"),
    ],
)
def test_guess(text, expected):
    assert detect_language(text) == expected


def test_declared_language_wins_and_is_normalised():
    assert detect_language(ENGLISH, "en-GB") == "en"
    assert detect_language(ENGLISH, "pt_BR") == "pt"
