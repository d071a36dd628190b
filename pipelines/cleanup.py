"""Rule-based removal of site furniture that the main-text extractor lets through."""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

Removed = list[tuple[str, str]]
MIN_KEPT_SHARE = 0.5  # a clean-up that keeps less than this share of the text is not trusted

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile("[.!?\u2026:;)\"'\u201d\u2019\u00bb\u3002\uff01\uff1f]\\s*$")
_GLUED = re.compile(r"\b[A-Z][a-z]+[A-Z][a-z]")  # "Middle EastWorld News": menu items glued
_DATE_HINT = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.? \d{1,2}\b|"
    r"\b\d{1,2}:\d\d\b|\b\d{4}-\d\d-\d\d\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|"
    r"\b(updated|published|posted|min(ute)?s? read|reading time|tempo de leitura)\b",
    re.IGNORECASE,
)

# a (short) line heading a block of links: the link titles after it go too
_LIST_HEADING = re.compile(
    r"^\W*(related( articles?| posts?| stories| content| news| coverage| links| topics)?|"
    r"more (from|on|in|stories|news|articles|to explore)\b.*|"
    r"(you|we think you) (may|might) (also )?(like|enjoy).*|"
    r"recommended( for you| stories| articles| reading)?|most (read|popular|viewed|shared).*|"
    r"popular (on|in|now|stories|articles)\b.*|trending( now| stories| articles)?|read next|"
    r"up next|what to read next|(don'?t|do not) miss.*|explore further|also read|see also|"
    r"further reading|tags?|topics?|filed under.*|posted in.*|categor(y|ies)|"
    r"previous (article|post|story)|next (article|post|story)|other stories|top stories)\W*$",
    re.IGNORECASE,
)

# a (short) line that is a widget label, a form prompt or a dateline
_LABEL_LINE = re.compile(
    r"^\W*(leave a (reply|comment)|post a comment|add a comment|join the (discussion|conversation)|"
    r"((reader|user) )?comments?( \(\d+\))?|\d+ comments?|(no|show|view|load|read \d+) comments?|"
    r"(add|post) (your|a) comment|have your say|like this|read more|skip (advertisement|ad)|"
    r"e-?mail (this )?to a friend|supported by|"
    r"share( this( article| story| post| page)?| on \w+| via \w+)?|copy link|gift this article|"
    r"save( this)? article|listen to (this|the) article|\d+ min(ute)?s? read|"
    r"advertisement|sponsored( content)?|(advertisement )?(- )?scroll to continue.*|"
    r"story continues below.*|continue reading.*|back to top( button)?|scroll to top|"
    r"(print|e-?mail)( this)?( article| story| page)?|printer[- ]friendly( version)?|"
    r"order reprints|reprints?( & permissions)?|bookmark this|"
    r"(sign up|subscribe|sign in|log in)( now| today| here)?|([\w ]{0,30} )?newsletters?|"
    r"thank you|thanks for signing up|sorry|(last )?updated\b.*\d.*|published\b.*\d.*)\W*$",
    re.IGNORECASE,
)

# a line starting with a cross-link or promo prefix
_FURNITURE_PREFIX = re.compile(
    r"^\W*(related( post| article| story| content)?|read more|see more|also on \S+|also read|"
    r"read also|see also|more|recommended|watch|listen|sign up|also|leggi anche|leia também|"
    r"lesen sie auch|lire aussi|lee también|mehr zum thema)\s*:",
    re.IGNORECASE,
)

# calls to action, newsletter prompts, legal notes: dropped when short
_PROMO = re.compile(
    r"\b(click here to (subscribe|sign up|get the \w+ app)|subscribe (to|now|for)|"
    r"sign up (for|to|here|now)|newsletters?\b.*\b(inbox|sign|"
    r"subscri)|(inbox|sign up|subscri\w*)\b.*\bnewsletters?|follow (us|him|her|them|@\w+|\w+) on "
    r"(twitter|facebook|instagram)|download (our|the) app|get the .* app|"
    r"all rights reserved|copyright\s*(©|ⓒ|\(c\)|\d{4})|^\W*copyright\b.{0,60}\b(19|20)\d\d|"
    r"©\s*\d{4}|share it with a friend|"
    r"cookies? (policy|to ensure|settings)|we use cookies|your email address will not be published|"
    r"save my name, email|have a tip\?|may be reached at|write to .* at \S+@|"
    r"tell us what you think|click to tweet|(delivered|straight|directly) to your inbox|"
    r"in your inbox (every|each)|"
    r"if you (enjoyed|liked) this (article|story|post)|"
    r"image (copyright|caption|credit)|photo(graph)?s? (by|credit|courtesy)|getty images|"
    r"\((ap )?photo\b|an error (has )?occurred|please try again|personal,? non-commercial use)",
    re.IGNORECASE,
)

