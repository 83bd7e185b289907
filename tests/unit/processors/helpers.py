"""Reading an enriched article in the processors' tests."""


def place(article: dict, name: str) -> dict:
    """The article's first place of that name (the test fails, listing them, if none)."""
    found = [p for p in article["places"] if p["name"] == name]
    assert found, f"{name!r} not among {[p['name'] for p in article['places']]}"
    return found[0]
