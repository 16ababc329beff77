"""Overwatch: drone overwatch for ground patrols.

Plan overwatch flights around a moving patrol, fly them on an ArduPilot
multicopter over MAVLink, show the picture in a terminal UI, and train with a
built-in ArduCopter-compatible simulator.
"""

__version__ = "0.1.0"
