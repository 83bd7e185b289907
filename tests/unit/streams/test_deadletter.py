from streams.deadletter import dead_letter_headers, parse_dead_letter


def test_headers_round_trip_reason_error_and_source_offset():
    headers = dead_letter_headers(
        reason="wrong_type",
        error="invalid article: title: must be a string",
        stage="enrich",
        topic="articles",
        partition=3,
        offset=41,
        errors=[{"field": "title", "message": "must be a string"}],
    )
    letter = parse_dead_letter(headers, b"k", b'{"title": 5}')
    assert (letter.reason, letter.stage) == ("wrong_type", "enrich")
    assert (letter.source_topic, letter.source_partition, letter.source_offset) == (
        "articles",
        3,
        41,
    )
    assert letter.errors == [{"field": "title", "message": "must be a string"}]
    assert letter.value == b'{"title": 5}' and letter.failed_at.endswith("Z")


def test_topic_names_with_slashes_in_prefix_still_parse():
    headers = dead_letter_headers(
        reason="not_json", error="e", stage="enrich", topic="a/b-articles", partition=0, offset=7
    )
    letter = parse_dead_letter(headers, None, b"x")
    assert (letter.source_topic, letter.source_offset) == ("a/b-articles", 7)
