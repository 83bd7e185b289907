from processors.text.truecase import shouting, title_cased, truecase

TEXT = (
    "SOCCER - SHEARER TO LEAD ENGLAND .\n"
    "LONDON 1996-08-30\n"
    "Alan Shearer was named England captain by coach Glenn Hoddle on Friday.\n"
)
KNOWN = {"london", "england"}


def test_shouted_lines_take_the_case_the_article_uses_elsewhere():
    out = truecase(TEXT, lambda w: w.lower() in KNOWN)
    lines = out.splitlines()
    assert lines[0] == "Soccer - Shearer to lead England ."
    assert lines[1] == "London 1996-08-30"
    assert lines[2] == TEXT.splitlines()[2]  # ordinary lines untouched


def test_offsets_never_move():
    out = truecase(TEXT, lambda w: False)
    assert len(out) == len(TEXT)
    assert [i for i, ch in enumerate(out) if not ch.isalpha()] == [
        i for i, ch in enumerate(TEXT) if not ch.isalpha()
    ]


def test_acronyms_without_vowels_stay_in_capitals_and_plain_text_is_untouched():
    assert truecase("NBC TV REPORTS ON THE VOTE .", lambda w: False).startswith("NBC TV reports")
    plain = "Nothing shouted here, only a UN mention."
    assert truecase(plain, lambda w: False) is plain


def test_shouting_needs_enough_capitals():
    assert shouting("CRICKET - LEICESTERSHIRE TAKE OVER")
    assert not shouting("The UN said so.")
    assert not shouting("A B")


def test_shouting_allows_a_tenth_of_small_letters_wherever_they_fall():
    # 19 capitals and 1 small letter: a tenth, allowed at the start, the middle or the end
    assert shouting("a" + "B" * 19)
    assert shouting("B" * 10 + "a" + "B" * 9)
    assert shouting("B" * 19 + "a")
    # 17 capitals and 3 small: more than a tenth
    assert not shouting("aaa" + "B" * 17)
    assert not shouting("B" * 17 + "aaa")
    # letters without case (digits, CJK) and spaces count for nothing either way
    assert shouting("FIVE 55 DEAD 東京 IN FLOOD")
    assert not shouting("東京 東京 東京 東京 东京")


def test_a_title_case_headline_takes_the_case_of_the_article():
    text = (
        "2 Dead, 3 Hurt In Bar Shooting In Fargo\n\n"
        "Two men are dead and three people were hurt after a shooting at a bar in Fargo.\n"
    )
    out = truecase(text, lambda w: w.lower() == "fargo")
    assert out.splitlines()[0] == "2 dead, 3 hurt in bar shooting in Fargo"
    assert len(out) == len(text)


def test_title_case_needs_a_headline_look():
    names = "Board Members Lucas Quinn, Ada Ruiz, Omar Feld\n\nThe board met on Friday.\n"
    assert truecase(names, lambda w: False) == names  # no small word, nothing the body lowers
    later = "The board met.\nIt met again.\nAnd again.\nA Line Further Down In Title Case Stays\n"
    assert truecase(later, lambda w: False) == later
    assert title_cased("Toddler Killed, Father Hurt In Crash", {})
    assert not title_cased("Police in Fargo said two men died", {})


def test_a_shouted_dateline_keeps_its_postal_code():
    assert truecase("LEXINGTON, KY - TWO SHOT IN LEXINGTON\n", lambda w: True).startswith(
        "Lexington, KY"
    )
