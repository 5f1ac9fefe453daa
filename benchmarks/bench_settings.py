"""Settings of the benchmark server: the production settings plus a bench URLconf.

gunicorn runs `dangjian.wsgi` with DJANGO_SETTINGS_MODULE=bench_settings and DANGJIAN_ENV=
production (DEBUG off, production security headers), HTTPS redirects switched off through
DANGJIAN_SSL_REDIRECT=0 since the load generator speaks plain HTTP on the loopback. The only
difference from production is the URLconf: the application plus a minimal view (bench_urls).
"""

from __future__ import annotations

import os

from dangjian.settings import *  # noqa: F403

ROOT_URLCONF = os.environ.get("BENCH_URLCONF", "bench_urls")
