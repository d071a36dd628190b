"""Tests for the persistent near-duplicate index."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipelines.neardup import Match, NearDupConfig, NearDupIndex, text_signature

WIRE_PARAGRAPHS = [
    "The harbour council in Marlow Bay voted late on Tuesday to build a moving flood barrier"
    " across the mouth of the old fishing port, ending a dispute that has lasted six years.",
    "Councillors approved the plan by nine votes to four after a debate of almost five hours,"
    " during which dozens of residents queued outside the town hall to speak for or against it.",
    "The barrier, made of three steel gates that rise from the seabed when storm tides are"
    " forecast, is expected to cost about 41 million pounds and take four winters to complete.",
    "Supporters say the port flooded eleven times in the past decade and that shop owners on"
    " the quay can no longer buy insurance at any price after the storms of last February.",
    "Opponents, led by the local boat owners association, argue that the gates will narrow the"
    " channel, slow the tide and slowly fill the inner harbour with silt that must be dredged.",
    "Engineers hired by the council told members that a trial model built at a university wave"
    " tank showed only a small change in currents, though they admitted more tests were needed.",
    "The national environment agency has promised to pay for half of the work if the council"
    " can raise the rest from local taxes, harbour fees and a grant from the regional fund.",
    "Construction is due to start next spring, and the council said the harbour would stay open"
    " to boats for the whole period except for two short closures planned for the summer months.",
    "A group of residents said on Wednesday that they would ask the courts to review the vote,"
    " claiming that the public consultation had ignored the views of people living on the quay.",
]
WIRE = "\n".join(["Marlow Bay approves flood barrier", *WIRE_PARAGRAPHS])

FURNITURE_TOP = [
    "The Coastal Herald",
    "News | Sport | Weather | Business | Opinion | Puzzles",
    "Sign up for our morning newsletter and get the biggest local stories delivered every day.",
]
FURNITURE_BOTTOM = [
    "Share this: Facebook | Twitter | Email",
    "Related: Ferry timetable changes for the winter season",
    "Comments are closed for this article. Read our community guidelines before you post.",
    "Copyright 2026 The Coastal Herald. All rights reserved.",
]
EDITED = "\n".join(
    [
        *FURNITURE_TOP,
        "Storm gates for Marlow Bay get the green light after marathon meeting",
        "MARLOW BAY, 3 March (Wire) -",
        *WIRE_PARAGRAPHS[:7],
        *FURNITURE_BOTTOM,
    ]
)
LEAD = "\n".join(
    [*FURNITURE_TOP, "Marlow Bay to build flood gates", *WIRE_PARAGRAPHS[:2], *FURNITURE_BOTTOM]
)
OTHER_STORY = "\n".join(
    [
        "Westport rejects tidal wall plan",
        "Councillors in Westport voted on Thursday against a proposal to build a concrete tidal"
        " wall along the river front, saying the town could not afford its share of the bill.",
        "The wall would have protected about three hundred homes in the lower town, where the"
        " river burst its banks twice last winter and forced families to leave their houses.",
        "Council leader Anna Price said the authority would instead ask the government for money"
        " to raise the existing earth banks and to pay for new pumps at the old mill station.",
        "Residents who had campaigned for the wall said they were disappointed and would keep"
        " pressing for a permanent solution before the next season of heavy autumn rain.",
        "The environment agency said it respected the decision and would keep working with the"
        " town on cheaper measures, including warning sirens and sandbag stores in each street.",
        "Local businesses on the river front said the vote left them unable to plan ahead, as"
        " several insurers have already refused to renew policies for shops near the water.",
        "A final report on the smaller scheme is expected in the summer, after surveys of the"
        " earth banks and a public meeting in the community centre on the high street.",
    ]
)


SITE_PAGES = [  # other Coastal Herald pages: teach the index what its furniture looks like
    "\n".join([*FURNITURE_TOP, paragraph, *FURNITURE_BOTTOM])
    for paragraph in OTHER_STORY.split("\n")[1:4]
]


@pytest.fixture
def config() -> NearDupConfig:
    """The measured defaults."""
    return NearDupConfig()


def _index_with(config: NearDupConfig, *docs: tuple[str, str], site: bool = False) -> NearDupIndex:
    index = NearDupIndex(None, config)
    for n, page in enumerate(SITE_PAGES if site else []):
        index.add(f"site-{n}", text_signature(page, config), now=1000.0)
    for doc_id, text in docs:
        index.add(doc_id, text_signature(text, config), now=1000.0)
    return index


def test_edited_wire_copy_matches_original(config: NearDupConfig) -> None:
    index = _index_with(config, ("wire", WIRE))
    match = index.find(text_signature(EDITED, config))
    assert isinstance(match, Match)
    assert match.doc_id == "wire"
    assert match.similarity >= min(config.threshold, config.jaccard)


def test_original_matches_when_edited_copy_came_first(config: NearDupConfig) -> None:
    index = _index_with(config, ("edited", EDITED))
    match = index.find(text_signature(WIRE, config))
    assert match is not None and match.doc_id == "edited"


def test_same_topic_different_story_is_kept(config: NearDupConfig) -> None:
    index = _index_with(config, ("wire", WIRE), ("edited-elsewhere", EDITED))
    assert index.find(text_signature(OTHER_STORY, config)) is None


def test_truncated_lead_matches_full_story(config: NearDupConfig) -> None:
    index = _index_with(config, ("wire", WIRE), site=True)
    match = index.find(text_signature(LEAD, config))
    assert match is not None and match.doc_id == "wire"
    assert match.reason in {"contained", "lead"}


def test_full_story_matches_stored_lead(config: NearDupConfig) -> None:
    index = _index_with(config, ("teaser", LEAD), site=True)
    match = index.find(text_signature(WIRE, config))
    assert match is not None and match.doc_id == "teaser"


def test_lead_without_known_furniture_is_not_forced(config: NearDupConfig) -> None:
    index = _index_with(config, ("wire", WIRE))
    match = index.find(text_signature(LEAD, config))
    assert match is None or match.doc_id == "wire"


def test_short_generic_text_does_not_match(config: NearDupConfig) -> None:
    index = _index_with(config, ("edited", EDITED))
    generic = "\n".join([FURNITURE_TOP[2], FURNITURE_BOTTOM[2]])  # both inside EDITED
    assert index.find(text_signature(generic, config)) is None


def test_site_furniture_alone_does_not_match(config: NearDupConfig) -> None:
    index = _index_with(config, ("edited", EDITED), site=True)
    other_page = "\n".join([*FURNITURE_TOP, *OTHER_STORY.split("\n")[4:], *FURNITURE_BOTTOM])
    assert index.find(text_signature(other_page, config)) is None


def test_index_persists_across_connections(tmp_path: Path, config: NearDupConfig) -> None:
    db = tmp_path / "state.sqlite"
    conn = sqlite3.connect(db)
    NearDupIndex.create_schema(conn)
    NearDupIndex(conn, config).add("run1-article", text_signature(WIRE, config), now=1.0)
    conn.commit()
    conn.close()
    reopened = sqlite3.connect(db)
    index = NearDupIndex(reopened, config)
    assert index.size() == 1
    match = index.find(text_signature(EDITED, config))
    reopened.close()
    assert match is not None and match.doc_id == "run1-article"


def test_index_never_commits(tmp_path: Path, config: NearDupConfig) -> None:
    conn = sqlite3.connect(tmp_path / "state.sqlite")
    NearDupIndex.create_schema(conn)
    conn.commit()
    index = NearDupIndex(conn, config)
    index.add("a", text_signature(WIRE, config), now=1.0)
    assert conn.in_transaction
    conn.rollback()
    assert index.size() == 0


def test_evict_drops_old_entries(config: NearDupConfig) -> None:
    index = NearDupIndex(None, config)
    index.add("old", text_signature(WIRE, config), now=100.0)
    index.add("new", text_signature(OTHER_STORY, config), now=200.0)
    assert index.evict(older_than=150.0) == 1
    assert index.size() == 1
    assert index.find(text_signature(EDITED, config)) is None
    assert index.conn.execute("SELECT COUNT(*) FROM neardup_band").fetchone()[0] > 0


def test_add_same_id_replaces(config: NearDupConfig) -> None:
    index = _index_with(config, ("x", WIRE), ("x", OTHER_STORY))
    assert index.size() == 1
    assert index.find(text_signature(EDITED, config)) is None


def test_reopening_with_other_signature_params_fails(config: NearDupConfig) -> None:
    index = NearDupIndex(None, config)
    with pytest.raises(ValueError, match="built with"):
        NearDupIndex(index.conn, replace(config, shingle=4))


def _variants(count: int) -> list[str]:
    """Overlapping texts: shuffled, trimmed and mixed wire paragraphs plus site furniture."""
    rng = np.random.default_rng(7)
    paragraphs = WIRE_PARAGRAPHS + OTHER_STORY.split("\n")[1:]
    texts: list[str] = []
    for _ in range(count):
        if texts and rng.random() < 0.2:
            texts.append(texts[-1] + "\n" + FURNITURE_BOTTOM[0])  # a near-identical copy
            continue
        picks = rng.choice(len(paragraphs), size=int(rng.integers(2, 9)), replace=False)
        texts.append("\n".join([*FURNITURE_TOP, *(paragraphs[i] for i in picks)]))
    return texts


def test_find_all_gives_the_verdicts_of_verify_per_candidate(config: NearDupConfig) -> None:
    index = NearDupIndex(None, replace(config, common_docs=4))
    for n, text in enumerate(_variants(60)):
        sig = text_signature(text, index.config)
        expected: dict[str, Match] = {}
        q_size = index._content_size(sig.shingles)
        for _, doc_id, d_size, blob, whole in index._candidate_rows(sig):
            d = np.frombuffer(blob, dtype=np.uint32)
            if verdict := index._verify(sig.shingles, q_size, d, d_size):
                reason = verdict[1] if whole or verdict[1] == "near" else "lead"
                if doc_id not in expected or verdict[0] > expected[doc_id].similarity:
                    expected[doc_id] = Match(doc_id, round(verdict[0], 4), reason)
        found = index.find_all(sig)
        assert found == sorted(expected.values(), key=lambda m: (m.reason != "near", -m.similarity))
        index.add(f"d{n}", sig, now=float(n), keeper="d0" if n % 5 == 4 else None)


def test_candidates_are_the_most_band_hits_first(config: NearDupConfig) -> None:
    index = NearDupIndex(None, replace(config, max_candidates=5))
    sigs = [text_signature(text, config) for text in _variants(40)]
    for n, sig in enumerate(sigs):
        index.add(f"d{n}", sig, now=float(n))
    for sig in sigs:
        whole, lead = index._keys(sig)
        hits: dict[int, list[int]] = {}
        for key, doc in index.conn.execute("SELECT key, doc FROM neardup_band"):
            if key in whole or key in lead:
                hits.setdefault(doc, []).append(key)
        order = sorted(hits, key=lambda doc: (-len(hits[doc]), min(hits[doc]), doc))[:5]
        rows = index._candidate_rows(sig)
        assert [row[0] for row in rows] == sorted(order)
        assert [bool(row[4]) for row in rows] == [bool(set(hits[r[0]]) & set(whole)) for r in rows]
