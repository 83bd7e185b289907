"""Near-duplicate fingerprints and the choice of a first copy (plain strings, no index)."""

import json
import subprocess
import sys

from processors.articles.dedup import BANDS, HASHES, Copy, fingerprint, first_copy, similarity

STORY = (
    "Flood water cut the only bridge into the valley town of Eastmere on Tuesday, and the "
    "regional council said that about three hundred families were moved to the school hall "
    "while engineers checked the river banks upstream of the old mill for further damage."
)


def test_a_lightly_edited_copy_is_near_and_another_story_is_not():
    copy = STORY.replace("Tuesday", "Tuesday morning") + " Reporting by the desk."
    other = (
        "The football club of Eastmere signed a new goalkeeper from the capital on Friday, "
        "ending a month of talks that the chairman called long but friendly and fair to all."
    )
    a, b, c = fingerprint(STORY), fingerprint(copy), fingerprint(other)
    assert a and b and c
    assert len(a["minhash"]) == HASHES and len(a["bands"]) == BANDS
    assert similarity(a["minhash"], b["minhash"]) >= 0.8
    assert set(a["bands"]) & set(b["bands"])  # findable with one terms query
    assert similarity(a["minhash"], c["minhash"]) < 0.2


def test_a_headline_alone_is_too_short_to_compare():
    assert fingerprint("Floods cut the bridge to Eastmere") is None


def test_fingerprints_are_the_same_in_another_process():
    code = (
        "import json, sys; from processors.articles.dedup import fingerprint; "
        "print(json.dumps(fingerprint(sys.stdin.read())))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=STORY, capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == fingerprint(STORY)


def test_the_first_copy_is_the_earliest_near_one_and_never_a_later_one():
    sig = fingerprint(STORY)["minhash"]
    far = fingerprint(STORY.replace("bridge", "road")[:120] + " and much else besides " * 9)
    earlier = [
        Copy("b", "2026-11-24T10:00:00Z", sig),
        Copy("a", "2026-11-24T09:00:00Z", sig),
        Copy("z", "2026-11-24T08:00:00Z", far["minhash"]),  # earliest, but another story
        Copy("later", "2026-11-24T12:00:00Z", sig),
    ]
    assert first_copy("c", "2026-11-24T11:00:00Z", sig, earlier) == "a"
    assert first_copy("a", "2026-11-24T09:00:00Z", sig, earlier) is None  # the first stays first
    assert first_copy("c", "2026-11-24T11:00:00Z", sig, [Copy("c", "x", sig)]) is None  # itself
