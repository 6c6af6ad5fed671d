"""Start the web application with uvicorn, named by string (the CLI never imports the web package).

``uvicorn`` imports the app factory ``zielwerk.web.app:create_app_from_env`` itself, in each worker
process; the settings travel in environment variables (``ZIELWERK_DATA_DIR``, ``ZIELWERK_DB_URL``,
``ZIELWERK_INSECURE_COOKIES``).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

APP_FACTORY = "zielwerk.web.app:create_app_from_env"


def port_problem(host: str, port: int) -> str | None:
    """A German message if ``host:port`` cannot be bound now (port in use, address not local), else None.

    A plain bind test without SO_REUSEADDR, done before anything is prepared, so a second ``demo`` or
    ``serve`` on a busy port changes nothing (no data, no reset passwords).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return f"Fehler: die Adresse „{host}“ ist unbekannt."
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        sock.bind(addr)
    except OSError:
        return (f"Fehler: Port {port} auf {host} ist belegt oder nicht verfügbar (läuft Zielwerk schon?). "
                f"Einen anderen Port wählen, z. B. --port {port + 1 if port < 65535 else 8001}.")
    finally:
        sock.close()
    return None


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
