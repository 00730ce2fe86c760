"""dronedel: plan 30-minute drone deliveries around airspace and fly them in ArduPilot SITL."""

__version__ = "0.1.0"
