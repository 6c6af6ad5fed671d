"""The import pipeline: one atomic, fast path from a dataset folder to live results (docs/pipeline.md).

Below ``web`` and ``cli``, which both use it; it imports ``data``, ``indicators``, ``targets``,
``casework`` and ``store``, never ``web`` or ``cli``. :func:`run_import` validates a source folder,
computes the indicators once, monitors every stored agreement from that table, builds work lists,
case files and caseload and publishes everything as one generation (``generations.py``) by switching
one pointer. Readers (:func:`live_generation`, :class:`ResultsReader`) only ever see one whole
generation. ``python -m zielwerk.pipeline`` runs it as a worker process (``worker.py``).
"""

from .generations import Generation, check, live_generation, live_id, recover
from .limits import LimitExceeded, Limits, check_limits
from .lock import ImportLock, ImportRunning, is_running
from .parts import ResultsReader
from .run import STEPS, DatasetRejected, ImportResult, run_import

__all__ = ["STEPS", "DatasetRejected", "Generation", "ImportLock", "ImportResult", "ImportRunning",
           "LimitExceeded", "Limits", "ResultsReader", "check", "check_limits", "is_running", "live_generation",
           "live_id", "recover", "run_import"]
