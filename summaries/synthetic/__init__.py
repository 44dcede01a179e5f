"""Synthetic summaries for search and load benchmarks (``manage.py generate_synthetic``).

Every synthetic summary is clearly labelled: ``Intervention.is_synthetic`` is set, the slug
starts with ``synthetic-`` and the title with ``[Synthetic] ``. Generation only inserts
rows; ``synthetic_delete()`` removes exactly the interventions flagged synthetic, with all
their versions and child rows. Taxonomy terms are ordinary shared data and are never
deleted.

Each summary is live (one published version, number 1) and has a title, a standfirst, the
nine sections (about 250-400 words in all), taxonomy, the six ratings, one to three
systematic reviews with breakdowns and, for some, a key figure. Its text depends only on
the seed and its number, so the same N and seed give the same text; publication dates are
spread over the five years before the run.

Word statistics, which the search benchmark relies on. "Hits" are the summaries whose
title, standfirst or sections contain the word, case-insensitively. They are the same
whether counted with ``LIKE '%word%'`` or with PostgreSQL full-text search (``english``
configuration, ``websearch_to_tsquery``): no other word in the text shares a substring or a
stem with these terms. Measured at N = 1,000, 10,000 and 100,000 (seed 20250101):

- ``COMMON_TERMS`` (word -> share): "crime" 75%, "evidence" 85%, "review" 70%, "reduce"
  65%. Each is switched on per summary with that probability; when it is off, the summary
  uses a synonym throughout ("offending", "research", "meta-analysis", "lower"/"fall"), so
  the hit rate is the probability whatever N (measured within 1 point at 10,000+).
- ``TYPICAL_TERMS`` (word -> expected share, 2.6% to 4.9%): one word per problem (crime
  type) and per approach (intervention type), e.g. "burglary", "shoplifting", "fraud",
  "cctv", "mentoring", "restorative"; a few are hyphenated ("anti-social", "body-worn") and
  one is a phrase ("hot spots"). A summary has one primary problem and one primary
  approach, drawn with mild weights, and with probability 0.15 a second of each. The word
  appears exactly in the summaries tagged with its term, so its hits equal that tag's count
  (2.5% to 5.1% measured at 100,000).
- ``RARE_TERMS``: twenty made-up names ("Kestrelwood", "PRISMAX", "tessellated", ...).
  Each run puts each of them in exactly ``RARE_TERM_HITS`` (10) summaries spread evenly
  over the run, so each has 10 hits at any N >= 10 (fewer below). A second run
  adds 10 more.
- Also: "Synthetic" is in every title; setting and population names such as "prison",
  "residential areas" or "young people" in about 15-25% of summaries.

A second ``generate_synthetic N`` adds N more summaries numbered after the existing ones
(their text differs, as it depends on the number); run ``--delete`` first (or together)
for a set with exactly the statistics above.
"""

from .corpus import (
    APPROACHES,
    COMMON_TERMS,
    DEFAULT_SEED,
    MAX_COUNT,
    PROBLEMS,
    RARE_TERM_HITS,
    RARE_TERMS,
    TYPICAL_TERMS,
)
from .prose import plan_summary
from .store import synthetic_delete, synthetic_generate, vocabulary_ensure

__all__ = [
    "APPROACHES",
    "COMMON_TERMS",
    "DEFAULT_SEED",
    "MAX_COUNT",
    "PROBLEMS",
    "RARE_TERMS",
    "RARE_TERM_HITS",
    "TYPICAL_TERMS",
    "plan_summary",
    "synthetic_delete",
    "synthetic_generate",
    "vocabulary_ensure",
]
