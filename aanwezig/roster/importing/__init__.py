"""Roster import: EDEXML 2.1, OneRoster 1.1/1.2 CSV and a simple guardians CSV, synced into
the roster. Parsers turn a file into a ``RosterSet`` (or raise ``RosterFileError`` with every
problem located); ``sync.sync_roster`` applies a set to a school. See docs/import-roster.md.
"""
