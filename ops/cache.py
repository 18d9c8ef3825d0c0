"""The shared file cache of the public answers, without Django's zlib layer."""

from __future__ import annotations

import pickle

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache
from django.core.files import locks


class PublicFileCache(FileBasedCache):
    """Django's FileBasedCache storing values as they are pickled, not zlib-compressed.

    What it keeps is compressed already (brotli and gzip copies of the text, Excel and
    PDF files), so deflating it again saves nothing, and inflating a 1 MB workbook on every
    read cost ~5 ms, twice /healthz. An entry it cannot read (written by another version)
    is a miss: the answer is built again.
    """

    def get(self, key, default=None, version=None):
        try:
            with open(self._key_to_file(key, version), "rb") as f:
                if not self._is_expired(f):
                    return pickle.loads(f.read())
        except FileNotFoundError:
            pass
        except (pickle.UnpicklingError, EOFError, ValueError):
            self.delete(key, version)
        return default

    def _write_content(self, file, timeout, value) -> None:
        file.write(pickle.dumps(self.get_backend_timeout(timeout), self.pickle_protocol))
        file.write(pickle.dumps(value, self.pickle_protocol))

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        try:
            with open(self._key_to_file(key, version), "r+b") as f:
                try:
                    locks.lock(f, locks.LOCK_EX)
                    if self._is_expired(f):
                        return False
                    previous = pickle.loads(f.read())
                    f.seek(0)
                    f.truncate()
                    self._write_content(f, timeout, previous)
                    return True
                finally:
                    locks.unlock(f)
        except FileNotFoundError:
            return False
