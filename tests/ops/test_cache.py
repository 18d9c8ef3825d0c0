"""The public answers' file cache: values kept as they are (no zlib), old entries a miss."""

from __future__ import annotations

import pickle

from django.core.cache.backends.filebased import FileBasedCache

from ops.cache import PublicFileCache


def caches(tmp_path) -> tuple[PublicFileCache, FileBasedCache]:
    params = {"TIMEOUT": 60, "OPTIONS": {"MAX_ENTRIES": 100}}
    return PublicFileCache(str(tmp_path), params), FileBasedCache(str(tmp_path), params)


def test_it_keeps_bytes_uncompressed_and_reads_them_back(tmp_path):
    cache, _django = caches(tmp_path)
    body = b"PK\x03\x04" + bytes(range(256)) * 4000  # an Excel file: compressed already
    cache.set_many({"a:headers": {"Content-Type": "x"}, "a:body": body})
    assert cache.get_many(["a:headers", "a:body"]) == {
        "a:headers": {"Content-Type": "x"},
        "a:body": body,
    }
    # Stored pickled, not deflated:
    stored = pickle.dumps(body, pickle.HIGHEST_PROTOCOL)
    assert any(p.read_bytes().endswith(stored) for p in tmp_path.iterdir())
    assert cache.touch("a:body", 120) and cache.get("a:body") == body
    assert cache.get("missing", "default") == "default"


def test_an_entry_written_by_djangos_own_file_cache_is_a_miss(tmp_path):
    """(Django's backend deflates its values; a folder kept from before is read as empty.)"""
    cache, django_cache = caches(tmp_path)
    django_cache.set("old", b"written before the upgrade")
    assert cache.get("old", "miss") == "miss"
    assert not cache.has_key("old")  # removed, so it is built again
