"""``python -m zielwerk.pipeline SOURCE --data DIR [...]``: the import worker (see ``worker.py``)."""

from .worker import main

raise SystemExit(main())
