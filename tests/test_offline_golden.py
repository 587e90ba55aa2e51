"""Same course on every rebuild: an offline dataset is a function of (theme, lang, seed, difficulty).

Faker promises the same output for a seed only within one version, so pyproject.toml pins its
minor version. These digests are of ``Dataset.model_dump_json()`` under that pin; when moving the
pin, check that the new version still gives good lessons, then update the digests in one commit.
"""

from __future__ import annotations

import hashlib

import faker
import pytest

from sqllab.content.offline import THEMES, generate_offline_dataset

FAKER_MINOR = "40.63"
GOLDEN = {
    ("shop", "en"): "7f1fe6bbca00f59dbe4c7b4fdcbbb7d98fabb83da1fa5eabb291c805aef7c550",
    ("shop", "ja"): "32ef8021fa6a0074c086e365fb5cff0d613ae1b121288e345ec71ea73cf2969e",
    ("school", "en"): "a90b4ab564b46594db20354172a21ded69f3c04d8263943e98fe0ac2866696af",
    ("school", "ja"): "acfcd4f9a32e485b32f75feea0de349a5dbf041fffd3ba1dc0936f3c454dae69",
    ("library", "en"): "ea8a8b5cc9894b5405a2eaef0140a8cedbf132a51abad2c84fc100e432895c75",
    ("library", "ja"): "77ccdbea7a1dbe75e3d4bcd6ea9717e525f8dab73d32f0346a3406e55cdbd3e8",
    ("hr", "en"): "ed8bb56386e2fdcee42c09b07c9bfafd840f484a9a849e71d3e44085e25c746c",
    ("hr", "ja"): "054c28bba03a0b9e0709923d4f5b008e4f4db27b0fb6b7790f0589ba51da3152",
    ("flights", "en"): "6b4cb2124bc361f626ccb57851d76c69511de89ab4b516c4645ade823cd48879",
    ("flights", "ja"): "9a6009f39328c90bf4856848cec0dbeeee0c8ebd7390a99dae8d2255bf5d4440",
}


def test_faker_is_the_pinned_minor_version() -> None:
    assert ".".join(faker.VERSION.split(".")[:2]) == FAKER_MINOR, (
        f"Faker {faker.VERSION} is installed; the digests below were taken with {FAKER_MINOR}.*")


def test_every_theme_and_language_has_a_digest() -> None:
    assert set(GOLDEN) == {(theme, lang) for theme in THEMES for lang in ("en", "ja")}


@pytest.mark.parametrize("theme, lang", sorted(GOLDEN))
def test_offline_dataset_is_the_same_on_every_rebuild(theme: str, lang: str) -> None:
    dataset = generate_offline_dataset(theme, lang=lang, seed=7, difficulty="medium")
    digest = hashlib.sha256(dataset.model_dump_json().encode("utf-8")).hexdigest()
    assert digest == GOLDEN[(theme, lang)], f"{theme}/{lang} changed (Faker {faker.VERSION})"
