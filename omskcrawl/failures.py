"""Run failures: what a run could not do, named, so that it exits non-zero.

A failure here means data the run saw did not reach the dataset or the state as
it should: a file that could not be written or published, a state commit that
failed. Each is logged at ERROR, counted under `omskcrawl/run_failures/<cause>`
and listed (cause and detail) in the stats key `omskcrawl/run_failures`, which
the manifest copies and which makes the site count as failed.
"""

from __future__ import annotations

import logging

from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

RUN_FAILURES = "omskcrawl/run_failures"
CAUSES = ("write", "publish", "state_commit", "state_open", "request_queue")


def record_failure(stats: StatsCollector, cause: str, detail: str) -> None:
    """Log, count and list one failure of this run (`cause` is one of CAUSES)."""
    if cause not in CAUSES:
        raise ValueError(f"unknown failure cause {cause!r}; one of {CAUSES}")
    logger.error("run failure (%s): %s", cause, detail)
    stats.inc_value(f"{RUN_FAILURES}/{cause}")
    listed = list(stats.get_value(RUN_FAILURES) or [])
    listed.append({"cause": cause, "detail": detail})
    stats.set_value(RUN_FAILURES, listed)
