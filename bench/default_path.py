"""The default path for a benchmark: no ``LLM_*`` variables (the embedded model) and a cold cache.

    import default_path
    default_path.use("sqllab-bench-lessons-")      # before anything reads sqllab's settings

The pulled model is found in the usual cache before the cache moves to a fresh folder, so the
benchmark neither downloads it again nor reuses any cached LLM response.
"""

from __future__ import annotations

import os
import tempfile


def use(prefix: str) -> str:
    """Clear ``LLM_*``, point ``SQLLAB_CACHE_DIR`` at a new folder named ``prefix…``; returns it."""
    for name in [n for n in os.environ if n.startswith("LLM_")]:
        os.environ.pop(name)
    cache = tempfile.mkdtemp(prefix=prefix)
    from sqllab import settings
    from sqllab.llm.embedded import find_model

    model = find_model()
    if model is not None:
        os.environ.setdefault("SQLLAB_EMBEDDED_MODEL", str(model))
    os.environ["SQLLAB_CACHE_DIR"] = cache
    settings.reload()
    return cache
