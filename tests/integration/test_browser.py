"""The desk in a real browser: Debian's Chromium driven by Playwright, against the real API, worker,
Kafka and Elasticsearch. Screenshots go to ``screenshots/`` (git-ignored).

The module produces its own copy of the seed article (the seed's text under an id of its own), so
its alerts are fresh whatever other modules did with the seed on the same desk.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from deploy.feedserver import SAMPLE_FEED_DIR, FeedServer
from streams.producer import produce_messages
from tests.conftest import REPO
from tests.integration.conftest import (
    ADMIN_KEY,
    ANALYST_KEY,
    Desk,
    produce_story_reports,
    wait_for,
)

pytestmark = pytest.mark.integration

SHOTS = REPO / "screenshots"
SEED_ID = f"browser-seed-{int(time.time())}"
HOSTILE_ID = f"browser-hostile-{int(time.time())}"

# Flags for a headless browser in CI: no sandbox (containers), nothing fetched in the
# background (these machines have no internet, and the tests must not depend on it).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def _chromium() -> str:
    found = shutil.which("chromium")
    if not found:
        pytest.fail(
            "Debian's chromium is not installed; `make test` installs it with apt-get "
            "(or: apt-get install chromium)"
        )
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=_chromium(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser: Browser, desk: Desk) -> Iterator[Page]:
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{desk.url}/#key={ADMIN_KEY}")
    try:
        expect(page.locator("#connection")).to_have_text("live", timeout=15_000)
    except AssertionError:
        raise AssertionError(f"the desk did not connect; JavaScript errors: {errors}") from None
    yield page
    context.close()
    assert not errors, f"the desk raised JavaScript errors: {errors}"


def _produce(desk: Desk, article: dict[str, Any]) -> None:
    message = (article["id"].encode(), json.dumps(article).encode())
    report = produce_messages(desk.settings, iter([message]), progress=False)
    assert report.sent == 1


def test_seed_article_shows_in_the_live_feed_within_seconds(
    page: Page, desk: Desk, seed_article: dict
) -> None:
    page.click("nav button[data-tab=live]")
    started = time.monotonic()
    _produce(desk, {**seed_article, "id": SEED_ID})
    card = page.locator(f"#live-feed .article-card[data-id='{SEED_ID}']")
    expect(card).to_be_visible(timeout=10_000)
    elapsed = time.monotonic() - started
    print(f"seed article in the live feed {elapsed:.2f}s after it was produced")
    expect(card.locator(".chip.place[data-country=SY]").first).to_be_visible()
    expect(card.locator(".chip.event").first).to_be_visible()
    page.screenshot(path=SHOTS / "live-feed.png")


def test_search_for_hasakah_highlights_and_counts_facets(page: Page, desk: Desk) -> None:
    wait_for(  # count() refreshes the index, so the article is searchable, not just stored
        lambda: desk.pipeline.count({"ids": {"values": [SEED_ID]}}),
        timeout=30,
        what="the seed copy searchable",
    )
    page.click("nav button[data-tab=search]")
    page.fill("#search-form input[name=q]", "Hasakah")
    page.click("#search-form button")
    hit = page.locator(f"#results .hit[data-id='{SEED_ID}']")
    expect(hit).to_be_visible(timeout=10_000)
    expect(hit.locator("mark").first).to_contain_text("Hasakah", ignore_case=True)
    syria = page.locator("#facets button[data-facet=countries][data-value=SY] .count")
    expect(syria).to_be_visible()
    assert int(syria.inner_text()) >= 1
    total = page.locator("#search-total").inner_text()
    assert int(total.split()[0]) >= 1
    page.screenshot(path=SHOTS / "search-hasakah.png")

    # a facet narrows the search to it
    page.click("#facets button[data-facet=countries][data-value=SY]")
    expect(page.locator("#active-filters button")).to_contain_text("country: SY")
    expect(hit).to_be_visible()

    # the whole result downloads as GeoJSON: places and events, each with its article
    with page.expect_download() as downloading:
        page.click("#search-export button[data-format=geojson]")
    download = downloading.value
    assert download.suggested_filename.endswith(".geojson")
    collection = json.loads(Path(download.path()).read_text())
    assert collection["type"] == "FeatureCollection"
    assert any(f["properties"]["article_id"] == SEED_ID for f in collection["features"])

    # the search becomes a standing rule in one step, tested on the last 24 hours at once
    page.click("#search-to-rule")
    expect(page.locator("section#rules")).to_be_visible()
    rule = json.loads(page.locator("#rule-text").input_value())
    assert rule["query"] == "Hasakah" and rule["region"] == {"countries": ["SY"]}
    assert rule["id"].startswith("hasakah-sy-")
    expect(page.locator("#rule-result")).to_contain_text("match", timeout=15_000)
    expect(page.locator("#rule-fired li h3", has_text="Damascus").first).to_be_visible()
    page.screenshot(path=SHOTS / "search-to-rule.png")


def test_article_view_marks_places_and_renders_text_as_text(page: Page, desk: Desk) -> None:
    hostile = {
        "id": HOSTILE_ID,
        "title": '<img src=x onerror="document.body.dataset.pwned=1"> Clash in Raqqa',
        # an HTML body is cleaned to text on the way in; the title is kept as sent
        "body": "Fighters clashed in Raqqa on Monday. <script>document.body.dataset.pwned=1"
        "</script> <b>bold</b> stays literal.",
    }
    _produce(desk, hostile)
    card = page.locator(f"#live-feed .article-card[data-id='{HOSTILE_ID}']")
    page.click("nav button[data-tab=live]")
    expect(card).to_be_visible(timeout=10_000)
    expect(card.locator("h3")).to_contain_text("<img src=x")  # shown as the characters typed
    card.locator("h3").click()
    dialog = page.locator("#article-view")
    expect(dialog).to_be_visible()
    expect(dialog.locator("#article-title")).to_contain_text("<img src=x")
    expect(dialog.locator("#article-text .ent.place").first).to_have_text("Raqqa")
    expect(dialog.locator("#article-text")).to_contain_text("stays literal")
    assert dialog.locator("img, script, b").count() == 0
    assert page.evaluate("document.body.dataset.pwned") is None
    page.screenshot(path=SHOTS / "article-view.png")
    dialog.locator("button.close").click()


def test_alert_inbox_shows_the_region_rule_alert(page: Page, desk: Desk) -> None:
    page.click("nav button[data-tab=alerts]")
    alert = page.locator(
        "#alert-list .alert-card[data-rule=desk-north-east-syria]",
        has_text="Anything in north-east Syria",
    ).filter(has=page.locator("h3", has_text="Damascus"))
    expect(alert.first).to_be_visible(timeout=15_000)
    page.screenshot(path=SHOTS / "alert-inbox.png")
    expect(page.locator("#alert-state option[value=new]")).to_contain_text("new (")
    card = page.locator(
        f"#alert-list .alert-card[data-id='{alert.first.get_attribute('data-id')}']"
    )
    card.locator(".triage-note").fill("seen on the wires")
    card.locator("button.ack").click()
    expect(card).to_have_class("card alert-card acked")
    expect(card.locator(".meta")).to_contain_text("acknowledged by admin-1")  # the desk's key
    expect(card.locator(".note")).to_have_text("seen on the wires")
    expect(card.locator(".history summary")).to_have_text("history (1)")
    expect(page.locator("#alert-state option[value=acknowledged]")).not_to_have_text(
        "acknowledged (0)", timeout=5_000
    )
    card.locator("button.reopen").click()  # back to new, for the tests after this one
    expect(card).to_have_class("card alert-card")
    # silence the rule for the alert's country for a day, see it listed, lift it
    silence = card.locator("select.silence")
    choice = silence.locator("option", has_text="country SY for a day")
    silence.select_option(value=choice.get_attribute("value"))
    row = page.locator("#silences .silence-row", has_text="country SY silenced until")
    expect(row).to_be_visible(timeout=15_000)
    expect(row).to_contain_text("desk-north-east-syria")
    row.locator("button.lift").click()
    expect(row).to_have_count(0, timeout=5_000)


def test_a_silence_stops_an_alert_and_its_end_lets_the_next_one_through(
    page: Page, desk: Desk
) -> None:
    region, other = "desk-north-east-syria", "desk-hasakah"
    worker = f"http://127.0.0.1:{desk.settings.worker_port}/healthz"
    stamp = int(time.time())

    def shelling(article_id: str) -> dict[str, Any]:
        body = "Shelling hit a market in Qamishli and a bakery in Hasakah on Monday."
        return {"id": article_id, "title": f"Shelling {article_id}", "body": body}

    page.click("nav button[data-tab=alerts]")
    with desk.client(ANALYST_KEY) as analyst:  # a short silence, to see it end
        made = analyst.post(
            "/silences", json={"rule_id": region, "key": "country", "value": "SY", "for": "15s"}
        )
        assert made.status_code == 201, made.text
        silence = made.json()
    wait_for(
        lambda: silence["id"] in httpx.get(worker).json().get("silences", []),
        timeout=30,
        what="the worker to hold the silence",
    )
    quiet, heard = f"browser-silenced-{stamp}", f"browser-after-{stamp}"
    _produce(desk, shelling(quiet))
    cards = "#alert-list .alert-card[data-rule={}]"
    # the other rule's alert arrives in the inbox; the silenced rule's does not
    expect(page.locator(cards.format(other), has_text=quiet)).to_be_visible(timeout=20_000)
    time.sleep(2)
    expect(page.locator(cards.format(region), has_text=quiet)).to_have_count(0)
    wait_for(
        lambda: silence["id"] not in httpx.get(worker).json().get("silences", []),
        timeout=40,
        what="the silence to end",
    )
    _produce(desk, shelling(heard))
    card = page.locator(cards.format(region), has_text=heard)
    expect(card).to_be_visible(timeout=20_000)
    expect(card.locator(".meta")).to_contain_text("1 silenced before it")
    expect(page.locator(cards.format(region), has_text=quiet)).to_have_count(0)


def test_map_clusters_places_and_events_lists_a_marker_s_articles_and_filters(
    page: Page, desk: Desk
) -> None:
    page.click("nav button[data-tab=map]")
    markers = page.locator(f"#world .marker[data-articles~='{SEED_ID}'][data-country~=SY]")
    expect(markers.first).to_be_visible(timeout=15_000)
    points = [
        (float(m.get_attribute("data-lat") or 0), float(m.get_attribute("data-lon") or 0))
        for m in markers.all()
    ]
    assert any(lat > 35.5 and lon > 39.0 for lat, lon in points), points  # al-Hasakah ~36.5, 40.7
    assert page.locator("#world path.country").count() > 150  # the offline basemap is drawn
    expect(page.locator("#map-info")).to_contain_text("article(s)")
    page.screenshot(path=SHOTS / "map.png")
    # a marker lists its articles
    north_east = next(
        m
        for m in markers.all()
        if float(m.get_attribute("data-lat") or 0) > 35.5
        and float(m.get_attribute("data-lon") or 0) > 39.0
    )
    north_east.dispatch_event("click")  # on it, whatever marker overlaps it
    expect(page.locator(f"#map-articles li[data-id='{SEED_ID}']")).to_be_visible()
    # the legend's switches: events off leaves only places
    page.uncheck("#map-form input[name=events]")
    expect(page.locator("#world .marker.event")).to_have_count(0)
    expect(page.locator("#world .marker.place").first).to_be_visible()
    page.check("#map-form input[name=events]")
    # a country narrows the map like the search
    page.fill("#map-form input[name=country]", "SY")
    page.click("#map-form button")
    expect(page.locator("#map-info")).to_contain_text("article(s)")
    expect(markers.first).to_be_visible()
    articles = page.locator("#world .marker").evaluate_all(
        "ms => ms.map(m => m.dataset.articles.split(' ')).flat()"
    )
    assert SEED_ID in articles and HOSTILE_ID in articles  # both are about Syria
    page.screenshot(path=SHOTS / "map-syria.png")  # the map zoomed to the markers of Syria
    page.fill("#map-form input[name=country]", "")
    page.click("#map-form button")


def test_top_stories_group_two_reports_of_one_happening(page: Page, desk: Desk) -> None:
    one, two, other = produce_story_reports(desk.pipeline, f"browser-story-{int(time.time())}")
    # the desk is shared with the API tests, whose reports of the same flood came first: the
    # story is theirs then, and these two reports are in it
    story = desk.pipeline.get(one["id"])["story"]
    assert desk.pipeline.get(two["id"])["story"] == story
    elsewhere = desk.pipeline.get(other["id"])["story"]
    assert elsewhere != story
    page.click("nav button[data-tab=stories]")
    page.fill("#stories-form input[name=q]", "Passau")
    page.click("#stories-form button")
    # the list drawn for "Passau" (the tab first drew every story): the flood and the depot
    expect(page.locator("#stories-list .story-card")).to_have_count(2, timeout=15_000)
    flood = page.locator(f"#stories-list .story-card[data-id='{story}']")
    expect(flood).to_be_visible(timeout=15_000)
    assert int(flood.get_attribute("data-articles") or 0) >= 2
    expect(flood.locator("h3")).to_contain_text(two["title"])  # the latest headline
    expect(flood.locator(".chips")).to_contain_text("Wire One")
    expect(flood.locator(".chips")).to_contain_text("Paper Two")
    expect(page.locator(f"#stories-list .story-card[data-id='{elsewhere}']")).to_be_visible()
    flood.locator(".story-toggle").click()  # the story's articles
    expect(flood.locator(f".story-articles li[data-id='{one['id']}']")).to_be_visible()
    expect(flood.locator(f".story-articles li[data-id='{two['id']}']")).to_be_visible()
    expect(flood.locator(f".story-articles li[data-id='{other['id']}']")).to_have_count(0)
    page.screenshot(path=SHOTS / "top-stories.png")
    page.fill("#stories-form input[name=q]", "")


def test_rule_editor_shows_validation_errors_and_tests_rules(page: Page, desk: Desk) -> None:
    page.click("nav button[data-tab=rules]")
    expect(page.locator("#rule-list li[data-id=desk-north-east-syria]")).to_be_visible()
    bad = {"id": "browser-bad", "name": "bad", "region": {"near": {"lat": 95, "lon": 40}}}
    page.fill("#rule-text", json.dumps(bad))
    page.click("#rule-validate")
    error = page.locator("#rule-errors li.rule-error")
    expect(error.first).to_contain_text("region.near.lat")
    page.screenshot(path=SHOTS / "rule-error.png")

    good = {"id": "browser-good", "name": "Hasakah", "query": "Hasakah"}
    page.fill("#rule-text", json.dumps(good))
    page.click("#rule-test")
    expect(page.locator("#rule-result")).to_contain_text("article(s) of the last 24 hours")
    expect(page.locator("#rule-fired li").first).to_be_visible()
    assert page.locator("#rule-errors li").count() == 0


def test_status_tab_shows_feed_health(page: Page, desk: Desk, tmp_path: Any) -> None:
    site = tmp_path / "site"
    shutil.copytree(SAMPLE_FEED_DIR, site)
    with FeedServer(site) as server:  # polled once by the command a user would run
        config = tmp_path / "feeds.yaml"
        config.write_text(
            "feeds:\n"
            f"  - {{url: '{server.url}/africa.atom', source: browser feed}}\n"
            f"  - {{url: '{server.url}/missing.xml', source: browser broken feed}}\n"
        )
        done = subprocess.run(
            [sys.executable, "-m", "newsmon", "feeds", "run", "--config", str(config), "--once"],
            env={**os.environ, **desk.pipeline.env},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 item(s) so far" in done.stdout and "404" in done.stdout
    page.click("nav button[data-tab=status]")
    expect(page.locator("#status-summary")).to_contain_text("Kafka: ok")
    good = page.locator(f"#feed-rows tr[data-url='{server.url}/africa.atom']")
    expect(good.locator(".items")).to_have_text("1")
    broken = page.locator(f"#feed-rows tr[data-url='{server.url}/missing.xml']")
    expect(broken).to_have_class("feed failing")
    expect(broken.locator(".error")).to_contain_text("404")
    page.screenshot(path=SHOTS / "status.png")
