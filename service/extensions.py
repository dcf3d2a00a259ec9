"""The Flask extensions, made here and bound to an app in create_app (FlaskBB's layout)."""

from __future__ import annotations

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# counts live in each worker's memory unless RATELIMIT_STORAGE_URI names a shared store (memcached, redis)
limiter = Limiter(key_func=get_remote_address, default_limits=[])
