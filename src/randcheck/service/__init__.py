"""randcheck as an HTTP service for provincial platforms (docs/service.md).

:func:`create_app` builds the ASGI application for :class:`Settings`
(:func:`load_settings` reads them from a TOML or YAML file and the environment);
``randcheck serve`` runs it under uvicorn.
"""

from randcheck.service.app import create_app
from randcheck.service.settings import Settings, load_settings

__all__ = ["Settings", "create_app", "load_settings"]
