"""The public read API (Django REST framework): its own layer beside the areas.

``public`` chooses what may be seen (published articles, public claims, corrections of
published articles, the rating scales) with everything a page of them needs prefetched;
``serializers`` is the one public shape of each, used by the API and the open-data dumps
alike; ``filters``, ``throttles`` and ``views`` are the API's own; ``urls`` mounts it at
/api/ with its OpenAPI schema. The layer reads models and calls read-only services; it
never fetches (an import-linter contract)."""
