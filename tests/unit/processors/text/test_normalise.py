from processors.text.normalise import fold, norm_terms, normalize_text, place_key, stem, tokens


def test_diacritics_and_case_are_folded():
    assert fold("Ḩasakah") == "hasakah"
    assert fold("Øresund") == "oresund"
    assert fold("STRAßE") == "strasse"
    assert fold("Elazığ") == "elazig"


def test_inflections_share_a_stem():
    assert stem("clashes") == stem("clash") == stem("Clashed")
    assert stem("killing") == stem("killed") == stem("kills")


def test_tokens_keep_their_spans_in_the_original_text():
    text = "Al-Ḩasakah’s prison"
    toks = list(tokens(text))
    assert [t.norm for t in toks] == ["al", "hasakah", "s", "prison"]
    assert [text[t.start : t.end] for t in toks] == ["Al", "Ḩasakah", "s", "prison"]


def test_normalized_text_is_space_separated_stems():
    assert normalize_text("Fierce clashes, in Ḩasakah!") == "fierc clash in hasakah"
    assert norm_terms("") == []


def test_place_keys_fold_case_marks_punctuation_and_a_leading_the():
    assert place_key("Al-Ḩasakah") == "al hasakah"
    assert place_key("Bu'aale") == "buaale"
    assert place_key("The Hague") == "hague"
