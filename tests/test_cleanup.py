"""Tests for pipelines.cleanup: furniture lines removed, body lines kept."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from pipelines.cleanup import clean_text
from pipelines.metadata import image_captions

BODY = [
    "The harbour board agreed on Friday to dredge the western channel before the winter storms.",
    "Pilots had warned for two years that larger ferries were scraping the bottom at low tide.",
    "Work will start in October and is expected to take six weeks, the board said in a statement.",
]


def test_seed_like_page_loses_breadcrumb_headline_and_tail() -> None:
    title = "Harbour board approves western channel dredging"
    dirty = ["Local NewsPort Affairs", title, *BODY, "Related Articles", "Leave a Reply"]
    dirty.append("Back to top button")
    text, removed = clean_text("\n\n".join(dirty), title)
    assert text == "\n".join(BODY)
    reasons = dict(removed)
    assert reasons[title] == "headline"
    assert reasons["Local NewsPort Affairs"] in {"breadcrumb", "head_furniture"}
    assert {"Related Articles", "Leave a Reply", "Back to top button"} <= set(reasons)


@pytest.mark.parametrize(
    "line",
    [
        "Share this:",
        "You may also like",
        "READ MORE: Ferry timetable changes announced for spring",
        "Related: Ten things to know about the harbour",
        "Sign up for our morning newsletter and get the news in your inbox.",
        "Copyright © 2024 Harbour Times. All rights reserved.",
        "Follow us on Twitter for the latest updates",
        "Advertisement",
    ],
)
def test_furniture_line_families_are_removed(line: str) -> None:
    text, removed = clean_text("\n".join([BODY[0], line, BODY[1], BODY[2]]))
    assert text == "\n".join(BODY)
    assert [r[0] for r in removed] == [line]


def test_link_titles_after_a_related_heading_are_removed() -> None:
    links = ["Ferry timetable changes for spring", "New lighthouse keeper appointed"]
    text, _removed = clean_text("\n".join([*BODY, "More from Harbour Times", *links]))
    assert text == "\n".join(BODY)


def test_trailing_credits_and_author_box_are_removed() -> None:
    tail = [
        "Additional reporting by Sam Reyes",
        "Email Mara Quinn at mquinn@harbour.example",
    ]
    text, _ = clean_text("\n".join([*BODY, *tail]))
    assert text == "\n".join(BODY)
    bio = ["Mara Quinn", "Mara covers the port and coastal towns for the paper."]
    text, removed = clean_text("\n".join([*BODY, *bio]))
    assert text == "\n".join(BODY)
    assert {reason for _, reason in removed} == {"author_bio"}


def test_body_lines_that_mention_furniture_words_are_kept() -> None:
    body = [
        *BODY,
        "Asked whether she would share this view, the mayor said the comments were unfair.",
        "- Dredging the western channel",
        "- Repairing the north quay",
    ]
    text, removed = clean_text("\n".join(body), "Unrelated headline about something else")
    assert text == "\n".join(body)
    assert removed == []


def test_image_captions_are_found_and_removed() -> None:
    tree = lxml.html.fromstring(
        "<div><figure><img src='a.jpg'><figcaption>Boats in the harbour at dusk</figcaption>"
        "</figure><div><img src='b.jpg'><p>The western channel at low tide</p></div></div>"
    )
    captions = image_captions(tree)
    text, removed = clean_text(
        "\n".join(["Boats in the harbour at dusk", *BODY, "The western channel at low tide"]),
        captions=captions,
    )
    assert text == "\n".join(BODY)
    assert {reason for _, reason in removed} == {"image_caption"}


def test_text_after_an_image_in_a_big_container_is_not_a_caption() -> None:
    tree = lxml.html.fromstring(
        "<div><img src='a.jpg'><p>The western channel at low tide</p>"
        "<p>Another paragraph.</p><p>And another one.</p></div>"
    )
    assert image_captions(tree) == set()


def test_advertisement_label_does_not_take_the_next_subheading() -> None:
    lines = [BODY[0], "Advertisement", "Work starts in October", BODY[1], BODY[2]]
    text, removed = clean_text("\n".join(lines))
    assert "Work starts in October" in text.split("\n")
    assert removed == [("Advertisement", "furniture_label")]


def test_clean_up_never_takes_most_of_the_text() -> None:
    steps = [f"Step {n}: fold the paper along the marked line" for n in range(1, 13)]
    title = "How to fold a paper boat"
    text, removed = clean_text("\n".join([title, BODY[0], "Topics", *steps]), title)
    assert text.split("\n") == [BODY[0], "Topics", *steps]
    assert removed == [(title, "headline")]


SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_dacb1954d6c9fa71.txt"


@pytest.mark.skipif(not SEED.exists(), reason="shared seed example not available")
def test_shared_seed_text_loses_breadcrumb_headline_and_tail() -> None:
    lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    text, removed = clean_text("\n".join(lines), title=lines[1])
    kept = text.split("\n")
    assert kept == lines[2:-3]
    assert [line for line, _ in removed] == [lines[0], lines[1], *lines[-3:]]
