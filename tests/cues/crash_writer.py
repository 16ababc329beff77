"""Run as a subprocess by test_crash: writes cues and acknowledges them until killed.

Prints ``ACK <id>`` after each acknowledge() has returned (and so committed).
"""

from __future__ import annotations

import sys

from overwatch.cues import CueBook, CueKind, CueSource, Sighting


def main(path: str) -> None:
    book = CueBook(path)
    i = 0
    while True:
        i += 1
        cue = book.add_sighting(
            Sighting(CueKind.PERSON, 13.5 + i * 0.01, 2.1, 10.0, float(i), 0.5, CueSource.CAMERA)
        )
        book.acknowledge(cue.id)
        print(f"ACK {cue.id}", flush=True)
        book.note(cue.id, f"note {i}")


if __name__ == "__main__":
    main(sys.argv[1])
