"""Start the web application with uvicorn, named by string (the CLI never imports the web package).

``uvicorn`` imports the app factory ``zielwerk.web.app:create_app_from_env`` itself, in each worker
process; the settings travel in environment variables (``ZIELWERK_DATA_DIR``, ``ZIELWERK_DB_URL``,
``ZIELWERK_INSECURE_COOKIES``).
"""

from __future__ import annotations

import os
from pathlib import Path

APP_FACTORY = "zielwerk.web.app:create_app_from_env"


def serve(data_dir: Path, db: str, host: str, port: int, insecure_cookies: bool, workers: int = 1) -> None:
    import uvicorn

    os.environ["ZIELWERK_DATA_DIR"] = str(Path(data_dir).resolve())
    if db:
        os.environ["ZIELWERK_DB_URL"] = db
    if insecure_cookies:
        os.environ["ZIELWERK_INSECURE_COOKIES"] = "1"
    # proxy_headers=False: X-Forwarded-For is honoured only from configured proxies (web/security.py)
    uvicorn.run(APP_FACTORY, factory=True, workers=workers, host=host, port=port, log_level="warning",
                access_log=False, proxy_headers=False)
