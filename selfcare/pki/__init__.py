"""Test public-key infrastructure: CAs, person certificates and signed provider answers, for simulators and
tests.

Nothing in this package may be trusted in production: its CAs are generated locally and their keys lie on
disk.
"""
