from processors.text.clean import article_text, html_to_text, looks_like_html


def test_plain_body_without_title_passes_through_exactly():
    body = "Line one.\r\n\n  Indented  line with  spaces, a <3 and x<y>z.\n"
    text, offset = article_text(None, body)
    assert text == body and offset == 0


def test_title_comes_first_and_the_body_offset_points_at_the_body():
    text, offset = article_text("Headline", "Body text.")
    assert text == "Headline\n\nBody text."
    assert text[offset:] == "Body text."


def test_html_body_loses_tags_scripts_and_styles_and_decodes_entities():
    html = (
        "<html><head><title>x</title><style>p{}</style></head><body>"
        "<p>Clashes in <b>al-Hasakah</b> &amp; Raqqa.</p><script>var a=1;</script>"
        "<div>Second&nbsp;block</div><br/>Third</body></html>"
    )
    assert looks_like_html(html)
    assert html_to_text(html) == "Clashes in al-Hasakah & Raqqa.\nSecond block\nThird"


def test_text_with_angle_brackets_is_not_taken_for_html():
    assert not looks_like_html("if a < b and c > d, then x<y>z holds")


def test_a_title_alone_is_the_text():
    assert article_text("Only a title", "  ") == ("Only a title", len("Only a title"))
