from processors.text.highlight import snippets


def test_matches_are_marked_in_a_one_line_snippet():
    text = "Intro words.\nThe clashes\tcontinued near the prison today."
    a, b = text.index("clashes"), text.index("prison")
    out = snippets(text, [(a, a + 7), (b, b + 6)], width=80)
    assert out == ["Intro words. The «clashes» continued near the «prison» today."]


def test_far_apart_matches_get_separate_snippets_with_ellipses():
    text = ("word " * 100) + "target " + ("word " * 100) + "other"
    start = text.index("target")
    other = text.index("other")
    out = snippets(text, [(start, start + 6), (other, other + 5)], width=40)
    assert len(out) == 2
    assert "«target»" in out[0] and out[0].startswith("…") and out[0].endswith("…")
    assert out[1].endswith("«other»")


def test_limit_caps_the_number_of_snippets():
    text = " ".join(f"w{i}" for i in range(2000))
    spans = [
        (text.index(f"w{i} "), text.index(f"w{i} ") + len(f"w{i}")) for i in range(0, 2000, 300)
    ]
    assert len(snippets(text, spans, width=20, limit=3)) == 3
