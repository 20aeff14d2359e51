"""Printed letters: messages wait for the next print batch; the school prints and posts the PDF."""
