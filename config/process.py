"""What a serving process does once its application is loaded."""

import gc


def freeze_startup_objects() -> None:
    """Leave the objects loaded at start out of the garbage collector's full passes.

    Modules, settings, URL patterns, templates and translations live as long as the
    process, yet every full collection walked them all again: on the meeting board
    (a few thousand bookings a request) those passes made the slowest requests twice
    as slow as the median (bench/README.md, meetings). Frozen, they are also left
    unwritten, so workers forked from a preloading server keep sharing their pages.
    """
    gc.collect()
    gc.freeze()
