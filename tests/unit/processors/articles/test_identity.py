from processors.articles.identity import article_id, canonical_url


def test_tracking_parameters_fragment_case_and_default_port_do_not_change_the_url():
    a = canonical_url("HTTPS://News.Example.org:443/story?id=7&utm_source=tw&fbclid=abc#comments")
    assert a == "https://news.example.org/story?id=7"


def test_query_parameter_order_does_not_matter():
    assert canonical_url("http://x.org/p?b=2&a=1") == canonical_url("http://x.org/p?a=1&b=2")


def test_non_default_port_is_kept():
    assert canonical_url("http://x.org:8080/p") == "http://x.org:8080/p"


def test_same_story_same_id_different_story_different_id():
    assert article_id(url="https://x.org/a?utm_medium=rss") == article_id(url="https://x.org/a")
    assert article_id(url="https://x.org/a") != article_id(url="https://x.org/b")


def test_id_from_text_when_there_is_no_url():
    assert article_id(title="T", body="B") == article_id(title=" T ", body="B\n")
    assert article_id(title="T", body="B") != article_id(title="T", body="C")
