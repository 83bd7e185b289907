from processors.truecase import shouting, truecase

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
