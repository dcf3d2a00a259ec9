"""The plain values the engine works on: a calendar, a roster, activity columns, a bundle, a scheme. No I/O."""