# trailing credits and author contact lines (checked only at the end of the text)
_TAIL_CREDIT = re.compile(
    r"(contributed (to )?(this )?report(ing)?|additional reporting|^\W*\(?reporting by|"
    r"writers? .* contributed|^\W*source\s*:|^\W*editing by|\S+@\S+\.\w+|twitter\.com/|"
    r"^\W*(email|e-mail|contact|follow) .* (at|on) \S+|^\W*https?://\S+\W*$)",
    re.IGNORECASE,
)
_CLICK_TO_TWEET = re.compile(r"\s*click to tweet\s*$", re.IGNORECASE)
_ONLY_URL_OR_STAMP = re.compile(
    r"^\W*(\d{4}-\d\d-\d\d(T[\d:.+\-Z]+)?|\S+\.(jpe?g|png|gif|webp))\W*$",
    re.IGNORECASE,
)


def _tokens(line: str) -> list[str]:
    """Lower-cased word tokens of a line."""
    return [t.lower() for t in _WORD.findall(line)]


def line_key(text: str) -> str:
    """Comparison key of a line: its lower-cased words joined by spaces."""
    return " ".join(_tokens(text))


def _is_headline_like(line: str, max_words: int = 20) -> bool:
    """True for a short line without sentence punctuation at its end (a link title)."""
    return len(_WORD.findall(line)) <= max_words and not _SENTENCE_END.search(line)


def _matches_title(line: str, title_tokens: list[str]) -> bool:
    """True when the line is the headline (possibly cut before a " - Site" suffix)."""
    toks = _tokens(line)
    if not toks or not title_tokens:
        return False
    if toks == title_tokens:
        return True
    n = len(toks)
    if n < max(3, len(title_tokens) // 2):
        return False
    return title_tokens[:n] == toks or toks[-len(title_tokens) :] == title_tokens


def _overlap(line: str, title_tokens: list[str]) -> float:
    """Share of the line's tokens that occur in the title."""
    toks = _tokens(line)
    return sum(t in title_tokens for t in toks) / len(toks) if toks else 0.0


def _strip_dek(lines: list[str], description: str | None, removed: Removed) -> list[str]:
    """Drop a standfirst at the top that repeats the page description as a headline-like line."""
    if len(lines) < 3 or not description:
        return lines
    if line_key(lines[0]) == line_key(description) and _is_headline_like(lines[0], 40):
        removed.append((lines[0], "standfirst"))
        return lines[1:]
    return lines


def _strip_head(lines: list[str], title: str | None, removed: Removed) -> list[str]:
    """Drop breadcrumbs, the headline and date lines at the top of the text."""
    title_tokens = _tokens(title or "")
    cut = 0
    for k, line in enumerate(lines[:4]):
        if _matches_title(line, title_tokens):
            cut = k + 1
    if any(len(_WORD.findall(line)) > 8 for line in lines[: cut - 1]):
        cut = 1 if cut and _matches_title(lines[0], title_tokens) else 0
    for line in lines[:cut]:
        removed.append((line, "headline" if _matches_title(line, title_tokens) else "breadcrumb"))
    lines = lines[cut:]
    if (
        len(lines) > 2
        and _is_headline_like(lines[0], 30)
        and _overlap(lines[0], title_tokens) >= 0.5
    ):
        removed.append((lines[0], "headline_or_dek"))
        lines = lines[1:]
    while lines and _is_head_furniture(lines[0]):
        removed.append((lines[0], "head_furniture"))
        lines = lines[1:]
    return lines


def _is_head_furniture(line: str) -> bool:
    """A first line that is a glued breadcrumb, a dateline or a byline stamp."""
    words = len(_WORD.findall(line))
    if words <= 5 and _GLUED.search(line) and not _SENTENCE_END.search(line):
        return True
    return words <= 14 and bool(_DATE_HINT.search(line)) and not _SENTENCE_END.search(line)


def _line_reason(line: str) -> str | None:
    """Why a single line is furniture wherever it appears, or None."""
    words = len(_WORD.findall(line))
    if words == 0 or _ONLY_URL_OR_STAMP.match(line):
        return "no_text"
    if words <= 8 and _LIST_HEADING.match(line):
        return "furniture_heading"
    if words <= 8 and _LABEL_LINE.match(line):
        return "furniture_label"
    if words <= 30 and _FURNITURE_PREFIX.match(line):
        return "cross_link"
    if words <= 40 and _PROMO.search(line):
        return "promo"
    if words <= 30 and "©" in line:
        return "image_credit"
    return None


def _drop_lines(lines: list[str], removed: Removed) -> list[str]:
    """Drop lines that are furniture wherever they appear; skip the headline-like run after one."""
    kept: list[str] = []
    after_heading = after_link = False
    for raw in lines:
        line = _CLICK_TO_TWEET.sub("", raw)
        reason = _line_reason(line)
        if reason is None and after_heading and _is_headline_like(line, 14):
            reason = "cross_link"
        if reason is None and after_link and line.startswith("- ") and _is_headline_like(line):
            reason = "cross_link"
        if reason:
            removed.append((raw, reason))
            after_heading = after_heading or reason == "furniture_heading"
            after_link = reason == "cross_link"
            continue
        after_heading = after_link = False
        kept.append(line)
    return kept


def _is_name(line: str) -> bool:
    """A line that is only a person's name (2-4 capitalised words)."""
    words = line.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() and w.isalpha() for w in words)


