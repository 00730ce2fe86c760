"""Network studies: many simulated site-days (sites x fleets x demand x promises x policies x
weather draws x seeds) run on Dask, with rows, summaries and the fleet-sizing answer.

:func:`load_study` reads a study file, :func:`run_study` runs its cells (cached by a hash of
their inputs), :func:`summarise` and :func:`sizing` turn the rows into the answer.
"""

from .cells import ROW_COLUMNS, run_day
from .run import StudyRun, dask_client, run_study
from .spec import METRICS, Cell, Study, load_study
from .summary import sizing, summarise, write_rows

__all__ = ["load_study", "Study", "Cell", "METRICS", "run_study", "StudyRun", "dask_client", "run_day",
           "ROW_COLUMNS", "summarise", "sizing", "write_rows"]
