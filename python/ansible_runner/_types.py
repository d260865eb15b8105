"""The types of the API's parameters that several modules share.

They are defined at run time (not under TYPE_CHECKING), so that `typing.get_type_hints()` resolves
the annotations of the public functions.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Protocol, Union

# A path given as text or as a path object.
StrPath = Union[str, 'os.PathLike[str]']


class HasFileno(Protocol):
    """A file object: what `fileno()` gives is its descriptor."""

    def fileno(self) -> int: ...


# A descriptor, or a file object that has one.
FileDescriptorLike = Union[int, HasFileno]

# Called with each event, a dict; a truthy result keeps the event's file in `job_events/`.
EventHandler = Callable[[dict[str, Any]], object]
# Called as `status_handler(status_data, runner_config=config)`: a keyword argument, which a
# `Callable[[...], ...]` cannot name.
StatusHandler = Callable[..., object]
# Called with the run's artifact dir.
ArtifactsHandler = Callable[[str], object]
# Polled while the job runs; a truthy result cancels it.
CancelCallback = Callable[[], object]