def _strip_author_box(lines: list[str], removed: Removed) -> list[str]:
    """Drop a trailing author box: a name line followed by a short bio about that person."""
    for k in range(max(1, len(lines) - 3), len(lines) - 1):
        name, bio = lines[k], lines[k + 1]
        first = bio.split()[0] if bio.split() else ""
        if (
            _is_name(name)
            and len(_WORD.findall(bio)) <= 50
            and first in {*name.split(), "He", "She"}
        ):
            removed.extend((line, "author_bio") for line in lines[k:])
            return lines[:k]
    return lines


def _strip_tail(lines: list[str], removed: Removed) -> list[str]:
    """Drop credits, author contacts and link titles at the end of the text."""
    lines = _strip_author_box(lines, removed)
    while len(lines) > 1:
        line = lines[-1]
        if _TAIL_CREDIT.search(line) and len(_WORD.findall(line)) <= 60:
            removed.append((line, "credit"))
        else:
            break
        lines = lines[:-1]
    return lines


def _drop_link_runs(lines: list[str], links: set[str], removed: Removed) -> list[str]:
    """Drop runs of two or more lines that are each only a link title (related links)."""
    is_link = [_is_headline_like(line) and line_key(line) in links for line in lines]
    kept = []
    for k, line in enumerate(lines):
        in_run = is_link[k] and (
            (k > 0 and is_link[k - 1]) or (k + 1 < len(lines) and is_link[k + 1])
        )
        if in_run:
            removed.append((line, "link_list"))
        else:
            kept.append(line)
    return kept


def _drop_captions(lines: list[str], captions: set[str], removed: Removed) -> list[str]:
    """Drop lines that are image captions."""
    kept = []
    for line in lines:
        if line_key(line) in captions:
            removed.append((line, "image_caption"))
        else:
            kept.append(line)
    return kept


def clean_text(
    text: str,
    title: str | None = None,
    captions: set[str] | None = None,
    links: set[str] | None = None,
    description: str | None = None,
) -> tuple[str, Removed]:
    """Remove furniture lines from extracted text; return the text and the removed lines."""
    removed: Removed = []
    original = [" ".join(line.split()) for line in text.splitlines()]
    original = [line for line in original if line]
    lines = _drop_captions(original, captions, removed) if captions else original
    if links:
        lines = _drop_link_runs(lines, links, removed)
    lines = _strip_head(lines, title, removed)
    lines = _strip_dek(lines, description, removed)
    lines = _drop_lines(lines, removed)
    lines = _strip_tail(lines, removed)
    if sum(map(len, lines)) < MIN_KEPT_SHARE * sum(map(len, original)):
        logger.debug("clean-up would remove most of the text; only the headline is dropped")
        removed = []
        lines = _strip_head(original, title, removed)
    return "\n".join(lines), removed
