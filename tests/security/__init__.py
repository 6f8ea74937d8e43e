"""Security tests: each keeps one fix of issue 13 fixed, attacking as an outsider would."""
